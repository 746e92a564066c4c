/**
 * Webhooks end to end: a real HTTP server on 127.0.0.1 (NodeHttpServer + HttpRouter + Webhooks.handler)
 * receives deliveries signed with Webhooks.sign and sent with fetch over a real socket.
 */
import * as Prediction from "@effect-skytells/client/Prediction"
import * as Webhooks from "@effect-skytells/client/Webhooks"
import * as WebhookStore from "@effect-skytells/client/WebhookStore"
import { HttpRouter, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer, Redacted, Ref } from "effect"
import * as Http from "node:http"

const secret = Redacted.make("whsec_e2e_3b1f0a9c8d7e6f5a4b3c2d1e")

const failedDelivery = {
  type: "prediction.failed",
  created_at: "2026-03-20T08:16:00Z",
  data: {
    id: "pred_e2e_0001",
    status: "failed",
    model: { name: "truefusion", type: "image" },
    output: null,
    error_id: "INSUFFICIENT_CREDITS",
    error_message: "Your account has run out of credits.",
    error: null,
    created_at: "2026-03-20T08:15:58.000000Z",
    completed_at: "2026-03-20T08:15:59+00:00"
  }
}

/** Starts the webhook server in the test's scope; returns its URL and the events the user's handler saw. */
const startServer = Effect.gen(function*() {
  const seen = yield* Ref.make<ReadonlyArray<Webhooks.WebhookEvent>>([])
  const router = HttpRouter.empty.pipe(
    HttpRouter.post(
      "/webhooks/skytells",
      Webhooks.handler({
        secret,
        maxBodySize: 64 * 1024,
        onEvent: (event) => Ref.update(seen, (all) => [...all, event])
      })
    )
  )
  const context = yield* Layer.build(
    HttpServer.serve(router).pipe(
      Layer.provide(WebhookStore.layerMemory()),
      Layer.provideMerge(NodeHttpServer.layer(() => Http.createServer(), { port: 0, host: "127.0.0.1" }))
    )
  )
  const address = Context.get(context, HttpServer.HttpServer).address
  const port = address._tag === "TcpAddress" ? address.port : 0
  return { url: `http://127.0.0.1:${port}/webhooks/skytells`, seen }
})

const post = (url: string, body: string, headers: Record<string, string>) =>
  Effect.promise(async () => {
    const response = await fetch(url, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", ...headers }
    })
    return { status: response.status, text: await response.text() }
  })

describe("Webhooks end to end over a real socket", () => {
  it.scopedLive("a signed delivery reaches the handler exactly once, however often it is repeated", () =>
    Effect.gen(function*() {
      const { seen, url } = yield* startServer
      const body = JSON.stringify(failedDelivery)
      const signature = yield* Webhooks.sign(body, secret)

      const first = yield* post(url, body, { "x-skytells-signature": signature })
      assert.strictEqual(first.status, 204)

      // Sequential and concurrent redeliveries of the same event, including the bare-prediction shape.
      const again = yield* post(url, body, { "X-Skytells-Signature": signature })
      assert.strictEqual(again.status, 200)
      const burst = yield* Effect.all(
        Array.from({ length: 5 }, () => post(url, body, { "x-skytells-signature": signature })),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(burst.map((r) => r.status), [200, 200, 200, 200, 200])
      const bare = JSON.stringify(failedDelivery.data)
      const bareAnswer = yield* post(url, bare, {
        "x-skytells-signature": yield* Webhooks.sign(bare, secret, { format: "bare" })
      })
      assert.strictEqual(bareAnswer.status, 200)

      const events = yield* Ref.get(seen)
      assert.strictEqual(events.length, 1)
      const event = events[0]!
      assert.strictEqual(event._tag, "Failed")
      if (event._tag !== "Failed") return
      assert.strictEqual(event.event, "prediction.failed")
      assert.strictEqual(event.createdAt, "2026-03-20T08:16:00Z")
      assert.strictEqual(event.prediction.id, "pred_e2e_0001")
      assert.strictEqual(Prediction.modelSlug(event.prediction), "truefusion")
      assert.strictEqual(event.error._tag, "InsufficientCredits")
    }))

  it.scopedLive("tampered, unsigned and oversized deliveries are refused and never reach the handler", () =>
    Effect.gen(function*() {
      const { seen, url } = yield* startServer
      const body = JSON.stringify(failedDelivery)
      const signature = yield* Webhooks.sign(body, secret)

      const tampered = yield* post(url, body.replace("INSUFFICIENT_CREDITS", "RATE_LIMIT_EXCEEDED"), {
        "x-skytells-signature": signature
      })
      assert.strictEqual(tampered.status, 401)
      assert.strictEqual(JSON.parse(tampered.text).error, "WebhookSignatureMismatch")

      const unsigned = yield* post(url, body, {})
      assert.strictEqual(unsigned.status, 401)
      assert.strictEqual(JSON.parse(unsigned.text).error, "WebhookSignatureMissing")

      const huge = JSON.stringify({ ...failedDelivery, padding: "x".repeat(100 * 1024) })
      const oversized = yield* post(url, huge, { "x-skytells-signature": yield* Webhooks.sign(huge, secret) })
      assert.strictEqual(oversized.status, 413)

      const notJson = "definitely not json"
      const invalid = yield* post(url, notJson, { "x-skytells-signature": yield* Webhooks.sign(notJson, secret) })
      assert.strictEqual(invalid.status, 400)

      assert.strictEqual((yield* Ref.get(seen)).length, 0)

      // The genuine delivery still goes through afterwards.
      assert.strictEqual((yield* post(url, body, { "x-skytells-signature": signature })).status, 204)
      assert.strictEqual((yield* Ref.get(seen)).length, 1)
    }))
})
