import { InProcessHttpClient, Webhooks } from "@effect-skytells/client"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { createHmac } from "node:crypto"
import { FakeSkytells } from "../src/index.js"
import { sign } from "../src/internal/webhooks.js"
import { call, create } from "./utils.js"

interface Received {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** A webhook receiver served in process; answers the given statuses in turn, then 200. */
const receiver = (statuses: ReadonlyArray<number> = []) => {
  const received: Array<Received> = []
  const queue = [...statuses]
  const app = Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    received.push({ url: request.url, headers: request.headers, body: yield* request.text })
    return HttpServerResponse.empty({ status: queue.shift() ?? 200 })
  })
  return { received, layer: InProcessHttpClient.layer(app) }
}

const withReceiver = (rx: ReturnType<typeof receiver>, options?: FakeSkytells.Options) =>
  Effect.provide(FakeSkytells.layer(options).pipe(Layer.provide(rx.layer)))

/**
 * Lets forked delivery fibers run (event-loop turns, not Clock time) until `done` holds, for at most
 * `ms` of real time. A number of turns is no bound: deliveries are signed with Web Crypto, whose work
 * completes on Node's thread pool, later under load.
 */
const settle = (done: () => boolean, ms = 5_000) =>
  Effect.gen(function*() {
    const deadline = Date.now() + ms
    while (!done() && Date.now() < deadline) yield* Effect.promise(() => new Promise((r) => setImmediate(r)))
  })

/** Waits a while (real time) so that a delivery that should not happen would have had time to. */
const quiet = settle(() => false, 200)

/** Waits (as `settle`) until the fake has recorded `n` delivery attempts; returns them. */
const deliveriesAtLeast = (n: number, ms = 5_000) =>
  Effect.gen(function*() {
    const service = yield* FakeSkytells.FakeSkytells
    const deadline = Date.now() + ms
    let deliveries = yield* service.webhookDeliveries
    while (deliveries.length < n && Date.now() < deadline) {
      yield* Effect.promise(() => new Promise((r) => setImmediate(r)))
      deliveries = yield* service.webhookDeliveries
    }
    return deliveries
  })

const hmac = (secret: string, body: string) => createHmac("sha256", secret).update(body).digest("hex")

const HOOK = "http://127.0.0.1:9/hooks/skytells"

