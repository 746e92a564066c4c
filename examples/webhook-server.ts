/**
 * A standalone webhook receiver: `Webhooks.handler` mounted in an `HttpRouter`, served by Node on
 * loopback, deduplicating with `WebhookStore.layerMemory()`. By default it sends itself a delivery
 * signed with `Webhooks.sign`, the same delivery again (answered 200, `onEvent` not run twice) and a
 * forged one (401), then exits. With `--listen` it keeps serving on PORT (default 8080).
 *
 *   pnpm --filter @effect-skytells/examples exec tsx webhook-server.ts
 */
import { Webhooks, WebhookStore } from "@effect-skytells/client"
import { FetchHttpClient, HttpClient, HttpClientRequest, HttpRouter, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Config, Console, Effect, Redacted, Ref } from "effect"
import * as Http from "node:http"

const listen = process.argv.includes("--listen")

const main = Effect.gen(function*() {
  const secret = yield* Config.redacted("SKYTELLS_WEBHOOK_SECRET").pipe(
    Config.withDefault(Redacted.make("whsec_example"))
  )
  const handled = yield* Ref.make(0)
  const app = HttpRouter.empty.pipe(
    HttpRouter.post(
      "/webhooks/skytells",
      Webhooks.handler({
        secret,
        onEvent: (event) =>
          Effect.zipRight(
            Ref.update(handled, (n) => n + 1),
            Console.log(`handled ${event._tag} for ${event.prediction.id}: ${JSON.stringify(event.prediction.output)}`)
          )
      })
    )
  )
  const port = listen ? yield* Config.integer("PORT").pipe(Config.withDefault(8080)) : 0
  const server = yield* NodeHttpServer.make(() => Http.createServer(), { port, host: "127.0.0.1" })
  yield* server.serve(app)
  const url = `${HttpServer.formatAddress(server.address)}/webhooks/skytells`
  yield* Console.log(`listening on ${url}`)
  if (listen) return yield* Effect.never

  // Deliver to ourselves, as Skytells would: the raw body and its HMAC-SHA256 signature.
  const body = JSON.stringify({
    type: "prediction.succeeded",
    created_at: new Date().toISOString(),
    data: { id: "pred_123", status: "succeeded", output: ["https://example.com/out.png"] }
  })
  const deliver = (signature: string) =>
    HttpClientRequest.post(url).pipe(
      HttpClientRequest.bodyText(body, "application/json"),
      HttpClientRequest.setHeader(Webhooks.signatureHeader, signature),
      HttpClient.execute,
      Effect.map((response) => response.status)
    )
  const signature = yield* Webhooks.sign(body, secret)
  const statuses = [
    yield* deliver(signature), // 204: handled
    yield* deliver(signature), // 200: a duplicate, dropped
    yield* deliver(yield* Webhooks.sign(body, Redacted.make("not-the-secret"))) // 401: forged
  ]
  const count = yield* Ref.get(handled)
  yield* Console.log(`answers: ${statuses.join(", ")}; onEvent ran ${count} time(s)`)
  if (`${statuses}` !== "204,200,401" || count !== 1) yield* Effect.fail(new Error("unexpected answers"))
})

main.pipe(
  Effect.scoped,
  Effect.provide([WebhookStore.layerMemory(), FetchHttpClient.layer]),
  Effect.runPromise
).catch((error) => {
  console.error(String(error))
  process.exit(1)
})
