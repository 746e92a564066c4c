// One webhook worker of the two-process proof (WebhookProof.ts), run as its own process by a
// backend's test/fixtures/deliveryWorker.ts, which only builds its store: the real
// `Webhooks.handler` over that store. Each stdin line {"id": string, "count": number, "fail": boolean}
// delivers `count` identical signed `prediction.succeeded` deliveries at once to a handler whose
// onEvent fails when `fail` is set. It answers {"statuses": {"<status>": n, ...}, "runs": n}, where
// `runs` is how many times onEvent ran in this process, so the test can count them across processes.
// Deep imports, not the barrels: less for tsx to compile at every start.
import * as Webhooks from "@effect-skytells/client/Webhooks"
import type * as WebhookStore from "@effect-skytells/client/WebhookStore"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect, Layer, Logger, ManagedRuntime, Redacted } from "effect"
import * as Readline from "node:readline"

export interface Command {
  readonly id: string
  readonly count: number
  readonly fail: boolean
}

export interface Answer {
  readonly statuses: Readonly<Record<string, number>>
  readonly runs: number
}

const secret = Redacted.make("whsec_workers_test")

const deliverAll = ({ count, fail, id }: Command) =>
  Effect.gen(function*() {
    let runs = 0
    const app = Webhooks.handler({
      secret,
      onEvent: () =>
        Effect.suspend(() => {
          runs++
          return fail ? Effect.fail("the handler fails") : Effect.void
        })
    })
    const body = JSON.stringify({
      type: "prediction.succeeded",
      created_at: "2026-03-20T08:15:12.000000Z",
      data: { id, status: "succeeded", output: ["https://example.com/out.png"] }
    })
    const headers = {
      "content-type": "application/json",
      [Webhooks.signatureHeader]: yield* Webhooks.sign(body, secret)
    }
    // A fresh request each time: a request's body can be read once.
    const deliver = Effect.suspend(() =>
      app.pipe(
        Effect.provideService(
          HttpServerRequest.HttpServerRequest,
          HttpServerRequest.fromWeb(
            new Request("http://127.0.0.1/webhooks/skytells", { method: "POST", headers, body })
          )
        ),
        Effect.map((response) => HttpServerResponse.toWeb(response).status)
      )
    )
    const statuses = yield* Effect.all(Array.from({ length: count }, () => deliver), { concurrency: "unbounded" })
    const counts: Record<string, number> = {}
    for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1
    return { statuses: counts, runs } satisfies Answer
  })

const answer = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`)

/** Serves the commands on stdin with `store`, until stdin ends. */
export const run = async <E>(store: Layer.Layer<WebhookStore.WebhookStore, E>): Promise<void> => {
  const runtime = ManagedRuntime.make(Layer.merge(
    store,
    // stdout carries the answers.
    Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))
  ))
  await runtime.runPromise(Effect.void)
  answer({ ready: true })
  for await (const line of Readline.createInterface({ input: process.stdin })) {
    answer(await runtime.runPromise(deliverAll(JSON.parse(line) as Command)))
  }
  await runtime.dispose()
}
