/**
 * `pnpm bench`: the client comparison, the memory/batching/polling targets and (with `--profile`)
 * a CPU profile of the toolkit's hot path. Not part of the test run.
 *
 * Method (shared/reference/perf-baseline.md): the server runs in its own process pinned to CPU 1,
 * each client run in a fresh process pinned to CPU 0; every run warms up, then measures; rounds
 * interleave the clients; the table shows medians, and ratios are taken against raw undici in the
 * same round, then the median of those ratios is reported.
 *
 * Options: --rounds N (3) --requests N (6000) --warmup N (1500) --quick (1 round, 1500 requests,
 * no extras; writes results/quick.*.tmp) --only a,c,... --conc 1,64 --no-extras --no-table
 * --merge a.json,b.json (show the extras/profile/micro of earlier runs) --tmp (write *.tmp)
 * --extras rss,list,embed,poll,limiter,webhooks (which extras run; default all) --redis URL (the limiter and
 * webhooks extras' Redis: default SKYTELLS_TEST_REDIS_URL, else redis://127.0.0.1:6379; without one their Redis rows
 * are skipped) --pg URL (the webhooks extra's PostgreSQL: default SKYTELLS_TEST_PG_URL, else
 * postgres://postgres@127.0.0.1:5432/test; without one its PostgreSQL rows are skipped)
 * --profile (cpu profile of the toolkit; --profile-client effect-undici|effect-fast, --profile-conc 64) --micro (stub-transport hot path: the client's
 * sources at --micro-base COMMIT (default HEAD) against the working tree) --base COMMIT (adds row c-base: (c) with
 * the client's sources at COMMIT, in the same rounds) --list N (100000) --rss N (100000)
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
// @ts-expect-error plain JS module without types
import { buildWorker } from "./build.mjs"
import { analyze, type ProfileSummary } from "./profile.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, "..")
const resultsDir = path.join(root, "results")

// Options --------------------------------------------------------------------------------------

const argv = process.argv.slice(2)
const flag = (name: string) => argv.includes(`--${name}`)
const opt = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback
}
const quick = flag("quick")
const rounds = Number(opt("rounds", quick ? "1" : "3"))
const requests = Number(opt("requests", quick ? "1500" : "6000"))
const warmup = Number(opt("warmup", quick ? "500" : "1500"))
const only = opt("only", "").split(",").filter((s) => s !== "")
const concs = opt("conc", "1,64,256").split(",").map(Number)
const extras = !quick && !flag("no-extras")
const extrasWanted = opt("extras", "rss,list,embed,poll,limiter,webhooks").split(",")
const wantExtra = (name: string) => extras && extrasWanted.includes(name)
const redisUrl = opt("redis", process.env.SKYTELLS_TEST_REDIS_URL ?? "redis://127.0.0.1:6379")
const pgUrl = opt("pg", process.env.SKYTELLS_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test")
const table = !flag("no-table")
const profile = flag("profile")
// What --profile records: a worker client (effect-undici: the generic path; effect-fast: the fast path)
// and a concurrency.
const profileClient = opt("profile-client", "effect-undici")
const profileConc = Number(opt("profile-conc", "64"))
const micro = flag("micro")
const microIterations = Number(opt("micro-iterations", "2000"))
const microBase = opt("micro-base", "HEAD")
const base = opt("base", "")
const listTotal = Number(opt("list", "100000"))
const rssTotal = Number(opt("rss", "100000"))
const outName = opt("out", quick ? "quick" : "latest")
const suffix = quick || flag("tmp") ? ".tmp" : ""
/** Extras and profile of an earlier run (its JSON), shown in this run's results. */
const merge = opt("merge", "")

// Clients --------------------------------------------------------------------------------------

interface Client {
  readonly key: string
  readonly label: string
  readonly worker: "raw" | "effect" | "effect-base" | "limiter" | "webhooks"
  readonly client: string
  readonly concs: ReadonlyArray<number>
  /** The raw-undici run it is compared with. */
  readonly baseline: "a" | "a-chat"
}

