/**
 * Progress from a run: `Predictions.runStream` (every state of a new prediction, the finished one
 * last) and the Debug-level logs of `run` and `wait`, over the fake in process under TestClock.
 */
import { Prediction, Predictions } from "@effect-skytells/client"
import { FakeSkytells } from "@effect-skytells/testing"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Logger, LogLevel, Schedule, Stream } from "effect"
import {
  bodyOf,
  cancels,
  creates,
  failureIn,
  fakeLayer,
  gets,
  longRunning,
  oneMinute,
  prompt,
  settle,
  statuses
} from "./support/predictions.js"

const everySecond = { schedule: Schedule.spaced("1 second") }

describe("Predictions.runStream", () => {
  it.effect("emits each state from the create's answer to the finished prediction, with progress", () =>
    Effect.gen(function*() {
      const ended = yield* settle(
        Stream.runCollect(Predictions.runStream({ model: "truefusion", input: prompt }, everySecond))
      )
      const states = Exit.isSuccess(ended.exit) ? Chunk.toReadonlyArray(ended.exit.value) : []
      const seen = states.map((p) => p.status)
      assert.strictEqual(seen[0], "queued", `states: ${seen.join(", ")}`)
      assert.strictEqual(seen.at(-1), "succeeded")
      assert.include(seen, "processing")
      const progress = states.flatMap((p) => p.metrics?.progress != null ? [p.metrics.progress] : [])
      assert.isAtLeast(progress.length, 2)
      assert.isTrue(progress.every((v, i) => i === 0 || v >= progress[i - 1]!), `progress: ${progress.join(", ")}`)
      assert.isAbove(Prediction.outputs(states.at(-1)!).length, 0)
      // The create is not held by the server (`await` would report nothing until the end).
      const [create] = yield* creates
      assert.notStrictEqual(bodyOf(create!).await, true)
      assert.notInclude(create!.headers["prefer"] ?? "", "wait")
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("a prediction that ends failed: its final state is emitted, then the typed error", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const ended = yield* settle(
        Predictions.runStream({ model: "fake/fail-CONTENT_POLICY_VIOLATION", input: prompt }, everySecond).pipe(
          Stream.runForEach((p) => Effect.sync(() => seen.push(p.status)))
        )
      )
      assert.strictEqual(seen.at(-1), "failed")
      const e = failureIn(ended.exit) as { _tag?: string; prediction?: Prediction.Prediction } | undefined
      assert.strictEqual(e?._tag, "ContentPolicyViolation")
      assert.strictEqual(e?.prediction?.status, "failed")
    }).pipe(Effect.provide(fakeLayer({ scenario: { failureStyle: "error_id" } }))))

  it.effect("a create error fails the stream before any state, typed like run's", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.setCredits(0)
      const ended = yield* settle(Stream.runCollect(Predictions.runStream({ model: "truefusion", input: prompt })))
      assert.strictEqual(failureIn(ended.exit)?._tag, "InsufficientCredits")
      assert.lengthOf(yield* gets, 0)
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("with cancelOnInterrupt, a consumer that stops early cancels the prediction on the server", () =>
    Effect.gen(function*() {
      const ended = yield* settle(
        Stream.runCollect(
          Predictions.runStream({ model: "truefusion", input: prompt }, { cancelOnInterrupt: true }).pipe(
            Stream.take(2)
          )
        )
      )
      assert.isTrue(Exit.isSuccess(ended.exit))
      assert.lengthOf(yield* cancels, 1)
      assert.deepStrictEqual(yield* statuses, ["canceled"])
    }).pipe(Effect.provide(fakeLayer({ scenario: longRunning }))))

  it.effect("without it, stopping early leaves the prediction running (nothing is canceled)", () =>
    Effect.gen(function*() {
      yield* settle(
        Stream.runCollect(Predictions.runStream({ model: "truefusion", input: prompt }).pipe(Stream.take(1)))
      )
      assert.lengthOf(yield* cancels, 0)
      assert.deepStrictEqual(yield* statuses, ["processing"])
    }).pipe(Effect.provide(fakeLayer({ scenario: longRunning }))))

  it.effect("maxWait counts from the create: WaitTimeout, and with cancelOnInterrupt the prediction is canceled", () =>
    Effect.gen(function*() {
      const ended = yield* settle(
        Stream.runDrain(
          Predictions.runStream({ model: "truefusion", input: prompt }, {
            maxWait: "20 seconds",
            cancelOnInterrupt: true
          })
        )
      )
      const e = failureIn(ended.exit) as { _tag?: string; canceled?: boolean } | undefined
      assert.strictEqual(e?._tag, "WaitTimeout")
      assert.isTrue(e?.canceled)
      assert.strictEqual(ended.at, 20_000)
      assert.lengthOf(yield* cancels, 1)
    }).pipe(Effect.provide(fakeLayer({ scenario: oneMinute }))))

  it.effect("the client's deadline bounds the create and every poll together", () =>
    Effect.gen(function*() {
      const ended = yield* settle(Stream.runDrain(Predictions.runStream({ model: "truefusion", input: prompt })))
      const e = failureIn(ended.exit) as { _tag?: string; scope?: string } | undefined
      assert.strictEqual(e?._tag, "RequestTimeout")
      assert.strictEqual(e?.scope, "deadline")
      assert.strictEqual(ended.at, 5000)
      assert.isTrue((yield* gets).every((r) => r.at <= 5000))
    }).pipe(Effect.provide(fakeLayer({ scenario: longRunning }, { deadline: "5 seconds" }))))
})

describe("run and wait report progress at Debug level", () => {
  it.effect("the create and each poll are logged with the prediction's id and status", () =>
    Effect.gen(function*() {
      const lines: Array<{ message: string; annotations: Record<string, unknown> }> = []
      const capture = Logger.make(({ annotations, message }) => {
        const text = Array.isArray(message) ? message.join(" ") : String(message)
        if (text.startsWith("Skytells prediction")) {
          lines.push({ message: text, annotations: Object.fromEntries(annotations) })
        }
      })
      const ended = yield* settle(
        Predictions.run({ model: "truefusion", input: prompt }, { await: false, ...everySecond }).pipe(
          Effect.provide(Logger.replace(Logger.defaultLogger, capture)),
          Logger.withMinimumLogLevel(LogLevel.Debug)
        )
      )
      const done = Exit.isSuccess(ended.exit) ? ended.exit.value : undefined
      assert.strictEqual(done?.status, "succeeded")
      assert.strictEqual(lines[0]?.message, "Skytells prediction created")
      assert.strictEqual(lines[0]?.annotations.predictionId, done?.id)
      const polls = lines.filter((l) => l.message === "Skytells prediction polled")
      assert.isAtLeast(polls.length, 2)
      assert.strictEqual(polls.at(-1)?.annotations.status, "succeeded")
    }).pipe(Effect.provide(fakeLayer())))
})
