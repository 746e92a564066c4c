/**
 * `pnpm soak --jobs [N]`: durable prediction jobs (`@effect-skytells/workflow`) under a runner crash.
 *
 * The fake Skytells API is served on loopback in this process, with webhooks (each delivery sent twice)
 * and fault injection on. Two worker processes (src/worker-jobs.ts, A and B) share one PostgreSQL
 * (`SKYTELLS_TEST_PG_URL`, default postgres://postgres@127.0.0.1:5432/test) under a table prefix of
 * this run's own, with their own claim table. Half the jobs are started through A, half through B;
 * every job registers the same webhook URL, which only A serves. When about half the predictions
 * exist, A is killed with SIGKILL; B takes A's shards over (2 s lock expiry, as in the workflow tests'
 * harness) and every job must end: succeeded, or failed with a typed error.
 *
 * Invariants (exit 1 when one breaks): every job ended before the deadline (0 stranded); no job ended
 * in a defect or an interruption; exactly one prediction in the fake for every job that reached a
 * create (0 duplicates, none for the jobs whose create the fake refused, none that belongs to no job);
 * each job's outcome is the one its model calls for (or a typed error the faults explain, reported);
 * each succeeded job's outputs stored once. Figures: jobs/s over the whole run, p50/p99/max job latency
 * (from the worker's `start` to the engine's recorded result) against the fake's own lifecycle.
 *
 * Options: --jobs N (1000) --seed N (1) --pg URL --lifecycle ms (fake's processing phase; 1500, after
 * 250 queued and 250 starting) --backstop ms (the jobs' first polling pause, 1000) --backstop-max ms
 * (2000) --search-limit N (the jobs' `searchLimit`; the package's default, 1000) --claim-ttl ms (3000)
 * --lock-refresh ms (1000) --lock-expiry ms (5000) --engine-poll ms (250) --kill-at N (predictions before A
 * is killed; N / 2) --deadline s (how long every job has to end after the kill; 240) --concurrency N
 * (start/result calls in flight per worker; 16) --out file (results/soak-jobs.md; "-" for none)
 * --logs dir (each worker's stderr) --keep-tables (leave the engine's tables, to inspect them).
 */