const clients: ReadonlyArray<Client> = [
  {
    key: "a",
    label: "raw undici Pool.request + JSON.parse (GET prediction)",
    worker: "raw",
    client: "undici",
    concs: [1, 64, 256],
    baseline: "a"
  },
  {
    key: "a-chat",
    label: "raw undici Pool.request + JSON.parse (POST chat)",
    worker: "raw",
    client: "undici-chat",
    concs: [1, 64, 256],
    baseline: "a-chat"
  },
  {
    key: "b",
    label: "global fetch + res.json() (GET prediction)",
    worker: "raw",
    client: "fetch",
    concs: [1, 64],
    baseline: "a"
  },
  {
    key: "c",
    label: "effect-skytells Predictions.get over NodeHttpClient.layerUndici",
    worker: "effect",
    client: "effect-undici",
    concs: [1, 64, 256],
    baseline: "a"
  },
  {
    key: "c-chat",
    label: "effect-skytells Inference.chatCompletion over layerUndici",
    worker: "effect",
    client: "effect-undici-chat",
    concs: [1, 64, 256],
    baseline: "a-chat"
  },
  {
    key: "g",
    label: "effect-skytells Predictions.get over the undici fast path (NodeSkytellsClient.layer)",
    worker: "effect",
    client: "effect-fast",
    concs: [1, 64, 256],
    baseline: "a"
  },
  {
    key: "g-chat",
    label: "effect-skytells Inference.chatCompletion over the undici fast path",
    worker: "effect",
    client: "effect-fast-chat",
    concs: [1, 64, 256],
    baseline: "a-chat"
  },
  {
    key: "d",
    label: "effect-skytells Predictions.get over FetchHttpClient",
    worker: "effect",
    client: "effect-fetch",
    concs: [1, 64, 256],
    baseline: "a"
  },
  {
    key: "e",
    label: "openai chat.completions.create",
    worker: "raw",
    client: "openai",
    concs: [1, 64],
    baseline: "a-chat"
  },
  {
    key: "f",
    label: "skytells (official SDK 1.0.0) getPrediction",
    worker: "raw",
    client: "skytells",
    concs: [1, 64],
    baseline: "a"
  },
  {
    key: "p",
    label: "platform floor: Effect HttpClient (layerUndici) + response.json + Prediction schema, no toolkit",
    worker: "effect",
    client: "platform-undici",
    concs: [1, 64],
    baseline: "a"
  },
  {
    key: "x-notrace",
    label: "(c) with Effect.withTracerEnabled(false) (ablation)",
    worker: "effect",
    client: "effect-undici-notrace",
    concs: [1, 64],
    baseline: "a"
  },
  ...(base === "" ? [] : [{
    key: "c-base",
    label: `(c) with the client's sources at ${base} (before/after in the same rounds)`,
    worker: "effect-base" as const,
    client: "effect-undici",
    concs: [1, 64],
    baseline: "a" as const
  }])
]

// Processes ------------------------------------------------------------------------------------

const sh = (
  cmd: string,
  args: ReadonlyArray<string>,
  timeoutMs: number
): Promise<{ code: number | null; out: string; err: string }> =>
  new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    let err = ""
    child.stdout.on("data", (d) => (out += d))
    child.stderr.on("data", (d) => (err += d))
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, out, err })
    })
  })

const startServer = (): Promise<{ origin: string; stop: () => void; info: Record<string, number> }> =>
  new Promise((resolve, reject) => {
    const child = spawn("taskset", ["-c", "1", process.execPath, path.join(here, "server.mjs")], {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"]
    })
    let buf = ""
    child.stdout.on("data", (d) => {
      buf += d
      const nl = buf.indexOf("\n")
      if (nl >= 0) {
        const info = JSON.parse(buf.slice(0, nl))
        resolve({ origin: `http://127.0.0.1:${info.port}`, stop: () => child.kill("SIGTERM"), info })
      }
    })
    child.on("error", reject)
  })

type Result = Record<string, unknown> & {
  rps: number
  p50: number
  p99: number
  cpuUsPerReq: number
  peakRssMB: number
  gcMs: number
  serverUtil: number
  errors: number
}

let effectWorker = ""

let effectBaseWorker = ""
let limiterWorker = ""
let webhooksWorker = ""
let microWorkers: { base: string; current: string } | undefined

const runWorker = async (
  worker: Client["worker"],
  cfg: Record<string, unknown>,
  nodeFlags: ReadonlyArray<string> = [],
  timeoutMs = 600_000
): Promise<Result> => {
  const script = worker === "raw"
    ? path.join(here, "worker-raw.mjs")
    : worker === "effect"
    ? effectWorker
    : worker === "limiter"
    ? limiterWorker
    : worker === "webhooks"
    ? webhooksWorker
    : effectBaseWorker
  const r = await sh("taskset", ["-c", "0", process.execPath, ...nodeFlags, script, JSON.stringify(cfg)], timeoutMs)
  const line = r.out.split("\n").find((l) => l.startsWith("RESULT "))
  if (line === undefined) {
    throw new Error(`worker ${JSON.stringify(cfg)} failed (exit ${r.code}):\n${r.err.slice(-3000)}`)
  }
  return JSON.parse(line.slice("RESULT ".length))
}

// Statistics -----------------------------------------------------------------------------------

const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : "–")
const fmtInt = (x: number) => (Number.isFinite(x) ? Math.round(x).toString() : "–")

// The limiter's cost ----------------------------------------------------------------------------

const limiterVariants = ["none", "memory", "redis"] as const

/** Whether Redis answers PING at `url` (host and port only; the extra needs no more). */
const redisAnswers = (url: string): Promise<boolean> =>
  new Promise((resolve) => {
    const { hostname, port } = new URL(url)
    const socket = net.connect({ host: hostname, port: Number(port || 6379) })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(2000, () => done(false))
    socket.on("error", () => done(false))
    socket.on("connect", () => socket.write("PING\r\n"))
    socket.on("data", (d) => done(String(d).startsWith("+PONG")))
  })

/**
 * `Predictions.get` over the fast path with no limiter, the in-memory one and the Redis one, each
 * with budgets too large to wait: the same rounds, interleaved, ratios to "none" per round.
 */
