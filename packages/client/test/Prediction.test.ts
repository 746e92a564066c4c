import * as Prediction from "@effect-skytells/client/Prediction"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Either, Option, Schema } from "effect"
import { readFileSync } from "node:fs"

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/predictions/${name}.json`, import.meta.url), "utf8"))

const decode = (name: string) => Prediction.decodeUnknown(fixture(name))

const iso = (value: string | null | undefined) =>
  Option.map(Prediction.parseTimestamp(value), DateTime.formatIso).pipe(Option.getOrUndefined)

describe("Prediction schema", () => {
  it.effect("decodes the S0 failed payload (no id, model string, data_removed, metrics)", () =>
    Effect.gen(function*() {
      const p = yield* decode("s0-failed")
      assert.strictEqual(p.id, undefined)
      assert.strictEqual(p.status, "failed")
      assert.strictEqual(p.error, "Failed to generate image / video / audio ..etc.")
      assert.strictEqual(p.output, null)
      assert.strictEqual(p.data_removed, true)
      assert.strictEqual(p.metrics?.predict_time, 1.082823234)
      assert.strictEqual(p.metrics?.total_time, 1.094474004)
      assert.strictEqual(Prediction.modelSlug(p), "truefusion")
      assert.strictEqual(p.source, "api")
      assert.isTrue(Prediction.isFailed(p))
      assert.isTrue(Prediction.isTerminal(p))
      assert.deepStrictEqual(Prediction.outputs(p), [])
    }))

  it.effect("decodes the S2 failed payload (error_id, error_message, error: null)", () =>
    Effect.gen(function*() {
      const p = yield* decode("s2-failed")
      assert.strictEqual(p.id, "pred_abc123")
      assert.strictEqual(p.error_id, "INSUFFICIENT_CREDITS")
      assert.strictEqual(p.error_message, "Your account has run out of credits.")
      assert.strictEqual(p.error, null)
      assert.strictEqual(p.output, undefined)
      assert.strictEqual(Prediction.status(p), "failed")
    }))

  it.effect("decodes a learn-docs success: single string output, urls, mixed timestamp formats", () =>
    Effect.gen(function*() {
      const p = yield* decode("learn-succeeded")
      assert.strictEqual(p.id, "a1b2c3d4-e5f6-7890-abcd-ef1234567890")
      assert.deepStrictEqual(Prediction.outputs(p), [
        "https://delivery.skytells.cloud/predictions/a1b2c3d4/output-0.png"
      ])
      assert.strictEqual(p.type, "inference")
      assert.strictEqual(p.stream, false)
      assert.strictEqual(p.privacy, "private")
      assert.strictEqual(p.input?.prompt, "A lighthouse on a cliff at sunset, cinematic lighting")
      assert.strictEqual(p.urls?.get, "https://api.skytells.ai/v1/predictions/a1b2c3d4-e5f6-7890-abcd-ef1234567890")
      assert.strictEqual(p.urls?.stream, undefined)
      // Timestamps stay strings...
      assert.strictEqual(p.created_at, "2025-01-15T10:30:00.000000Z")
      assert.strictEqual(p.completed_at, "2025-01-15T10:30:04.108000+00:00")
      // ...and parse leniently.
      assert.strictEqual(iso(p.created_at), "2025-01-15T10:30:00.000Z")
      assert.strictEqual(iso(p.started_at), "2025-01-15T10:30:00.512Z")
      assert.strictEqual(iso(p.completed_at), "2025-01-15T10:30:04.108Z")
      assert.strictEqual(iso(p.updated_at), "2025-01-15T10:30:04.000Z")
      assert.isTrue(Prediction.isSucceeded(p))
    }))

  it.effect("decodes an SDK-style success: array output, model object, metadata, full metrics and urls, webhook object", () =>
    Effect.gen(function*() {
      const p = yield* decode("sdk-succeeded-array")
      assert.strictEqual(Prediction.outputs(p).length, 2)
      assert.strictEqual(Prediction.modelSlug(p), "flux-pro")
      assert.deepStrictEqual(p.model, { name: "flux-pro", type: "image" })
      assert.deepStrictEqual(p.metrics, {
        progress: 100,
        predict_time: 7.25,
        total_time: 8.9,
        image_count: 2,
        asset_count: 2
      })
      assert.strictEqual(p.metadata?.billing?.credits_used, 0.08)
      assert.strictEqual(p.metadata?.storage?.files?.[1]?.size, 475002)
      assert.strictEqual(p.metadata?.storage?.files?.[0]?.type, "image/webp")
      assert.strictEqual(p.metadata?.data_available, true)
      assert.strictEqual(
        p.urls?.delete,
        "https://api.skytells.ai/v1/predictions/0f3e5c1a-9b7d-4c2e-8f10-6a5b4c3d2e1f/delete"
      )
      assert.deepStrictEqual(p.webhook, {
        url: "https://example.com/webhooks/skytells",
        events: ["completed", "failed"]
      })
      assert.strictEqual(p.source, "cli")
    }))

  it.effect("decodes a list item with a model object and progress, not terminal", () =>
    Effect.gen(function*() {
      const p = yield* decode("list-item-model-object")
      assert.strictEqual(Prediction.modelSlug(p), "stable-video-6s")
      assert.strictEqual(p.metrics?.progress, 42)
      assert.strictEqual(p.completed_at, null)
      assert.deepStrictEqual(p.webhook, { url: null, events: [] })
      assert.strictEqual(Prediction.status(p), "processing")
      assert.isFalse(Prediction.isTerminal(p))
      assert.strictEqual(iso(p.started_at), "2026-03-21T12:00:01.000Z")
    }))

  it.effect("keeps an unknown status and treats it as not terminal", () =>
    Effect.gen(function*() {
      const p = yield* decode("unknown-status")
      assert.strictEqual(p.status, "aborted")
      assert.strictEqual(Prediction.status(p), "unknown")
      assert.isFalse(Prediction.isTerminal(p))
      assert.isFalse(Prediction.isFailed(p) || Prediction.isSucceeded(p) || Prediction.isCanceled(p))
    }))

  it.effect("treats both cancel spellings as canceled and terminal", () =>
    Effect.gen(function*() {
      for (const name of ["cancelled", "canceled"]) {
        const p = yield* decode(name)
        assert.strictEqual(Prediction.status(p), "canceled")
        assert.isTrue(Prediction.isCanceled(p))
        assert.isTrue(Prediction.isTerminal(p))
      }
    }))

  it.effect("decodes a minimal queued prediction", () =>
    Effect.gen(function*() {
      const p = yield* decode("queued-minimal")
      assert.strictEqual(Prediction.status(p), "queued")
      assert.strictEqual(p.output, undefined)
      assert.deepStrictEqual(Prediction.outputs(p), [])
      assert.isFalse(Prediction.isTerminal(p))
    }))

  it.effect("tolerates API drift: unknown fields, wrong-typed descriptive fields, numeric strings, string webhook", () =>
    Effect.gen(function*() {
      const p = yield* decode("api-drift")
      assert.strictEqual(p.status, "Succeeded")
      assert.isTrue(Prediction.isSucceeded(p))
      assert.strictEqual(p.privacy, undefined)
      assert.strictEqual(p.data_removed, undefined)
      assert.deepStrictEqual(p.metrics, { progress: 57, predict_time: 2.5, total_time: undefined })
      assert.strictEqual(p.metadata?.billing, undefined)
      assert.deepStrictEqual(p.metadata?.storage?.files, [])
      assert.deepStrictEqual(p.urls, {})
      assert.strictEqual(p.webhook, "https://example.com/hooks/skytells")
      assert.strictEqual(p.response, "Prediction completed")
      assert.strictEqual(p.updated_at, undefined)
      assert.isFalse("new_field_from_the_future" in p)
      assert.strictEqual(iso(p.created_at), "2026-03-21T12:00:00.123Z")
    }))

  it.effect("fails on what it cannot read safely: no status, an output of another shape", () =>
    Effect.gen(function*() {
      const noStatus = yield* Effect.either(Prediction.decodeUnknown({ id: "x" }))
      assert.isTrue(Either.isLeft(noStatus))
      const objectOutput = yield* Effect.either(
        Prediction.decodeUnknown({ id: "x", status: "succeeded", output: { a: 1 } })
      )
      assert.isTrue(Either.isLeft(objectOutput))
      const notAnObject = yield* Effect.either(Prediction.decodeUnknown([]))
      assert.isTrue(Either.isLeft(notAnObject))
    }))

  it.effect("a `__proto__` key in `input` stays an own data key: no prototype change, nothing inherited", () =>
    Effect.gen(function*() {
      // `privacy: 5` sends the second payload through the lenient fallback, the first takes the strict pass.
      for (const extra of ["", `, "privacy": 5`]) {
        const json = JSON.parse(
          `{"status": "succeeded", "input": {"__proto__": {"polluted": true}, "prompt": "x"}${extra}}`
        )
        const input = (yield* Prediction.decodeUnknown(json)).input!
        assert.strictEqual(Object.getPrototypeOf(input), Object.prototype)
        assert.isTrue(Object.prototype.hasOwnProperty.call(input, "__proto__"))
        assert.deepStrictEqual(Object.getOwnPropertyDescriptor(input, "__proto__")?.value, { polluted: true })
        assert.strictEqual((input as { polluted?: unknown }).polluted, undefined)
        assert.deepStrictEqual(Object.keys(input), ["__proto__", "prompt"])
        assert.strictEqual(input.prompt, "x")
        assert.strictEqual(({} as { polluted?: unknown }).polluted, undefined)
      }
    }))

  it.effect("round-trips through encode", () =>
    Effect.gen(function*() {
      const p = yield* decode("sdk-succeeded-array")
      const encoded = yield* Schema.encode(Prediction.Prediction)(p)
      const again = yield* Prediction.decodeUnknown(encoded)
      assert.deepStrictEqual(again, p)
    }))
})

describe("Prediction helpers", () => {
  it("normalizeStatus", () => {
    const cases: ReadonlyArray<readonly [string, Prediction.NormalizedStatus]> = [
      ["pending", "pending"],
      ["queued", "queued"],
      ["starting", "starting"],
      ["started", "started"],
      ["processing", "processing"],
      ["succeeded", "succeeded"],
      ["failed", "failed"],
      ["canceled", "canceled"],
      ["cancelled", "canceled"],
      [" CANCELLED ", "canceled"],
      ["Queued", "queued"],
      ["aborted", "unknown"],
      ["", "unknown"],
      ["constructor", "unknown"],
      ["__proto__", "unknown"]
    ]
    for (const [input, expected] of cases) assert.strictEqual(Prediction.normalizeStatus(input), expected, input)
  })

  it("isTerminal over every documented status", () => {
    const terminal = ["succeeded", "failed", "canceled", "cancelled"]
    for (const s of ["pending", "queued", "starting", "started", "processing", ...terminal, "aborted"]) {
      assert.strictEqual(Prediction.isTerminal({ status: s }), terminal.includes(s), s)
    }
  })

  it("outputs", () => {
    assert.deepStrictEqual(Prediction.outputs({ output: "a" }), ["a"])
    assert.deepStrictEqual(Prediction.outputs({ output: ["a", "b"] }), ["a", "b"])
    assert.deepStrictEqual(Prediction.outputs({ output: null }), [])
    assert.deepStrictEqual(Prediction.outputs({}), [])
  })

  it("modelSlug", () => {
    assert.strictEqual(Prediction.modelSlug({ model: "truefusion" }), "truefusion")
    assert.strictEqual(Prediction.modelSlug({ model: { name: "flux-pro", type: "image" } }), "flux-pro")
    assert.strictEqual(Prediction.modelSlug({}), undefined)
  })

  it("parseTimestamp is lenient about formats and strict about garbage", () => {
    const cases: ReadonlyArray<readonly [string, string | undefined]> = [
      ["2025-01-15T10:30:00Z", "2025-01-15T10:30:00.000Z"],
      ["2025-01-15T10:30:00.000000Z", "2025-01-15T10:30:00.000Z"],
      ["2025-01-15T10:30:00.123456789Z", "2025-01-15T10:30:00.123Z"],
      ["2025-01-15T10:30:00+00:00", "2025-01-15T10:30:00.000Z"],
      ["2025-01-15T10:30:00.5+02:00", "2025-01-15T08:30:00.500Z"],
      ["2025-01-15T10:30:00-0530", "2025-01-15T16:00:00.000Z"],
      ["2025-01-15T10:30:00+01", "2025-01-15T09:30:00.000Z"],
      ["2025-01-15 10:30:00", "2025-01-15T10:30:00.000Z"],
      ["2025-01-15T10:30", "2025-01-15T10:30:00.000Z"],
      ["2025-01-15", "2025-01-15T00:00:00.000Z"],
      ["2025-01-15T10:30:00 UTC", "2025-01-15T10:30:00.000Z"],
      ["not a date", undefined],
      ["2025-13-45T99:99:99Z", undefined],
      ["", undefined]
    ]
    for (const [input, expected] of cases) assert.strictEqual(iso(input), expected, input)
    assert.isTrue(Option.isNone(Prediction.parseTimestamp(null)))
    assert.isTrue(Option.isNone(Prediction.parseTimestamp(undefined)))
  })
})

describe("PredictionCanceled", () => {
  it.effect("carries the id and the prediction, with a clear message", () =>
    Effect.gen(function*() {
      const p = yield* decode("cancelled")
      const error = Prediction.PredictionCanceled.fromPrediction(p)
      assert.strictEqual(error._tag, "PredictionCanceled")
      assert.strictEqual(error.predictionId, "c4ca4238-a0b9-3382-8dcc-509a6f75849b")
      assert.strictEqual(error.prediction, p)
      assert.include(error.message, "c4ca4238-a0b9-3382-8dcc-509a6f75849b")
      assert.include(error.message, "create a new one")
      const caught = yield* Effect.flip(error)
      assert.strictEqual(caught, error)
    }))
})
