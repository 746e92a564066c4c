import { SkytellsError } from "@effect-skytells/client"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, FastCheck as fc } from "effect"
import * as util from "node:util"

const json = (u: unknown) => JSON.stringify(u)
const decode = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  SkytellsError.fromResponse({ status, headers, body: typeof body === "string" ? body : json(body), now: 0 })

// Every shape an error id can arrive in (skytells-api.md §6.1), built from (id, status, message).
const shapes: Record<string, (id: string, status: number, message: string) => unknown> = {
  flat: (id, _status, message) => ({ error_id: id, message }),
  envelope: (id, status, message) => ({
    status: false,
    response: "Request failed",
    error: { http_status: status, message, details: { category: "request" }, error_id: id }
  }),
  errorOnly: (id, status, message) => ({ error: { http_status: status, message, details: null, error_id: id } }),
  inference: (id, status, message) => ({
    error: {
      error_id: id,
      type: "invalid_request_error",
      code: id.toLowerCase(),
      message,
      param: "messages",
      status,
      request_id: "req_body",
      details: { category: "request" }
    }
  }),
  inferenceCodeOnly: (id, _status, message) => ({ error: { code: id.toLowerCase(), message, type: "x" } }),
  inferenceUpper: (id, status, message) => ({ error: { error_id: id.toUpperCase(), message, status } }),
  failedPredictionS2: (id, _status, message) => ({
    id: "pred_1",
    status: "failed",
    error_id: id,
    error_message: message,
    error: null
  })
}

describe("the catalogue", () => {
  const tags = Object.keys(SkytellsError.classes) as ReadonlyArray<SkytellsError.ApiTag>

  it("has a class per entry, with its documented metadata", () => {
    assert.isAtLeast(tags.length, 43)
    for (const tag of tags) {
      const cls = SkytellsError.classes[tag]
      assert.strictEqual(cls._tag, tag)
      assert.isAbove(cls.entry.ids.length, 0)
      assert.isAbove(cls.entry.statuses.length, 0)
      assert.isNotEmpty(cls.entry.resolution)
      // Tag = PascalCase of the canonical id.
      const pascal = cls.entry.ids[0].toLowerCase().split("_").map((w) => w[0].toUpperCase() + w.slice(1)).join("")
      assert.strictEqual(pascal, tag)
    }
  })

  it("maps ids that differ only in case to one class", () => {
    assert.strictEqual(decode(404, { error: { code: "model_not_found", message: "m" } })._tag, "ModelNotFound")
    assert.strictEqual(decode(404, { error_id: "MODEL_NOT_FOUND", message: "m" })._tag, "ModelNotFound")
    assert.strictEqual(decode(429, { error: { code: "rate_limit_exceeded", message: "m" } })._tag, "RateLimitExceeded")
    assert.strictEqual(decode(503, { error: { code: "service_unavailable", message: "m" } })._tag, "ServiceUnavailable")
  })

  for (const tag of Object.keys(SkytellsError.classes) as ReadonlyArray<SkytellsError.ApiTag>) {
    const entry = SkytellsError.classes[tag].entry
    it(`${tag}: every id x status x body shape decodes with every field`, () => {
      for (const id of entry.ids) {
        for (const status of entry.statuses) {
          for (const [shape, make] of Object.entries(shapes)) {
            const message = `${id} happened (${shape})`
            const e = decode(status, make(id, status, message), { "x-request-id": "req_header" })
            const where = `${id} ${status} ${shape}`
            assert.strictEqual(e._tag, tag, where)
            assert.instanceOf(e, SkytellsError.classes[tag] as unknown as new() => object, where)
            if (!("resolution" in e)) throw new Error("unreachable")
            assert.strictEqual(e.message, message, where)
            assert.strictEqual(e.httpStatus, status, where)
            assert.strictEqual(e.resolution, entry.resolution, where)
            switch (shape) {
              case "flat":
                assert.strictEqual(e.errorId, id, where)
                assert.strictEqual(e.requestId, "req_header", where)
                break
              case "envelope":
                assert.strictEqual(e.errorId, id, where)
                assert.deepStrictEqual(e.details, { category: "request" }, where)
                break
              case "inference":
                assert.strictEqual(e.errorId, id, where)
                assert.strictEqual(e.code, id.toLowerCase(), where)
                assert.strictEqual(e.type, "invalid_request_error", where)
                assert.strictEqual(e.param, "messages", where)
                // The body's request id is the API's own; it wins over the header.
                assert.strictEqual(e.requestId, "req_body", where)
                break
              case "inferenceCodeOnly":
                assert.strictEqual(e.errorId, id.toLowerCase(), where)
                assert.strictEqual(e.code, id.toLowerCase(), where)
                break
              case "failedPredictionS2":
                assert.strictEqual(e.errorId, id, where)
                assert.strictEqual(e.predictionId, "pred_1", where)
                break
            }
          }
        }
      }
    })
  }
})