const limiterOverhead = async (origin: string) => {
  limiterWorker = await buildWorker("worker-limiter.ts")
  const withRedis = await redisAnswers(redisUrl)
  const variants = limiterVariants.filter((v) => withRedis || !v.startsWith("redis"))
  console.error(
    `limiter: ${variants.join(", ")}${withRedis ? "" : ` (Redis not reachable at ${new URL(redisUrl).host}: skipped)`}…`
  )
  const prefix = `skytells-bench:${process.pid}:`
  const runs: Record<string, Record<number, Array<Result>>> = {}
  for (let round = 0; round < rounds; round++) {
    for (const conc of [1, 64]) {
      const order = variants.map((_, i) => variants[(i + round) % variants.length]!)
      for (const variant of order) {
        const r = await runWorker("limiter", { variant, redisUrl, prefix, origin, warmup, requests, concurrency: conc })
        ;((runs[variant] ??= {})[conc] ??= []).push(r)
      }
    }
  }
  return { redis: withRedis ? new URL(redisUrl).host : undefined, runs }
}

// Webhook deduplication's cost ------------------------------------------------------------------

const webhookVariants = ["memory", "redis", "pg", "sqlite"] as const
type WebhookVariant = (typeof webhookVariants)[number]

const webhookStores: Record<WebhookVariant, string> = {
  memory: "`WebhookStore.layerMemory`",
  redis: "`RedisWebhookStore`",
  pg: "`SqlWebhookStore`, PostgreSQL",
  sqlite: "`SqlWebhookStore`, SQLite"
}

/**
 * One signed delivery of a new event at a time through `Webhooks.handler`, in process, with each
 * store: the same rounds, interleaved, ratios to the in-memory store per round. Redis and PostgreSQL
 * are skipped when they do not answer (Redis: PING; PostgreSQL and SQLite: one delivery in a probe
 * worker). Every run has its own keys and table, removed when it ends; the SQLite files live in a
 * temporary directory removed at the end.
 */
