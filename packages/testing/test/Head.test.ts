import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { FakeSkytells } from "../src/index.js"
import { call, create } from "./utils.js"

/** A HEAD request through the in-process HttpClient: status, headers and the body's length. */
const head = (path: string) =>
  Effect.gen(function*() {
    const fake = yield* FakeSkytells.FakeSkytells
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(
      HttpClientRequest.head(`${fake.baseUrl}${path}`).pipe(HttpClientRequest.setHeader("x-api-key", fake.apiKey))
    )
    const body = yield* response.arrayBuffer
    return { status: response.status, headers: response.headers, bodyBytes: body.byteLength }
  }).pipe(Effect.scoped)

describe("HEAD", () => {
  it.effect("is answered wherever GET is, with GET's status and headers and no body", () =>
    Effect.gen(function*() {
      const created = yield* create({ prompt: "x" })
      yield* TestClock.adjust("10 seconds")
      const done = yield* call("GET", `/predictions/${created.body.id}`)
      const output = String(done.body.output[0]).replace(/^.*\/v1/, "")
      for (const path of ["/models", "/models/truefusion", "/predictions", `/predictions/${created.body.id}`, output]) {
        const get = yield* call("GET", path)
        const answer = yield* head(path)
        assert.strictEqual(answer.status, 200, path)
        assert.strictEqual(answer.bodyBytes, 0, path)
        assert.strictEqual(answer.headers["content-type"], get.headers["content-type"], path)
        assert.isDefined(get.headers["content-length"], path)
        assert.strictEqual(answer.headers["content-length"], get.headers["content-length"], path)
      }
      const requests = yield* Effect.flatMap(FakeSkytells.FakeSkytells, (fake) => fake.requests)
      const heads = requests.filter((r) => r.method === "HEAD")
      assert.deepStrictEqual(heads.map((r) => r.route), [
        "models.list",
        "models.get",
        "predictions.list",
        "predictions.get",
        "files.get"
      ])
    }).pipe(Effect.provide(FakeSkytells.layer())))

  it.effect("answers errors like GET, without the body: 404 for an unknown id or path, 401 without a key", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(
        [(yield* head("/predictions/nope")).status, (yield* head("/nowhere")).status],
        [404, 404]
      )
      const fake = yield* FakeSkytells.FakeSkytells
      const client = yield* HttpClient.HttpClient
      const anonymous = yield* Effect.scoped(client.execute(HttpClientRequest.head(`${fake.baseUrl}/models`)))
      assert.strictEqual(anonymous.status, 401)
      // POST-only routes have no HEAD
      assert.strictEqual((yield* head("/chat/completions")).status, 404)
    }).pipe(Effect.provide(FakeSkytells.layer())))

  it.scoped("on loopback too", () =>
    Effect.gen(function*() {
      const served = yield* FakeSkytells.serve()
      const response = yield* Effect.promise(() =>
        fetch(`${served.url}/models`, { method: "HEAD", headers: { "x-api-key": served.apiKey } })
      )
      const get = yield* Effect.promise(() =>
        fetch(`${served.url}/models`, { headers: { "x-api-key": served.apiKey } }).then((r) => r.arrayBuffer())
      )
      assert.strictEqual(response.status, 200)
      assert.strictEqual(response.headers.get("content-length"), String(get.byteLength))
      assert.strictEqual((yield* Effect.promise(() => response.arrayBuffer())).byteLength, 0)
    }))
})
