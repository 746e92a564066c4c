import { SkytellsError } from "@effect-skytells/client"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { FakeSkytells } from "../src/index.js"
import { statusFor } from "../src/internal/errors.js"
import { call, create } from "./utils.js"

const fake = (options?: FakeSkytells.Options) => Effect.provide(FakeSkytells.layer(options))

describe("authentication and content type", () => {
  it.effect("401 UNAUTHORIZED without a key or with an unknown key; ACCOUNT_SUSPENDED for a suspended account", () =>
    Effect.gen(function*() {
      const none = yield* call("GET", "/models", { key: null })
      assert.strictEqual(none.status, 401)
      assert.strictEqual(none.body.error.error_id, "UNAUTHORIZED")
      const wrong = yield* call("GET", "/predictions", { key: "sk-wrong" })
      assert.strictEqual(wrong.status, 401)
      assert.strictEqual(wrong.body.error.message, "Invalid API key.")
      const suspended = yield* call("GET", "/models", { key: "sk-suspended" })
      assert.strictEqual(suspended.status, 401)
      assert.strictEqual(suspended.body.error.error_id, "ACCOUNT_SUSPENDED")
      // the Prediction API does not take Bearer tokens by default; the Inference API does
      const bearer = yield* call("GET", "/models", {
        key: null,
        headers: { authorization: `Bearer ${FakeSkytells.defaultApiKey}` }
      })
      assert.strictEqual(bearer.status, 401)
    }).pipe(fake({ accounts: [{ apiKey: FakeSkytells.defaultApiKey }, { apiKey: "sk-suspended", suspended: true }] })))

  it.effect("400 UNSUPPORTED_MEDIA_TYPE when a POST body is not declared application/json", () =>
    Effect.gen(function*() {
      const body = JSON.stringify({ model: "truefusion", input: { prompt: "x" } })
      const plain = yield* call("POST", "/predictions", { raw: body, contentType: "text/plain" })
      assert.strictEqual(plain.status, 400)
      assert.strictEqual(plain.body.error.error_id, "UNSUPPORTED_MEDIA_TYPE")
      const withCharset = yield* call("POST", "/predictions", {
        raw: body,
        contentType: "application/json; charset=utf-8"
      })
      assert.strictEqual(withCharset.status, 200)
      const empty = yield* call("POST", "/predictions")
      assert.strictEqual(empty.body.error.error_id, "UNSUPPORTED_MEDIA_TYPE")
      const notJson = yield* call("POST", "/predictions", { raw: "{nope", contentType: "application/json" })
      assert.strictEqual(notJson.status, 400)
      assert.strictEqual(notJson.body.error.error_id, "INVALID_INPUT")
    }).pipe(fake()))

  it.effect("scenario: Content-Type required on every POST, Bearer accepted everywhere", () =>
    Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      const created = yield* create({ prompt: "x" })
      // by default a POST without a body (cancel) needs no Content-Type
      assert.strictEqual((yield* call("POST", `/predictions/${created.body.id}/cancel`)).status, 200)
      yield* service.setScenario({ contentType: "always", bearerAuth: "all" })
      const second = yield* create({ prompt: "y" })
      const strict = yield* call("POST", `/predictions/${second.body.id}/cancel`)
      assert.strictEqual(strict.status, 400)
      assert.strictEqual(strict.body.error.error_id, "UNSUPPORTED_MEDIA_TYPE")
      const bearer = yield* call("GET", "/models", {
        key: null,
        headers: { authorization: `Bearer ${FakeSkytells.defaultApiKey}` }
      })
      assert.strictEqual(bearer.status, 200)
    }).pipe(fake()))
})

