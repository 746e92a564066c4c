/**
 * Building the fake's service over a fresh state, in process or on a loopback server.
 *
 * @internal
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import type * as Scope from "effect/Scope"
import type * as FakeSkytells from "../FakeSkytells.js"
import * as App from "./app.js"
import { render } from "./predictionView.js"
import * as Server from "./server.js"
import { State } from "./state.js"

/** @internal */
export const defaultWebhookSecret = "whsec_fake_skytells"

/** @internal */
export const defaultBaseUrl = "http://skytells.fake/v1"

// Without a seed, ids differ from one start to the next (two runs of the command sharing a receiver
// or a database must not hand out the same prediction ids); the seed drawn is kept, to replay a run.
const seedOf = (options: FakeSkytells.Options): Effect.Effect<number> =>
  options.seed !== undefined ? Effect.succeed(options.seed) : Effect.map(Random.next, (n) => Math.floor(n * 2 ** 32))

const makeWith = (
  baseUrl: string,
  options: FakeSkytells.Options,
  client: HttpClient.HttpClient | undefined
): Effect.Effect<FakeSkytells.Service, never, Scope.Scope> =>
  Effect.gen(function*() {
    const state = new State(baseUrl.replace(/\/+$/, ""), options, {
      client,
      secret: options.webhooks?.secret ?? defaultWebhookSecret,
      maxAttempts: options.webhooks?.maxAttempts ?? 3,
      retryDelay: Duration.decode(options.webhooks?.retryDelay ?? "1 second"),
      allowNonLoopback: options.webhooks?.allowNonLoopback ?? false
    }, yield* seedOf(options))
    const run = yield* FiberSet.makeRuntime<never, void, never>()
    state.runFork = (effect) => {
      run(effect)
    }
    const accountOf = (apiKey?: string) => state.accounts.get(apiKey ?? state.defaultApiKey)
    return {
      baseUrl: state.baseUrl,
      apiKey: state.defaultApiKey,
      webhookSecret: state.webhooks.secret,
      seed: state.seed,
      app: App.make(state),
      requests: Effect.sync(() => state.requests.map((r) => ({ ...r }))),
      clearRequests: Effect.sync(() => {
        state.requests.length = 0
      }),
      predictions: Effect.map(Clock.currentTimeMillis, (now) =>
        Array.from(state.predictions.values()).filter((p) => !p.deleted).map((p) => render(state, p, now))),
      scenario: Effect.sync(() =>
        state.scenario
      ),
      setScenario: (patch) =>
        Effect.sync(() => {
          state.scenario = { ...state.scenario, ...patch }
        }),
      injectFaults: (...rules) => Effect.sync(() => rules.forEach((rule) => state.addRule(rule))),
      script: (route, faults) => Effect.sync(() => state.scripts.push({ route, queue: [...faults] })),
      clearFaults: Effect.sync(() => {
        state.rules = []
        state.scripts = []
      }),
      addAccount: (account) => Effect.sync(() => state.addAccount(account)),
      credits: (apiKey) => Effect.sync(() => accountOf(apiKey)?.credits ?? 0),
      setCredits: (credits, apiKey) =>
        Effect.sync(() => {
          const account = accountOf(apiKey)
          if (account !== undefined) account.credits = credits
        }),
      webhookDeliveries: Effect.sync(() => [...state.deliveries])
    }
  })

/** @internal */
export const make = (options: FakeSkytells.Options = {}): Effect.Effect<FakeSkytells.Service, never, Scope.Scope> =>
  Effect.flatMap(
    Effect.serviceOption(HttpClient.HttpClient),
    (client) =>
      makeWith(options.baseUrl ?? defaultBaseUrl, options, options.webhooks?.client ?? Option.getOrUndefined(client))
  )

/** @internal */
export const serve = (
  options: FakeSkytells.ServeOptions = {}
): Effect.Effect<FakeSkytells.Served, HttpServerError.ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const client = options.webhooks?.client ?? (yield* Effect.provide(HttpClient.HttpClient, FetchHttpClient.layer))
    return yield* Server.serve(
      { port: options.port ?? 0, host: options.host ?? "127.0.0.1" },
      (url) => Effect.map(makeWith(`${url}/v1`, options, client), (fake) => ({ fake, app: fake.app }))
    )
  })