describe("the group lists", () => {
  const byCategory = (category: SkytellsError.Category) =>
    SkytellsError.SkytellsApiError.members.filter((c) => c.entry.category === category).map((c) => c._tag).sort()
  const tags = (list: ReadonlyArray<{ readonly _tag: string }>) => list.map((c) => c._tag).sort()
  it("hold exactly the catalogue's classes of their category or level", () => {
    assert.deepStrictEqual(tags(SkytellsError.authenticationErrors), byCategory("authentication"))
    assert.deepStrictEqual(tags(SkytellsError.permissionErrors), byCategory("permission"))
    assert.deepStrictEqual(tags(SkytellsError.billingErrors), byCategory("billing"))
    assert.deepStrictEqual(tags(SkytellsError.validationErrors), byCategory("validation"))
    assert.deepStrictEqual(tags(SkytellsError.notFoundErrors), byCategory("notFound"))
    assert.deepStrictEqual(tags(SkytellsError.contentPolicyErrors), byCategory("contentPolicy"))
    assert.deepStrictEqual(tags(SkytellsError.rateLimitErrors), byCategory("rateLimit"))
    assert.deepStrictEqual(tags(SkytellsError.serverErrors), byCategory("server"))
    assert.deepStrictEqual(
      tags(SkytellsError.inferenceApiErrors),
      SkytellsError.SkytellsApiError.members.filter((c) => c.entry.levels.includes("inference")).map((c) => c._tag)
        .sort()
    )
    assert.deepStrictEqual(
      tags(SkytellsError.predictionLevelErrors),
      SkytellsError.SkytellsApiError.members.filter((c) => c.entry.levels.includes("prediction")).map((c) => c._tag)
        .sort()
    )
  })
})

describe("the payloads printed in the seeds", () => {
  it("S0 flat error", () => {
    const e = decode(
      404,
      `{
  "error_id": "MODEL_NOT_FOUND",
  "message": "The model with slug 'example' does not exist"
}`
    )
    assert.strictEqual(e._tag, "ModelNotFound")
    assert.strictEqual((e as SkytellsError.ModelNotFound).message, "The model with slug 'example' does not exist")
  })

  it("S0 prediction.failed payload (its trailing comma removed) is PredictionFailed", () => {
    const payload = {
      status: "failed",
      error: "Failed to generate image / video / audio ..etc.",
      output: null,
      data_removed: true,
      metrics: { predict_time: 1.082823234, total_time: 1.094474004 },
      model: "truefusion",
      source: "api"
    }
    const e = SkytellsError.fromFailedPrediction(payload)
    assert.strictEqual(e?._tag, "PredictionFailed")
    assert.strictEqual(e?.message, "Failed to generate image / video / audio ..etc.")
    // As printed (with a trailing comma) it is not JSON: a typed MalformedResponse, not a crash.
    const printed = json(payload).replace(/}$/, ",}")
    assert.strictEqual(decode(200, printed)._tag, "MalformedResponse")
  })

  it("S2 prediction error", () => {
    const e = SkytellsError.fromFailedPrediction({
      id: "pred_abc123",
      status: "failed",
      error_id: "INSUFFICIENT_CREDITS",
      error_message: "Your account has run out of credits.",
      error: null
    })
    assert.strictEqual(e?._tag, "InsufficientCredits")
    const credits = e as SkytellsError.InsufficientCredits
    assert.strictEqual(credits.predictionId, "pred_abc123")
    assert.strictEqual(credits.message, "Your account has run out of credits.")
    assert.strictEqual(credits.resolution, "Purchase additional credits or use a lower-cost model.")
  })

  it("S2 inference error", () => {
    const e = decode(400, {
      error: {
        error_id: "context_length_exceeded",
        type: "InferenceError",
        code: "context_length_exceeded",
        message: "Your messages exceed the model context window.",
        param: "messages",
        status: 400,
        request_id: "req_xyz789"
      }
    }) as SkytellsError.ContextLengthExceeded
    assert.strictEqual(e._tag, "ContextLengthExceeded")
    assert.deepStrictEqual(
      {
        errorId: e.errorId,
        type: e.type,
        code: e.code,
        message: e.message,
        param: e.param,
        httpStatus: e.httpStatus,
        requestId: e.requestId
      },
      {
        errorId: "context_length_exceeded",
        type: "InferenceError",
        code: "context_length_exceeded",
        message: "Your messages exceed the model context window.",
        param: "messages",
        httpStatus: 400,
        requestId: "req_xyz789"
      }
    )
  })

  it("a non-failed prediction is not an error", () => {
    assert.isUndefined(SkytellsError.fromFailedPrediction({ id: "p", status: "succeeded", output: ["u"] }))
    assert.isUndefined(SkytellsError.fromFailedPrediction("nope"))
  })
})

