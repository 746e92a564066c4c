/**
 * The same job done two ways: polling with `Predictions.wait`, and waiting for the `Succeeded`
 * webhook at a `Webhooks.handler` receiver. The fake Skytells API is served on loopback and
 * delivers real, signed webhooks to the receiver (also on loopback); the client talks undici.
 * Polling costs GET requests; the webhook costs none.
 *
 *   pnpm --filter @effect-skytells/examples exec tsx wait-vs-webhooks.ts
 */
import { Prediction, Predictions, SkytellsClient, Webhooks, WebhookStore } from "@effect-skytells/client"
import { FakeSkytells } from "@effect-skytells/testing"
import { HttpRouter, HttpServer } from "@effect/platform"
import { NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
import { Console, Deferred, Effect, Layer, Redacted, Schedule } from "effect"
import * as Http from "node:http"

const secret = "whsec_example"
const job = { model: "truefusion", input: { prompt: "a glass greenhouse" } }

const compare = (fake: FakeSkytells.Service) =>
  Effect.gen(function*() {
    const gets = (id: string | undefined) =>
      Effect.map(fake.requests, (all) =>
        all.filter((r) => r.route === "predictions.get" && r.path.includes(`${id}`)).length)

    // 1. Polling: create, then GET every 300 ms until it is done.
    const polled = yield* Predictions.create(job).pipe(
      Effect.flatMap((created) =>
        Predictions.wait(created, { schedule: Schedule.spaced("300 millis") })
      )
    )
    yield* Console.log(`wait:    ${Prediction.outputs(polled)} after ${yield* gets(polled.id)} GET requests`)

    // 2. Webhooks: a receiver on loopback; `onEvent` completes a Deferred when the job succeeds.
    const done = yield* Deferred.make<Prediction.Prediction>()
    const receiver = HttpRouter.empty.pipe(HttpRouter.post(
      "/webhooks/skytells",
      Webhooks.handler({
        secret: Redacted.make(secret),
        onEvent: (event) => event._tag === "Succeeded" ? Deferred.succeed(done, event.prediction) : Effect.void
      })
    ))
    const server = yield* NodeHttpServer.make(() => Http.createServer(), { port: 0, host: "127.0.0.1" })
    yield* server.serve(receiver).pipe(Effect.provide(WebhookStore.layerMemory()))
    const webhook = { url: `${HttpServer.formatAddress(server.address)}/webhooks/skytells`, events: ["completed"] }

    const created = yield* Predictions.create({ ...job, webhook })
    const delivered = yield* Deferred.await(done).pipe(Effect.timeout("20 seconds"))
    yield* Console.log(`webhook: ${Prediction.outputs(delivered)} after ${yield* gets(created.id)} GET requests`)

    const ok = Prediction.isSucceeded(polled) && (yield* gets(polled.id)) > 0 &&
      delivered.id === created.id && Prediction.outputs(delivered).length > 0 && (yield* gets(created.id)) === 0
    if (!ok) yield* Effect.fail(new Error("the two ways did not both finish the job"))
  })

const main = Effect.gen(function*() {
  const served = yield* FakeSkytells.serve({
    webhooks: { secret },
    scenario: { lifecycle: { queued: "200 millis", starting: "200 millis", processing: "1 second" } }
  })
  const client = SkytellsClient.layer({ apiKey: Redacted.make(served.apiKey), baseUrl: served.url })
  yield* Effect.provide(compare(served.fake), client.pipe(Layer.provide(NodeHttpClient.layerUndici)))
})

Effect.runPromise(Effect.scoped(main)).catch((error) => {
  console.error(String(error))
  process.exit(1)
})
