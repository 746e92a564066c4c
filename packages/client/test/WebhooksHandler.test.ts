import * as Webhooks from "@effect-skytells/client/Webhooks"
import * as WebhookStore from "@effect-skytells/client/WebhookStore"
import type { HttpApp } from "@effect/platform"
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import {
  Cause,
  Deferred,
  Effect,
  Fiber,
  HashMap,
  Layer,
  Logger,
  LogLevel,
  Redacted,
  Ref,
  Runtime,
  TestClock
} from "effect"
import * as FastCheck from "effect/FastCheck"
import { readFileSync } from "node:fs"
import { inspect } from "node:util"

const SECRET_TEXT = "whsec_handler_test_9d8c7b6a5f4e3d2c1b0a"
const secret = Redacted.make(SECRET_TEXT)

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./fixtures/predictions/${name}.json`, import.meta.url), "utf8"))

interface Sent {
  readonly body?: string | Uint8Array | ReadableStream<Uint8Array>
  readonly headers?: Record<string, string>
  readonly method?: string
}

interface Answer {
  readonly status: number
  readonly text: string
  readonly headers: Headers
}

const send = <E, R>(
  app: HttpApp.Default<E, R>,
  sent: Sent
): Effect.Effect<Answer, E, Exclude<R, HttpServerRequest.HttpServerRequest>> =>
  app.pipe(
    Effect.provideService(
      HttpServerRequest.HttpServerRequest,
      HttpServerRequest.fromWeb(
        new Request("http://127.0.0.1/webhooks/skytells", {
          method: sent.method ?? "POST",
          headers: sent.headers ?? {},
          ...(sent.body !== undefined ? { body: sent.body as BodyInit } : {}),
          duplex: "half"
        } as RequestInit)
      )
    ),
    Effect.flatMap((response) =>
      Effect.promise(async () => {
        const web = HttpServerResponse.toWeb(response)
        return { status: web.status, text: await web.text(), headers: web.headers }
      })
    )
  ) as Effect.Effect<Answer, E, Exclude<R, HttpServerRequest.HttpServerRequest>>

/** A signed delivery of `json`. */
const delivery = (json: unknown, extraHeaders: Record<string, string> = {}) =>
  Effect.map(Webhooks.sign(JSON.stringify(json), secret), (signature): Sent => ({
    body: JSON.stringify(json),
    headers: { "content-type": "application/json", "x-skytells-signature": signature, ...extraHeaders }
  }))

const envelope = (type: string, data: unknown, created_at = "2026-03-20T08:15:12.000000Z") => ({
  type,
  created_at,
  data
})

/** A handler recording the events it sees. */
const recording = (options: Partial<Webhooks.HandlerOptions<never, never>> = {}) =>
  Effect.map(Ref.make<ReadonlyArray<Webhooks.WebhookEvent>>([]), (seen) => ({
    seen,
    app: Webhooks.handler({
      secret,
      onEvent: (event) => Ref.update(seen, (all) => [...all, event]),
      ...options
    })
  }))

const withStore = Effect.provide(WebhookStore.layerMemory())

describe("Webhooks.handler: accepted deliveries", () => {
  it.effect("handles a valid delivery (204) and drops its repetitions (200) without running onEvent again", () =>
    Effect.gen(function*() {
      const { app, seen } = yield* recording()
      const sent = yield* delivery(envelope("prediction.succeeded", fixture("sdk-succeeded-array")))
      const first = yield* send(app, sent)
      assert.strictEqual(first.status, 204)
      for (let i = 0; i < 3; i++) {
        const again = yield* send(app, sent)
        assert.strictEqual(again.status, 200)
        assert.deepStrictEqual(JSON.parse(again.text), { received: true, duplicate: true })
      }
      const events = yield* Ref.get(seen)
      assert.strictEqual(events.length, 1)
      assert.strictEqual(events[0]!._tag, "Succeeded")
    }).pipe(withStore))

  it.effect("the same event in another body shape or spelling is a duplicate too", () =>
    Effect.gen(function*() {
      const { app, seen } = yield* recording()
      const p = fixture("sdk-succeeded-array")
      assert.strictEqual((yield* send(app, yield* delivery(envelope("prediction.completed", p)))).status, 204)
      assert.strictEqual((yield* send(app, yield* delivery(envelope("succeeded", p)))).status, 200)
      assert.strictEqual((yield* send(app, yield* delivery({ ...p, status: "succeeded" }))).status, 200)
      assert.strictEqual((yield* Ref.get(seen)).length, 1)
    }).pipe(withStore))

  it.effect("different events of one prediction, and successive progress updates, are all handled", () =>
    Effect.gen(function*() {
      const { app, seen } = yield* recording()
      const p = { ...fixture("list-item-model-object") }
      const bodies = [
        envelope("prediction.started", { ...p, status: "started" }),
        { ...p, status: "processing", metrics: { progress: 10 } },
        { ...p, status: "processing", metrics: { progress: 60 } },
        envelope("prediction.succeeded", { ...p, status: "succeeded", output: ["https://cdn.skytells.ai/v.mp4"] })
      ]
      for (const body of bodies) assert.strictEqual((yield* send(app, yield* delivery(body))).status, 204)
      assert.deepStrictEqual((yield* Ref.get(seen)).map((e) => e._tag), ["Started", "Updated", "Updated", "Succeeded"])
    }).pipe(withStore))

  it.effect("a delivery without a prediction id is deduplicated by its bytes", () =>
    Effect.gen(function*() {
      const { app, seen } = yield* recording()
      const sent = yield* delivery(fixture("s0-failed"))
      assert.strictEqual((yield* send(app, sent)).status, 204)
      assert.strictEqual((yield* send(app, sent)).status, 200)
      const events = yield* Ref.get(seen)
      assert.strictEqual(events.length, 1)
      assert.strictEqual(events[0]!._tag === "Failed" && events[0]!.error._tag, "PredictionFailed")
    }).pipe(withStore))

  it.effect("a duplicate is handled again once dedupeTtl has passed (TestClock)", () =>
    Effect.gen(function*() {
      const { app, seen } = yield* recording({ dedupeTtl: "1 hour" })
      const sent = yield* delivery(fixture("s2-failed"))
      assert.strictEqual((yield* send(app, sent)).status, 204)
      yield* TestClock.adjust("59 minutes")
      assert.strictEqual((yield* send(app, sent)).status, 200)
      yield* TestClock.adjust("1 minute")
      assert.strictEqual((yield* send(app, sent)).status, 204)
      assert.strictEqual((yield* Ref.get(seen)).length, 2)
    }).pipe(withStore))
})

describe("Webhooks.handler: rejected deliveries", () => {
  const body = JSON.stringify(envelope("prediction.succeeded", fixture("sdk-succeeded-array")))

  const status = (sent: Sent, options: Partial<Webhooks.HandlerOptions<never, never>> = {}) =>
    Effect.gen(function*() {
      const { app, seen } = yield* recording(options)
      const answer = yield* send(app, sent)
      assert.strictEqual((yield* Ref.get(seen)).length, 0, "onEvent must not run")
      return answer
    }).pipe(withStore)

  const signedWith = (b: string | Uint8Array, signature: string | undefined): Sent => ({
    body: b,
    headers: signature === undefined ? {} : { "x-skytells-signature": signature }
  })

  it.effect("401 for a missing, empty, malformed, truncated, garbage or wrong signature, and a tampered body", () =>
    Effect.gen(function*() {
      const good = yield* Webhooks.sign(body, secret)
      const cases: ReadonlyArray<readonly [string, Sent, string]> = [
        ["missing", signedWith(body, undefined), "WebhookSignatureMissing"],
        ["empty", signedWith(body, ""), "WebhookSignatureMissing"],
        ["truncated", signedWith(body, good.slice(0, -1)), "WebhookSignatureMismatch"],
        ["garbage", signedWith(body, "sha256=zzzz"), "WebhookSignatureMismatch"],
        [
          "wrong secret",
          signedWith(body, yield* Webhooks.sign(body, Redacted.make("other"))),
          "WebhookSignatureMismatch"
        ],
        ["tampered", signedWith(body.replace("flux-pro", "flux-dev"), good), "WebhookSignatureMismatch"]
      ]
      for (const [name, sent, tag] of cases) {
        const answer = yield* status(sent)
        assert.strictEqual(answer.status, 401, name)
        assert.strictEqual(JSON.parse(answer.text).error, tag, name)
      }
    }))

  it.effect("400 for a correctly signed body that is not an event", () =>
    Effect.gen(function*() {
      for (const b of ["not json", "[]", "{}", JSON.stringify({ data: { id: "x", status: "succeeded", output: 7 } })]) {
        const answer = yield* status(signedWith(b, yield* Webhooks.sign(b, secret)))
        assert.strictEqual(answer.status, 400, b)
        assert.strictEqual(JSON.parse(answer.text).error, "WebhookPayloadInvalid", b)
      }
    }))

  it.effect("413 when Content-Length declares more than maxBodySize, before reading", () =>
    Effect.gen(function*() {
      const answer = yield* status(
        { body, headers: { "content-length": "2000000", "x-skytells-signature": yield* Webhooks.sign(body, secret) } }
      )
      assert.strictEqual(answer.status, 413)
      assert.strictEqual(JSON.parse(answer.text).error, "WebhookPayloadTooLarge")
      assert.include(JSON.parse(answer.text).message, "declares 2000000 bytes")
    }))

  it.effect("413 when an undeclared (streamed) body grows past maxBodySize; reading stops", () =>
    Effect.gen(function*() {
      let pulls = 0
      const endless = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulls++
          controller.enqueue(new Uint8Array(1024).fill(0x20))
        }
      })
      const answer = yield* status({ body: endless, headers: { "x-skytells-signature": "sha256=00" } }, {
        maxBodySize: 8 * 1024
      })
      assert.strictEqual(answer.status, 413)
      assert.isBelow(pulls, 32)
    }))

  it.effect("a body exactly at the limit is accepted, one byte more is refused", () =>
    Effect.gen(function*() {
      const b = JSON.stringify(fixture("s2-failed"))
      const sent: Sent = { body: b, headers: { "x-skytells-signature": yield* Webhooks.sign(b, secret) } }
      const atLimit = yield* recording({ maxBodySize: b.length })
      assert.strictEqual((yield* send(atLimit.app, sent)).status, 204)
      const over = yield* status(sent, { maxBodySize: b.length - 1 })
      assert.strictEqual(over.status, 413)
    }).pipe(withStore))

  it.effect("400 when the body breaks off while being read", () =>
    Effect.gen(function*() {
      let chunks = 0
      const broken = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (chunks++ === 0) controller.enqueue(new Uint8Array([0x7b]))
          else controller.error(new Error("socket hang up"))
        }
      })
      const answer = yield* status({ body: broken, headers: { "x-skytells-signature": "sha256=00" } })
      assert.strictEqual(answer.status, 400)
      assert.strictEqual(JSON.parse(answer.text).error, "WebhookPayloadInvalid")
    }))

  it.effect("405 for another method", () =>
    Effect.gen(function*() {
      const answer = yield* status({ method: "GET" })
      assert.strictEqual(answer.status, 405)
      assert.strictEqual(answer.headers.get("allow"), "POST")
    }))

  it.effect("never a 500 for bad input (fuzzed bodies and signatures)", () =>
    Effect.gen(function*() {
      const { app, seen } = yield* recording({ maxBodySize: 4096 })
      const runtime = yield* Effect.runtime<WebhookStore.WebhookStore>()
      yield* Effect.promise(() =>
        FastCheck.assert(
          FastCheck.asyncProperty(
            FastCheck.oneof(FastCheck.string({ maxLength: 600 }), FastCheck.json({ maxDepth: 3 })),
            FastCheck.option(FastCheck.string({ maxLength: 90 }), { nil: undefined }),
            async (b, signature) => {
              const answer = await Runtime.runPromise(runtime)(send(app, signedWith(b, signature)))
              return [400, 401, 413].includes(answer.status)
            }
          ),
          { seed: 77, numRuns: 400 }
        )
      )
      assert.strictEqual((yield* Ref.get(seen)).length, 0)
    }).pipe(withStore))
})

describe("Webhooks.handler: freshness window (TestClock)", () => {
  const at = (iso: string) => TestClock.setTime(Date.parse(iso))

  it.effect("accepts fresh deliveries and refuses stale ones with 400 WebhookStale", () =>
    Effect.gen(function*() {
      const { app, seen } = yield* recording({ freshness: "5 minutes" })
      const p = fixture("sdk-succeeded-array")
      yield* at("2026-03-20T08:19:00Z")
      const fresh = yield* send(
        app,
        yield* delivery(envelope("prediction.succeeded", p, "2026-03-20T08:15:12.000000Z"))
      )
      assert.strictEqual(fresh.status, 204)
      yield* at("2026-03-20T08:30:00Z")
      const stale = yield* send(app, yield* delivery(envelope("prediction.failed", p, "2026-03-20T08:15:12.000000Z")))
      assert.strictEqual(stale.status, 400)
      assert.strictEqual(JSON.parse(stale.text).error, "WebhookStale")
      assert.strictEqual((yield* Ref.get(seen)).length, 1)
    }).pipe(withStore))

  it.effect("falls back to the prediction's updated_at / completed_at; no timestamp passes", () =>
    Effect.gen(function*() {
      const { app, seen } = yield* recording({ freshness: "10 minutes" })
      yield* at("2026-03-21T12:30:00Z")
      // completed_at 12:00:09 → 30 minutes old
      assert.strictEqual((yield* send(app, yield* delivery(fixture("cancelled")))).status, 400)
      // +00:00 offset format, 12:00:07 → stale too
      assert.strictEqual((yield* send(app, yield* delivery(fixture("canceled")))).status, 400)
      // no timestamp at all: passes (documented)
      assert.strictEqual((yield* send(app, yield* delivery(fixture("s0-failed")))).status, 204)
      yield* at("2026-03-21T12:05:00Z")
      assert.strictEqual((yield* send(app, yield* delivery(fixture("cancelled")))).status, 204)
      assert.strictEqual((yield* Ref.get(seen)).length, 2)
    }).pipe(withStore))
})

describe("Webhooks.handler: onEvent failures", () => {
  it.effect("a failing onEvent gives 500 and is not remembered, so the redelivery runs it again", () =>
    Effect.gen(function*() {
      const attempts = yield* Ref.make(0)
      const app = Webhooks.handler({
        secret,
        onEvent: () =>
          Effect.flatMap(
            Ref.updateAndGet(attempts, (n) => n + 1),
            (n) => n === 1 ? Effect.fail("db down" as const) : Effect.void
          )
      })
      const sent = yield* delivery(fixture("s2-failed"))
      const failed = yield* send(app, sent)
      assert.strictEqual(failed.status, 500)
      assert.notInclude(failed.text, "db down")
      assert.strictEqual((yield* send(app, sent)).status, 204)
      assert.strictEqual((yield* send(app, sent)).status, 200)
      assert.strictEqual(yield* Ref.get(attempts), 2)
    }).pipe(withStore))

  it.effect("a dying onEvent gives 500 and is not remembered", () =>
    Effect.gen(function*() {
      const attempts = yield* Ref.make(0)
      const app = Webhooks.handler({
        secret,
        onEvent: () => Effect.zipRight(Ref.update(attempts, (n) => n + 1), Effect.dieMessage("boom"))
      })
      const sent = yield* delivery(fixture("s2-failed"))
      assert.strictEqual((yield* send(app, sent)).status, 500)
      assert.strictEqual((yield* send(app, sent)).status, 500)
      assert.strictEqual(yield* Ref.get(attempts), 2)
    }).pipe(withStore))

  it.effect("a duplicate arriving while the first is in flight gets 200; if the first then fails it is released", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void, "fail">()
      const started = yield* Deferred.make<void>()
      const runs = yield* Ref.make(0)
      const app = Webhooks.handler({
        secret,
        onEvent: () =>
          Effect.flatMap(
            Ref.updateAndGet(runs, (n) => n + 1),
            (n) => n === 1 ? Effect.zipRight(Deferred.succeed(started, undefined), Deferred.await(gate)) : Effect.void
          )
      })
      const sent = yield* delivery(fixture("s2-failed"))
      const first = yield* Effect.fork(send(app, sent))
      yield* Deferred.await(started)
      assert.strictEqual((yield* send(app, sent)).status, 200)
      yield* Deferred.fail(gate, "fail")
      assert.strictEqual((yield* Fiber.join(first)).status, 500)
      assert.strictEqual((yield* send(app, sent)).status, 204)
      assert.strictEqual(yield* Ref.get(runs), 2)
    }).pipe(withStore))

  it.effect("a failing store gives 500 without running onEvent", () =>
    Effect.gen(function*() {
      const { app, seen } = yield* recording()
      const answer = yield* send(app, yield* delivery(fixture("s2-failed")))
      assert.strictEqual(answer.status, 500)
      assert.strictEqual(JSON.parse(answer.text).error, "WebhookStoreError")
      assert.strictEqual((yield* Ref.get(seen)).length, 0)
    }).pipe(Effect.provide(Layer.succeed(
      WebhookStore.WebhookStore,
      WebhookStore.make({
        markIfNew: () =>
          Effect.fail(new WebhookStore.WebhookStoreError({ operation: "markIfNew", cause: new Error("ECONNREFUSED") })),
        unmark: () => Effect.void
      })
    ))))
})

describe("Webhooks.handler: logs", () => {
  it.effect("rejections, duplicates and failures are logged, never with the secret or the expected signature", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const logger = Logger.make(({ annotations, cause, logLevel, message }) => {
        lines.push(
          `${logLevel.label} ${inspect(message, { depth: 10 })} ${inspect(HashMap.toEntries(annotations))} ${
            Cause.pretty(cause)
          }`
        )
      })
      const body = JSON.stringify(envelope("prediction.succeeded", fixture("sdk-succeeded-array")))
      const expected = yield* Webhooks.sign(body, secret)
      const app = Webhooks.handler({
        secret: [secret],
        onEvent: () => Effect.fail(new Error("handler broke")),
        freshness: "1 minute"
      })
      yield* Effect.gen(function*() {
        yield* send(app, { body, headers: { "x-skytells-signature": "sha256=" + "0".repeat(64) } })
        yield* send(app, { body: body.replace("flux", "flax"), headers: { "x-skytells-signature": expected } })
        yield* send(app, { body, headers: {} })
        yield* send(app, { body, headers: { "x-skytells-signature": expected } }) // stale: TestClock is at 1970
        yield* TestClock.setTime(Date.parse("2026-03-20T08:15:30Z"))
        yield* send(app, { body, headers: { "x-skytells-signature": expected } }) // onEvent fails
      }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)), Logger.withMinimumLogLevel(LogLevel.All))
      assert.isAtLeast(lines.length, 5)
      assert.isTrue(lines.some((l) => l.includes("WebhookSignatureMismatch")))
      assert.isTrue(lines.some((l) => l.includes("handler broke")))
      for (const line of lines) {
        assert.notInclude(line, SECRET_TEXT)
        assert.notInclude(line, expected.slice(7))
      }
    }).pipe(withStore))
})