const webhookOverhead = async (origin: string) => {
  webhooksWorker = await buildWorker("worker-webhooks.ts")
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "skytells-bench-webhooks-"))
  let run = 0
  const cfg = (variant: WebhookVariant, concurrency: number, probe = false) => {
    run++
    return {
      variant,
      redisUrl,
      pgUrl,
      sqliteFile: path.join(dir, `run-${run}.db`),
      prefix: `skytells-bench:${process.pid}:`,
      table: `skytells_bench_webhooks_${process.pid}_${run}`,
      origin,
      warmup,
      requests,
      concurrency,
      probe
    }
  }
  try {
    const skipped: Partial<Record<WebhookVariant, string>> = {}
    if (!(await redisAnswers(redisUrl))) skipped.redis = `Redis not reachable at ${new URL(redisUrl).host}`
    for (const variant of ["pg", "sqlite"] as const) {
      const probe = (await runWorker("webhooks", cfg(variant, 1, true), [], 60_000)) as unknown as {
        ok: boolean
        error?: string
      }
      if (!probe.ok) {
        skipped[variant] = `${
          variant === "pg" ? `PostgreSQL at ${new URL(pgUrl).host}` : "SQLite (libsql)"
        } not usable: ${probe.error}`
      }
    }
    const variants = webhookVariants.filter((v) => skipped[v] === undefined)
    console.error(
      `webhooks: ${variants.join(", ")}${Object.values(skipped).map((why) => ` (${why}: skipped)`).join("")}…`
    )
    const runs: Record<string, Record<number, Array<Result>>> = {}
    for (let round = 0; round < rounds; round++) {
      for (const conc of [1, 64]) {
        const order = variants.map((_, i) => variants[(i + round) % variants.length]!)
        for (const variant of order) {
          const r = await runWorker("webhooks", cfg(variant, conc))
          ;((runs[variant] ??= {})[conc] ??= []).push(r)
        }
      }
    }
    return {
      redis: skipped.redis === undefined ? new URL(redisUrl).host : undefined,
      pg: skipped.pg === undefined ? new URL(pgUrl).host : undefined,
      sqlite: skipped.sqlite === undefined,
      skipped,
      runs
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

// Main -----------------------------------------------------------------------------------------

const main = async () => {
  fs.mkdirSync(resultsDir, { recursive: true })
  effectWorker = await buildWorker()
  if (base !== "") effectBaseWorker = await buildWorker("worker-effect.ts", base)
  if (micro) {
    microWorkers = { base: await buildWorker("micro.ts", microBase), current: await buildWorker("micro.ts") }
  }
  const startedAt = new Date()
  const loadBefore = os.loadavg()
  const server = await startServer()
  console.error(
    `bench server on ${server.origin} (pinned to CPU 1); clients pinned to CPU 0; load ${
      loadBefore.map((l) => l.toFixed(2)).join(" ")
    }`
  )
  const selected = clients.filter((c) => only.length === 0 || only.includes(c.key))
  /** results[key][conc] = per-round results */
  const results: Record<string, Record<number, Array<Result>>> = {}
  try {
    if (table) {
      for (let round = 0; round < rounds; round++) {
        for (const conc of concs) {
          const here = selected.filter((c) => c.concs.includes(conc))
          // Interleave: rotate the order every round.
          const order = here.map((_, i) => here[(i + round) % here.length]!)
          for (const c of order) {
            const cfg = {
              mode: "measure",
              client: c.client,
              origin: server.origin,
              warmup,
              requests,
              concurrency: conc
            }
            const t0 = Date.now()
            const r = await runWorker(c.worker, cfg)
            ;((results[c.key] ??= {})[conc] ??= []).push(r)
            console.error(
              `round ${round + 1}/${rounds} conc ${conc} ${c.key.padEnd(9)} ${fmtInt(r.rps).padStart(6)} req/s  p50 ${
                fmt(r.p50, 3)
              } ms  p99 ${fmt(r.p99, 2)} ms  ${fmt(r.cpuUsPerReq, 1)} µs/req  ${fmtInt(r.peakRssMB)} MB${
                r.errors ? `  ERRORS ${r.errors}` : ""
              }  (${((Date.now() - t0) / 1000).toFixed(1)} s)`
            )
          }
        }
      }
    }

    const mergedFiles: Array<any> = merge === ""
      ? []
      : merge.split(",").map((f) => JSON.parse(fs.readFileSync(f, "utf8")))
    const merged = {
      extras: Object.assign({}, ...mergedFiles.map((m) => m.extras ?? {})),
      profile: mergedFiles.find((m) => m.profile)?.profile,
      micro: mergedFiles.find((m) => m.micro)?.micro
    }
    const extrasOut: Record<string, unknown> = { ...merged.extras }
    if (wantExtra("rss")) {
      console.error(`memory: ${rssTotal} sequential Predictions.get (forced GC at checkpoints)…`)
      extrasOut.rss = await runWorker(
        "effect",
        {
          mode: "rss",
          client: "effect-undici",
          origin: server.origin,
          warmup: 2000,
          requests: rssTotal,
          concurrency: 1,
          checkpoints: 10
        },
        ["--expose-gc"],
        1_800_000
      )
    }
    if (wantExtra("list")) {
      console.error(`memory: Predictions.list over ${listTotal} predictions…`)
      extrasOut.list = await runWorker(
        "effect",
        {
          mode: "list",
          client: "effect-undici",
          origin: server.origin,
          warmup: 0,
          requests: listTotal,
          concurrency: 1,
          checkpoints: 10
        },
        ["--expose-gc"],
        1_800_000
      )
    }
    if (wantExtra("embed")) {
      console.error("batching: 1000 concurrent embed…")
      extrasOut.embed = await runWorker("effect", {
        mode: "embed",
        client: "effect-undici",
        origin: server.origin,
        warmup: 0,
        requests: 1000,
        concurrency: 1,
        maxBatch: 64
      })
    }
    if (wantExtra("poll")) {
      console.error("polling: 1000 concurrent wait…")
      extrasOut.poll = await runWorker("effect", {
        mode: "poll",
        client: "effect-undici",
        origin: server.origin,
        warmup: 0,
        requests: 1000,
        concurrency: 1,
        pollIntervalMs: 1000
      })
    }
    if (wantExtra("limiter")) extrasOut.limiter = await limiterOverhead(server.origin)
    if (wantExtra("webhooks")) extrasOut.webhooks = await webhookOverhead(server.origin)

    let prof: ProfileSummary | undefined = merged.profile
    if (profile) {
      console.error(`profile: ${profileClient} at concurrency ${profileConc} with --cpu-prof…`)
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "skytells-prof-"))
      const r = await runWorker(
        "effect",
        { mode: "measure", client: profileClient, origin: server.origin, warmup, requests, concurrency: profileConc },
        ["--cpu-prof", "--cpu-prof-interval", "250", "--cpu-prof-dir", dir]
      )
      const file = fs.readdirSync(dir).find((f) => f.endsWith(".cpuprofile"))!
      prof = analyze(path.join(dir, file), r.window as { startUs: number; endUs: number }, requests)
      fs.copyFileSync(
        path.join(dir, file),
        path.join(resultsDir, `profile-${profileClient}-c${profileConc}.cpuprofile${suffix || ".tmp"}`)
      )
    }

    let microOut: MicroOut | undefined = merged.micro
    if (microWorkers) {
      console.error(`micro: stub-transport per-call cost, sources at ${microBase} vs the working tree, interleaved…`)
      const runs: Array<{ variant: "base" | "current"; result: Record<string, number> }> = []
      for (let round = 0; round < Math.max(2, rounds); round++) {
        const r = await sh(
          "taskset",
          [
            "-c",
            "0",
            process.execPath,
            path.join(here, "micro-ab.mjs"),
            microWorkers.base,
            microWorkers.current,
            JSON.stringify({ iterations: microIterations, parts: round === 0 })
          ],
          900_000
        )
        const line = r.out.split("\n").find((l) => l.startsWith("RESULT "))
        if (line === undefined) throw new Error(`micro failed: ${r.err.slice(-2000)}`)
        for (const run of JSON.parse(line.slice(7))) runs.push(run)
        console.error(`  micro A/B process ${round + 1} done`)
      }
      microOut = { base: microBase, runs }
    }

    const loadAfter = os.loadavg()
    const out = render({
      startedAt,
      loadBefore,
      loadAfter,
      results,
      selected,
      extrasOut,
      prof,
      microOut,
      serverInfo: server.info
    })
    fs.writeFileSync(path.join(resultsDir, `${outName}.md${suffix}`), out.markdown)
    fs.writeFileSync(path.join(resultsDir, `${outName}.json${suffix}`), JSON.stringify(out.json, null, 2))
    console.log(out.markdown)
    console.error(`wrote ${path.join(resultsDir, `${outName}.md${suffix}`)} and .json${suffix}`)
  } finally {
    server.stop()
  }
}