import * as FakeSkytells from "@effect-skytells/testing/FakeSkytells"
import * as Fault from "@effect-skytells/testing/Fault"
import type * as Recorded from "@effect-skytells/testing/Recorded"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
import * as Redacted from "effect/Redacted"
import { spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import * as Readline from "node:readline"
import { fileURLToPath, pathToFileURL } from "node:url"
import type { Settings } from "./worker-jobs.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href
const workerFile = path.join(here, "worker-jobs.ts")

// Options --------------------------------------------------------------------------------------------

export interface JobsOptions {
  readonly jobs: number
  readonly seed: number
  readonly pgUrl: string
  readonly lifecycle: { readonly queuedMs: number; readonly startingMs: number; readonly processingMs: number }
  readonly backstopMs: number
  readonly backstopMaxMs: number
  readonly searchLimit: number
  readonly killAt: number
  readonly deadlineMs: number
  readonly concurrency: number
  readonly claimTtlMs: number
  readonly lockRefreshMs: number
  readonly lockExpirationMs: number
  readonly pollIntervalMs: number
  readonly out: string
  readonly keepTables: boolean
  /** A directory to write each worker's stderr to (`worker-a.log`, `worker-b.log`); none by default. */
  readonly logs: string
}

export const parseOptions = (argv: ReadonlyArray<string>): JobsOptions => {
  const opt = (name: string, fallback: string) => {
    const i = argv.indexOf(`--${name}`)
    return i >= 0 && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith("--") ? argv[i + 1]! : fallback
  }
  const jobs = Number(opt("jobs", "1000"))
  return {
    jobs,
    seed: Number(opt("seed", "1")),
    pgUrl: opt("pg", process.env.SKYTELLS_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test"),
    lifecycle: { queuedMs: 250, startingMs: 250, processingMs: Number(opt("lifecycle", "1500")) },
    backstopMs: Number(opt("backstop", "1000")),
    backstopMaxMs: Number(opt("backstop-max", "2000")),
    // Covers the whole run by default: the package default (100) leaves the documented window (see the README).
    searchLimit: Number(opt("search-limit", "1000")),
    killAt: Number(opt("kill-at", String(Math.floor(jobs / 2)))),
    deadlineMs: Number(opt("deadline", "240")) * 1000,
    concurrency: Number(opt("concurrency", "16")),
    claimTtlMs: Number(opt("claim-ttl", "3000")),
    lockRefreshMs: Number(opt("lock-refresh", "1000")),
    lockExpirationMs: Number(opt("lock-expiry", "5000")),
    pollIntervalMs: Number(opt("engine-poll", "250")),
    out: opt("out", path.join(here, "..", "results", "soak-jobs.md")),
    keepTables: argv.includes("--keep-tables"),
    logs: opt("logs", "")
  }
}

// The jobs and the faults -----------------------------------------------------------------------------

/** Which model job `i` runs, and what it must end with. */
const modelOf = (i: number): { readonly model: string; readonly expected: string; readonly creates: boolean } =>
  i % 100 === 42
    ? { model: "fake/error-INSUFFICIENT_CREDITS", expected: "failed:InsufficientCredits", creates: false }
    : i % 50 === 7
    ? { model: "fake/fail", expected: "failed:PredictionFailed", creates: true }
    : i % 50 === 23
    ? { model: "fake/fail-CONTENT_POLICY_VIOLATION", expected: "failed:ContentPolicyViolation", creates: true }
    : { model: "truefusion", expected: "succeeded", creates: true }

/** The injected faults: transient ones the client retries, and lost create answers the job must find again. */
const faults: ReadonlyArray<Fault.Rule & { readonly why: string }> = [
  {
    route: "predictions.create",
    fault: Fault.resetAfterAction,
    probability: 0.02,
    why: "created, then the connection reset: an ambiguous create, found again by the job's search"
  },
  {
    route: "predictions.create",
    fault: Fault.rateLimit(1),
    probability: 0.03,
    why: "429 Retry-After: 1, retried"
  },
  { route: "predictions.create", fault: Fault.serverError(503), probability: 0.02, why: "503, retried" },
  { route: "predictions.get", fault: Fault.serverError(503), probability: 0.05, why: "503, retried" },
  { route: "predictions.get", fault: Fault.rateLimit(1), probability: 0.01, why: "429 Retry-After: 1, retried" },
  { route: "predictions.list", fault: Fault.serverError(503), probability: 0.02, why: "503, retried" },
  { route: "files.get", fault: Fault.resetBeforeBody, probability: 0.01, why: "reset before the body, retried" }
]

const faultName = (f: Fault.Fault): string =>
  f._tag === "RateLimit"
    ? `429 Retry-After ${f.retryAfterSeconds}s`
    : f._tag === "ServerError"
    ? `${f.status}`
    : f._tag

// Worker processes ------------------------------------------------------------------------------------

interface Proc {
  readonly name: string
  readonly pid: number
  readonly send: <A>(command: unknown) => Effect.Effect<A, Error>
  readonly kill: (signal: NodeJS.Signals) => void
  /** Warnings and errors it logged, by message. */
  readonly logs: Map<string, number>
  readonly stderrTail: Array<string>
}

type Event = { readonly _tag: "Line"; readonly line: string } | { readonly _tag: "Exit"; readonly code: number | null }

const startWorker = (name: string, settings: Settings, logDir: string) =>
  Effect.gen(function*() {
    const events = yield* Queue.unbounded<Event>()
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(process.execPath, ["--import", tsx, workerFile, JSON.stringify(settings)], { stdio: "pipe" })
      ),
      (child) => Effect.sync(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"))
    )
    const logs = new Map<string, number>()
    const stderrTail: Array<string> = []
    if (logDir !== "") child.stderr.pipe(fs.createWriteStream(path.join(logDir, `worker-${name.toLowerCase()}.log`)))
    Readline.createInterface({ input: child.stderr }).on("line", (line) => {
      stderrTail.push(line)
      if (stderrTail.length > 40) stderrTail.shift()
      const message = /message="((?:[^"\\]|\\.)*)"/.exec(line)?.[1] ?? /message=(\S+)/.exec(line)?.[1]
      if (message !== undefined) logs.set(message, (logs.get(message) ?? 0) + 1)
    })
    Readline.createInterface({ input: child.stdout }).on("line", (line) =>
      Queue.unsafeOffer(events, { _tag: "Line", line }))
    child.on("exit", (code) =>
      Queue.unsafeOffer(events, { _tag: "Exit", code }))
    const next = <A>(): Effect.Effect<A, Error> =>
      Effect.flatMap(Queue.take(events), (event) =>
        event._tag === "Line"
          ? Effect.try({
            try: () => JSON.parse(event.line) as A,
            catch: () => new Error(`${name} printed: ${event.line}`)
          })
          : Effect.fail(new Error(`worker ${name} exited with ${event.code}:\n${stderrTail.join("\n")}`)))
    yield* next().pipe(
      Effect.timeoutFail({ duration: "60 seconds", onTimeout: () => new Error(`worker ${name} not ready in 60 s`) })
    )
    return {
      name,
      pid: child.pid!,
      send: <A>(command: unknown) =>
        Effect.zipRight(Effect.sync(() => child.stdin.write(`${JSON.stringify(command)}\n`)), next<A>()),
      kill: (signal) => {
        child.kill(signal)
      },
      logs,
      stderrTail
    } satisfies Proc
  })