describe("create validation", () => {
  it.effect("400 MISSING_REQUIRED_FIELD naming the missing fields (422 VALIDATION_ERROR in the newer scenario)", () =>
    Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      const noInput = yield* call("POST", "/predictions", { body: { model: "truefusion" } })
      assert.strictEqual(noInput.status, 400)
      assert.strictEqual(noInput.body.error.error_id, "MISSING_REQUIRED_FIELD")
      assert.deepStrictEqual(noInput.body.error.details, { missing: ["input"] })
      // S2's field names are not accepted
      const s2 = yield* call("POST", "/predictions", { body: { model_id: "truefusion", inputs: { prompt: "x" } } })
      assert.deepStrictEqual(s2.body.error.details, { missing: ["model", "input"] })
      yield* service.setScenario({ missingField: "VALIDATION_ERROR" })
      const newer = yield* call("POST", "/predictions", { body: { input: {} } })
      assert.strictEqual(newer.status, 422)
      assert.strictEqual(newer.body.error.error_id, "VALIDATION_ERROR")
    }).pipe(fake()))

  it.effect("INVALID_INPUT lists every violation of the model's input_schema", () =>
    Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      const bad = yield* create({ width: 4096, num_outputs: "two", output_format: "gif" })
      assert.strictEqual(bad.status, 400)
      assert.strictEqual(bad.body.error.error_id, "INVALID_INPUT")
      assert.deepStrictEqual(bad.body.error.details.map((v: any) => v.field), [
        "prompt",
        "width",
        "num_outputs",
        "output_format"
      ])
      assert.include(bad.body.error.message, "width must be <= 2048")
      assert.strictEqual(
        (yield* create({ prompt: "x", height: 100 })).body.error.details[0].message,
        "height must be >= 256"
      )
      yield* service.setScenario({ invalidInputStatus: 422 })
      assert.strictEqual((yield* create({})).status, 422)
      assert.strictEqual((yield* service.requests).filter((r) => r.method === "POST").length, 3)
      assert.strictEqual((yield* service.predictions).length, 0)
    }).pipe(fake()))

  it.effect("unknown model 404 MODEL_NOT_FOUND; chat models are not served by predictions (422 MODEL_NOT_SUPPORTED)", () =>
    Effect.gen(function*() {
      const unknown = yield* create({ prompt: "x" }, {}, "nope")
      assert.strictEqual(unknown.status, 404)
      assert.strictEqual(unknown.body.error.error_id, "MODEL_NOT_FOUND")
      const chat = yield* create({ prompt: "x" }, {}, "deepbrain-router")
      assert.strictEqual(chat.status, 422)
      assert.strictEqual(chat.body.error.error_id, "MODEL_NOT_SUPPORTED")
    }).pipe(fake()))
})

describe("credits", () => {
  it.effect("charges each create; 402 INSUFFICIENT_CREDITS when it costs more than the balance; PAYMENT_REQUIRED when negative", () =>
    Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      assert.strictEqual(yield* service.credits(), 0.1)
      const first = yield* create({ prompt: "x", num_outputs: 2 }) // 2 × 0.03
      assert.strictEqual(first.body.metadata.billing.credits_used, 0.06)
      assert.strictEqual(yield* service.credits(), 0.04)
      const tooMuch = yield* create({ prompt: "x", num_outputs: 2 })
      assert.strictEqual(tooMuch.status, 402)
      assert.strictEqual(tooMuch.body.error.error_id, "INSUFFICIENT_CREDITS")
      assert.strictEqual(yield* service.credits(), 0.04)
      assert.strictEqual((yield* create({ prompt: "x" })).status, 200)
      yield* service.setCredits(-1)
      const negative = yield* create({ prompt: "x" })
      assert.strictEqual(negative.status, 402)
      assert.strictEqual(negative.body.error.error_id, "PAYMENT_REQUIRED")
    }).pipe(fake({ accounts: [{ apiKey: "sk-poor", credits: 0.1 }] })))
})

describe("error shapes", () => {
  it.effect("envelope (default), flat and nested", () =>
    Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      const envelope = yield* call("GET", "/models/nope")
      assert.deepStrictEqual(envelope.body, {
        status: false,
        response: "Not found: The model with slug 'nope' does not exist",
        error: {
          http_status: 404,
          message: "The model with slug 'nope' does not exist",
          details: null,
          error_id: "MODEL_NOT_FOUND"
        }
      })
      yield* service.setScenario({ errorShape: "flat" })
      assert.deepStrictEqual((yield* call("GET", "/models/nope")).body, {
        error_id: "MODEL_NOT_FOUND",
        message: "The model with slug 'nope' does not exist"
      })
      yield* service.setScenario({ errorShape: "nested" })
      assert.deepStrictEqual((yield* call("GET", "/models/nope")).body, {
        error: {
          http_status: 404,
          message: "The model with slug 'nope' does not exist",
          details: null,
          error_id: "MODEL_NOT_FOUND"
        }
      })
    }).pipe(fake()))

  it.effect("an unknown path is 404 ENDPOINT_NOT_FOUND", () =>
    Effect.gen(function*() {
      const reply = yield* call("GET", "/nothing/here")
      assert.strictEqual(reply.status, 404)
      assert.strictEqual(reply.body.error.error_id, "ENDPOINT_NOT_FOUND")
    }).pipe(fake()))
})

const classOf = (errorId: string) =>
  SkytellsError.SkytellsApiError.members.find((c) =>
    c.entry.ids.some((id) => id.toUpperCase() === errorId.toUpperCase())
  )!

