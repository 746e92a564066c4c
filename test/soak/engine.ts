/**
 * The soak engine: thousands of mixed operations against the fake Skytells API with every fault kind
 * injected at a high rate, and the invariants that must hold whatever the faults:
 *
 * - no defects, no unhandled rejections;
 * - no duplicate predictions: every prediction the fake holds belongs to a create the client saw
 *   succeed or fail ambiguously, and no create produced two (the default safety rules never retry a
 *   create after an ambiguous failure);
 * - the retry budget: no call made more than `maxAttempts` requests (from the fake's request log,
 *   each call tagged with an `x-soak-call` header);
 * - the API key never appears in captured logs (debug level), spans or error output.
 *
 * The one engine behind both the CI test (test/soak.test.ts) and the long run (`pnpm soak`, bench/src/soak.ts).
 */
import * as Inference from "@effect-skytells/client/Inference"
import * as Predictions from "@effect-skytells/client/Predictions"
import * as Retry from "@effect-skytells/client/Retry"
import * as SkytellsClient from "@effect-skytells/client/SkytellsClient"
import * as FakeSkytells from "@effect-skytells/testing/FakeSkytells"
import * as Fault from "@effect-skytells/testing/Fault"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import { inspect } from "node:util"

export const SOAK_KEY = "sk-soak-7f3a9c1e5b2d4f6a8c0e2b4d6f8a0c2e"

export interface SoakOptions {
  readonly operations: number
  readonly concurrency: number
  readonly seed: number
  /** Probability of each fault kind per request. */
  readonly faultRate: number
  /** Per-attempt timeout (stalls end with it). */
  readonly timeout: Duration.DurationInput
  readonly maxAttempts: number
  /** The HttpClient (and FakeSkytells) to run against. */
  readonly fake: Layer.Layer<FakeSkytells.FakeSkytells | HttpClient.HttpClient>
  /**
   * Builds the client from its options; default: `SkytellsClient.layer` over the fake's HttpClient.
   * `NodeSkytellsClient.layer` soaks the undici fast path (with the fake on loopback).
   */
  readonly client?:
    | ((options: SkytellsClient.Options) => Layer.Layer<SkytellsClient.SkytellsClient, ConfigError.ConfigError>)
    | undefined
  readonly progress?: ((done: number) => void) | undefined
}

export interface SoakReport {
  readonly operations: number
  readonly byKind: Record<string, { ok: number; failed: number }>
  readonly succeeded: number
  readonly failedByTag: Record<string, number>
  readonly defects: number
  readonly defectSamples: ReadonlyArray<string>
  readonly unhandledRejections: number
  readonly requests: number
  readonly faultsInjected: Record<string, number>
  readonly predictionsHeld: number
  readonly createsSucceeded: number
  readonly createsAmbiguous: number
  readonly createsFailedCertain: number
  readonly orphanPredictions: number
  readonly duplicatePredictions: number
  readonly calls: number
  readonly maxRequestsPerCall: number
  readonly callsOverBudget: number
  readonly logLines: number
  readonly spans: number
  readonly keyLeaks: { logs: number; spans: number; errors: number }
  readonly seconds: number
}

/** Faults, every kind, each drawn with `rate` (rules are tried in order). */
export const faultRules = (rate: number): ReadonlyArray<Fault.Rule> => [
  { route: "*", fault: Fault.rateLimit(1), probability: rate },
  {
    route: "*",
    fault: Fault.apiError("RATE_LIMIT_EXCEEDED", { status: 429, retryAfterSeconds: 2 }),
    probability: rate / 2
  },
  { route: "*", fault: Fault.serverError(500), probability: rate },
  { route: "*", fault: Fault.gatewayPage(502), probability: rate },
  { route: "*", fault: Fault.serverError(503), probability: rate },
  { route: "*", fault: Fault.serverError(504), probability: rate },
  { route: "*", fault: Fault.connectionRefused, probability: rate / 2 },
  { route: "*", fault: Fault.resetBeforeBody, probability: rate },
  { route: "*", fault: Fault.resetAfterAction, probability: rate },
  { route: "*", fault: Fault.stall, probability: rate / 2 },
  { route: "*", fault: Fault.stallBody(1), probability: rate / 2 },
  { route: "*", fault: Fault.truncate(2), probability: rate },
  { route: "*", fault: Fault.emptyBody(200), probability: rate },
  { route: "*", fault: Fault.unknownErrorId(418), probability: rate },
  { route: "*", fault: Fault.latency("15 millis"), probability: rate }
]

