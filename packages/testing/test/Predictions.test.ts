import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import { FakeSkytells } from "../src/index.js"
import { call, create } from "./utils.js"

const fake = (options?: FakeSkytells.Options) => Effect.provide(FakeSkytells.layer(options))

describe("prediction lifecycle", () => {
  it.effect("queued → starting → processing with progress → succeeded, driven by the Clock", () =>
    Effect.gen(function*() {
      const created = yield* create({ prompt: "a cat", num_outputs: 2 })
      assert.strictEqual(created.status, 200)
      const id: string = created.body.id
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      assert.strictEqual(created.body.status, "queued")
      assert.deepStrictEqual(created.body.model, { name: "truefusion", type: "image" })
      assert.deepStrictEqual(created.body.input, { prompt: "a cat", num_outputs: 2 })
      assert.isNull(created.body.output)
      assert.strictEqual(created.body.urls.get, `${FakeSkytells.defaultBaseUrl}/predictions/${id}`)
      assert.strictEqual(created.body.urls.cancel, `${FakeSkytells.defaultBaseUrl}/predictions/${id}/cancel`)
      assert.strictEqual(created.body.created_at, new Date(0).toISOString())

      const statusAfter = (ms: number) =>
        Effect.gen(function*() {
          yield* TestClock.adjust(ms)
          return (yield* call("GET", `/predictions/${id}`)).body
        })
      assert.strictEqual((yield* statusAfter(1_000)).status, "starting")
      const processing = yield* statusAfter(2_000) // t = 3s: 1s into a 4s processing phase
      assert.strictEqual(processing.status, "processing")
      assert.strictEqual(processing.metrics.progress, 25)
      assert.strictEqual(processing.started_at, new Date(2_000).toISOString())
      assert.isNull(processing.completed_at)
      const done = yield* statusAfter(3_000)
      assert.strictEqual(done.status, "succeeded")
      assert.strictEqual(done.metrics.progress, 100)
      assert.strictEqual(done.metrics.image_count, 2)
      assert.strictEqual(done.completed_at, new Date(6_000).toISOString())
      assert.deepStrictEqual(done.output, [
        `${FakeSkytells.defaultBaseUrl}/files/${id}/output-0.png`,
        `${FakeSkytells.defaultBaseUrl}/files/${id}/output-1.png`
      ])
      // the outputs are served by the fake itself, without an API key
      const png = yield* call("GET", done.output[0], { key: null })
      assert.strictEqual(png.status, 200)
      assert.strictEqual(png.headers["content-type"], "image/png")
      assert.strictEqual(png.text.slice(1, 4), "PNG")
    }).pipe(fake()))

  it.effect("POST /predict is the same handler as POST /predictions", () =>
    Effect.gen(function*() {
      const viaPredict = yield* call("POST", "/predict", { body: { model: "truefusion", input: { prompt: "x" } } })
      assert.strictEqual(viaPredict.status, 200)
      const got = yield* call("GET", `/predictions/${viaPredict.body.id}`)
      assert.strictEqual(got.status, 200)
      assert.strictEqual(got.body.id, viaPredict.body.id)
    }).pipe(fake()))

  it.effect("await: true blocks until the prediction is terminal; the video model ignores it", () =>
    Effect.gen(function*() {
      const waiting = yield* Effect.fork(create({ prompt: "a dog" }, { await: true }))
      yield* TestClock.adjust(5_999)
      assert.isNull(yield* Fiber.poll(waiting).pipe(Effect.map((o) => o._tag === "None" ? null : o)))
      yield* TestClock.adjust(1)
      const done = yield* Fiber.join(waiting)
      assert.strictEqual(done.body.status, "succeeded")
      const video = yield* create({ prompt: "waves" }, { await: true }, "truefusion-video")
      assert.strictEqual(video.body.status, "queued")
    }).pipe(fake()))

  it.effect("a failed prediction carries `error` (S0) or `error_id` + `error_message` (S2)", () =>
    Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      const first = yield* create({ prompt: "x" }, {}, "fake/fail-CONTENT_POLICY_VIOLATION")
      yield* TestClock.adjust(1_000)
      const s0 = (yield* call("GET", `/predictions/${first.body.id}`)).body
      assert.strictEqual(s0.status, "failed")
      assert.strictEqual(s0.error, "NSFW content detected.")
      assert.isNull(s0.output)
      assert.isUndefined(s0.error_id)
      yield* service.setScenario({ failureStyle: "error_id" })
      const s2 = (yield* call("GET", `/predictions/${first.body.id}`)).body
      assert.isNull(s2.error)
      assert.strictEqual(s2.error_id, "CONTENT_POLICY_VIOLATION")
      assert.strictEqual(s2.error_message, "NSFW content detected.")
    }).pipe(fake()))

  it.effect("scenario variants: model as slug, `pending`, `cancelled`, create status, lifecycle override", () =>
    Effect.gen(function*() {
      const created = yield* create({ prompt: "x" })
      assert.strictEqual(created.status, 202)
      assert.strictEqual(created.body.model, "truefusion")
      assert.strictEqual(created.body.status, "pending")
      yield* TestClock.adjust(500)
      assert.strictEqual((yield* call("GET", `/predictions/${created.body.id}`)).body.status, "processing")
      yield* call("POST", `/predictions/${created.body.id}/cancel`)
      assert.strictEqual((yield* call("GET", `/predictions/${created.body.id}`)).body.status, "cancelled")
    }).pipe(fake({
      scenario: {
        modelField: "string",
        initialStatus: "pending",
        canceledStatus: "cancelled",
        createStatus: 202,
        lifecycle: { queued: 100, starting: 0, processing: "1 second" }
      }
    })))

  it.effect("outputs are purged after the retention window (data_removed)", () =>
    Effect.gen(function*() {
      const created = yield* create({ prompt: "x" })
      yield* TestClock.adjust("6 seconds")
      const done = (yield* call("GET", `/predictions/${created.body.id}`)).body
      assert.strictEqual(done.status, "succeeded")
      yield* TestClock.adjust("5 minutes")
      const purged = (yield* call("GET", `/predictions/${created.body.id}`)).body
      assert.strictEqual(purged.data_removed, true)
      assert.isNull(purged.output)
      assert.strictEqual((yield* call("GET", done.output[0], { key: null })).status, 404)
    }).pipe(fake({ scenario: { retention: "5 minutes" } })))
})