describe("webhooks", () => {
  it.effect("delivers started then succeeded at the Clock times of the transitions, signed, in the envelope", () => {
    const rx = receiver()
    return Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      const created = yield* create({ prompt: "x" }, { webhook: { url: HOOK, events: [] } })
      yield* TestClock.adjust("1999 millis")
      yield* quiet
      assert.strictEqual(rx.received.length, 0)
      yield* TestClock.adjust("1 millis")
      yield* settle(() => rx.received.length >= 1)
      assert.strictEqual(rx.received.length, 1)
      yield* TestClock.adjust("4 seconds")
      yield* settle(() => rx.received.length >= 2)
      assert.strictEqual(rx.received.length, 2)
      const [started, succeeded] = rx.received.map((r) => ({ ...r, json: JSON.parse(r.body) }))
      assert.strictEqual(started!.url, "/hooks/skytells")
      assert.strictEqual(started!.json.type, "prediction.started")
      assert.strictEqual(started!.json.data.status, "processing")
      assert.strictEqual(started!.json.created_at, new Date(2_000).toISOString())
      assert.strictEqual(succeeded!.json.type, "prediction.succeeded")
      assert.strictEqual(succeeded!.json.data.id, created.body.id)
      assert.strictEqual(succeeded!.json.data.status, "succeeded")
      assert.strictEqual(succeeded!.json.data.output.length, 1)
      assert.strictEqual(succeeded!.headers["x-skytells-signature"], `sha256=${hmac("s3cret", succeeded!.body)}`)
      assert.strictEqual(succeeded!.headers["content-type"], "application/json")
      assert.strictEqual(succeeded!.headers["x-skytells-event"], "prediction.succeeded")
      const deliveries = yield* service.webhookDeliveries
      assert.deepStrictEqual(deliveries.map((d) => [d.event, d.result._tag, d.at]), [
        ["prediction.started", "Delivered", 2_000],
        ["prediction.succeeded", "Delivered", 6_000]
      ])
      assert.strictEqual(service.webhookSecret, "s3cret")
    }).pipe(withReceiver(rx, { webhooks: { secret: "s3cret" } }))
  })

  it.effect("string webhook, event filter, bare prediction body and bare hex signature", () => {
    const rx = receiver()
    return Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      yield* create({ prompt: "x" }, { webhook: HOOK })
      yield* create({ prompt: "y" }, { webhook: { url: HOOK, events: ["completed"] } })
      yield* TestClock.adjust("10 seconds")
      yield* settle(() => rx.received.length >= 3)
      assert.strictEqual(rx.received.length, 3)
      const bodies = rx.received.map((r) => JSON.parse(r.body))
      assert.deepStrictEqual(bodies.map((b) => [b.input.prompt, b.status]).sort(), [
        ["x", "processing"],
        ["x", "succeeded"],
        ["y", "succeeded"]
      ])
      for (const r of rx.received) {
        assert.strictEqual(r.headers["x-skytells-signature"], hmac(service.webhookSecret, r.body))
      }
    }).pipe(withReceiver(rx, { scenario: { webhookBody: "prediction", webhookSignature: "bare" } }))
  })

  it.effect("cancelling announces prediction.cancelled at once, and nothing after it", () => {
    const rx = receiver()
    return Effect.gen(function*() {
      const created = yield* create({ prompt: "x" }, {
        webhook: { url: HOOK, events: ["prediction.cancelled", "completed"] }
      })
      yield* TestClock.adjust("3 seconds")
      yield* call("POST", `/predictions/${created.body.id}/cancel`)
      yield* settle(() => rx.received.length >= 1)
      yield* TestClock.adjust("1 minute")
      yield* quiet
      assert.deepStrictEqual(rx.received.map((r) => JSON.parse(r.body).type), ["prediction.cancelled"])
      assert.strictEqual(JSON.parse(rx.received[0]!.body).data.status, "canceled")
    }).pipe(withReceiver(rx))
  })

  it.effect("a failed prediction announces prediction.failed with its error", () => {
    const rx = receiver()
    return Effect.gen(function*() {
      yield* create({ prompt: "x" }, { webhook: { url: HOOK, events: ["failed"] } }, "fake/fail")
      yield* TestClock.adjust("1 second")
      yield* settle(() => rx.received.length >= 1)
      const body = JSON.parse(rx.received[0]!.body)
      assert.strictEqual(body.type, "prediction.failed")
      assert.strictEqual(body.data.error, "Failed to generate image.")
      assert.isNull(body.data.output)
    }).pipe(withReceiver(rx))
  })

  it.effect("retries failed deliveries with backoff on the Clock, and sends configured duplicates", () => {
    const rx = receiver([500, 503])
    return Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      yield* create({ prompt: "x" }, { webhook: { url: HOOK, events: ["succeeded"] } })
      yield* TestClock.adjust("6 seconds")
      yield* settle(() => rx.received.length >= 1)
      assert.strictEqual(rx.received.length, 1)
      yield* TestClock.adjust("1 second")
      yield* settle(() => rx.received.length >= 2)
      assert.strictEqual(rx.received.length, 2)
      yield* TestClock.adjust("2 seconds")
      yield* settle(() => rx.received.length >= 4)
      // the third attempt succeeds, then the duplicate copy is sent
      assert.strictEqual(rx.received.length, 4)
      const deliveries = yield* service.webhookDeliveries
      assert.deepStrictEqual(deliveries.map((d) => [d.attempt, d.result._tag]), [
        [1, "Failed"],
        [2, "Failed"],
        [3, "Delivered"],
        [1, "Delivered"]
      ])
      assert.strictEqual(new Set(deliveries.map((d) => d.id)).size, 1)
      assert.strictEqual(new Set(rx.received.map((r) => r.headers["x-skytells-delivery"])).size, 1)
    }).pipe(withReceiver(rx, { scenario: { webhookDuplicates: 1 } }))
  })

  it.effect("non-loopback URLs and a fake without a client only record the delivery", () =>
    Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      yield* create({ prompt: "x" }, { webhook: { url: "https://example.com/hook", events: ["succeeded"] } })
      yield* TestClock.adjust("6 seconds")
      const [delivery] = yield* deliveriesAtLeast(1)
      assert.deepStrictEqual(delivery!.result, { _tag: "NotSent", reason: "no HttpClient for webhooks" })
      assert.strictEqual(
        delivery!.headers["x-skytells-signature"],
        `sha256=${hmac(service.webhookSecret, delivery!.body)}`
      )
    }).pipe(Effect.provide(FakeSkytells.layer())))

  it.effect("refuses to deliver to non-loopback hosts by default", () => {
    const rx = receiver()
    return Effect.gen(function*() {
      yield* create({ prompt: "x" }, { webhook: { url: "https://example.com/hook", events: ["succeeded"] } })
      yield* TestClock.adjust("6 seconds")
      const [delivery] = yield* deliveriesAtLeast(1)
      assert.strictEqual(rx.received.length, 0)
      assert.deepStrictEqual(delivery!.result, { _tag: "NotSent", reason: "not a loopback URL" })
    }).pipe(withReceiver(rx))
  })

  it.effect("signs with Web Crypto, byte-identical to node:crypto's HMAC-SHA256 (empty secret, non-ASCII)", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["", "{}"],
        ["s3cret", JSON.stringify({ prompt: "héllo ✓ 🎨", lone: "\ud800" })],
        ["ключ-🔑", "x".repeat(10_000)],
        ["k".repeat(100), ""]
      ]
      for (const [secret, body] of cases) {
        assert.strictEqual(yield* sign(secret, body, "prefixed"), `sha256=${hmac(secret, body)}`, secret)
        assert.strictEqual(yield* sign(secret, body, "bare"), hmac(secret, body), secret)
      }
    }))

  it.effect("the client's Webhooks.verify accepts the fake's deliveries, in both signature formats", () =>
    Effect.gen(function*() {
      const secret = "whsec_ünïcode"
      for (const webhookSignature of ["prefixed", "bare"] as const) {
        const delivery = yield* Effect.gen(function*() {
          yield* create({ prompt: "héllo 🎨" }, { webhook: { url: HOOK, events: ["succeeded"] } })
          yield* TestClock.adjust("6 seconds")
          const [delivery] = yield* deliveriesAtLeast(1)
          return delivery!
        }).pipe(Effect.provide(FakeSkytells.layer({ webhooks: { secret }, scenario: { webhookSignature } })))
        const event = yield* Webhooks.verify({
          body: delivery.body,
          headers: delivery.headers,
          secret: Redacted.make(secret)
        })
        assert.strictEqual(event._tag, "Succeeded", webhookSignature)
      }
    }))
})