/** A tracer that keeps every span (name, attributes, events, exit) for inspection. */
const recordingTracer = (sink: Array<Tracer.Span>) =>
  Tracer.make({
    span: (name, parent, context, links, startTime, kind) => {
      const attributes = new Map<string, unknown>()
      const events: Array<unknown> = []
      const allLinks = [...links]
      let status: Tracer.SpanStatus = { _tag: "Started", startTime }
      const span: Tracer.Span & { events: Array<unknown> } = {
        _tag: "Span",
        name,
        spanId: Math.random().toString(16).slice(2),
        traceId: "soak",
        parent,
        context,
        get status() {
          return status
        },
        attributes,
        links: allLinks,
        sampled: true,
        kind,
        events,
        end: (endTime, exit) => {
          status = { _tag: "Ended", startTime, endTime, exit }
        },
        attribute: (key, value) => {
          attributes.set(key, value)
        },
        event: (eventName, _time, attrs) => {
          events.push([eventName, attrs])
        },
        addLinks: (more) => {
          for (const link of more) allLinks.push(link)
        }
      }
      sink.push(span)
      return span
    },
    context: (f) => f()
  })

const isAmbiguous = (error: { readonly _tag: string; readonly mayHaveReachedServer?: boolean }) =>
  // The server may have acted: transport failures after sending, timeouts, 5xx other than 503, gateways, malformed answers.
  error._tag === "TransportError" ? error.mayHaveReachedServer === true : ![
    "RateLimitExceeded",
    "RateLimited",
    "ServiceUnavailable",
    "ValidationFailure",
    "InvalidInput",
    "Unauthorized"
  ].includes(error._tag)

type Kind = "createWait" | "get" | "list" | "chat" | "stream" | "embed"
const kinds: ReadonlyArray<[Kind, number]> = [
  ["createWait", 3],
  ["get", 3],
  ["list", 2],
  ["chat", 3],
  ["stream", 2],
  ["embed", 3]
]