// Rendering ------------------------------------------------------------------------------------

interface MicroOut {
  readonly base: string
  readonly runs: ReadonlyArray<{ variant: "base" | "current"; result: Record<string, number> }>
}

interface RenderInput {
  readonly startedAt: Date
  readonly loadBefore: ReadonlyArray<number>
  readonly loadAfter: ReadonlyArray<number>
  readonly results: Record<string, Record<number, Array<Result>>>
  readonly selected: ReadonlyArray<Client>
  readonly extrasOut: Record<string, any>
  readonly prof: ProfileSummary | undefined
  readonly microOut: MicroOut | undefined
  readonly serverInfo: Record<string, number>
}

const render = (input: RenderInput) => {
  const { results, selected, extrasOut, prof } = input
  const rows: Array<Record<string, unknown>> = []
  const lines: Array<string> = []
  const summary: Record<string, Record<number, Record<string, number>>> = {}
  const at0 = (key: string, conc: number) => (results[key]?.[conc]?.length ?? 0) > 0
  /** Per-round ratio of `key` to its baseline, then the median. */
  const ratio = (key: string, base: string, conc: number, f: (r: Result) => number) => {
    const xs = results[key]?.[conc] ?? []
    const bs = results[base]?.[conc] ?? []
    return median(xs.map((r, i) => (bs[i] ? f(r) / f(bs[i]!) : NaN)))
  }
  lines.push(`# effect-skytells benchmark`)
  lines.push("")
  lines.push(
    `${input.startedAt.toISOString()} · Node ${process.version} · ${os.cpus().length} × ${
      os.cpus()[0]?.model ?? "?"
    } · ` +
      `load average before ${input.loadBefore.map((l) => l.toFixed(2)).join("/")}, after ${
        input.loadAfter.map((l) => l.toFixed(2)).join("/")
      } (1/5/15 min; 2 cores — above 2 the machine was shared)`
  )
  lines.push("")
  lines.push(
    `Server: node:http keep-alive on loopback, own process pinned to CPU 1 (prediction ${input.serverInfo.predictionBytes} B, chat completion ${input.serverInfo.chatBytes} B). ` +
      `Each client run: a fresh process pinned to CPU 0, ${warmup} warm-up then ${requests} measured requests; ${rounds} interleaved round(s); medians. ` +
      `CPU = client user+sys in the measured phase; RSS = client process peak; GC = summed pauses; srv = server CPU utilisation. ` +
      `Ratios are per round against raw undici on the same endpoint (a for GET prediction, a-chat for chat), then the median. ` +
      `The toolkit runs with full schema decoding, the default retry policy, tracing on (effect's default tracer), metrics on; The toolkit's sources are bundled with esbuild (unminified, npm packages external) so its workers run on plain node, like the raw clients.`
  )
  lines.push("")
  lines.push(
    "| client | conc | req/s (min–max) | p50 ms | p99 ms | CPU µs/req | peak RSS MB | GC ms | srv | req/s ÷ base | CPU/req ÷ base |"
  )
  lines.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
  for (const conc of concs) {
    for (const c of selected) {
      const rs = results[c.key]?.[conc]
      if (!rs || rs.length === 0) continue
      const rps = rs.map((r) => r.rps)
      const m = {
        rps: median(rps),
        p50: median(rs.map((r) => r.p50)),
        p99: median(rs.map((r) => r.p99)),
        cpu: median(rs.map((r) => r.cpuUsPerReq)),
        rss: median(rs.map((r) => r.peakRssMB)),
        gc: median(rs.map((r) => r.gcMs)),
        srv: median(rs.map((r) => r.serverUtil)),
        errors: rs.reduce((n, r) => n + r.errors, 0),
        rpsRatio: ratio(c.key, c.baseline, conc, (r) => r.rps),
        cpuRatio: ratio(c.key, c.baseline, conc, (r) => r.cpuUsPerReq)
      }
      ;(summary[c.key] ??= {})[conc] = m
      rows.push({ key: c.key, label: c.label, conc, ...m, rounds: rs })
      lines.push(
        `| ${c.key}) ${c.label}${m.errors ? ` **${m.errors} errors**` : ""} | ${conc} | ${fmtInt(m.rps)} (${
          fmtInt(Math.min(...rps))
        }–${fmtInt(Math.max(...rps))}) | ${fmt(m.p50, 3)} | ${fmt(m.p99, 2)} | ${fmt(m.cpu, 1)} | ${fmtInt(m.rss)} | ${
          fmtInt(m.gc)
        } | ${fmt(m.srv)} | ${fmt(m.rpsRatio)} (÷${c.baseline}) | ${fmt(m.cpuRatio)}× |`
      )
    }
  }
  lines.push("")
  /** Per-round CPU per request of `key` minus the platform floor's, then the median. */
  const aboveFloor = (key: string, conc: number) =>
    median(
      (results[key]?.[conc] ?? []).map((r, i) => r.cpuUsPerReq - (results["p"]?.[conc]?.[i]?.cpuUsPerReq ?? NaN))
    )
  for (const conc of concs) {
    if (!at0("c-base", conc) || !at0("c", conc)) continue
    lines.push(
      `Before/after at conc ${conc} (same rounds): throughput c ÷ c-base ${
        fmt(ratio("c", "c-base", conc, (r) => r.rps))
      }×, CPU per request c ÷ c-base ${fmt(ratio("c", "c-base", conc, (r) => r.cpuUsPerReq))}×; ` +
        `toolkit CPU above the platform floor (c − p): ${fmt(aboveFloor("c", conc), 0)} µs/req now, ${
          fmt(aboveFloor("c-base", conc), 0)
        } µs/req at ${base}.`
    )
    lines.push("")
  }

  // Targets ----------------------------------------------------------------------------------
  const targets: Array<{ target: string; measured: string; met: boolean | undefined }> = []
  const at = (key: string, conc: number) => summary[key]?.[conc]
  // The core targets: the undici fast path (g, g-chat) against raw undici, openai and the official
  // SDK, and the generic HttpClient path (c) against raw undici, all from the same rounds.
  const versus = [
    ["g-chat", "e", 3, "conc 64: fast-path chat throughput ≥ 3× openai's (g-chat ÷ e)"],
    ["g", "f", 2, "conc 64: fast-path GET throughput ≥ 2× the official SDK's (g ÷ f)"]
  ] as const
  for (const [key, other, atLeast, target] of versus) {
    if (!at(key, 64) || !at(other, 64)) continue
    const r = ratio(key, other, 64, (x) => x.rps)
    targets.push({ target, measured: `${fmt(r)}×`, met: r >= atLeast })
  }
  for (const key of ["g", "g-chat"]) {
    const s = at(key, 64)
    if (s) {
      targets.push({
        target: `conc 64: ${key} throughput ≥ 0.5× raw undici`,
        measured: `${fmt(s.rpsRatio)}×`,
        met: s.rpsRatio >= 0.5
      })
    }
  }
  const cpuTargets = [
    ["g", 64, 2],
    ["g-chat", 64, 2],
    ["g", 1, 1.5],
    ["g-chat", 1, 1.5],
    ["c", 64, 4],
    ["c-chat", 64, 4]
  ] as const
  for (const [key, conc, atMost] of cpuTargets) {
    const s = at(key, conc)
    if (s) {
      targets.push({
        target: `conc ${conc}: ${key} client CPU per request ≤ ${atMost}× raw undici`,
        measured: `${fmt(s.cpuRatio)}×`,
        met: s.cpuRatio <= atMost
      })
    }
  }
  const rss = extrasOut.rss
  if (rss) {
    const pts = rss.points as Array<{ at: number; heapUsedMB: number; rssMB: number }>
    const first = pts[1] ?? pts[0]!
    const last = pts[pts.length - 1]!
    const heapGrowth = last.heapUsedMB - first.heapUsedMB
    const rssGrowth = last.rssMB - first.rssMB
    targets.push({
      target:
        `${rss.requests} sequential requests: memory flat after warm-up (live heap after forced GC grows < 2 MB from the first checkpoint to the last)`,
      measured: `heap ${fmt(first.heapUsedMB, 1)} → ${fmt(last.heapUsedMB, 1)} MB (${heapGrowth >= 0 ? "+" : ""}${
        fmt(heapGrowth, 2)
      }), RSS ${fmt(first.rssMB, 0)} → ${fmt(last.rssMB, 0)} MB (${rssGrowth >= 0 ? "+" : ""}${
        fmt(rssGrowth, 1)
      }); ${rss.errors} errors; ${fmtInt(rss.rps)} req/s`,
      met: heapGrowth < 2 && rss.errors === 0
    })
  }
  const list = extrasOut.list
  if (list) {
    const pts = list.points as Array<{ at: number; heapUsedMB: number; rssMB: number }>
    const first = pts[1] ?? pts[0]!
    const last = pts[pts.length - 1]!
    const growth = last.heapUsedMB - first.heapUsedMB
    targets.push({
      target:
        `Predictions.list stream over ${listTotal} predictions in constant memory (live heap after forced GC grows < 2 MB)`,
      measured: `${list.items} items in ${list.pages} pages, ${fmtInt(list.itemsPerSec)} items/s; heap ${
        fmt(first.heapUsedMB, 1)
      } → ${fmt(last.heapUsedMB, 1)} MB (${growth >= 0 ? "+" : ""}${fmt(growth, 2)}), peak RSS ${
        fmtInt(list.peakRssMB)
      } MB`,
      met: growth < 2 && list.items === listTotal
    })
  }
  const embed = extrasOut.embed
  if (embed) {
    targets.push({
      target:
        `1000 concurrent embed (maxBatchSize ${embed.maxBatch}) send ≤ ceil(1000/${embed.maxBatch}) = ${embed.limit} requests`,
      measured:
        `${embed.requests} requests, largest batch ${embed.largestBatch}, ${embed.inputs} inputs, vectors ok: ${embed.vectorsOk}, ${
          fmt(embed.seconds)
        } s`,
      met: embed.requests <= embed.limit && embed.vectorsOk
    })
  }
  const poll = extrasOut.poll
  if (poll) {
    targets.push({
      target:
        `wait on ${poll.predictions} concurrent predictions (Schedule.spaced ${poll.intervalMs} ms): no two polls of one prediction closer than the interval; peak rate ≤ the schedule's bound`,
      measured: `${poll.succeeded}/${poll.predictions} succeeded, ${poll.requests} GETs (${
        fmt(poll.perPrediction, 2)
      }/prediction, ${poll.expectedPerPrediction} if polled exactly on schedule), min gap ${
        fmt(poll.minGapMs, 1)
      } ms, ${poll.gapViolations} violations, peak ${poll.peakPerSecond} req/s (bound ${poll.boundPerSecond})`,
      met: poll.gapViolations === 0 && poll.peakPerSecond <= poll.boundPerSecond && poll.succeeded === poll.predictions
    })
  }
  if (targets.length > 0) {
    lines.push("## Targets")
    lines.push("")
    lines.push("| target | measured | met |")
    lines.push("|---|---|:---:|")
    for (const t of targets) {
      lines.push(`| ${t.target} | ${t.measured} | ${t.met === undefined ? "–" : t.met ? "yes" : "**no**"} |`)
    }
    lines.push("")
  }
  if (rss || list) {
    lines.push("Memory checkpoints (live heap MB after forced GC / RSS MB):")
    lines.push("")
    for (const [name, r] of [["sequential get", rss], ["list stream", list]] as const) {
      if (!r) continue
      lines.push(
        `- ${name}: ${
          (r.points as Array<any>).map((p) => `${p.at}: ${fmt(p.heapUsedMB, 1)}/${fmt(p.rssMB, 0)}`).join(", ")
        }`
      )
    }
    lines.push("")
  }
  const limiter = extrasOut.limiter as
    | { redis: string | undefined; runs: Record<string, Record<number, Array<Result>>> }
    | undefined
  if (limiter) {
    lines.push("## The limiter's cost per call")
    lines.push("")
    lines.push(
      `Predictions.get over the fast path (g), budgets of 10^8 a minute and 10^9 a day (never waited for): no limiter, ` +
        `\`Limiter.layerMemory\`, \`RedisRateLimiter.layer\` (Redis ${
          limiter.redis ?? "not reachable: skipped"
        }, unpinned; its pause read before every request). ` +
        `Ratios per round to "none" of the same round, then the median.`
    )
    lines.push("")
    lines.push("| limiter | conc | req/s | p50 ms | CPU µs/req | req/s ÷ none | CPU/req ÷ none |")
    lines.push("|---|---:|---:|---:|---:|---:|---:|")
    for (const conc of [1, 64]) {
      for (const variant of limiterVariants) {
        const rs = limiter.runs[variant]?.[conc]
        if (!rs || rs.length === 0) continue
        const none = limiter.runs["none"]?.[conc] ?? []
        const versus = (f: (r: Result) => number) => median(rs.map((r, i) => (none[i] ? f(r) / f(none[i]!) : NaN)))
        lines.push(
          `| ${variant} | ${conc} | ${fmtInt(median(rs.map((r) => r.rps)))} | ${
            fmt(median(rs.map((r) => r.p50)), 3)
          } | ${fmt(median(rs.map((r) => r.cpuUsPerReq)), 1)} | ${fmt(versus((r) => r.rps))} | ${
            fmt(versus((r) => r.cpuUsPerReq))
          }× |`
        )
      }
    }
    lines.push("")
  }
  const webhooks = extrasOut.webhooks as
    | {
      redis: string | undefined
      pg: string | undefined
      sqlite: boolean
      skipped: Partial<Record<WebhookVariant, string>>
      runs: Record<string, Record<number, Array<Result & { duplicateDropped?: boolean }>>>
    }
    | undefined
  if (webhooks) {
    lines.push("## Webhook deduplication's cost per delivery")
    lines.push("")
    lines.push(
      `One signed delivery of a new \`prediction.succeeded\` event (the envelope around the bench's prediction, ${
        fmtInt(Number(webhooks.runs["memory"]?.[1]?.[0]?.bodyBytes))
      } B) at a time through \`Webhooks.handler\`, in process (\`HttpServerRequest.fromWeb\`, no ` +
        `HTTP server or socket, which would cost every store the same): body read, signature verified, event decoded, ` +
        `key marked in the store, an \`onEvent\` that does nothing, 204. Stores: \`WebhookStore.layerMemory\`; ` +
        `\`RedisWebhookStore.layer\` (${
          webhooks.redis ?? "Redis not reachable: skipped"
        }); \`SqlWebhookStore.layer\` on ` +
        `PostgreSQL (${
          webhooks.pg === undefined ? "not usable: skipped" : `${webhooks.pg}, \`PgClient\`'s default pool`
        }) and on SQLite (${
          webhooks.sqlite ? "libsql, a file in the temporary directory" : "not usable: skipped"
        }); a fresh table or key prefix per run, removed after it. CPU is the worker's own (user+sys): Redis's and ` +
        `PostgreSQL's servers run in other processes, unpinned, and are not counted; SQLite runs in the worker and is. ` +
        `Ratios per round to the in-memory store of the same round, then the median.`
    )
    for (const why of Object.values(webhooks.skipped)) lines.push("", `Skipped: ${why}.`)
    lines.push("")
    lines.push(
      "| store | conc | deliveries/s | p50 ms | CPU µs/delivery | deliveries/s ÷ memory | CPU/delivery ÷ memory |"
    )
    lines.push("|---|---:|---:|---:|---:|---:|---:|")
    for (const conc of [1, 64]) {
      for (const variant of webhookVariants) {
        const rs = webhooks.runs[variant]?.[conc]
        if (!rs || rs.length === 0) continue
        const memory = webhooks.runs["memory"]?.[conc] ?? []
        const versus = (f: (r: Result) => number) => median(rs.map((r, i) => (memory[i] ? f(r) / f(memory[i]!) : NaN)))
        const errors = rs.reduce((n, r) => n + r.errors, 0)
        const notDropped = rs.filter((r) => r.duplicateDropped === false).length
        lines.push(
          `| ${webhookStores[variant]}${errors ? ` **${errors} errors**` : ""}${
            notDropped ? ` **a duplicate handled again in ${notDropped} run(s)**` : ""
          } | ${conc} | ${fmtInt(median(rs.map((r) => r.rps)))} | ${fmt(median(rs.map((r) => r.p50)), 3)} | ${
            fmt(median(rs.map((r) => r.cpuUsPerReq)), 1)
          } | ${fmt(versus((r) => r.rps))} | ${fmt(versus((r) => r.cpuUsPerReq))}× |`
        )
      }
    }
    lines.push("")
  }
  if (prof) {
    lines.push(`## CPU profile: ${profileClient}, concurrency ${profileConc} (measured phase only)`)
    lines.push("")
    lines.push(
      `${prof.samples} samples, ${fmt(prof.totalMs, 0)} ms in the window, ${
        fmt(prof.usPerRequest, 1)
      } µs of samples per request.`
    )
    lines.push("")
    lines.push("| # | self ms | self % | function (package/file:line) |")
    lines.push("|---:|---:|---:|---|")
    prof.topSelf.forEach((f, i) => lines.push(`| ${i + 1} | ${fmt(f.ms, 0)} | ${fmt(f.pct, 1)} | \`${f.name}\` |`))
    lines.push("")
    lines.push("| self time by package/category | ms | % | µs/req |")
    lines.push("|---|---:|---:|---:|")
    for (const c of prof.categories) {
      lines.push(`| ${c.name} | ${fmt(c.ms, 0)} | ${fmt(c.pct, 1)} | ${fmt(c.usPerReq, 1)} |`)
    }
    lines.push("")
    lines.push("Inclusive time of the toolkit's own functions (packages/client), per request:")
    lines.push("")
    lines.push("| function | inclusive ms | % | µs/req |")
    lines.push("|---|---:|---:|---:|")
    for (const f of prof.toolkitInclusive) {
      lines.push(`| \`${f.name}\` | ${fmt(f.ms, 0)} | ${fmt(f.pct, 1)} | ${fmt(f.usPerReq, 1)} |`)
    }
    lines.push("")
  }
  const mo = input.microOut
  if (mo) {
    const GET = "Predictions.get (stub transport)"
    const FLOOR = "floor: stub HttpClient.execute + arrayBuffer + JSON.parse + Schema decode"
    lines.push("## Hot path without a network (stub HttpClient, CPU µs per call, sequential)")
    lines.push("")
    lines.push(
      "Both variants run in the same processes, alternated (A B B A A B); medians. \"overhead\" = the call minus the floor measured in the same process (the platform client, body read, JSON.parse and the Prediction schema: the work any Effect client must do)."
    )
    lines.push("")
    lines.push(`| measurement | sources at ${mo.base} | working tree | change |`)
    lines.push("|---|---:|---:|---:|")
    const keys = Object.keys(mo.runs[0]!.result).filter((k) => !k.startsWith("part:"))
    const med = (variant: "base" | "current", f: (r: Record<string, number>) => number) =>
      median(mo.runs.filter((r) => r.variant === variant).map((r) => f(r.result)))
    for (const k of keys) {
      const a = med("base", (r) => r[k]!)
      const b = med("current", (r) => r[k]!)
      lines.push(`| ${k} | ${fmt(a, 1)} | ${fmt(b, 1)} | ${fmt((100 * (b - a)) / a, 0)} % |`)
    }
    const oa = med("base", (r) => r[GET]! - r[FLOOR]!)
    const ob = med("current", (r) => r[GET]! - r[FLOOR]!)
    lines.push(
      `| **overhead of Predictions.get over the floor** | **${fmt(oa, 1)}** | **${fmt(ob, 1)}** | **${
        fmt((100 * (ob - oa)) / oa, 0)
      } %** |`
    )
    lines.push("")
    const parts = mo.runs.find((r) => r.variant === "base" && Object.keys(r.result).some((k) => k.startsWith("part:")))
    if (parts) {
      lines.push(`Ingredients (sources at ${mo.base}, CPU µs per operation, loop overhead included):`)
      lines.push("")
      lines.push("| ingredient | µs |")
      lines.push("|---|---:|")
      for (const [k, v] of Object.entries(parts.result)) {
        if (k.startsWith("part:")) lines.push(`| ${k.slice(6)} | ${fmt(v, 1)} |`)
      }
      lines.push("")
    }
  }
  return {
    markdown: lines.join("\n"),
    json: {
      startedAt: input.startedAt.toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      loadBefore: input.loadBefore,
      loadAfter: input.loadAfter,
      options: { rounds, requests, warmup, concs },
      rows,
      targets,
      extras: extrasOut,
      profile: prof,
      micro: input.microOut
    }
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
