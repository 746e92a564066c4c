/**
 * What a failed prediction stands for (`Predictions.failureOf`), and the prediction-level `TIMEOUT`
 * answered by `Predictions.get`.
 */
import { Prediction, Predictions, SkytellsError } from "@effect-skytells/client"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Option, Schema, TestClock } from "effect"
import { clientLayer, scripted } from "./utils/scripted.js"

const decode = Schema.decodeUnknownSync(Prediction.Prediction)

const failed = (fields: Record<string, unknown>): Prediction.Prediction =>
  decode({
    id: "pred_failed_1",
    status: "failed",
    input: { prompt: "a lighthouse" },
    output: null,
    created_at: "2026-05-01T10:00:00.000Z",
    completed_at: "2026-05-01T10:00:07.000Z",
    metrics: { progress: 100, predict_time: 6.5 },
    ...fields
  })

/** The S2 payload style: `error: null` plus `error_id` and `error_message`. */
const failedWith = (errorId: string, message = `failed: ${errorId}`) =>
  failed({ error: null, error_id: errorId, error_message: message })

const failureOf = (prediction: Prediction.Prediction) => {
  const found = Predictions.failureOf(prediction)
  assert.isTrue(Option.isSome(found), "a failed prediction stands for a failure")
  return Option.getOrThrow(found)
}

describe("Predictions.failureOf", () => {
  for (
    const [errorId, tag] of [
      ["MODEL_NOT_FOUND", "ModelNotFound"],
      ["MODEL_UNAVAILABLE", "ModelUnavailable"],
      ["INFRASTRUCTURE_ERROR", "InfrastructureError"]
    ] as const
  ) {
    it(`${errorId} is ${tag}, carrying the whole prediction (not UnknownApiError)`, () => {
      const prediction = failedWith(errorId, "the model went away")
      const e = failureOf(prediction)
      assert.strictEqual(e._tag, tag)
      assert.isTrue(SkytellsError.isSkytellsError(e))
      const typed = e as SkytellsError.PredictionLevelError
      assert.strictEqual(typed.errorId, errorId)
      assert.strictEqual(typed.message, "the model went away")
      assert.strictEqual(typed.predictionId, "pred_failed_1")
      assert.strictEqual(typed.prediction?.id, "pred_failed_1")
      assert.strictEqual(typed.prediction?.metrics?.predict_time, 6.5)
    })
  }

  for (
    const [errorId, why] of [
      ["RATE_LIMIT_EXCEEDED", "documented at API level only"],
      ["context_length_exceeded", "documented for inference only"],
      ["SOMETHING_BRAND_NEW", "unknown to the catalogue"]
    ] as const
  ) {
    it(`${errorId} (${why}) is UnknownApiError with the id and the prediction`, () => {
      const prediction = failedWith(errorId, "odd")
      const e = failureOf(prediction)
      assert.strictEqual(e._tag, "UnknownApiError")
      const unknown = e as SkytellsError.UnknownApiError
      assert.strictEqual(unknown.errorId, errorId)
      assert.strictEqual(unknown.prediction?.id, "pred_failed_1")
      assert.strictEqual(unknown.prediction?.status, "failed")
      // The body is the error only, not the whole prediction a second time.
      assert.deepStrictEqual(
        Object.keys(unknown.body as Record<string, unknown>).sort(),
        ["error_id", "message"]
      )
      assert.strictEqual((unknown.body as { error_id: string }).error_id, errorId)
      assert.include(unknown.message, "odd")
    })
  }

  it("PREDICTION_FAILED, and a failure with no id, are PredictionFailed with the prediction", () => {
    for (const prediction of [failedWith("PREDICTION_FAILED"), failed({ error: "Failed to generate image." })]) {
      const e = failureOf(prediction)
      assert.strictEqual(e._tag, "PredictionFailed")
      assert.strictEqual((e as SkytellsError.PredictionFailed).prediction?.id, "pred_failed_1")
    }
  })

  it("canceled is PredictionCanceled; succeeded and running predictions stand for no failure", () => {
    assert.strictEqual(failureOf(decode({ id: "p", status: "canceled" }))._tag, "PredictionCanceled")
    assert.strictEqual(failureOf(decode({ id: "p", status: "cancelled" }))._tag, "PredictionCanceled")
    for (const status of ["succeeded", "processing", "queued"]) {
      assert.isTrue(Option.isNone(Predictions.failureOf(decode({ id: "p", status }))), status)
    }
  })
})

describe("Predictions.get answered 504 TIMEOUT", () => {
  it.effect("is the Timeout class (prediction level), not UnknownApiError", () =>
    Effect.gen(function*() {
      const server = yield* scripted([
        { status: 504, body: { error_id: "TIMEOUT", message: "The prediction exceeded its time limit." } }
      ])
      const fiber = yield* Effect.fork(Effect.provide(Predictions.get("pred_1"), clientLayer(server.app)))
      yield* TestClock.adjust("10 minutes")
      const exit = yield* Fiber.await(fiber)
      const e = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
      assert.strictEqual(e?._tag, "Timeout")
      const timeout = e as SkytellsError.Timeout
      assert.strictEqual(timeout.errorId, "TIMEOUT")
      assert.strictEqual(timeout.httpStatus, 504)
      assert.strictEqual(timeout.message, "The prediction exceeded its time limit.")
      const seen = yield* server.seen
      assert.isAtLeast(seen.length, 1)
      assert.isTrue(seen.every((s) => s.method === "GET" && s.url.endsWith("/predictions/pred_1")))
    }))
})
