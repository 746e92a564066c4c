/**
 * `pnpm soak`: the reliability run. Mixed operations against the fake Skytells API with every fault
 * kind injected; prints a summary table and exits non-zero when an invariant is broken.
 *
 * Options: --ops N (5000) --concurrency N (32) --seed N (1) --rate P (0.03 per fault kind, 15 kinds)
 * --transport loopback|fast|in-process (loopback: FakeSkytells.serve + NodeHttpClient.layerUndici; fast: the
 * same fake through NodeSkytellsClient's undici fast path)
 * --timeout ms (per attempt; 2000 on loopback, 300 in process) --out file.md
 *
 * `--jobs [N]` runs the durable-jobs soak instead (src/soak-jobs.ts: N prediction jobs, default 1000, on two
 * runners sharing PostgreSQL, one killed with SIGKILL halfway); its options are listed there.
 */
import * as NodeSkytellsClient from "@effect-skytells/client/NodeSkytellsClient"
import * as FakeSkytells from "@effect-skytells/testing/FakeSkytells"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as fs from "node:fs"
import { passed, runSoak, summary } from "../../test/soak/engine.js"

const argv = process.argv.slice(2)
const opt = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback
}
const operations = Number(opt("ops", "5000"))
const concurrency = Number(opt("concurrency", "32"))
const seed = Number(opt("seed", "1"))
const faultRate = Number(opt("rate", "0.03"))
const transport = opt("transport", "loopback")
// Real sockets and a shared machine need more slack than the in-process fake.
const timeout = Number(opt("timeout", transport === "in-process" ? "300" : "2000"))
const out = opt("out", "")

// The soak checks every request the fake saw (retry budget, duplicates), so the log keeps them all.
const requestLog = { maxEntries: Infinity }

/** The fake on loopback, reached through undici: real sockets, real resets and stalls. */
const loopback = Layer.unwrapScoped(
  Effect.map(FakeSkytells.serve({ seed, requestLog }), (served) =>
    Layer.merge(
      Layer.succeed(FakeSkytells.FakeSkytells, served.fake),
      NodeHttpClient.layerUndici
    ))
) as Layer.Layer<FakeSkytells.FakeSkytells | HttpClient.HttpClient>

const fake = transport === "in-process" ? FakeSkytells.layer({ seed, requestLog }) : loopback

const main = Effect.gen(function*() {
  console.error(
    `soak: ${operations} operations, concurrency ${concurrency}, ${transport}, seed ${seed}, fault rate ${faultRate} per kind`
  )
  const report = yield* runSoak({
    operations,
    concurrency,
    seed,
    faultRate,
    timeout: `${timeout} millis`,
    maxAttempts: 4,
    fake,
    ...(transport === "fast" ? { client: NodeSkytellsClient.layer } : {}),
    progress: (done) => console.error(`  ${done}/${operations}`)
  })
  const table = summary(
    report,
    `Soak: ${operations} operations, concurrency ${concurrency}, ${transport} fake, seed ${seed}`
  )
  console.log(table)
  if (report.defectSamples.length > 0) console.log("\nDefect samples:\n" + report.defectSamples.join("\n---\n"))
  if (out !== "") fs.writeFileSync(out, table + "\n")
  return passed(report)
})

if (argv.includes("--jobs")) {
  // `--jobs [N]`: durable prediction jobs, two runners on PostgreSQL, one killed (src/soak-jobs.ts).
  import("./soak-jobs.js").then((jobs) => jobs.run(argv)).then((code) => process.exit(code), (e) => {
    console.error(e)
    process.exit(2)
  })
} else {
  Effect.runPromise(main).then(
    (ok) => process.exit(ok ? 0 : 1),
    (e) => {
      console.error(e)
      process.exit(2)
    }
  )
}