describe("the status decides only when there is no id", () => {
  it("the id wins over the status", () => {
    assert.strictEqual(decode(500, { error_id: "INVALID_INPUT", message: "x" })._tag, "InvalidInput")
    assert.strictEqual(decode(200, { error_id: "LEGAL_REASONS", message: "x" })._tag, "LegalReasons")
  })

  it("maps unambiguous statuses, with the canonical id", () => {
    const cases: Array<[number, string]> = [
      [401, "Unauthorized"],
      [429, "RateLimitExceeded"],
      [500, "InternalError"],
      [503, "ServiceUnavailable"]
    ]
    for (const [status, tag] of cases) {
      for (const body of ["", "<html>oops</html>", json({ message: "busy" })]) {
        const e = decode(status, body)
        assert.strictEqual(e._tag, tag, `${status} ${body}`)
        assert.strictEqual(
          (e as SkytellsError.SkytellsApiError).errorId,
          SkytellsError.classes[tag as "InternalError"].entry.ids[0]
        )
      }
    }
  })

  it("502 and 504 without an id are gateway errors, with a bounded excerpt", () => {
    const html = `<html><body>${"Bad Gateway ".repeat(1000)}</body></html>`
    const e = decode(502, html, { "content-type": "text/html" }) as SkytellsError.GatewayError
    assert.strictEqual(e._tag, "GatewayError")
    assert.strictEqual(e.contentType, "text/html")
    assert.isBelow(e.excerpt.length, 400)
    assert.match(e.message, /HTTP 502 .*retry later/)
    assert.strictEqual(decode(504, "")._tag, "GatewayError")
    assert.strictEqual(decode(502, { error_id: "PREDICTION_NOT_FOUND", message: "x" })._tag, "PredictionNotFound")
  })

  it("unknown ids keep the id, status and body", () => {
    const body = { error_id: "BRAND_NEW_THING", message: "new", extra: [1, 2] }
    const e = decode(418, body) as SkytellsError.UnknownApiError
    assert.strictEqual(e._tag, "UnknownApiError")
    assert.strictEqual(e.errorId, "BRAND_NEW_THING")
    assert.strictEqual(e.httpStatus, 418)
    assert.deepStrictEqual(e.body, body)
  })

  it("non-JSON, empty and truncated bodies are MalformedResponse", () => {
    const html = decode(400, "<!doctype html><title>proxy</title>", {
      "content-type": "text/html",
      "x-request-id": "r1"
    }) as SkytellsError.MalformedResponse
    assert.strictEqual(html.reason, "NotJson")
    assert.strictEqual(html.requestId, "r1")
    assert.match(html.message, /not JSON \(text\/html/)
    assert.strictEqual((decode(404, "") as SkytellsError.MalformedResponse).reason, "EmptyBody")
    assert.strictEqual((decode(400, `{"error_id": "INVAL`) as SkytellsError.MalformedResponse).reason, "NotJson")
  })
})

describe("retry hints", () => {
  it("reads Retry-After seconds, HTTP dates and retry-after-ms (which wins)", () => {
    const rate = (headers: Record<string, string>) =>
      (decode(429, { error_id: "RATE_LIMIT_EXCEEDED", message: "m" }, headers) as SkytellsError.RateLimitExceeded)
        .retryAfter
    assert.deepStrictEqual(rate({ "Retry-After": "12" }), Duration.seconds(12))
    assert.deepStrictEqual(rate({ "retry-after": "1.5" }), Duration.millis(1500))
    assert.deepStrictEqual(rate({ "retry-after": new Date(30_000).toUTCString() }), Duration.seconds(30))
    assert.deepStrictEqual(rate({ "retry-after": "12", "retry-after-ms": "250" }), Duration.millis(250))
    assert.deepStrictEqual(rate({ "retry-after": new Date(0).toUTCString(), "x": "1" }), Duration.zero)
    assert.isUndefined(rate({ "retry-after": "soon" }))
    assert.isUndefined(rate({}))
  })

  it("reads x-should-retry", () => {
    const e = decode(400, { error_id: "INVALID_INPUT", message: "m" }, { "x-should-retry": "true" })
    assert.strictEqual((e as SkytellsError.InvalidInput).shouldRetry, true)
  })
})

describe("isRetryable", () => {
  it("follows the catalogue", () => {
    assert.isTrue(SkytellsError.isRetryable(decode(429, "")))
    assert.isTrue(SkytellsError.isRetryable(decode(502, "")))
    assert.isTrue(SkytellsError.isRetryable(decode(500, { error_id: "MODEL_UNAVAILABLE", message: "" })))
    for (const id of ["INSUFFICIENT_CREDITS", "PAYMENT_REQUIRED", "UNAUTHORIZED", "INVALID_INPUT", "MODEL_NOT_FOUND"]) {
      assert.isFalse(SkytellsError.isRetryable(decode(400, { error_id: id, message: "" })), id)
    }
    assert.isFalse(SkytellsError.isRetryable(decode(503, { error_id: "SOMETHING_NEW", message: "" })))
  })

  // Written out rather than read from `entry.retryable`, which is what the implementation reads.
  const retryable = new Set([
    "RateLimitExceeded",
    "RateLimited",
    "InferenceRateLimited",
    "InternalError",
    "ModelUnavailable",
    "InferenceError",
    "ServerError",
    "ServiceUnavailable",
    "InferenceTimeout",
    "GatewayError",
    "TransportError",
    "RequestTimeout"
  ])

  it("is true for exactly the documented retryable classes, gateway, transport and timeout errors", () => {
    for (const [tag, cls] of Object.entries(SkytellsError.classes)) {
      const error = decode(cls.entry.statuses[0], { error_id: cls.entry.ids[0], message: "" })
      assert.strictEqual(error._tag, tag)
      assert.strictEqual(SkytellsError.isRetryable(error), retryable.has(tag), tag)
    }
    const undocumented = [
      decode(502, "<html>bad gateway</html>"),
      new SkytellsError.TransportError({
        reason: "ConnectionReset",
        mayHaveReachedServer: true,
        method: "GET",
        url: "u",
        description: "d"
      }),
      new SkytellsError.RequestTimeout({ method: "GET", url: "u", timeout: Duration.seconds(1), scope: "attempt" }),
      decode(200, "not json"),
      decode(418, { error_id: "TEAPOT", message: "" })
    ]
    assert.deepStrictEqual(
      undocumented.map((e) => [e._tag, SkytellsError.isRetryable(e)]),
      [
        ["GatewayError", true],
        ["TransportError", true],
        ["RequestTimeout", true],
        ["MalformedResponse", false],
        ["UnknownApiError", false]
      ]
    )
  })

  it("ignores x-should-retry, which the retry policy applies on top", () => {
    const told = decode(400, { error_id: "INVALID_INPUT", message: "" }, { "x-should-retry": "true" })
    assert.strictEqual((told as SkytellsError.InvalidInput).shouldRetry, true)
    assert.isFalse(SkytellsError.isRetryable(told))
    const forbidden = decode(429, { error_id: "RATE_LIMIT_EXCEEDED", message: "" }, { "x-should-retry": "false" })
    assert.strictEqual((forbidden as SkytellsError.RateLimitExceeded).shouldRetry, false)
    assert.isTrue(SkytellsError.isRetryable(forbidden))
  })

  it("reads the tag only, so it also refines decoded or hand-built values; anything else is false", () => {
    assert.isTrue(SkytellsError.isRetryable({ _tag: "RateLimitExceeded" }))
    for (const u of [undefined, null, "RateLimitExceeded", 429, {}, { _tag: 1 }, { _tag: "InvalidInput" }]) {
      assert.isFalse(SkytellsError.isRetryable(u), String(JSON.stringify(u)))
    }
  })
})

describe("people can read a failure", () => {
  it("toString names the ids and the documented resolution", () => {
    const e = decode(402, { error_id: "INSUFFICIENT_CREDITS", message: "Out of credits." }, { "x-request-id": "req_9" })
    assert.strictEqual(
      String(e),
      "InsufficientCredits (INSUFFICIENT_CREDITS, HTTP 402, request req_9): Out of credits. What to do: Purchase additional credits or use a lower-cost model."
    )
    assert.include(util.inspect(e), "INSUFFICIENT_CREDITS")
  })

  it("describe gives that line for a documented error, the tag and message for the others", () => {
    const e = decode(402, { error_id: "INSUFFICIENT_CREDITS", message: "Out of credits." }, { "x-request-id": "req_9" })
    assert.strictEqual(SkytellsError.describe(e), String(e))
    const unknown = decode(418, { error_id: "TEAPOT", message: "I am a teapot." })
    assert.strictEqual(SkytellsError.describe(unknown), "UnknownApiError: I am a teapot.")
    const gateway = decode(502, "<html>Bad gateway</html>")
    assert.strictEqual(SkytellsError.describe(gateway), `GatewayError: ${gateway.message}`)
  })

  it("errors are yieldable and fail the effect with their tag", () =>
    Effect.gen(function*() {
      const failure = yield* Effect.flip(
        Effect.fail(decode(409, { error_id: "PREDICTION_NOT_CANCELLABLE", message: "" }))
      )
      assert.strictEqual(failure._tag, "PredictionNotCancellable")
    }).pipe(Effect.runPromise))
})

describe("the decoder is total", () => {
  const headerArb = fc.dictionary(
    fc.oneof(
      fc.constantFrom("retry-after", "retry-after-ms", "x-should-retry", "x-request-id", "content-type"),
      fc.string()
    ),
    fc.oneof(fc.string(), fc.constantFrom("1e309", "-5", "NaN", "Infinity", "Tue, 99 Foo 2024"))
  )
  const deep = fc.integer({ min: 1, max: 20_000 }).map((n) => "[".repeat(n) + "]".repeat(n))
  const jsonish = fc.oneof(
    fc.json(),
    fc.jsonValue().map((v) => json({ error: v })),
    fc.jsonValue().map((v) => json({ status: "failed", error_id: v, error: v, id: v })),
    fc.record({ error_id: fc.string(), message: fc.anything() }).map((v) => {
      try {
        return json(v)
      } catch {
        return "{}"
      }
    }),
    deep,
    fc.string(),
    // Huge bodies: built by repetition, since generating them char by char is slow.
    fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 200_000 })).map(([s, n]) =>
      json({ error_id: s.repeat(n), message: s.repeat(n) })
    )
  )
  const bodyArb = fc.oneof(fc.uint8Array({ maxLength: 2_000 }), jsonish)
  const statusArb = fc.oneof(fc.integer({ min: 100, max: 599 }), fc.integer(), fc.constant(Number.NaN))

  it("never throws and always yields a typed error", () => {
    fc.assert(
      fc.property(statusArb, headerArb, bodyArb, (status, headers, body) => {
        const e = SkytellsError.fromResponse({ status, headers, body })
        assert.isTrue(SkytellsError.isSkytellsError(e))
        // Reading and printing it never throws either.
        assert.isString(String(e))
        assert.isString(e.message)
      }),
      { numRuns: 5_000, seed: 20261122 }
    )
  }, 60_000)
})