describe("cancel and delete", () => {
  it.effect("cancels a running prediction, then refuses with 409 PREDICTION_NOT_CANCELLABLE", () =>
    Effect.gen(function*() {
      const created = yield* create({ prompt: "x" })
      yield* TestClock.adjust(2_500)
      const cancelled = yield* call("POST", `/predictions/${created.body.id}/cancel`)
      assert.strictEqual(cancelled.status, 200)
      assert.deepStrictEqual(cancelled.body, { success: true })
      const after = (yield* call("GET", `/predictions/${created.body.id}`)).body
      assert.strictEqual(after.status, "canceled")
      assert.strictEqual(after.completed_at, new Date(2_500).toISOString())
      yield* TestClock.adjust("1 minute") // it stays canceled
      assert.strictEqual((yield* call("GET", `/predictions/${created.body.id}`)).body.status, "canceled")
      const again = yield* call("POST", `/predictions/${created.body.id}/cancel`)
      assert.strictEqual(again.status, 409)
      assert.strictEqual(again.body.error.error_id, "PREDICTION_NOT_CANCELLABLE")
    }).pipe(fake()))

  it.effect("cancel can answer the prediction instead of {success:true}", () =>
    Effect.gen(function*() {
      const created = yield* create({ prompt: "x" })
      const cancelled = yield* call("POST", `/predictions/${created.body.id}/cancel`)
      assert.strictEqual(cancelled.body.id, created.body.id)
      assert.strictEqual(cancelled.body.status, "canceled")
    }).pipe(fake({ scenario: { cancelResponse: "prediction" } })))

  it.effect("delete works on DELETE /predictions/{id} and the SDK's /predictions/{id}/delete", () =>
    Effect.gen(function*() {
      const a = yield* create({ prompt: "a" })
      const b = yield* create({ prompt: "b" })
      const deletedA = yield* call("DELETE", `/predictions/${a.body.id}`)
      assert.strictEqual(deletedA.status, 200)
      assert.deepStrictEqual(deletedA.body, { success: true })
      assert.strictEqual((yield* call("DELETE", `/predictions/${b.body.id}/delete`)).status, 200)
      const gone = yield* call("GET", `/predictions/${a.body.id}`)
      assert.strictEqual(gone.status, 404)
      assert.strictEqual(gone.body.error.error_id, "PREDICTION_NOT_FOUND")
      assert.strictEqual((yield* call("GET", `/predictions/${b.body.id}`)).status, 404)
    }).pipe(fake()))

  it.effect("an unknown id can answer 502 PREDICTION_FAILED (newer docs)", () =>
    Effect.gen(function*() {
      const missing = yield* call("GET", "/predictions/nope")
      assert.strictEqual(missing.status, 502)
      assert.strictEqual(missing.body.error.error_id, "PREDICTION_FAILED")
      assert.strictEqual(missing.body.response, "Server error: Error fetching prediction")
    }).pipe(fake({ scenario: { predictionNotFound: "bad-gateway" } })))

  it.effect("predictions belong to their account", () =>
    Effect.gen(function*() {
      const created = yield* create({ prompt: "x" })
      const other = yield* call("GET", `/predictions/${created.body.id}`, { key: "sk-other" })
      assert.strictEqual(other.status, 404)
      const list = yield* call("GET", "/predictions", { key: "sk-other" })
      assert.strictEqual(list.body.pagination.total, 0)
    }).pipe(fake({ accounts: [{ apiKey: FakeSkytells.defaultApiKey }, { apiKey: "sk-other" }] })))
})