/** A small seeded PRNG (mulberry32) for the operation mix. */
export const prng = (seed: number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const runSoak = (options: SoakOptions): Effect.Effect<SoakReport> =>
  Effect.gen(function*() {
    const started = performance.now()
    const random = prng(options.seed)
    const totalWeight = kinds.reduce((n, [, w]) => n + w, 0)
    const pick = (): Kind => {
      let r = random() * totalWeight
      for (const [k, w] of kinds) if ((r -= w) < 0) return k
      return "get"
    }

    // Capture: logs at every level, spans, and each failure's printed forms.
    const logLines: Array<string> = []
    const spans: Array<Tracer.Span> = []
    const errorText: Array<string> = []
    let unhandled = 0
    const onUnhandled = () => {
      unhandled++
    }
    process.on("unhandledRejection", onUnhandled)

    const fake = yield* FakeSkytells.FakeSkytells
    yield* fake.addAccount({ apiKey: SOAK_KEY, credits: 1e9, requestsPerMinute: 1e9, maxConcurrent: 1e9 })
    yield* fake.setScenario({ lifecycle: { queued: "10 millis", starting: "10 millis", processing: "30 millis" } })
    yield* fake.injectFaults(...faultRules(options.faultRate))

    let callCounter = 0
    // Every call is tagged with an `x-soak-call` header, so the fake's log shows each call's attempts.
    const tagCalls = (client: SkytellsClient.Service): SkytellsClient.Service => ({
      ...client,
      execute: (request) =>
        Effect.suspend(() =>
          SkytellsClient.withHeaders(client.execute(request), { "x-soak-call": `c${++callCounter}` })
        ),
      executeRaw: (request) =>
        Effect.suspend(() =>
          SkytellsClient.withHeaders(client.executeRaw(request), { "x-soak-call": `c${++callCounter}` })
        )
    })
    const clientOptions: SkytellsClient.Options = {
      apiKey: Redacted.make(SOAK_KEY),
      baseUrl: fake.baseUrl,
      timeout: options.timeout,
      retry: {
        // The default policy's rules (no retry of a create after an ambiguous failure), with
        // millisecond waits so a soak takes seconds.
        policy: Retry.exponential({ base: "4 millis", cap: "40 millis", maxAttempts: options.maxAttempts }),
        maxRetryAfter: "25 millis"
      }
    }
    const http = Layer.succeed(HttpClient.HttpClient, yield* HttpClient.HttpClient)
    const clientLayer = (options.client !== undefined
      ? options.client(clientOptions)
      : SkytellsClient.layer(clientOptions).pipe(Layer.provide(http))).pipe(
        Layer.map((context) =>
          Context.add(
            context,
            SkytellsClient.SkytellsClient,
            tagCalls(Context.get(context, SkytellsClient.SkytellsClient))
          )
        ),
        Layer.orDie
      )
    const services = Layer.provideMerge(Inference.layerEmbedBatcher({ maxBatchSize: 16 }), clientLayer)

    const created: Array<string> = []
    const createOutcome = new Map<string, "ok" | "ambiguous" | "certain">()
    const stats = {
      succeeded: 0,
      failedByTag: {} as Record<string, number>,
      defects: 0,
      defectSamples: [] as Array<string>,
      byKind: {} as Record<string, { ok: number; failed: number }>
    }

    const operation = (
      kind: Kind,
      n: number
    ): Effect.Effect<unknown, { readonly _tag: string }, SkytellsClient.SkytellsClient | Inference.EmbedBatcher> => {
      const tag = `soak-op-${n}`
      switch (kind) {
        case "createWait":
          return Effect.gen(function*() {
            const exit = yield* Effect.exit(
              Predictions.create({ model: "truefusion", input: { prompt: tag } })
            )
            if (Exit.isFailure(exit)) {
              const error = Cause.failureOption(exit.cause)
              if (Option.isSome(error)) {
                createOutcome.set(tag, isAmbiguous(error.value as any) ? "ambiguous" : "certain")
              }
              return yield* exit
            }
            createOutcome.set(tag, "ok")
            if (exit.value.id) created.push(exit.value.id)
            return yield* Predictions.wait(exit.value, { schedule: Schedule.spaced("15 millis"), maxWait: "3 seconds" })
          })
        case "get":
          return Predictions.get(created.length > 0 ? created[Math.floor(random() * created.length)]! : "missing-id")
        case "list":
          return Stream.runCollect(Stream.take(Predictions.list({ perPage: 5 }), 12)).pipe(Effect.map(Chunk.size))
        case "chat":
          return Inference.chatCompletion({ model: "deepbrain-router", messages: [{ role: "user", content: tag }] })
        case "stream":
          return Stream.runDrain(
            Inference.chatCompletionStream(
              { model: "deepbrain-router", messages: [{ role: "user", content: tag }] },
              { idleTimeout: options.timeout }
            )
          )
        case "embed":
          return Inference.embed("skytells-embed-3-small", tag)
      }
    }

    let done = 0
    const one = (n: number) => {
      const kind = pick()
      return Effect.exit(operation(kind, n)).pipe(
        Effect.flatMap((exit) =>
          Effect.sync(() => {
            const k = (stats.byKind[kind] ??= { ok: 0, failed: 0 })
            if (Exit.isSuccess(exit)) {
              stats.succeeded++
              k.ok++
            } else {
              k.failed++
              const failure = Cause.failureOption(exit.cause)
              if (Option.isSome(failure) && !Cause.isDie(exit.cause) && !Cause.isInterruptedOnly(exit.cause)) {
                const e = failure.value as { readonly _tag: string; readonly message?: string }
                stats.failedByTag[e._tag] = (stats.failedByTag[e._tag] ?? 0) + 1
                errorText.push(
                  String(e),
                  e.message ?? "",
                  inspect(e, { depth: 8 }),
                  safeJson(e),
                  Cause.pretty(exit.cause)
                )
              } else {
                stats.defects++
                if (stats.defectSamples.length < 5) stats.defectSamples.push(Cause.pretty(exit.cause).slice(0, 2000))
              }
            }
            done++
            if (options.progress && done % 250 === 0) options.progress(done)
          })
        ),
        Effect.tap((_) => Effect.logDebug(`soak operation ${n} (${kind}) finished`))
      )
    }

    yield* Effect.forEach(Array.from({ length: options.operations }, (_, i) => i), one, {
      concurrency: options.concurrency,
      discard: true
    }).pipe(
      Effect.provide(services),
      Effect.withTracer(recordingTracer(spans)),
      Logger.withMinimumLogLevel(LogLevel.All),
      Effect.provide(Logger.replace(
        Logger.defaultLogger,
        Logger.map(Logger.jsonLogger, (line) => {
          logLines.push(line)
        })
      ))
    )
    // Let stray fibers (cancelled streams, batch windows) settle before counting.
    yield* Effect.sleep("50 millis")
    process.off("unhandledRejection", onUnhandled)

    // Invariants from the fake's side ---------------------------------------------------------
    const requests = (yield* fake.requests).filter((r) => r.headers["x-api-key"] !== undefined)
    const perCall = new Map<string, number>()
    const faultsInjected: Record<string, number> = {}
    for (const r of requests) {
      const call = r.headers["x-soak-call"] ?? "(none)"
      perCall.set(call, (perCall.get(call) ?? 0) + 1)
      if (r.fault) faultsInjected[r.fault] = (faultsInjected[r.fault] ?? 0) + 1
    }
    const counts = [...perCall.values()]
    const held = (yield* fake.predictions).filter((p) => {
      const input = p.input as { prompt?: unknown } | undefined
      return typeof input?.prompt === "string" && input.prompt.startsWith("soak-op-")
    })
    const perTag = new Map<string, number>()
    for (const p of held) {
      const prompt = (p.input as { prompt: string }).prompt
      perTag.set(prompt, (perTag.get(prompt) ?? 0) + 1)
    }
    let duplicates = 0
    let orphans = 0
    for (const [prompt, n] of perTag) {
      duplicates += n - 1
      const outcome = createOutcome.get(prompt)
      // A prediction for a create the client saw fail certainly (not acted on) should not exist.
      if (outcome === undefined || outcome === "certain") orphans += n
    }
    const outcomes = [...createOutcome.values()]

    // The key, anywhere in what was captured ------------------------------------------------------
    const countLeaks = (texts: ReadonlyArray<string>) => texts.filter((t) => t.includes(SOAK_KEY)).length
    const spanTexts = spans.map((s) =>
      [
        s.name,
        safeJson(Object.fromEntries(s.attributes)),
        safeJson((s as unknown as { events: Array<unknown> }).events),
        s.status._tag === "Ended" && Exit.isFailure(s.status.exit) ? Cause.pretty(s.status.exit.cause) : ""
      ].join(" ")
    )
    return {
      operations: options.operations,
      byKind: stats.byKind,
      succeeded: stats.succeeded,
      failedByTag: stats.failedByTag,
      defects: stats.defects,
      defectSamples: stats.defectSamples,
      unhandledRejections: unhandled,
      requests: requests.length,
      faultsInjected,
      predictionsHeld: held.length,
      createsSucceeded: outcomes.filter((o) => o === "ok").length,
      createsAmbiguous: outcomes.filter((o) => o === "ambiguous").length,
      createsFailedCertain: outcomes.filter((o) => o === "certain").length,
      orphanPredictions: orphans,
      duplicatePredictions: duplicates,
      calls: perCall.size,
      maxRequestsPerCall: counts.length > 0 ? Math.max(...counts) : 0,
      callsOverBudget: counts.filter((n) => n > options.maxAttempts).length,
      logLines: logLines.length,
      spans: spans.length,
      keyLeaks: { logs: countLeaks(logLines), spans: countLeaks(spanTexts), errors: countLeaks(errorText) },
      seconds: (performance.now() - started) / 1000
    } satisfies SoakReport
  }).pipe(Effect.scoped, Effect.provide(options.fake))

const safeJson = (u: unknown): string => {
  try {
    return JSON.stringify(u, (_, v) => (typeof v === "bigint" ? String(v) : v)) ?? ""
  } catch {
    return inspect(u, { depth: 6 })
  }
}

/** The report as a markdown table. */
export const summary = (r: SoakReport, title: string): string => {
  const rows: Array<[string, string | number, string]> = [
    ["operations", r.operations, ""],
    ["succeeded", r.succeeded, ""],
    ...Object.entries(r.failedByTag).sort((a, b) => b[1] - a[1]).map(([tag, n]) =>
      [`failed with ${tag}`, n, "typed"] as [string, number, string]
    ),
    ["defects", r.defects, r.defects === 0 ? "ok (must be 0)" : "**FAIL**"],
    ["unhandled rejections", r.unhandledRejections, r.unhandledRejections === 0 ? "ok (must be 0)" : "**FAIL**"],
    [
      "duplicate predictions (same create, 2+ predictions)",
      r.duplicatePredictions,
      r.duplicatePredictions === 0 ? "ok (must be 0)" : "**FAIL**"
    ],
    [
      "predictions held vs creates seen ok / ambiguous / certain failure",
      `${r.predictionsHeld} vs ${r.createsSucceeded} / ${r.createsAmbiguous} / ${r.createsFailedCertain}`,
      r.orphanPredictions === 0
        ? "ok (no prediction for a create that certainly failed)"
        : `**${r.orphanPredictions} orphans**`
    ],
    ["requests (fake's log)", r.requests, ""],
    ["calls / max requests per call", `${r.calls} / ${r.maxRequestsPerCall}`, ""],
    ["calls over the retry budget", r.callsOverBudget, r.callsOverBudget === 0 ? "ok (must be 0)" : "**FAIL**"],
    [
      "API key in logs / spans / error output",
      `${r.keyLeaks.logs} / ${r.keyLeaks.spans} / ${r.keyLeaks.errors}`,
      r.keyLeaks.logs + r.keyLeaks.spans + r.keyLeaks.errors === 0
        ? `ok (${r.logLines} log lines, ${r.spans} spans searched)`
        : "**FAIL**"
    ],
    ["seconds", r.seconds.toFixed(1), ""]
  ]
  const lines = [`## ${title}`, "", "| | count | |", "|---|---:|---|"]
  for (const [k, v, note] of rows) lines.push(`| ${k} | ${v} | ${note} |`)
  lines.push("")
  lines.push(
    `Faults injected (fake's log): ${
      Object.entries(r.faultsInjected).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", ")
    }`
  )
  lines.push("")
  lines.push(
    `By operation (ok/failed): ${Object.entries(r.byKind).map(([k, v]) => `${k} ${v.ok}/${v.failed}`).join(", ")}`
  )
  return lines.join("\n")
}

export const passed = (r: SoakReport): boolean =>
  r.defects === 0 && r.unhandledRejections === 0 && r.duplicatePredictions === 0 && r.orphanPredictions === 0 &&
  r.callsOverBudget === 0 && r.keyLeaks.logs + r.keyLeaks.spans + r.keyLeaks.errors === 0