const freePort = Effect.async<number>((resume) => {
  const server = net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address() as net.AddressInfo
    server.close(() => resume(Effect.succeed(address.port)))
  })
})

// Figures ----------------------------------------------------------------------------------------------

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!

const secs = (ms: number) => Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : "–"

/** `@effect/cluster` ids are Snowflakes: milliseconds since 2025-01-01 in the bits above the low 22. */
const snowflakeMillis = (id: string | bigint): number => Number(BigInt(id) >> 22n) + Date.UTC(2025, 0, 1)

/** The engine's entity type of the jobs (`Workflow/` and `PredictionJob.workflow.name`). */
const workflowEntity = "Workflow/effect-skytells/PredictionJob"

/** CPU seconds (user + system) a live process has used, from /proc (Linux); NaN elsewhere. */
const cpuSeconds = (pid: number): number => {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return NaN
  }
}

const count = <K>(map: Map<K, number>, key: K, n = 1) => map.set(key, (map.get(key) ?? 0) + n)

// The run ----------------------------------------------------------------------------------------------

type Started =
  | { readonly started: Record<string, readonly [number, string]>; readonly storageRetries: ReadonlyArray<string> }
  | { readonly error: string }
type Results =
  | { readonly results: Record<string, string>; readonly storageRetries: ReadonlyArray<string> }
  | { readonly error: string }

