// The restart and takeover proofs, with real worker processes (fixtures/jobWorker.ts) against the
// fake Skytells on loopback: a worker killed with SIGKILL in the middle of a job (after the create,
// while it waits) is replaced by a new process that finishes the job, the prediction created once
// and its outputs stored once; on SQLite and on PostgreSQL. On PostgreSQL, two workers share jobs and
// one is killed halfway: the other finishes every job.
import { startWorker, type Worker } from "@effect-skytells/test-support/Workers"
import { FakeSkytells, Fault } from "@effect-skytells/testing"
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import type * as Harness from "./harness.js"
import { describePg, pgUrl, TestPrefix } from "./servers.js"
import { freePort, tempDir } from "./support.js"

const workerFile = new URL("./fixtures/jobWorker.ts", import.meta.url).href

const kill = (worker: Worker) => Effect.sync(() => process.kill(worker.pid, "SIGKILL"))

type Results = { readonly results: Readonly<Record<string, string>> } | { readonly error: string }

/** Asks `worker` until every job has ended; returns each one's state. */
const awaitAll = (worker: Worker, jobIds: ReadonlyArray<string>) => {
  const ask: Effect.Effect<Readonly<Record<string, string>>, Error> = worker.send<Results>({ results: jobIds }).pipe(
    Effect.flatMap((answer) =>
      "error" in answer
        ? Effect.fail(new Error(answer.error))
        : Object.values(answer.results).every((state) => state !== "running")
        ? Effect.succeed(answer.results)
        : Effect.zipRight(Effect.sleep("200 millis"), Effect.suspend(() => ask))
    )
  )
  return ask.pipe(
    Effect.timeoutFail({
      duration: "60 seconds",
      onTimeout: () => new Error(`jobs still running: ${jobIds.join(", ")}`)
    })
  )
}

/** Files under `dir`, recursively. */
const filesUnder = (dir: string): ReadonlyArray<string> =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name)
    : []

const fakeAndSettings = (database: Harness.Settings["database"], dir: string) =>
  Effect.gen(function*() {
    const served = yield* FakeSkytells.serve({
      // Long enough for the kill to land while the job waits.
      scenario: { lifecycle: { queued: "200 millis", starting: "200 millis", processing: "3 seconds" } }
    }).pipe(Effect.provide(NodeHttpClient.layerUndici))
    const settings: Harness.Settings = {
      baseUrl: served.url,
      apiKey: served.apiKey,
      webhookSecret: served.fake.webhookSecret,
      database,
      outputDir: path.join(dir, "outputs"),
      webhookPort: yield* freePort
    }
    return { served, settings }
  })

/** The restart proof on one database. */
const restartProof = (database: (dir: string) => Harness.Settings["database"]) =>
  Effect.gen(function*() {
    const dir = yield* tempDir
    const { served, settings } = yield* fakeAndSettings(database(dir), dir)
    const first = yield* startWorker(workerFile, [JSON.stringify({ ...settings, runnerName: "first" })])
    yield* first.send({ start: ["restart-1"] })
    // After the create, while it waits: the job has polled once.
    yield* Effect.repeat(served.fake.requests, {
      until: (requests) => requests.some((r) => r.route === "predictions.get"),
      schedule: Schedule.spaced("20 millis")
    })
    yield* kill(first)
    const second = yield* startWorker(workerFile, [JSON.stringify({ ...settings, runnerName: "second" })])
    const results = yield* awaitAll(second, ["restart-1"])
    const predictions = yield* served.fake.predictions
    assert.strictEqual(predictions.length, 1, "one prediction created")
    assert.match(results["restart-1"]!, /^succeeded:\d+$/)
    const stored = Number(results["restart-1"]!.split(":")[1])
    assert.isAbove(stored, 0)
    assert.strictEqual(filesUnder(settings.outputDir).length, stored, "each output stored once")
  })

describe("PredictionJob across a restart, on SQLite", () => {
  it.scopedLive(
    "a worker killed mid-job is replaced by one that finishes it: one create, outputs stored once",
    () => restartProof((dir) => ({ _tag: "sqlite", file: path.join(dir, "jobs.db") })),
    90_000
  )

  it.scopedLive(
    "a worker killed while its create is unanswered: the next one finds the prediction, no second create",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const { served, settings } = yield* fakeAndSettings({ _tag: "sqlite", file: path.join(dir, "jobs.db") }, dir)
        // The server creates the prediction, then the answer's body stops half way.
        yield* served.fake.script("predictions.create", [Fault.stallBody()])
        const first = yield* startWorker(workerFile, [JSON.stringify(settings)])
        yield* first.send({ start: ["unanswered"] })
        yield* Effect.repeat(served.fake.predictions, {
          until: (ps) => ps.length === 1,
          schedule: Schedule.spaced("20 millis")
        })
        yield* kill(first)
        const second = yield* startWorker(workerFile, [JSON.stringify(settings)])
        const results = yield* awaitAll(second, ["unanswered"])
        assert.match(results["unanswered"]!, /^succeeded:\d+$/)
        assert.strictEqual((yield* served.fake.predictions).length, 1, "no second prediction")
      }),
    90_000
  )
})

describePg("PredictionJob across a restart and a takeover, on PostgreSQL", (it) => {
  it.scoped(
    "a worker killed mid-job is replaced by one that finishes it: one create, outputs stored once",
    () =>
      Effect.flatMap(TestPrefix, (prefix) => restartProof(() => ({ _tag: "pg", url: pgUrl, prefix: `${prefix}_r` }))),
    90_000
  )

  it.scoped(
    "two workers share 20 jobs; one is killed halfway and the other finishes them all, 0 duplicates",
    () =>
      Effect.gen(function*() {
        const prefix = yield* TestPrefix
        const dir = yield* tempDir
        const { served, settings } = yield* fakeAndSettings({ _tag: "pg", url: pgUrl, prefix: `${prefix}_t` }, dir)
        const a = yield* startWorker(workerFile, [JSON.stringify({ ...settings, runnerName: "a" })])
        // B has no webhook endpoint of its own (the URL is A's): what A leaves, B finishes by polling.
        const b = yield* startWorker(workerFile, [
          JSON.stringify({ ...settings, runnerName: "b", serveWebhooks: false })
        ])
        const jobs = Array.from({ length: 20 }, (_, i) => `shared-${i}`)
        yield* a.send({ start: jobs.slice(0, 10) })
        yield* b.send({ start: jobs.slice(10) })
        yield* Effect.repeat(served.fake.predictions, {
          until: (ps) => ps.length >= 10,
          schedule: Schedule.spaced("20 millis")
        })
        yield* kill(a)
        const results = yield* awaitAll(b, jobs)
        for (const job of jobs) assert.match(results[job]!, /^succeeded:\d+$/, job)
        assert.strictEqual((yield* served.fake.predictions).length, 20, "one prediction per job")
      }),
    120_000
  )
})
