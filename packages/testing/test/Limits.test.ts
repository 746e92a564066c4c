import { SkytellsError } from "@effect-skytells/client"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Http from "node:http"
import { FakeSkytells } from "../src/index.js"
import { call, create } from "./utils.js"

const fake = (options?: FakeSkytells.Options) => Effect.provide(FakeSkytells.layer(options))

const decoded = (reply: { status: number; headers: Readonly<Record<string, string>>; text: string }) =>
  SkytellsError.fromResponse({ status: reply.status, headers: reply.headers, body: reply.text })

/** A create whose JSON body is exactly `bytes` long (ASCII). */
const createOfSize = (bytes: number) => {
  const overhead = JSON.stringify({ model: "truefusion", input: { prompt: "" } }).length
  return create({ prompt: "x".repeat(bytes - overhead) })
}

/**
 * A POST over a real socket with node:http, which sends the body as it is written: with
 * `declared`, a `Content-Length` and only the first `send` bytes (the request stays open); without,
 * `send` bytes in chunks with `Transfer-Encoding: chunked`, then the end.
 */
const post = (
  url: string,
  apiKey: string,
  body: { readonly send: number; readonly declared?: number }
) =>
  Effect.async<{ readonly status: number; readonly body: any }, Error>((resume) => {
    const headers: Record<string, string> = { "x-api-key": apiKey, "content-type": "application/json" }
    if (body.declared !== undefined) headers["content-length"] = String(body.declared)
    const req = Http.request(`${url}/predictions`, { method: "POST", headers })
    req.on("response", (res) => {
      let text = ""
      res.on("data", (d: Buffer) => (text += d.toString()))
      res.on("end", () => {
        // Stop sending what the fake already refused.
        req.destroy()
        resume(Effect.succeed({ status: res.statusCode!, body: JSON.parse(text) }))
      })
    })
    req.on("error", (e) => resume(Effect.fail(e)))
    const chunk = Buffer.alloc(16 * 1024, "x")
    for (let sent = 0; sent < body.send; sent += chunk.byteLength) req.write(chunk)
    if (body.declared === undefined) req.end()
    return Effect.sync(() => req.destroy())
  })

describe("request body limit", () => {
  it.effect("413 PAYLOAD_TOO_LARGE past maxBodyBytes, in the route's shape, decoded as UnknownApiError; nothing kept", () =>
    Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      assert.strictEqual((yield* createOfSize(1024)).status, 200)
      const over = yield* createOfSize(1025)
      assert.strictEqual(over.status, 413)
      assert.strictEqual(over.body.error.error_id, "PAYLOAD_TOO_LARGE")
      assert.strictEqual(over.body.error.http_status, 413)
      const error = decoded(over)
      assert.strictEqual(error._tag, "UnknownApiError")
      assert.strictEqual((error as SkytellsError.UnknownApiError).errorId, "PAYLOAD_TOO_LARGE")
      assert.strictEqual((error as SkytellsError.UnknownApiError).httpStatus, 413)
      // the Inference API answers in its nested OpenAI-style shape
      const chat = yield* call("POST", "/chat/completions", {
        body: { model: "deepbrain-router", messages: [{ role: "user", content: "x".repeat(2048) }] }
      })
      assert.strictEqual(chat.status, 413)
      assert.strictEqual(chat.body.error.code, "payload_too_large")
      assert.strictEqual(chat.body.error.request_id, chat.headers["x-request-id"])
      assert.strictEqual(decoded(chat)._tag, "UnknownApiError")
      assert.strictEqual((yield* service.predictions).length, 1)
      const [, refused, refusedChat] = yield* service.requests
      assert.strictEqual(refused!.status, 413)
      assert.isUndefined(refused!.body)
      assert.strictEqual(refused!.bodyBytes, 1025)
      assert.isFalse(refused!.acted)
      assert.strictEqual(refused!.id, over.headers["x-request-id"])
      assert.isUndefined(refusedChat!.body)
    }).pipe(fake({ maxBodyBytes: 1024 })))

  it.effect("a body without Content-Length (streamed) is counted while read and refused past the limit", () =>
    Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      const client = yield* HttpClient.HttpClient
      const chunk = new Uint8Array(512).fill(0x20)
      const request = HttpClientRequest.post(`${service.baseUrl}/predictions`).pipe(
        HttpClientRequest.setHeader("x-api-key", service.apiKey),
        HttpClientRequest.bodyStream(Stream.make(chunk, chunk, chunk), { contentType: "application/json" })
      )
      assert.isUndefined(request.headers["content-length"])
      const response = yield* Effect.scoped(client.execute(request))
      assert.strictEqual(response.status, 413)
      const [recorded] = yield* service.requests
      assert.strictEqual(recorded!.bodyBytes, 1536)
      assert.isUndefined(recorded!.body)
    }).pipe(fake({ maxBodyBytes: 1024 })))

  it.effect("the default limit is 10 MiB", () =>
    Effect.gen(function*() {
      assert.strictEqual(FakeSkytells.defaultMaxBodyBytes, 10 * 1024 * 1024)
      assert.strictEqual((yield* createOfSize(FakeSkytells.defaultMaxBodyBytes)).status, 200)
      assert.strictEqual((yield* createOfSize(FakeSkytells.defaultMaxBodyBytes + 1)).status, 413)
    }).pipe(fake()))

  it.scoped("on loopback: a declared 50 MB body is answered 413 without waiting for it, and the server goes on", () =>
    Effect.gen(function*() {
      const served = yield* FakeSkytells.serve()
      // Only 64 KiB of the 50 MB are ever sent: an answer proves the fake did not wait to read them.
      const reply = yield* post(served.url, served.apiKey, { declared: 50 * 1024 * 1024, send: 64 * 1024 })
      assert.strictEqual(reply.status, 413)
      assert.strictEqual(reply.body.error.error_id, "PAYLOAD_TOO_LARGE")
      const [recorded] = yield* served.fake.requests
      assert.strictEqual(recorded!.bodyBytes, 50 * 1024 * 1024)
      assert.isUndefined(recorded!.body)
      const models = yield* Effect.promise(() =>
        fetch(`${served.url}/models`, { headers: { "x-api-key": served.apiKey } })
      )
      assert.strictEqual(models.status, 200)
    }))

  it.scoped("on loopback: a chunked body is counted while read, refused past the limit, and not kept", () =>
    Effect.gen(function*() {
      const served = yield* FakeSkytells.serve({ maxBodyBytes: 64 * 1024 })
      const reply = yield* post(served.url, served.apiKey, { send: 1024 * 1024 })
      assert.strictEqual(reply.status, 413)
      assert.strictEqual(reply.body.error.error_id, "PAYLOAD_TOO_LARGE")
      const [recorded] = yield* served.fake.requests
      assert.strictEqual(recorded!.headers["transfer-encoding"], "chunked")
      assert.strictEqual(recorded!.bodyBytes, 1024 * 1024)
      assert.isUndefined(recorded!.body)
      assert.strictEqual((yield* served.fake.predictions).length, 0)
      // the next body, within the limit, is read and handled
      const empty = yield* post(served.url, served.apiKey, { send: 0 })
      assert.strictEqual(empty.body.error.error_id, "MISSING_REQUIRED_FIELD")
    }))
})

