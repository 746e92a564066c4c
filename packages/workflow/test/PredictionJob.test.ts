import { Prediction, SkytellsError } from "@effect-skytells/client"
import { FakeSkytells, Fault } from "@effect-skytells/testing"
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { DurableDeferred } from "@effect/workflow"
import { Cause, Duration, Effect, Exit, Fiber, Layer, Option, Schedule, Scope } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { PredictionJob } from "../src/index.js"
import * as Harness from "./harness.js"
import { freePort, tempDir } from "./support.js"

interface SetupOptions {
  readonly webhooks: boolean
  readonly fake?: FakeSkytells.ServeOptions
  readonly worker?: Partial<Harness.Settings>
}

/** The fake on loopback (webhooks delivered over real sockets), and a worker's settings on SQLite. */
const serveFake = (options: SetupOptions) =>
  Effect.gen(function*() {
    const dir = yield* tempDir
    const served = yield* FakeSkytells.serve({
      scenario: { lifecycle: { queued: "100 millis", starting: "100 millis", processing: "300 millis" } },
      ...options.fake
    }).pipe(Effect.provide(NodeHttpClient.layerUndici))
    const settings: Harness.Settings = {
      baseUrl: served.url,
      apiKey: served.apiKey,
      webhookSecret: served.fake.webhookSecret,
      database: { _tag: "sqlite", file: path.join(dir, "jobs.db") },
      outputDir: path.join(dir, "outputs"),
      webhookPort: options.webhooks ? yield* freePort : undefined,
      ...options.worker
    }
    return { served, settings }
  })

/** {@link serveFake} and one worker, for the test's scope. */
const setup = (options: SetupOptions) =>
  Effect.gen(function*() {
    const { served, settings } = yield* serveFake(options)
    const context = yield* Layer.build(Harness.layer(settings))
    const creates = Effect.map(served.fake.requests, (rs) => rs.filter((r) => r.route === "predictions.create").length)
    return { served, settings, context, creates }
  })

const input = { prompt: "a lighthouse at dusk" }

