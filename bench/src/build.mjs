// Bundles the Effect bench worker (and the toolkit's TypeScript sources it imports) into one plain
// ESM file with esbuild, unminified, so that workers run without a TS loader (no loader RSS or
// start-up cost in the measurements) and CPU profiles point at readable lines. npm packages
// (effect, @effect/*, undici) stay external and load from node_modules, as in a user's build.
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
const esbuild = createRequire(createRequire(import.meta.url).resolve("tsx/package.json"))("esbuild")

export const buildDir = path.join(here, "..", "build")

/**
 * The hot-path changes proposed to packages/client, as text patches, so `pnpm bench --micro` can
 * measure them against the current sources. A patch whose anchor is gone (the file changed) is
 * reported and skipped.
 */
export const patches = [
  {
    id: "P1-span-stack",
    file: "packages/client/src/internal/client.ts",
    what: "per-call and per-attempt spans: captureStackTrace: false (no `new Error()` per span)",
    find:
      /Effect\.withSpan\(("Skytells\.attempt"|`Skytells \$\{request\.method\} \$\{request\.route\}`), \{\n(\s*)kind: "client",/g,
    replace: (_m, name, indent) =>
      `Effect.withSpan(${name}, {\n${indent}kind: "client",\n${indent}captureStackTrace: false,`
  },
  {
    id: "P1-span-stack",
    file: "packages/client/src/Predictions.ts",
    what: "operation spans: captureStackTrace: false",
    find: /Effect\.withSpan\("Predictions\.(get|listPage|create)"\)/g,
    replace: (_m, op) => `Effect.withSpan("Predictions.${op}", { captureStackTrace: false })`
  },
  {
    id: "P2-lazy-retry-state",
    file: "packages/client/src/internal/client.ts",
    what: "retry loop: read the policy FiberRefs and build the Schedule driver only after a failure",
    find:
      /const policy = Option\.getOrElse\(yield\* FiberRef\.get\(Retry\.currentPolicy\), \(\) =>\n\s*options\.retry\?\.policy \?\? Retry\.defaultPolicy\)\n\s*const retryAmbiguous = Option\.getOrElse\(\n\s*yield\* FiberRef\.get\(Retry\.currentRetryAmbiguous\),\n\s*\(\) => options\.retry\?\.retryAmbiguous \?\? false\n\s*\)\n(\s*)const idempotent = request\.idempotent \?\? request\.method !== "POST"\n\s*const driver = yield\* Schedule\.driver\(Retry\.honourRetryAfter\(policy, maxRetryAfter\)\)\n/,
    replace: (_m, indent) =>
      `${indent}const idempotent = request.idempotent ?? request.method !== "POST"\n` +
      `${indent}let retryAmbiguous: boolean | undefined = undefined\n` +
      `${indent}let driver: Schedule.ScheduleDriver<unknown, SkytellsError.SkytellsError, never> | undefined = undefined\n`
  },
  {
    id: "P2-lazy-retry-state",
    file: "packages/client/src/internal/client.ts",
    what: "(the failure branch computes them on first use)",
    find: /const error = result\.left\n(\s*)const verdict = Retry\.verdict\(error, \{ idempotent, retryAmbiguous \}\)/,
    replace: (_m, indent) =>
      `const error = result.left\n` +
      `${indent}if (retryAmbiguous === undefined) {\n` +
      `${indent}  retryAmbiguous = Option.getOrElse(yield* FiberRef.get(Retry.currentRetryAmbiguous), () => options.retry?.retryAmbiguous ?? false)\n` +
      `${indent}}\n` +
      `${indent}const verdict = Retry.verdict(error, { idempotent, retryAmbiguous })`
  },
  {
    id: "P2-lazy-retry-state",
    file: "packages/client/src/internal/client.ts",
    what: "(driver on first retry)",
    find: /const next = yield\* Effect\.either\(driver\.next\(error\)/,
    replace: () =>
      `if (driver === undefined) {\n` +
      `            const policy = Option.getOrElse(yield* FiberRef.get(Retry.currentPolicy), () => options.retry?.policy ?? Retry.defaultPolicy)\n` +
      `            driver = yield* Schedule.driver(Retry.honourRetryAfter(policy, maxRetryAfter))\n` +
      `          }\n` +
      `          const next = yield* Effect.either(driver.next(error)`
  },
  {
    id: "P3-metric-cache",
    file: "packages/client/src/internal/client.ts",
    what: "tagged metrics built once per (metric, route, tag) and reused (no new MetricKey + hash per call)",
    find:
      /Metric\.tagged\(Metric\.tagged\((requests|retries|failures), "route", request\.route\), ("outcome"|"reason"|"error"), ([^)]+)\)/g,
    replace: (_m, metric, key, value) => `taggedMetric(${metric}, request.route, ${key}, ${value})`
  },
  {
    id: "P3-metric-cache",
    file: "packages/client/src/internal/client.ts",
    what: "(the cache)",
    find: /\n\/\/ Bodies -{10,}/,
    replace: (m) =>
      `\nconst taggedCaches = new WeakMap<object, Map<string, Metric.Metric.Counter<number>>>()\n` +
      `const taggedMetric = (metric: Metric.Metric.Counter<number>, route: string, key: string, value: string) => {\n` +
      `  let cache = taggedCaches.get(metric)\n` +
      `  if (cache === undefined) taggedCaches.set(metric, cache = new Map())\n` +
      `  const id = \`\${route}\\u0000\${key}\\u0000\${value}\`\n` +
      `  let tagged = cache.get(id)\n` +
      `  if (tagged === undefined) {\n` +
      `    tagged = Metric.tagged(Metric.tagged(metric, "route", route), key, value)\n` +
      `    if (cache.size < 10_000) cache.set(id, tagged)\n` +
      `  }\n` +
      `  return tagged\n` +
      `}\n` + m
  },
  {
    id: "P4-headers-once",
    file: "packages/client/src/internal/client.ts",
    what: "buildRequest: one setHeaders of a record prebuilt per accept value instead of setHeaders + 2 × setHeader",
    find:
      /HttpClientRequest\.setHeaders\(staticHeaders\),\n\s*HttpClientRequest\.setHeader\("accept", accept\),\n\s*HttpClientRequest\.setHeader\("x-api-key", Redacted\.value\(apiKey\)\)\n/,
    replace: () => `HttpClientRequest.setHeaders(headersFor(accept))\n`
  },
  {
    id: "P4-headers-once",
    file: "packages/client/src/internal/client.ts",
    what: "(the prebuilt records)",
    find: /const apiKey = options\.apiKey\n/,
    replace: (m) =>
      m + `    const headerRecords = new Map<string, Record<string, string>>()\n` +
      `    const headersFor = (accept: string) => {\n` +
      `      let h = headerRecords.get(accept)\n` +
      `      if (h === undefined) {\n` +
      `        h = { ...staticHeaders, accept, "x-api-key": Redacted.value(apiKey) }\n` +
      `        if (headerRecords.size < 16) headerRecords.set(accept, h)\n` +
      `      }\n` +
      `      return h\n` +
      `    }\n`
  }
]

const patchPlugin = (applied) => ({
  name: "patches",
  setup(build) {
    build.onLoad({ filter: /packages\/client\/src\/.*\.ts$/ }, async (args) => {
      const fs = await import("node:fs")
      let text = fs.readFileSync(args.path, "utf8")
      // Sources that already carry the change (the lead applied it) are left alone.
      const done = text.includes("captureStackTrace: false")
      for (const p of patches) {
        if (!args.path.endsWith(p.file)) continue
        if (done) {
          applied.push({ id: p.id, what: p.what, applied: false, already: true })
          continue
        }
        const before = text
        text = text.replace(p.find, p.replace)
        applied.push({ id: p.id, what: p.what, applied: text !== before })
      }
      return { contents: text, loader: "ts" }
    })
  }
})

/** Loads the hot-path files as they were at `commit` (for a before/after A/B of landed changes). */
const revertPlugin = (commit) => ({
  name: "revert",
  setup(build) {
    build.onLoad({ filter: /packages\/client\/src\/(internal\/client|Predictions)\.ts$/ }, async (args) => {
      const { execFileSync } = await import("node:child_process")
      const rel = args.path.slice(args.path.indexOf("packages/client/"))
      const contents = execFileSync("git", ["show", `${commit}:${rel}`], {
        cwd: path.join(here, "..", ".."),
        encoding: "utf8"
      })
      return { contents, loader: "ts" }
    })
  }
})

export const buildWorker = async (entry = "worker-effect.ts", patched = false, revert = undefined) => {
  const outfile = path.join(
    buildDir,
    entry.replace(/\.ts$/, revert ? `-${revert}.js` : patched ? "-patched.js" : ".js")
  )
  const applied = []
  await esbuild.build({
    entryPoints: [path.join(here, entry)],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: false,
    minify: false,
    logLevel: "warning",
    plugins: [...(patched ? [patchPlugin(applied)] : []), ...(revert ? [revertPlugin(revert)] : []), {
      name: "externals",
      setup(build) {
        // Bundle the workspace packages and relative files; keep every npm package external.
        build.onResolve(
          { filter: /^[^./]/ },
          (args) => args.path.startsWith("@effect-skytells/") ? undefined : { path: args.path, external: true }
        )
      }
    }]
  })
  if (patched) {
    for (const a of applied) {
      if (!a.applied && !a.already) console.error(`patch ${a.id} (${a.what}) did not apply: its anchor is gone`)
    }
  }
  return patched ? { outfile, applied, pending: applied.some((a) => a.applied) } : outfile
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mode = process.argv[3] ?? ""
  console.log(
    await buildWorker(process.argv[2], mode === "patched", mode.startsWith("revert:") ? mode.slice(7) : undefined)
  )
}