const soakJobs = (o: JobsOptions) =>
  Effect.gen(function*() {
    const runId = randomBytes(4).toString("hex")
    const prefix = `soak_jobs_${runId}`
    const sql = yield* SqlClient.SqlClient
    yield* sql`SELECT 1`.pipe(
      Effect.mapError((e) => new Error(`PostgreSQL at ${o.pgUrl} does not answer: ${e.message}`))
    )
    // The engine's tables, the claim table: dropped at the end, whatever happened.
    yield* Effect.addFinalizer(() =>
      o.keepTables ? Effect.sync(() => console.error(`  tables kept: ${prefix}_*`)) : Effect.gen(function*() {
        const tables = yield* sql<{ table_name: string }>`
          SELECT table_name FROM information_schema.tables WHERE table_name LIKE ${`${prefix}_%`}`
        for (const { table_name } of tables) yield* sql`DROP TABLE IF EXISTS ${sql(table_name)} CASCADE`
      }).pipe(Effect.orDie)
    )
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "skytells-soak-jobs-"))),
      (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
    )
    const lifecycleMs = o.lifecycle.queuedMs + o.lifecycle.startingMs + o.lifecycle.processingMs
    const served = yield* FakeSkytells.serve({
      seed: o.seed,
      // Limits that do not get in the way: the 429s here are the injected ones.
      accounts: [{ apiKey: FakeSkytells.defaultApiKey, requestsPerMinute: 1e9, maxConcurrent: 1e6, credits: 1e6 }],
      scenario: {
        lifecycle: {
          queued: Duration.millis(o.lifecycle.queuedMs),
          starting: Duration.millis(o.lifecycle.startingMs),
          processing: Duration.millis(o.lifecycle.processingMs)
        },
        webhookDuplicates: 1,
        // Failed predictions carry `error_id` (the error-handling guide's shape), so they end in their typed class.
        failureStyle: "error_id"
      },
      faults: faults.map(({ why: _, ...rule }) => rule),
      requestLog: { maxEntries: Infinity, maxBodyBytes: 2048 }
    })
    const fake = served.fake
    const webhookPort = yield* freePort
    const settings = (runnerName: string, serveWebhooks: boolean): Settings => ({
      baseUrl: served.url,
      apiKey: served.apiKey,
      webhookSecret: fake.webhookSecret,
      pgUrl: o.pgUrl,
      prefix,
      outputDir: path.join(dir, "outputs"),
      webhookPort,
      serveWebhooks,
      runnerName,
      backstopMs: o.backstopMs,
      backstopMaxMs: o.backstopMaxMs,
      maxWaitMs: 120_000,
      searchLimit: o.searchLimit,
      claimTtlMs: o.claimTtlMs,
      concurrency: o.concurrency,
      lockRefreshMs: o.lockRefreshMs,
      lockExpirationMs: o.lockExpirationMs,
      pollIntervalMs: o.pollIntervalMs
    })
    console.error(
      `soak --jobs: ${o.jobs} jobs, 2 workers on PostgreSQL (prefix ${prefix}), fake on ${served.url}, ` +
        `lifecycle ${secs(lifecycleMs)}, seed ${o.seed}`
    )
    // A serves the webhook URL; B does not (what A leaves, B finishes by polling).
    // One after the other: two engines creating their tables at once on a fresh prefix race in PostgreSQL
    // (`CREATE TABLE IF NOT EXISTS` of `<prefix>_runners`: duplicate key in pg_type_typname_nsp_index) and one dies.
    const a = yield* startWorker("A", settings("a", true), o.logs)
    const b = yield* startWorker("B", settings("b", false), o.logs)
    console.error(`  workers ready (A pid ${a.pid}, B pid ${b.pid})`)

    /** Engine calls (start, result) that died with a storage error and were retried, per worker. */
    const storageRetries: Array<string> = []
    const jobs = Array.from({ length: o.jobs }, (_, i) => ({ jobId: `soak-${runId}-${i}`, ...modelOf(i) }))
    const half = Math.ceil(o.jobs / 2)
    const t0 = Date.now()
    const startOn = (w: Proc, slice: typeof jobs) =>
      Effect.flatMap(
        w.send<Started>({ start: slice.map(({ jobId, model }) => ({ jobId, model })) }),
        (answer) => {
          if ("error" in answer) return Effect.fail(new Error(`${w.name}: ${answer.error}`))
          for (const e of answer.storageRetries) storageRetries.push(`${w.name} start: ${e}`)
          return Effect.succeed(answer.started)
        }
      )
    // Both halves are started at once; A is killed once about half the predictions exist, whether or not it has
    // answered all its starts (under load, 500 starts take tens of seconds). A's half is then started again
    // through B, as a client whose worker died would: starting a jobId that exists starts nothing new.
    const startingA = yield* Effect.fork(Effect.either(startOn(a, jobs.slice(0, half))))
    const startingB = yield* Effect.fork(startOn(b, jobs.slice(half)))
    const predictionCount = Effect.map(fake.predictions, (ps) => ps.length)
    let atKill = yield* predictionCount
    while (atKill < o.killAt) {
      if (Date.now() - t0 > o.deadlineMs) {
        return yield* Effect.fail(new Error(`only ${atKill} predictions after ${secs(o.deadlineMs)}`))
      }
      yield* Effect.sleep("100 millis")
      atKill = yield* predictionCount
    }
    const cpuA = cpuSeconds(a.pid)
    a.kill("SIGKILL")
    const tKill = Date.now()
    console.error(`  A killed (SIGKILL) at ${secs(tKill - t0)}, ${atKill} predictions in the fake`)
    const fromA = yield* Fiber.join(startingA)
    const fromB = yield* Fiber.join(startingB)
    const startedByA = Either.isRight(fromA) ? Object.keys(fromA.right).length : 0
    const again = yield* startOn(b, jobs.slice(0, half))
    const started: Record<string, readonly [number, string]> = {
      ...again,
      ...(Either.isRight(fromA) ? fromA.right : {}),
      ...fromB
    }
    const tStarted = Date.now()
    console.error(
      `  all started at ${secs(tStarted - t0)} (A had answered ${
        Either.isRight(fromA) ? "all its starts" : "none of its batch: killed first"
      }; its ${half} started again through B)`
    )

    // When each job's result was recorded: the id of the run's exit reply (a Snowflake, ms precision; a job that
    // suspends has an exit reply too, `Suspended`, replaced when it resumes: only `Complete` counts), read
    // from the engine's tables in one query (asking B for a thousand results every second would load it more
    // than the jobs do). Then B is asked for every job's outcome through the public API.
    const executionIds = new Set(Object.values(started).map(([, id]) => id))
    const recordedEnds = sql<{ entity_id: string; reply_id: string }>`
      SELECT m.entity_id, MIN(r.id)::text AS reply_id
      FROM ${sql(`${prefix}_messages`)} m JOIN ${sql(`${prefix}_replies`)} r ON r.request_id = m.id
      WHERE m.tag = 'run' AND m.entity_type = ${workflowEntity} AND r.kind = 0
        AND (r.payload LIKE ${`{"_tag":"Success","value":{"_tag":"Complete"%`} OR r.payload LIKE ${`{"_tag":"Failure"%`})
      GROUP BY m.entity_id`.pipe(
      Effect.map((rows) =>
        new Map(
          rows.filter((r) => executionIds.has(r.entity_id)).map((r) => [r.entity_id, snowflakeMillis(r.reply_id)])
        )
      )
    )
    const runStarts = sql<{ entity_id: string; message_id: string }>`
      SELECT entity_id, MIN(id)::text AS message_id FROM ${sql(`${prefix}_messages`)}
      WHERE tag = 'run' AND entity_type = ${workflowEntity} GROUP BY entity_id`.pipe(
      Effect.map((rows) => new Map(rows.map((r) => [r.entity_id, snowflakeMillis(r.message_id)])))
    )
    let endOf = yield* recordedEnds
    let lastReport = 0
    while (endOf.size < jobs.length && Date.now() - tKill < o.deadlineMs) {
      yield* Effect.sleep("1 second")
      endOf = yield* recordedEnds
      if (Date.now() - lastReport > 5000) {
        console.error(`  ${endOf.size}/${o.jobs} results recorded at ${secs(Date.now() - t0)}`)
        lastReport = Date.now()
      }
    }
    const outcome = new Map<string, string>()
    const seenEnded = new Map<string, number>()
    for (let attempt = 0; attempt < 3; attempt++) {
      const pending = jobs.map((j) => j.jobId).filter((jobId) => !outcome.has(jobId))
      if (pending.length === 0) break
      const answer = yield* b.send<Results>({ results: pending })
      if ("error" in answer) return yield* Effect.fail(new Error(`B: ${answer.error}`))
      for (const e of answer.storageRetries) storageRetries.push(`B result: ${e}`)
      const now = Date.now()
      for (const [jobId, state] of Object.entries(answer.results)) {
        if (state !== "running") {
          outcome.set(jobId, state)
          seenEnded.set(jobId, now)
        }
      }
      if (outcome.size < jobs.length) yield* Effect.sleep("1 second")
    }
    const tDone = Date.now()
    const startOf = yield* runStarts
    const cpuB = cpuSeconds(b.pid)
    console.error(`  ${outcome.size}/${o.jobs} ended (B's answer) at ${secs(tDone - t0)}`)
    b.kill("SIGTERM")

    // What the fake holds, per job (by the prompt) and per webhook URL.
    const predictions = (yield* fake.predictions) as ReadonlyArray<{
      readonly id: string
      readonly status: string
      readonly input: { readonly prompt?: string }
      readonly webhook: { readonly url: string | null }
      readonly created_at: string
      readonly completed_at: string | null
    }>
    const byJob = new Map<string, Array<(typeof predictions)[number]>>()
    const jobOfUrl = new Map<string, Set<string>>()
    let orphans = 0
    const jobIds = new Set(jobs.map((j) => j.jobId))
    for (const p of predictions) {
      const jobId = p.input.prompt?.replace(/^soak job /, "")
      if (jobId === undefined || !jobIds.has(jobId)) {
        orphans++
        continue
      }
      byJob.set(jobId, [...(byJob.get(jobId) ?? []), p])
      const url = p.webhook.url ?? "(none)"
      jobOfUrl.set(url, (jobOfUrl.get(url) ?? new Set()).add(jobId))
    }
    const urlsShared = [...jobOfUrl.values()].filter((s) => s.size > 1).length

    // Per job: outcome against expectation, predictions, latency.
    const tally = new Map<string, number>()
    const unexpected: Array<string> = []
    const invalid: Array<string> = []
    let duplicates = 0
    let missing = 0
    let refusedButCreated = 0
    let outputsReported = 0
    const latencies: Array<number> = []
    const latenciesBeforeKill: Array<number> = []
    const latenciesAfterKill: Array<number> = []
    let endsFromPolling = 0
    let firstStart = Infinity
    let lastEnd = 0
    for (const job of jobs) {
      const state = outcome.get(job.jobId) ?? "stranded"
      count(tally, state.replace(/:\d+$/, ""))
      if (state === "stranded" || state === "failed:defect" || state === "failed:interrupted") {
        invalid.push(`${job.jobId} (${job.model}): ${state}`)
      } else if (state.replace(/:\d+$/, "") !== job.expected) {
        unexpected.push(`${job.jobId} (${job.model}): ${state}, expected ${job.expected}`)
      }
      if (state.startsWith("succeeded:")) outputsReported += Number(state.split(":")[1])
      const held = byJob.get(job.jobId)?.length ?? 0
      if (held > 1) duplicates++
      if (!job.creates && held > 0) refusedButCreated++
      // A job that should have created and holds nothing: fine only if it failed (typed) before its create.
      if (job.creates && held === 0 && !state.startsWith("failed:")) missing++
      const [answeredAt, executionId] = started[job.jobId] ?? [NaN, ""]
      const at = startOf.get(executionId) ?? answeredAt
      const replyEnd = endOf.get(executionId)
      const end = replyEnd ?? seenEnded.get(job.jobId)
      if (replyEnd === undefined && end !== undefined) endsFromPolling++
      if (end !== undefined && Number.isFinite(at)) {
        latencies.push(end - at)
        ;(end < tKill ? latenciesBeforeKill : latenciesAfterKill).push(end - at)
        firstStart = Math.min(firstStart, at)
        lastEnd = Math.max(lastEnd, end)
      }
    }
    const ended = jobs.length - (tally.get("stranded") ?? 0)
    const sorted = (xs: Array<number>) => xs.sort((x, y) => x - y)
    sorted(latencies)
    sorted(latenciesBeforeKill)
    sorted(latenciesAfterKill)
    const wall = lastEnd - firstStart
    const lifecycles = sorted(
      predictions.filter((p) => p.completed_at !== null).map((p) =>
        Date.parse(p.completed_at!) - Date.parse(p.created_at)
      )
    )
    const filesStored = fs.existsSync(path.join(dir, "outputs"))
      ? fs.readdirSync(path.join(dir, "outputs"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
        .length
      : 0

    // The fake's log: requests per route, faults injected, webhook deliveries.
    const requests = yield* fake.requests
    const perRoute = new Map<string, number>()
    const injected = new Map<string, number>()
    for (const r of requests as ReadonlyArray<Recorded.Request>) {
      count(perRoute, r.route)
      if (r.fault !== undefined && r.fault !== "Pass") {
        const rule = faults.find((f) => f.route === r.route && f.fault._tag === r.fault)
        count(injected, `${r.route}: ${rule !== undefined ? faultName(rule.fault) : r.fault}`)
      }
    }
    // Where a job's time goes, from the fake's log: start → first create request → prediction completed
    // (the fake's lifecycle) → its outputs downloaded (the job woke up and read the end) → result recorded.
    const jobOfPrediction = new Map<string, string>()
    for (const [jobId, ps] of byJob) for (const p of ps) jobOfPrediction.set(p.id, jobId)
    const firstCreate = new Map<string, number>()
    const lastFile = new Map<string, number>()
    for (const r of requests as ReadonlyArray<Recorded.Request>) {
      if (r.route === "predictions.create" && r.body !== undefined) {
        const jobId = /"prompt":"soak job ([^"]+)"/.exec(r.body)?.[1]
        if (jobId !== undefined && !firstCreate.has(jobId)) firstCreate.set(jobId, r.at)
      } else if (r.route === "files.get") {
        const jobId = jobOfPrediction.get(r.path.split("/").at(-2) ?? "")
        if (jobId !== undefined) lastFile.set(jobId, Math.max(lastFile.get(jobId) ?? 0, r.at))
      }
    }
    const phases = {
      toCreate: [] as Array<number>,
      lifecycle: [] as Array<number>,
      wake: [] as Array<number>,
      record: [] as Array<number>
    }
    for (const job of jobs) {
      const [answeredAt, executionId] = started[job.jobId] ?? [NaN, ""]
      const at = startOf.get(executionId) ?? answeredAt
      const created = firstCreate.get(job.jobId)
      const ps = byJob.get(job.jobId) ?? []
      const done = ps.length === 1 && ps[0]!.completed_at !== null ? Date.parse(ps[0]!.completed_at!) : undefined
      const file = lastFile.get(job.jobId)
      const end = endOf.get(executionId)
      if (created === undefined || done === undefined || file === undefined || end === undefined) continue
      phases.toCreate.push(created - at)
      phases.lifecycle.push(done - created)
      phases.wake.push(file - done)
      phases.record.push(end - file)
    }
    for (const xs of Object.values(phases)) sorted(xs)
    const p50p99 = (xs: ReadonlyArray<number>) => `${secs(percentile(xs, 0.5))} / ${secs(percentile(xs, 0.99))}`
    const deliveries = yield* fake.webhookDeliveries
    const deliveryResults = new Map<string, number>()
    for (const d of deliveries) {
      count(
        deliveryResults,
        d.result._tag === "Failed" ? `Failed (${d.result.error.slice(0, 60)})` : d.result._tag
      )
    }
    const canceled = predictions.filter((p) => p.status === "canceled").length
    const searchHits = b.logs.get("Skytells job: found the prediction created for this job; not creating another") ??
      0
    const searchHitsA = a.logs.get("Skytells job: found the prediction created for this job; not creating another") ??
      0

    const checks: Array<[string, string | number, boolean]> = [
      [
        "jobs ended (succeeded or failed typed) / stranded",
        `${ended} / ${tally.get("stranded") ?? 0}`,
        ended === jobs.length
      ],
      [
        "jobs ended in a defect or an interruption",
        invalid.filter((s) => !s.endsWith("stranded")).length,
        invalid.length === 0
      ],
      ["jobs with 2+ predictions (duplicate creates)", duplicates, duplicates === 0],
      ["predictions for jobs whose create the fake refused", refusedButCreated, refusedButCreated === 0],
      ["jobs that should have created, did not fail, and hold no prediction", missing, missing === 0],
      ["predictions belonging to no job", orphans, orphans === 0],
      ["webhook URLs shared by two jobs", urlsShared, urlsShared === 0],
      [
        "output files stored vs outputs reported",
        `${filesStored} vs ${outputsReported}`,
        filesStored === outputsReported
      ]
    ]
    const passed = checks.every(([, , ok]) => ok)

    const row = (cells: ReadonlyArray<string | number>) => `| ${cells.join(" | ")} |`
    const lines: Array<string> = [
      `# Soak: ${o.jobs} durable prediction jobs, two runners on PostgreSQL, one killed`,
      "",
      `\`pnpm soak --jobs ${o.jobs}\` (bench/src/soak-jobs.ts), ${new Date().toISOString().slice(0, 10)}, ` +
      `Node ${process.version}, ${os.cpus().length} CPUs, seed ${o.seed}. ${
        passed ? "**All invariants hold.**" : "**INVARIANT BROKEN.**"
      }`,
      "",
      `Fake on loopback in the soak process, lifecycle ${o.lifecycle.queuedMs} ms queued + ${o.lifecycle.startingMs} ms ` +
      `starting + ${o.lifecycle.processingMs} ms processing = **${
        secs(lifecycleMs)
      }**, every webhook delivered twice ` +
      `(webhookDuplicates 1, to A's port: failed deliveries retried 3 times, 1 s then 2 s apart). Workers A and B ` +
      `(src/worker-jobs.ts, tsx) on one PostgreSQL under prefix \`soak_jobs_<run>\` with their own claim table ` +
      `(dropped at the end); shard locks refreshed every ${o.lockRefreshMs} ms and expiring after ${o.lockExpirationMs} ms, ` +
      `storage polled every ${o.pollIntervalMs} ms, claims taken over after ${o.claimTtlMs} ms; backstop ${o.backstopMs}–${o.backstopMaxMs} ms, ` +
      `searchLimit ${o.searchLimit}. ${half} jobs started through A and ${o.jobs - half} through B, at once; ` +
      `A killed with SIGKILL ${secs(tKill - t0)} after the first start, with ${atKill} predictions in the fake ` +
      `(A had answered ${startedByA} of its ${half} starts; all ${half} were started again through B, which ` +
      `starts nothing for a jobId that exists); B finished the rest (only A served the webhook URL).`,
      "",
      "## Invariants",
      "",
      row(["check", "value", ""]),
      row(["---", "---", "---"]),
      ...checks.map(([name, value, ok]) => row([name, value, ok ? "ok" : "**FAIL**"])),
      "",
      "## Outcomes",
      "",
      row(["outcome", "jobs"]),
      row(["---", "---"]),
      ...[...tally.entries()].sort((x, y) => y[1] - x[1]).map(([state, n]) => row([state, n])),
      "",
      `Models: \`truefusion\` (must succeed), \`fake/fail\` every 50th (PredictionFailed), ` +
      `\`fake/fail-CONTENT_POLICY_VIOLATION\` every 50th (ContentPolicyViolation), ` +
      `\`fake/error-INSUFFICIENT_CREDITS\` every 100th (InsufficientCredits at create: no prediction). ` +
      `Outcomes other than the model's (typed, so not a failure of the run, but listed): ${unexpected.length}.`,
      ...unexpected.slice(0, 20).map((s) => `- ${s}`),
      ...invalid.slice(0, 20).map((s) => `- INVALID ${s}`),
      "",
      "## Figures",
      "",
      row(["figure", "value"]),
      row(["---", "---"]),
      row(["jobs/s (jobs ÷ first start → last result)", `${(jobs.length / (wall / 1000)).toFixed(1)} (${secs(wall)})`]),
      row([
        "job latency p50 / p99 / max (start → result recorded)",
        `${secs(percentile(latencies, 0.5))} / ${secs(percentile(latencies, 0.99))} / ${secs(latencies.at(-1) ?? NaN)}`
      ]),
      row([
        `… results recorded before the kill (${latenciesBeforeKill.length})`,
        `${secs(percentile(latenciesBeforeKill, 0.5))} / ${secs(percentile(latenciesBeforeKill, 0.99))}`
      ]),
      row([
        `… after the kill (${latenciesAfterKill.length})`,
        `${secs(percentile(latenciesAfterKill, 0.5))} / ${secs(percentile(latenciesAfterKill, 0.99))}`
      ]),
      row([
        "fake's own lifecycle, configured / measured p50 / p99 (created → completed)",
        `${secs(lifecycleMs)} / ${secs(percentile(lifecycles, 0.5))} / ${secs(percentile(lifecycles, 0.99))}`
      ]),
      row([
        `… start → first create request (${phases.toCreate.length} succeeded jobs with one prediction)`,
        p50p99(phases.toCreate)
      ]),
      row(["… create → prediction completed (the fake's lifecycle)", p50p99(phases.lifecycle)]),
      row(["… completed → outputs downloaded (the job woke and read the end)", p50p99(phases.wake)]),
      row(["… outputs downloaded → result recorded", p50p99(phases.record)]),
      row([
        "CPU seconds: soak process (fake, checks) / A (until killed) / B",
        `${((process.cpuUsage().user + process.cpuUsage().system) / 1e6).toFixed(0)} / ${cpuA.toFixed(0)} / ${
          cpuB.toFixed(0)
        } (PostgreSQL not counted; ${os.cpus().length} CPUs, shared with other work on the machine)`
      ]),
      row(["predictions in the fake (canceled)", `${predictions.length} (${canceled})`]),
      row(["creates found again by a job's search (A / B)", `${searchHitsA} / ${searchHits}`]),
      row(["engine calls retried after a storage defect (start / result)", storageRetries.length]),
      row(["webhook delivery attempts", [...deliveryResults.entries()].map(([k, n]) => `${k} ${n}`).join(", ")]),
      row(["requests to the fake", [...perRoute.entries()].map(([k, n]) => `${k} ${n}`).join(", ")]),
      row(["faults injected", [...injected.entries()].map(([k, n]) => `${k}: ${n}`).join(", ")]),
      "",
      "Latency is per job, from its start (the engine's run message) to its recorded result (the run's exit " +
      "reply), both read from the engine's tables: their ids are Snowflakes, in milliseconds" +
      (endsFromPolling > 0 ? ` (${endsFromPolling} jobs by B's answer instead, coarse)` : "") +
      ". Job latency includes the create (claim, search, create), the waits (webhook or polling backstop), " +
      "the output download and storage, and the takeover of A's jobs (lock expiry, claim TTL).",
      "",
      "Fault mix (per request, from the fake's seeded PRNG):",
      "",
      ...faults.map((f) => `- \`${f.route}\` ${faultName(f.fault)} at ${f.probability! * 100}%: ${f.why}`),
      ""
    ]
    const retryKinds = new Map<string, number>()
    for (const r of storageRetries) count(retryKinds, r)
    if (retryKinds.size > 0) {
      lines.push("Engine calls that died with a storage error and were retried by the worker:", "")
      for (const [r, n] of retryKinds) lines.push(`- ${r} ×${n}`)
      lines.push("")
    }
    // Each duplicated job's create requests: when (from the first start), from which worker, and how they ended.
    const dupJobs = jobs.filter((j) => (byJob.get(j.jobId)?.length ?? 0) > 1)
    if (dupJobs.length > 0) {
      const createsOf = new Map<string, Array<Recorded.Request>>()
      for (const r of requests) {
        if (r.route !== "predictions.create" || r.body === undefined) continue
        const prompt = /"prompt":"soak job ([^"]+)"/.exec(r.body)?.[1]
        if (prompt !== undefined) createsOf.set(prompt, [...(createsOf.get(prompt) ?? []), r])
      }
      lines.push(
        `Duplicated jobs (${dupJobs.length}; A killed at +${secs(tKill - t0)}), each create request: ` +
          "time since the first start, worker, status or fault, whether the fake acted:",
        ""
      )
      for (const j of dupJobs.slice(0, 30)) {
        const creates = (createsOf.get(j.jobId) ?? []).map((r) =>
          `+${secs(r.at - t0)} ${r.headers["x-soak-worker"] ?? "?"} ${r.status ?? "-"}${
            r.fault !== undefined ? ` ${r.fault}` : ""
          }${r.acted ? " acted" : ""}`
        )
        lines.push(`- ${j.jobId}: ${creates.join("; ")}`)
      }
      lines.push("")
    }
    const logs = [
      ...[...a.logs.entries()].map(([m, n]) => `A: ${m} ×${n}`),
      ...[...b.logs.entries()].map(([m, n]) => `B: ${m} ×${n}`)
    ]
    if (logs.length > 0) {
      lines.push("Worker warnings and errors:", "")
      for (const l of logs) lines.push(`- ${l}`)
      lines.push("")
    }
    const report = lines.join("\n")
    console.log(report)
    if (o.out !== "-") fs.writeFileSync(o.out, report)
    return passed
  })

/** Runs the soak; resolves to the exit code (0 passed, 1 an invariant broke, 2 the run could not run). */
export const run = (argv: ReadonlyArray<string>): Promise<number> => {
  const o = parseOptions(argv)
  return Effect.runPromise(
    soakJobs(o).pipe(
      Effect.scoped,
      Effect.provide(PgClient.layer({ url: Redacted.make(o.pgUrl), connectTimeout: Duration.seconds(2) })),
      Effect.map((ok) => (ok ? 0 : 1))
    )
  ).catch((e) => {
    console.error(e)
    return 2
  })
}