describe("request log bounds", () => {
  it.effect("keeps the last requestLog.maxEntries requests, dropping the oldest", () =>
    Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      const ids: Array<string> = []
      for (let i = 0; i < 12; i++) {
        ids.push((yield* call("GET", `/models?n=${i}`)).headers["x-request-id"]!)
        assert.isAtMost((yield* service.requests).length, 5)
      }
      const kept = yield* service.requests
      assert.deepStrictEqual(kept.map((r) => r.id), ids.slice(-5))
      assert.deepStrictEqual(kept.map((r) => r.query.n), ["7", "8", "9", "10", "11"])
    }).pipe(fake({ requestLog: { maxEntries: 5 } })))

  it.effect("keeps 1,000 entries by default", () =>
    Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      assert.strictEqual(FakeSkytells.defaultRequestLog.maxEntries, 1000)
      for (let i = 0; i < 1050; i++) yield* call("GET", `/nowhere/${i}`, { key: null })
      const kept = yield* service.requests
      assert.strictEqual(kept.length, 1000)
      assert.strictEqual(kept[0]!.path, "/v1/nowhere/50")
      assert.strictEqual(kept[999]!.path, "/v1/nowhere/1049")
    }).pipe(fake()), 30_000)

  it.effect("cuts each body to requestLog.maxBodyBytes, marked bodyTruncated; the handler still sees it whole", () =>
    Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      const prompt = "é".repeat(200)
      const created = yield* create({ prompt })
      assert.strictEqual(created.status, 200)
      assert.strictEqual(created.body.input.prompt, prompt)
      const small = yield* create({ prompt: "x" })
      const [cut, whole] = yield* service.requests
      const full = JSON.stringify({ model: "truefusion", input: { prompt } })
      assert.strictEqual(cut!.bodyBytes, new TextEncoder().encode(full).byteLength)
      assert.isTrue(cut!.bodyTruncated)
      // 100 bytes end inside a two-byte "é": the partial character is dropped, not replaced
      assert.isTrue(full.startsWith(cut!.body!))
      assert.strictEqual(new TextEncoder().encode(cut!.body!).byteLength, 99)
      assert.isFalse(whole!.bodyTruncated)
      assert.deepStrictEqual(JSON.parse(whole!.body!), { model: "truefusion", input: { prompt: "x" } })
      assert.strictEqual(small.status, 200)
    }).pipe(fake({ requestLog: { maxBodyBytes: 100 } })))

  it.effect("keeps 64 KiB of each body by default", () =>
    Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      assert.strictEqual(FakeSkytells.defaultRequestLog.maxBodyBytes, 64 * 1024)
      assert.strictEqual((yield* createOfSize(64 * 1024)).status, 200)
      assert.strictEqual((yield* createOfSize(64 * 1024 + 1)).status, 200)
      const [exact, over] = yield* service.requests
      assert.isFalse(exact!.bodyTruncated)
      assert.strictEqual(exact!.body!.length, 64 * 1024)
      assert.isTrue(over!.bodyTruncated)
      assert.strictEqual(over!.body!.length, 64 * 1024)
      assert.strictEqual(over!.bodyBytes, 64 * 1024 + 1)
    }).pipe(fake()))
})