describe("every documented error is reachable with model fake/error-<ID>", () => {
  for (const shape of ["envelope", "flat", "nested"] as const) {
    it.effect(`prediction API, ${shape} shape: the fake's documented status, and the client's decoder finds the class`, () =>
      Effect.gen(function*() {
        assert.isAbove(FakeSkytells.documentedErrorIds.length, 40)
        for (const errorId of FakeSkytells.documentedErrorIds) {
          const reply = yield* create({ prompt: "x" }, {}, `fake/error-${errorId}`)
          const cls = classOf(errorId)
          assert.strictEqual(reply.status, statusFor(errorId), errorId)
          assert.include(cls.entry.statuses, reply.status, errorId)
          const decoded = SkytellsError.fromResponse({ status: reply.status, headers: reply.headers, body: reply.text })
          assert.strictEqual(decoded._tag, cls._tag, errorId)
          assert.strictEqual((decoded as { errorId?: string }).errorId, errorId)
          assert.strictEqual((decoded as { requestId?: string }).requestId, reply.headers["x-request-id"])
        }
      }).pipe(fake({ scenario: { errorShape: shape } })))
  }

  it.effect("inference API (nested OpenAI-style errors) on chat, embeddings and responses", () =>
    Effect.gen(function*() {
      for (const errorId of FakeSkytells.documentedErrorIds) {
        const cls = classOf(errorId)
        const routes = [
          ["/chat/completions", { messages: [{ role: "user", content: "hi" }] }],
          ["/embeddings", { input: "hi" }],
          ["/responses", { input: "hi" }]
        ] as const
        for (const [path, body] of routes) {
          const reply = yield* call("POST", path, { body: { model: `fake/error-${errorId}`, ...body } })
          assert.strictEqual(reply.status, statusFor(errorId), `${path} ${errorId}`)
          assert.include(cls.entry.statuses, reply.status, `${path} ${errorId}`)
          assert.strictEqual(reply.body.error.error_id, errorId)
          assert.strictEqual(reply.body.error.status, reply.status)
          assert.strictEqual(reply.body.error.request_id, reply.headers["x-request-id"])
          const decoded = SkytellsError.fromResponse({ status: reply.status, headers: reply.headers, body: reply.text })
          assert.strictEqual(decoded._tag, cls._tag, `${path} ${errorId}`)
        }
      }
    }).pipe(fake()))

  it.effect("an explicit status and an undocumented id", () =>
    Effect.gen(function*() {
      const alt = yield* create({ prompt: "x" }, {}, "fake/error-INVALID_INPUT-422")
      assert.strictEqual(alt.status, 422)
      assert.strictEqual(alt.body.error.error_id, "INVALID_INPUT")
      const unknown = yield* create({ prompt: "x" }, {}, "fake/error-SOMETHING_NEW-409")
      assert.strictEqual(unknown.status, 409)
      const decoded = SkytellsError.fromResponse({
        status: unknown.status,
        headers: unknown.headers,
        body: unknown.text
      })
      assert.strictEqual(decoded._tag, "UnknownApiError")
    }).pipe(fake()))
})

describe("request recording", () => {
  it.effect("records method, path, query, body and headers without the key; x-request-id matches", () =>
    Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      const created = yield* create({ prompt: "recorded" })
      yield* call("GET", "/predictions?page=1&per_page=5")
      yield* call("GET", "/models", { key: null, headers: { authorization: "Bearer sk-secret-value" } })
      const requests = yield* service.requests
      assert.strictEqual(requests.length, 3)
      const [post, list, models] = requests
      assert.strictEqual(post!.method, "POST")
      assert.strictEqual(post!.path, "/v1/predictions")
      assert.strictEqual(post!.route, "predictions.create")
      assert.deepStrictEqual(JSON.parse(post!.body!), { model: "truefusion", input: { prompt: "recorded" } })
      assert.strictEqual(post!.headers["x-api-key"], "<redacted>")
      assert.strictEqual(post!.id, created.headers["x-request-id"])
      assert.strictEqual(post!.status, 200)
      assert.isTrue(post!.acted)
      assert.deepStrictEqual(list!.query, { page: "1", per_page: "5" })
      assert.strictEqual(models!.headers.authorization, "Bearer <redacted>")
      assert.strictEqual(models!.status, 401)
      assert.isFalse(JSON.stringify(requests).includes(FakeSkytells.defaultApiKey))
      assert.isFalse(JSON.stringify(requests).includes("sk-secret-value"))
      yield* service.clearRequests
      assert.strictEqual((yield* service.requests).length, 0)
    }).pipe(fake()))

  it.effect("ids are deterministic for a seed", () =>
    Effect.gen(function*() {
      const ids = (seed: number) =>
        Effect.gen(function*() {
          const a = yield* create({ prompt: "x" })
          return [a.body.id, a.headers["x-request-id"]]
        }).pipe(fake({ seed }))
      assert.deepStrictEqual(yield* ids(7), yield* ids(7))
      assert.notDeepEqual(yield* ids(7), yield* ids(8))
    }))
})
