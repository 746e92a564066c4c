/**
 * The Prediction API over the fake Skytells API in process, under TestClock.
 */
import type { SkytellsClient } from "@effect-skytells/client"
import { Prediction, Predictions, Retry } from "@effect-skytells/client"
import { FakeSkytells, Fault } from "@effect-skytells/testing"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Chunk, Effect, Exit, Fiber, Option, Schedule, Stream, TestClock } from "effect"
import {
  bodyOf,
  cancels,
  creates,
  drive,
  failureIn,
  fakeLayer,
  gets,
  longRunning,
  oneMinute,
  prompt,
  requests,
  settle,
  statuses
} from "./support/predictions.js"

describe("create, get, cancel, remove", () => {
  it.effect("create sends model + input and returns the prediction", () =>
    Effect.gen(function*() {
      const created = yield* Predictions.create({ model: "truefusion", input: prompt })
      assert.isString(created.id)
      assert.isFalse(Prediction.isTerminal(created))
      const [request] = yield* requests
      assert.deepStrictEqual(JSON.parse(request.body ?? ""), { model: "truefusion", input: prompt })
      assert.strictEqual(request.path, "/v1/predictions")
      const again = yield* Predictions.get(created.id!)
      assert.strictEqual(again.id, created.id)
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("get follows the prediction's own urls.get on the API origin", () =>
    Effect.gen(function*() {
      const created = yield* Predictions.create({ model: "truefusion", input: prompt })
      yield* Predictions.get(created)
      const all = yield* requests
      assert.strictEqual(all[1].path, `/v1/predictions/${created.id}`)
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("an unknown id is PredictionNotFound (404) or PredictionFailed (502), both typed", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(Predictions.get("nope"))
      assert.strictEqual(e._tag, "PredictionNotFound")
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.setScenario({ predictionNotFound: "bad-gateway" })
      const e2 = yield* Effect.flip(Predictions.get("nope"))
      assert.strictEqual(e2._tag, "PredictionFailed")
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("cancel returns the prediction when the server sends it; a finished one is PredictionNotCancellable", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      const a = yield* Predictions.create({ model: "truefusion", input: prompt })
      assert.isTrue(Option.isNone(yield* Predictions.cancel(a)))
      yield* fake.setScenario({ cancelResponse: "prediction" })
      const b = yield* Predictions.create({ model: "truefusion", input: prompt })
      const canceled = yield* Predictions.cancel(b.id!)
      assert.isTrue(Option.isSome(canceled) && Prediction.isCanceled(canceled.value))
      const again = yield* Effect.flip(Predictions.cancel(b.id!))
      assert.strictEqual(again._tag, "PredictionNotCancellable")
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("remove deletes", () =>
    Effect.gen(function*() {
      const a = yield* Predictions.create({ model: "truefusion", input: prompt })
      yield* Predictions.remove(a)
      assert.strictEqual((yield* Effect.flip(Predictions.get(a.id!)))._tag, "PredictionNotFound")
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("create errors are typed: schema violations, credits, unknown models", () =>
    Effect.gen(function*() {
      const invalid = yield* Effect.flip(Predictions.create({ model: "truefusion", input: { width: 5 } }))
      assert.strictEqual(invalid._tag, "InvalidInput")
      const missing = yield* Effect.flip(Predictions.create({ model: "no-such-model", input: prompt }))
      assert.strictEqual(missing._tag, "ModelNotFound")
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.setCredits(0)
      const credits = yield* Effect.flip(Predictions.create({ model: "truefusion", input: prompt }))
      assert.strictEqual(credits._tag, "InsufficientCredits")
      // Not retried: exactly one POST for it.
      const posts = (yield* requests).filter((r) => r.method === "POST")
      assert.strictEqual(posts.length, 3)
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("validate: true checks the input locally and sends no create when it is invalid", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(
        Predictions.create({ model: "truefusion", input: { width: 4096, num_outputs: 9 }, validate: true })
      )
      assert.strictEqual(e._tag, "InvalidInput")
      assert.include(e.message, "width")
      assert.include(e.message, "num_outputs")
      assert.include(e.message, "prompt")
      const all = yield* requests
      assert.deepStrictEqual(all.map((r) => `${r.method} ${r.route}`), ["GET models.get"])
      const ok = yield* Predictions.create({ model: "truefusion", input: prompt, validate: true })
      assert.isString(ok.id)
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("an id not documented for an operation arrives as UnknownApiError with that id", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.script("predictions.get", [Fault.apiError("INVALID_DATE_RANGE", 400)])
      const e = yield* Effect.flip(Predictions.get("x"))
      assert.strictEqual(e._tag, "UnknownApiError")
      assert.strictEqual(e._tag === "UnknownApiError" && e.errorId, "INVALID_DATE_RANGE")
    }).pipe(Effect.provide(fakeLayer())))
})

describe("list", () => {
  const seed = (n: number) =>
    Effect.forEach(Array.from({ length: n }), () => Predictions.create({ model: "truefusion", input: prompt }))

  for (const listShape of ["paginated", "array"] as const) {
    it.effect(`walks every page lazily (${listShape} responses)`, () =>
      Effect.gen(function*() {
        yield* seed(7)
        const fake = yield* FakeSkytells.FakeSkytells
        yield* fake.clearRequests
        const all = yield* Stream.runCollect(Predictions.list({ perPage: 3 }))
        assert.strictEqual(Chunk.size(all), 7)
        yield* fake.clearRequests
        const first3 = yield* Stream.runCollect(Predictions.list({ perPage: 2 }).pipe(Stream.take(3)))
        assert.strictEqual(Chunk.size(first3), 3)
        const pages = (yield* requests).map((r) => r.query.page)
        assert.deepStrictEqual(pages, ["1", "2"])
      }).pipe(Effect.provide(fakeLayer({ scenario: { listShape } }))))
  }

  it.effect("bad options fail before any request is sent", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<[Predictions.ListOptions, string]> = [
        [{ perPage: 0 }, "InvalidParameter"],
        [{ perPage: 51 }, "InvalidParameter"],
        [{ perPage: 2.5 }, "InvalidParameter"],
        [{ page: 0 }, "InvalidParameter"],
        [{ from: "2024-13-01" }, "InvalidDateFormat"],
        [{ to: "yesterday" }, "InvalidDateFormat"],
        [{ from: new Date(Number.NaN) }, "InvalidDateFormat"],
        [{ from: "2024-05-02", to: "2024-05-01" }, "InvalidDateRange"]
      ]
      for (const [options, tag] of cases) {
        const e = yield* Effect.flip(Stream.runCollect(Predictions.list(options)))
        assert.strictEqual(e._tag, tag, JSON.stringify(options))
      }
      assert.strictEqual((yield* requests).length, 0)
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("dates are sent as YYYY-MM-DD, filters pass through", () =>
    Effect.gen(function*() {
      yield* Stream.runCollect(
        Predictions.list({
          from: new Date("2026-11-01T10:00:00Z"),
          to: "2026-11-30",
          model: "truefusion",
          status: "succeeded"
        })
      )
      const [request] = yield* requests
      assert.deepInclude(request.query, {
        from: "2026-11-01",
        to: "2026-11-30",
        model: "truefusion",
        status: "succeeded"
      })
    }).pipe(Effect.provide(fakeLayer())))
})

describe("wait, watch and run", () => {
  it.effect("wait polls on the default schedule (2 s, 3 s, 4.5 s, then 5 s) until succeeded", () =>
    Effect.gen(function*() {
      const created = yield* Predictions.create({ model: "truefusion", input: prompt })
      const exit = yield* drive(Predictions.wait(created), "100 millis", 2000)
      const done = Exit.isSuccess(exit) ? exit.value : undefined
      assert.strictEqual(done?.status, "succeeded")
      assert.isAbove(Prediction.outputs(done!).length, 0)
      const times = (yield* requests).filter((r) => r.method === "GET").map((r) => r.at)
      // truefusion finishes 6 s after creation: polls at 2, 5, 9.5 s.
      assert.deepStrictEqual(times, [2000, 5000, 9500])
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("watch emits every observed state with progress, for a progress bar", () =>
    Effect.gen(function*() {
      const created = yield* Predictions.create({ model: "truefusion", input: prompt })
      const exit = yield* drive(
        Stream.runCollect(Predictions.watch(created, { schedule: Schedule.spaced("1 second") })),
        "100 millis",
        2000
      )
      const states = Exit.isSuccess(exit) ? Chunk.toReadonlyArray(exit.value) : []
      const statuses = states.map((p) => p.status)
      assert.strictEqual(statuses[0], "queued")
      assert.strictEqual(statuses.at(-1), "succeeded")
      assert.isTrue(statuses.includes("processing"))
      const progress = states.flatMap((p) => p.metrics?.progress !== undefined ? [p.metrics.progress] : [])
      assert.isTrue(progress.length >= 2 && progress.every((v, i) => i === 0 || v >= progress[i - 1]))
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("a failed prediction fails wait with its typed class, carrying the prediction (both payload styles)", () =>
    Effect.gen(function*() {
      for (const failureStyle of ["error", "error_id"] as const) {
        const fake = yield* FakeSkytells.FakeSkytells
        yield* fake.setScenario({ failureStyle })
        const created = yield* Predictions.create({ model: "fake/fail-CONTENT_POLICY_VIOLATION", input: prompt })
        const exit = yield* drive(Predictions.wait(created), "1 second")
        const e = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
        if (failureStyle === "error_id") {
          assert.strictEqual(e?._tag, "ContentPolicyViolation")
        } else {
          // With only an `error` string, the id is unknown: PredictionFailed with the text.
          assert.strictEqual(e?._tag, "PredictionFailed")
        }
        const withPrediction = e as { prediction?: Prediction.Prediction; predictionId?: string }
        assert.strictEqual(withPrediction.predictionId, created.id)
        assert.strictEqual(withPrediction.prediction?.status, "failed")
      }
    }).pipe(Effect.provide(fakeLayer())))

  for (const canceledStatus of ["canceled", "cancelled"] as const) {
    it.effect(`a ${canceledStatus} prediction fails wait with PredictionCanceled`, () =>
      Effect.gen(function*() {
        const created = yield* Predictions.create({ model: "truefusion", input: prompt })
        yield* Predictions.cancel(created)
        const exit = yield* drive(Predictions.wait(created), "1 second")
        const e = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
        assert.strictEqual(e?._tag, "PredictionCanceled")
      }).pipe(Effect.provide(fakeLayer({ scenario: { canceledStatus } }))))
  }

  it.effect("maxWait fails with WaitTimeout and, when asked, cancels on the server", () =>
    Effect.gen(function*() {
      const created = yield* Predictions.create({ model: "truefusion-video", input: prompt })
      const exit = yield* drive(
        Predictions.wait(created, { maxWait: "10 seconds", cancelOnInterrupt: true }),
        "1 second"
      )
      const e = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      assert.strictEqual(e?._tag, "WaitTimeout")
      assert.isTrue(e?._tag === "WaitTimeout" && e.canceled)
      const after = yield* Predictions.get(created.id!)
      assert.isTrue(Prediction.isCanceled(after))
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("interrupting a wait cancels the prediction on the server when asked", () =>
    Effect.gen(function*() {
      const created = yield* Predictions.create({ model: "truefusion-video", input: prompt })
      const fiber = yield* Effect.fork(Predictions.wait(created, { cancelOnInterrupt: true }))
      yield* TestClock.adjust("5 seconds")
      yield* Fiber.interrupt(fiber)
      const after = yield* Predictions.get(created.id!)
      assert.isTrue(Prediction.isCanceled(after))
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("run with await returns the finished prediction in one request", () =>
    Effect.gen(function*() {
      const exit = yield* drive(Predictions.run({ model: "truefusion", input: prompt }), "1 second")
      assert.strictEqual(Exit.isSuccess(exit) && exit.value.status, "succeeded")
      const all = yield* requests
      assert.strictEqual(all.length, 1)
      assert.strictEqual(JSON.parse(all[0].body ?? "{}").await, true)
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("run falls back to polling when the model ignores await (video)", () =>
    Effect.gen(function*() {
      const exit = yield* drive(Predictions.run({ model: "truefusion-video", input: prompt }), "1 second")
      assert.strictEqual(Exit.isSuccess(exit) && exit.value.status, "succeeded")
      assert.isAbove((yield* requests).filter((r) => r.method === "GET").length, 3)
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("an ambiguous failure of the create is not retried (no duplicate prediction)", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.script("predictions.create", [Fault.resetAfterAction])
      const e = yield* Effect.flip(Predictions.create({ model: "truefusion", input: prompt }))
      assert.strictEqual(e._tag, "TransportError")
      assert.strictEqual((yield* fake.predictions).length, 1)
      assert.strictEqual((yield* requests).length, 1)
    }).pipe(Effect.provide(fakeLayer())))
})

describe("a 200 whose body is cut or empty", () => {
  const noJitter = { retry: { policy: Retry.exponential({ jitter: 0 }) } }

  for (const fault of [Fault.truncate(), Fault.emptyBody(200)]) {
    it.effect(`get is retried after ${fault._tag} and succeeds on the second attempt`, () =>
      Effect.gen(function*() {
        const fake = yield* FakeSkytells.FakeSkytells
        const created = yield* Predictions.create({ model: "truefusion", input: prompt })
        yield* fake.script("predictions.get", [fault])
        const exit = yield* drive(Predictions.get(created.id!), "100 millis")
        assert.strictEqual(Exit.isSuccess(exit) ? exit.value.id : undefined, created.id)
        const gets = (yield* requests).filter((r) => r.method === "GET")
        assert.deepStrictEqual(gets.map((r) => r.fault), [fault._tag, undefined])
        assert.strictEqual(gets[1].at - gets[0].at, 1000)
      }).pipe(Effect.provide(fakeLayer({}, noJitter))))

    it.effect(`create is not retried after ${fault._tag}, even with Retry.retryAmbiguous`, () =>
      Effect.gen(function*() {
        const fake = yield* FakeSkytells.FakeSkytells
        yield* fake.script("predictions.create", [fault])
        const exit = yield* drive(Retry.retryAmbiguous(Predictions.create({ model: "truefusion", input: prompt })))
        const e = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
        assert.strictEqual(Option.getOrUndefined(e)?._tag, "MalformedResponse")
        // The server acted: one request, one prediction.
        assert.strictEqual((yield* requests).length, 1)
        assert.strictEqual((yield* fake.predictions).length, 1)
      }).pipe(Effect.provide(fakeLayer({}, noJitter))))
  }
})

// Regression tests for the hardening of wait/watch/run --------------------------------------------

describe("the client deadline bounds wait, watch and run, every poll included", () => {
  const deadline = { deadline: "5 seconds" } as const

  /** The polls may be at 2 s and 5 s (the default schedule), never after the deadline. */
  const assertPolledWithinDeadline = Effect.gen(function*() {
    // Nothing keeps polling in the background once the operation has failed.
    yield* TestClock.adjust("2 minutes")
    const times = (yield* gets).map((r) => r.at)
    assert.include(times, 2000)
    assert.isAtMost(times.length, 2, `GETs at ${times.join(", ")}`)
    assert.isTrue(times.every((t) => t <= 5000), `GETs at ${times.join(", ")}`)
  })

  const assertDeadline = (ended: { exit: Exit.Exit<unknown, unknown>; at: number }) => {
    const e = failureIn(ended.exit) as { _tag?: string; scope?: string } | undefined
    assert.strictEqual(e?._tag, "RequestTimeout")
    assert.strictEqual(e?.scope, "deadline")
    assert.strictEqual(ended.at, 5000)
  }

  it.effect("wait fails with RequestTimeout (deadline) at 5 s and stops polling", () =>
    Effect.gen(function*() {
      const created = yield* Predictions.create({ model: "truefusion", input: prompt })
      assertDeadline(yield* settle(Predictions.wait(created)))
      yield* assertPolledWithinDeadline
    }).pipe(Effect.provide(fakeLayer({ scenario: longRunning }, deadline))))

  it.effect("wait by id (first GET at 0) is bounded the same way", () =>
    Effect.gen(function*() {
      const created = yield* Predictions.create({ model: "truefusion", input: prompt })
      yield* (yield* FakeSkytells.FakeSkytells).clearRequests
      const ended = yield* settle(Predictions.wait(created.id!))
      assertDeadline(ended)
      yield* TestClock.adjust("2 minutes")
      const times = (yield* gets).map((r) => r.at)
      assert.strictEqual(times[0], 0)
      assert.isAtMost(times.length, 3, `GETs at ${times.join(", ")}`)
      assert.isTrue(times.every((t) => t <= 5000), `GETs at ${times.join(", ")}`)
    }).pipe(Effect.provide(fakeLayer({ scenario: longRunning }, deadline))))

  it.effect("watch emits what it saw, then fails with RequestTimeout (deadline) at 5 s", () =>
    Effect.gen(function*() {
      const created = yield* Predictions.create({ model: "truefusion", input: prompt })
      const seen: Array<string> = []
      const ended = yield* settle(
        Stream.runForEach(Predictions.watch(created), (p) => Effect.sync(() => seen.push(p.status)))
      )
      assertDeadline(ended)
      assert.isAtLeast(seen.length, 2)
      assert.isTrue(seen.every((s) => s === "processing"))
      yield* assertPolledWithinDeadline
    }).pipe(Effect.provide(fakeLayer({ scenario: longRunning }, deadline))))

  it.effect("run creates without await and fails with RequestTimeout (deadline) at 5 s", () =>
    Effect.gen(function*() {
      const ended = yield* settle(Predictions.run({ model: "truefusion", input: prompt }))
      assertDeadline(ended)
      const [create, ...more] = yield* creates
      assert.strictEqual(more.length, 0)
      assert.strictEqual(create.at, 0)
      assert.strictEqual(bodyOf(create).await, false)
      yield* assertPolledWithinDeadline
    }).pipe(Effect.provide(fakeLayer({ scenario: longRunning }, deadline))))

  it.effect("wait with cancelOnInterrupt cancels the prediction on the server when the deadline passes", () =>
    Effect.gen(function*() {
      const created = yield* Predictions.create({ model: "truefusion", input: prompt })
      assertDeadline(yield* settle(Predictions.wait(created, { cancelOnInterrupt: true })))
      const sent = yield* cancels
      assert.strictEqual(sent.length, 1)
      assert.strictEqual(sent[0].path, `/v1/predictions/${created.id}/cancel`)
      assert.strictEqual(sent[0].status, 200)
      assert.deepStrictEqual(yield* statuses, ["canceled"])
    }).pipe(Effect.provide(fakeLayer({ scenario: longRunning }, deadline))))

  it.effect("run with cancelOnInterrupt cancels the prediction on the server when the deadline passes", () =>
    Effect.gen(function*() {
      assertDeadline(
        yield* settle(Predictions.run({ model: "truefusion", input: prompt }, { cancelOnInterrupt: true }))
      )
      assert.strictEqual((yield* cancels).length, 1)
      assert.deepStrictEqual(yield* statuses, ["canceled"])
    }).pipe(Effect.provide(fakeLayer({ scenario: longRunning }, deadline))))
})

describe("run never gives up on a prediction whose id it could know", () => {
  it.effect("maxWait: WaitTimeout carries the created prediction's id; the create did not await", () =>
    Effect.gen(function*() {
      const ended = yield* settle(Predictions.run({ model: "truefusion", input: prompt }, { maxWait: "10 seconds" }))
      const e = failureIn(ended.exit)
      assert.strictEqual(e?._tag, "WaitTimeout")
      const [created] = yield* (yield* FakeSkytells.FakeSkytells).predictions
      assert.strictEqual(e?._tag === "WaitTimeout" && e.predictionId, created.id)
      assert.isFalse(e?._tag === "WaitTimeout" && e.canceled)
      assert.strictEqual(ended.at, 10_000)
      const [create, ...more] = yield* creates
      assert.strictEqual(more.length, 0)
      assert.strictEqual(bodyOf(create).await, false)
      // Not asked to cancel: the prediction runs on.
      assert.deepStrictEqual(yield* statuses, ["processing"])
    }).pipe(Effect.provide(fakeLayer({ scenario: oneMinute }))))

  it.effect("maxWait + cancelOnInterrupt: WaitTimeout with canceled: true, nothing left running", () =>
    Effect.gen(function*() {
      const ended = yield* settle(
        Predictions.run({ model: "truefusion", input: prompt }, { maxWait: "10 seconds", cancelOnInterrupt: true })
      )
      const e = failureIn(ended.exit)
      assert.strictEqual(e?._tag, "WaitTimeout")
      assert.isTrue(e?._tag === "WaitTimeout" && e.canceled)
      const [created] = yield* (yield* FakeSkytells.FakeSkytells).predictions
      assert.strictEqual(e?._tag === "WaitTimeout" && e.predictionId, created.id)
      assert.strictEqual(bodyOf((yield* creates)[0]).await, false)
      assert.deepStrictEqual((yield* cancels).map((r) => r.path), [`/v1/predictions/${created.id}/cancel`])
      assert.deepStrictEqual(yield* statuses, ["canceled"])
    }).pipe(Effect.provide(fakeLayer({ scenario: oneMinute }))))

  it.effect("interrupting run (cancelOnInterrupt) after the create was answered cancels the prediction", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(
        Predictions.run({ model: "truefusion", input: prompt }, { cancelOnInterrupt: true })
      )
      yield* TestClock.adjust("3 seconds")
      assert.deepStrictEqual(yield* statuses, ["processing"])
      yield* Fiber.interrupt(fiber)
      assert.strictEqual((yield* cancels).length, 1)
      assert.deepStrictEqual(yield* statuses, ["canceled"])
    }).pipe(Effect.provide(fakeLayer({ scenario: oneMinute }))))

  it.effect("interrupting run (cancelOnInterrupt) during the create: the create is answered, then canceled", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.script("predictions.create", [Fault.latency("3 seconds")])
      const fiber = yield* Effect.fork(
        Predictions.run({ model: "truefusion", input: prompt }, { cancelOnInterrupt: true })
      )
      yield* TestClock.adjust("1 second")
      // The create is in flight (the fake has not acted yet).
      assert.strictEqual((yield* fake.predictions).length, 0)
      const interrupting = yield* Effect.fork(Fiber.interrupt(fiber))
      yield* TestClock.adjust("3 seconds")
      const exit = yield* Fiber.join(interrupting)
      assert.isTrue(Exit.isInterrupted(exit))
      const [created, ...more] = yield* fake.predictions
      assert.strictEqual(more.length, 0)
      assert.strictEqual(created.status, "canceled")
      const sent = yield* cancels
      assert.strictEqual(sent.length, 1)
      assert.isTrue(sent.every((r) => r.path === `/v1/predictions/${created.id}/cancel`))
    }).pipe(Effect.provide(fakeLayer({ scenario: oneMinute }))))

  it.effect("await: true only when nothing bounds the run (no maxWait, deadline or cancelOnInterrupt)", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<[Partial<SkytellsClient.Options>, Predictions.RunOptions, boolean]> = [
        [{}, {}, true],
        [{}, { await: false }, false],
        [{}, { maxWait: "5 minutes" }, false],
        [{}, { cancelOnInterrupt: true }, false],
        [{ deadline: "5 minutes" }, {}, false]
      ]
      for (const [client, options, expected] of cases) {
        const sent = yield* Effect.gen(function*() {
          const exit = yield* drive(Predictions.run({ model: "truefusion", input: prompt }, options), "1 second")
          assert.strictEqual(Exit.isSuccess(exit) && exit.value.status, "succeeded", JSON.stringify(options))
          return bodyOf((yield* creates)[0]).await
        }).pipe(Effect.provide(fakeLayer({}, client)))
        assert.strictEqual(sent, expected, `${JSON.stringify(client)} ${JSON.stringify(options)}`)
      }
    }))
})

describe("run with retryFailedOnce", () => {
  /** A transport that sends the second create for `model` instead: the fake decides outcomes by model. */
  const secondCreateFor = (model: string): Partial<SkytellsClient.Options> => {
    let createsSeen = 0
    return {
      transformClient: HttpClient.mapRequest((request) => {
        if (request.method !== "POST" || !request.url.endsWith("/predictions")) return request
        createsSeen++
        if (createsSeen < 2 || request.body._tag !== "Uint8Array") return request
        const body = JSON.parse(new TextDecoder().decode(request.body.body))
        return HttpClientRequest.bodyUnsafeJson(request, { ...body, model })
      })
    }
  }

  for (const failureStyle of ["error", "error_id"] as const) {
    it.effect(`a PredictionFailed run is created once more, and the second run's result returned (${failureStyle})`, () =>
      Effect.gen(function*() {
        const exit = yield* drive(
          Predictions.run({ model: "fake/fail", input: prompt }, { retryFailedOnce: true }),
          "100 millis"
        )
        assert.strictEqual(Exit.isSuccess(exit) && exit.value.status, "succeeded")
        const all = yield* creates
        assert.deepStrictEqual(all.map((r) => bodyOf(r).model), ["fake/fail", "truefusion"])
        const [first, second] = yield* (yield* FakeSkytells.FakeSkytells).predictions
        assert.strictEqual(first.status, "failed")
        assert.strictEqual(Exit.isSuccess(exit) && exit.value.id, second.id)
      }).pipe(Effect.provide(fakeLayer({ scenario: { failureStyle } }, secondCreateFor("truefusion")))))

    it.effect(`a second PredictionFailed is returned after exactly two creates (${failureStyle})`, () =>
      Effect.gen(function*() {
        const exit = yield* drive(
          Predictions.run({ model: "fake/fail", input: prompt }, { retryFailedOnce: true }),
          "100 millis"
        )
        const e = failureIn(exit)
        assert.strictEqual(e?._tag, "PredictionFailed")
        const predictions = yield* (yield* FakeSkytells.FakeSkytells).predictions
        assert.strictEqual((yield* creates).length, 2)
        assert.deepStrictEqual(predictions.map((p) => p.status), ["failed", "failed"])
        // The error is the second prediction's.
        assert.strictEqual(e?._tag === "PredictionFailed" && e.prediction?.id, predictions[1].id)
      }).pipe(Effect.provide(fakeLayer({ scenario: { failureStyle } }))))

    it.effect(`without the option a PredictionFailed run creates exactly once (${failureStyle})`, () =>
      Effect.gen(function*() {
        const exit = yield* drive(Predictions.run({ model: "fake/fail", input: prompt }), "100 millis")
        assert.strictEqual(failureIn(exit)?._tag, "PredictionFailed")
        assert.strictEqual((yield* creates).length, 1)
      }).pipe(Effect.provide(fakeLayer({ scenario: { failureStyle } }, secondCreateFor("truefusion")))))
  }

  it.effect("the same holds when run polls (maxWait): a failed prediction is created once more", () =>
    Effect.gen(function*() {
      const exit = yield* drive(
        Predictions.run({ model: "fake/fail", input: prompt }, { retryFailedOnce: true, maxWait: "1 minute" }),
        "100 millis"
      )
      assert.strictEqual(Exit.isSuccess(exit) && exit.value.status, "succeeded")
      assert.deepStrictEqual((yield* creates).map((r) => [bodyOf(r).model, bodyOf(r).await]), [
        ["fake/fail", false],
        ["truefusion", false]
      ])
    }).pipe(Effect.provide(fakeLayer({ scenario: { failureStyle: "error_id" } }, secondCreateFor("truefusion")))))

  for (const errorId of ["CONTENT_POLICY_VIOLATION", "INSUFFICIENT_CREDITS", "TIMEOUT"]) {
    it.effect(`a failure of another class (${errorId}) is not retried, even with the option`, () =>
      Effect.gen(function*() {
        const exit = yield* drive(
          Predictions.run({ model: `fake/fail-${errorId}`, input: prompt }, { retryFailedOnce: true }),
          "100 millis"
        )
        const e = failureIn(exit)
        assert.notStrictEqual(e?._tag, "PredictionFailed")
        assert.strictEqual((e as { errorId?: string } | undefined)?.errorId, errorId)
        assert.strictEqual((yield* creates).length, 1)
      }).pipe(Effect.provide(fakeLayer({ scenario: { failureStyle: "error_id" } }, secondCreateFor("truefusion")))))
  }

  it.effect("a poll answered 502 PREDICTION_FAILED does not start a second prediction while the first runs", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.script("predictions.get", [Fault.apiError("PREDICTION_FAILED", 502)])
      yield* drive(
        Predictions.run({ model: "truefusion", input: prompt }, { retryFailedOnce: true, maxWait: "1 minute" }),
        "100 millis"
      )
      // The prediction never failed: creating it again would bill a duplicate.
      assert.strictEqual((yield* creates).length, 1)
    }).pipe(Effect.provide(fakeLayer())))
})

describe("prediction-level error ids in wait and run", () => {
  for (
    const [errorId, tag] of [
      ["MODEL_NOT_FOUND", "ModelNotFound"],
      ["MODEL_UNAVAILABLE", "ModelUnavailable"],
      ["INFRASTRUCTURE_ERROR", "InfrastructureError"],
      ["RATE_LIMIT_EXCEEDED", "UnknownApiError"],
      ["FAKE_NEVER_DOCUMENTED", "UnknownApiError"]
    ] as const
  ) {
    it.effect(`a prediction failed with ${errorId} fails wait and run with ${tag}, carrying the prediction`, () =>
      Effect.gen(function*() {
        const created = yield* Predictions.create({ model: `fake/fail-${errorId}`, input: prompt })
        const waited = failureIn(yield* drive(Predictions.wait(created), "100 millis"))
        const ran = failureIn(yield* drive(Predictions.run({ model: `fake/fail-${errorId}`, input: prompt })))
        const ids = (yield* (yield* FakeSkytells.FakeSkytells).predictions).map((p) => p.id)
        for (const [e, id] of [[waited, ids[0]], [ran, ids[1]]] as const) {
          assert.strictEqual(e?._tag, tag)
          const withPrediction = e as { errorId?: string; prediction?: Prediction.Prediction }
          assert.strictEqual(withPrediction.errorId, errorId)
          assert.strictEqual(withPrediction.prediction?.id, id)
          assert.strictEqual(withPrediction.prediction?.status, "failed")
        }
      }).pipe(Effect.provide(fakeLayer({ scenario: { failureStyle: "error_id" } }))))
  }
})