describe("PredictionJob on SQLite, against the fake on loopback", () => {
  it.scopedLive(
    "creates its prediction once, is woken by its webhook (not the backstop) and stores the outputs",
    () =>
      Effect.gen(function*() {
        // A backstop of 60 s: within the test's 40 s only the webhook can wake the job.
        const { context, creates, served, settings } = yield* setup({
          webhooks: true,
          worker: { backstop: "60 seconds" }
        })
        const result = yield* PredictionJob.run({ jobId: "order-1", model: "truefusion", input }).pipe(
          Effect.provide(context),
          Effect.timeoutFail({ duration: "40 seconds", onTimeout: () => new Error("the webhook did not wake the job") })
        )
        assert.strictEqual(result.prediction.status, "succeeded")
        assert.isAbove(result.outputs.length, 0)
        for (const file of result.outputs) {
          assert.isTrue(file.startsWith(path.join(settings.outputDir, result.prediction.id!)), file)
          assert.isTrue(fs.existsSync(file), file)
        }
        assert.strictEqual(yield* creates, 1)
        const deliveries = yield* served.fake.webhookDeliveries
        assert.isTrue(deliveries.some((d) => d.url.includes("skytells_job=")))
        const again = yield* PredictionJob.result("order-1").pipe(Effect.provide(context))
        assert.isTrue(Option.isSome(again) && Exit.isSuccess(again.value))
      }),
    60_000
  )

  it.scopedLive("without webhooks, the polling backstop alone finishes the job", () =>
    Effect.gen(function*() {
      const { context, creates } = yield* setup({ webhooks: false })
      const result = yield* PredictionJob.run({ jobId: "poll-only", model: "truefusion", input }).pipe(
        Effect.provide(context)
      )
      assert.strictEqual(result.prediction.status, "succeeded")
      assert.strictEqual(yield* creates, 1)
    }), 60_000)

  it.scopedLive(
    "a lost webhook (refused by the endpoint) only delays the job: the backstop finishes it",
    () =>
      Effect.gen(function*() {
        const { context, served } = yield* setup({
          webhooks: true,
          worker: { webhookSecret: "whsec_not_the_one_skytells_uses" }
        })
        const result = yield* PredictionJob.run({ jobId: "lost-webhook", model: "truefusion", input }).pipe(
          Effect.provide(context)
        )
        assert.strictEqual(result.prediction.status, "succeeded")
        const deliveries = yield* served.fake.webhookDeliveries
        assert.isAbove(deliveries.length, 0)
        const statuses = deliveries.map((d) => d.result._tag === "NotSent" ? undefined : d.result.status)
        assert.isTrue(statuses.every((status) => status === 401), JSON.stringify(statuses))
      }),
    60_000
  )

  it.scopedLive("a webhook delivered three times completes the job once", () =>
    Effect.gen(function*() {
      const { context, creates, served } = yield* setup({
        webhooks: true,
        fake: { scenario: { webhookDuplicates: 2 } }
      })
      const result = yield* PredictionJob.run({ jobId: "dup", model: "truefusion", input }).pipe(
        Effect.provide(context)
      )
      assert.strictEqual(result.prediction.status, "succeeded")
      assert.strictEqual(yield* creates, 1)
      const deliveries = yield* served.fake.webhookDeliveries
      assert.isAtLeast(deliveries.length, 3)
    }), 60_000)

  it.scopedLive(
    "a create whose answer is lost (the connection cut after the server acted) is found, not sent again",
    () =>
      Effect.gen(function*() {
        const { context, served } = yield* setup({ webhooks: true })
        yield* served.fake.script("predictions.create", [Fault.resetAfterAction])
        const result = yield* PredictionJob.run({ jobId: "cut", model: "truefusion", input }).pipe(
          Effect.provide(context)
        )
        assert.strictEqual(result.prediction.status, "succeeded")
        assert.strictEqual((yield* served.fake.predictions).length, 1)
      }),
    60_000
  )

  it.scopedLive(
    "a job that ends in InsufficientCredits fails with that class, read back from storage too",
    () =>
      Effect.gen(function*() {
        const { context, served } = yield* setup({ webhooks: true })
        yield* served.fake.setCredits(0)
        const exit = yield* PredictionJob.run({ jobId: "broke", model: "truefusion", input }).pipe(
          Effect.provide(context),
          Effect.exit
        )
        assert.isTrue(Exit.isFailure(exit))
        const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
        assert.isTrue(Option.isSome(error) && error.value instanceof SkytellsError.InsufficientCredits, String(exit))
        const stored = yield* PredictionJob.result("broke").pipe(Effect.provide(context))
        assert.isTrue(Option.isSome(stored))
        const storedError = Option.isSome(stored) && Exit.isFailure(stored.value)
          ? Cause.failureOption(stored.value.cause)
          : Option.none()
        assert.isTrue(Option.isSome(storedError) && storedError.value instanceof SkytellsError.InsufficientCredits)
        assert.strictEqual((yield* served.fake.predictions).length, 0)
      }),
    60_000
  )

  it.scopedLive(
    "a prediction that fails on content policy fails the job with ContentPolicyViolation",
    () =>
      Effect.gen(function*() {
        const { context } = yield* setup({ webhooks: true, fake: { scenario: { failureStyle: "error_id" } } })
        const error = yield* PredictionJob.run({ jobId: "nsfw", model: "fake/fail-CONTENT_POLICY_VIOLATION", input })
          .pipe(Effect.provide(context), Effect.flip)
        assert.strictEqual(error._tag, "ContentPolicyViolation")
        assert.instanceOf(error, SkytellsError.ContentPolicyViolation)
      }),
    60_000
  )

  it.scopedLive(
    "an interrupted job cancels its prediction on the server (the compensation)",
    () =>
      Effect.gen(function*() {
        const { context, served } = yield* setup({
          webhooks: true,
          fake: { scenario: { lifecycle: { processing: "1 minute" } } }
        })
        const fiber = yield* PredictionJob.run({ jobId: "stop-me", model: "truefusion", input }).pipe(
          Effect.provide(context),
          Effect.fork
        )
        yield* Effect.repeat(served.fake.predictions, {
          until: (ps) => ps.length === 1,
          schedule: Schedule.spaced("20 millis")
        })
        yield* PredictionJob.interrupt("stop-me").pipe(Effect.provide(context))
        yield* Fiber.await(fiber)
        yield* Effect.repeat(served.fake.predictions, {
          schedule: Schedule.spaced("20 millis"),
          until: (ps) => ps.length === 1 && Prediction.isCanceled(ps[0] as { status: string })
        }).pipe(Effect.timeout("30 seconds"))
      }),
    60_000
  )

  it.scopedLive("a job past maxWait fails with WaitTimeout and cancels its prediction", () =>
    Effect.gen(function*() {
      const { context, served } = yield* setup({
        webhooks: true,
        fake: { scenario: { lifecycle: { processing: "1 minute" } } },
        worker: { maxWait: Duration.seconds(1) }
      })
      const error = yield* PredictionJob.run({ jobId: "too-long", model: "truefusion", input }).pipe(
        Effect.provide(context),
        Effect.flip
      )
      assert.strictEqual(error._tag, "WaitTimeout")
      const [prediction] = yield* served.fake.predictions
      assert.isTrue(Prediction.isCanceled(prediction as { status: string }), JSON.stringify(prediction))
    }), 60_000)

  it.scopedLive(
    "40 jobs whose webhooks land as they suspend: all finish, nearly all woken by the webhook",
    () =>
      Effect.gen(function*() {
        // Each prediction ends about when its job has polled once and is about to sleep, so the
        // webhook's signal lands on either side of the moment the job's suspension is saved. The engine
        // can drop a wake-up that lands just before (effect#6318); the 60 s backstop then finishes the
        // job. Woken by its webhook, a job takes seconds here (the 40 are woken one after another, so
        // the last take longest on a loaded machine): if wake-ups were lost as a rule, most jobs would
        // take the backstop's 60 s.
        const { context, creates } = yield* setup({
          webhooks: true,
          fake: { scenario: { lifecycle: { queued: "0 millis", starting: "0 millis", processing: "40 millis" } } },
          worker: { backstop: "60 seconds" }
        })
        const durations = yield* Effect.forEach(
          Array.from({ length: 40 }, (_, i) => `boundary-${i}`),
          (jobId) => Effect.map(Effect.timed(PredictionJob.run({ jobId, model: "truefusion", input })), ([d]) => d),
          { concurrency: "unbounded" }
        ).pipe(Effect.provide(context))
        const woken = durations.filter((d) => Duration.lessThan(d, Duration.seconds(45))).length
        assert.isAtLeast(woken, 36, durations.map(Duration.format).join(", "))
        assert.strictEqual(yield* creates, 40)
      }),
    180_000
  )

  it.scopedLive(
    "a worker that shuts down mid-job cancels nothing; the next one on the same file finishes the job",
    () =>
      Effect.gen(function*() {
        const { served, settings } = yield* serveFake({
          webhooks: true,
          fake: { scenario: { lifecycle: { processing: "2 seconds" } } }
        })
        const firstScope = yield* Scope.make()
        const first = yield* Layer.buildWithScope(Harness.layer(settings), firstScope)
        yield* PredictionJob.start({ jobId: "deploy", model: "truefusion", input }).pipe(Effect.provide(first))
        yield* Effect.repeat(served.fake.requests, {
          schedule: Schedule.spaced("20 millis"),
          until: (requests) => requests.some((r) => r.route === "predictions.get")
        })
        // A graceful stop (a deploy): the engine interrupts the job where it runs. That interruption
        // is not a failure of the job, so its compensation must not cancel the prediction.
        yield* Scope.close(firstScope, Exit.void)
        const second = yield* Layer.build(Harness.layer(settings))
        const result = yield* PredictionJob.run({ jobId: "deploy", model: "truefusion", input }).pipe(
          Effect.provide(second)
        )
        assert.strictEqual(result.prediction.status, "succeeded")
        const requests = yield* served.fake.requests
        assert.deepStrictEqual(requests.filter((r) => r.route === "predictions.cancel"), [])
        assert.strictEqual((yield* served.fake.predictions).length, 1)
      }),
    60_000
  )

  it.scopedLive(
    "a signal that comes before the job even waits wakes it, but cannot end it or make it spin",
    () =>
      Effect.gen(function*() {
        const { context, creates, served } = yield* setup({
          webhooks: false,
          fake: { scenario: { lifecycle: { processing: "2 seconds" } } }
        })
        // The job's signal, sent before the job starts (as a webhook racing its job's first steps, or a
        // forged one, would): it is recorded, and the job reads the prediction rather than trusting it.
        const executionId = yield* PredictionJob.executionIdOf("early")
        const token = DurableDeferred.tokenFromExecutionId(PredictionJob.Terminal, {
          workflow: PredictionJob.workflow,
          executionId
        })
        yield* DurableDeferred.done(PredictionJob.Terminal, { token, exit: Exit.void }).pipe(Effect.provide(context))
        const result = yield* PredictionJob.run({ jobId: "early", model: "truefusion", input }).pipe(
          Effect.provide(context)
        )
        assert.strictEqual(result.prediction.status, "succeeded")
        assert.strictEqual(yield* creates, 1)
        // Over the prediction's ~2.4 s, the backstop's pauses (300 ms doubling to 1 s) allow a handful
        // of polls; a loop woken again and again by the recorded signal would make hundreds.
        const polls = (yield* served.fake.requests).filter((r) => r.route === "predictions.get").length
        assert.isAtMost(polls, 12)
      }),
    60_000
  )
})