describe("list", () => {
  it.effect("pages newest first with {data, pagination}, filters by model, status and dates", () =>
    Effect.gen(function*() {
      const ids: Array<string> = []
      for (let i = 0; i < 5; i++) {
        ids.push((yield* create({ prompt: `p${i}` })).body.id)
        yield* TestClock.adjust("1 day")
      }
      yield* call("POST", "/predictions", { body: { model: "truefusion-video", input: { prompt: "v" } } })
      const page1 = yield* call("GET", "/predictions?per_page=2")
      assert.deepStrictEqual(page1.body.pagination, { current_page: 1, per_page: 2, total: 6, last_page: 3 })
      assert.strictEqual(page1.body.data.length, 2)
      assert.strictEqual(page1.body.data[1].id, ids[4])
      const page3 = yield* call("GET", "/predictions?per_page=2&page=3")
      assert.deepStrictEqual(page3.body.data.map((p: any) => p.id), [ids[1], ids[0]])
      const byModel = yield* call("GET", "/predictions?model=truefusion-video")
      assert.strictEqual(byModel.body.pagination.total, 1)
      const succeeded = yield* call("GET", "/predictions?status=succeeded")
      assert.strictEqual(succeeded.body.pagination.total, 5)
      const range = yield* call("GET", "/predictions?from=1970-01-02&to=1970-01-03")
      assert.deepStrictEqual(range.body.data.map((p: any) => p.id), [ids[2], ids[1]])
    }).pipe(fake()))

  it.effect("rejects per_page outside 1..50, bad pages, bad dates, from > to, unknown models", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [string, number, string]> = [
        ["per_page=0", 400, "INVALID_PARAMETER"],
        ["per_page=51", 400, "INVALID_PARAMETER"],
        ["page=0", 400, "INVALID_PARAMETER"],
        ["page=abc", 400, "INVALID_PARAMETER"],
        ["from=2024-13-01", 400, "INVALID_DATE_FORMAT"],
        ["to=01/02/2024", 400, "INVALID_DATE_FORMAT"],
        ["from=2024-02-02&to=2024-02-01", 400, "INVALID_DATE_RANGE"],
        ["model=no-such-model", 404, "MODEL_NOT_FOUND"]
      ]
      for (const [query, status, errorId] of cases) {
        const reply = yield* call("GET", `/predictions?${query}`)
        assert.strictEqual(reply.status, status, query)
        assert.strictEqual(reply.body.error.error_id, errorId, query)
      }
      assert.strictEqual((yield* call("GET", "/predictions?per_page=50&page=1")).status, 200)
    }).pipe(fake()))

  it.effect("can answer a bare array", () =>
    Effect.gen(function*() {
      yield* create({ prompt: "x" })
      const list = yield* call("GET", "/predictions")
      assert.isTrue(Array.isArray(list.body))
      assert.strictEqual(list.body.length, 1)
    }).pipe(fake({ scenario: { listShape: "array" } })))
})

describe("models", () => {
  it.effect("lists the catalogue as a bare array, schemas only with fields=", () =>
    Effect.gen(function*() {
      const plain = yield* call("GET", "/models")
      const slugs = plain.body.map((m: any) => m.namespace)
      for (const slug of ["truefusion", "truefusion-video", "deepbrain-router", "skytells-embed-3-small"]) {
        assert.include(slugs, slug)
      }
      assert.isUndefined(plain.body[0].input_schema)
      const withSchemas = yield* call("GET", "/models?fields=input_schema,output_schema")
      assert.deepStrictEqual(withSchemas.body[0].input_schema.required, ["prompt"])
      assert.isDefined(withSchemas.body[0].output_schema)
      const chat = plain.body.find((m: any) => m.namespace === "deepbrain-router")
      assert.strictEqual(chat.metadata.openai_compatible, true)
    }).pipe(fake()))

  it.effect("gets one model on /models/{slug} and /model/{slug}; slugs may contain '/'", () =>
    Effect.gen(function*() {
      const one = yield* call("GET", "/models/truefusion?fields=input_schema")
      assert.strictEqual(one.body.namespace, "truefusion")
      assert.strictEqual(one.body.input_schema.properties.num_outputs.maximum, 4)
      assert.isUndefined(one.body.output_schema)
      const singular = yield* call("GET", "/model/truefusion-video")
      assert.strictEqual(singular.body.type, "video")
      const test = yield* call("GET", "/models/fake/fail-TIMEOUT")
      assert.strictEqual(test.body.namespace, "fake/fail-TIMEOUT")
      const missing = yield* call("GET", "/models/nope")
      assert.strictEqual(missing.status, 404)
      assert.strictEqual(missing.body.error.error_id, "MODEL_NOT_FOUND")
    }).pipe(fake()))
})
