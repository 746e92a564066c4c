// Checks that the published form of every package in packages/* (all that aren't private) works for a
// consumer outside the workspace, from Node 20. The packages must have been built first (`pnpm build`).
//
//   1. `pnpm pack` each package into a temp dir (publishConfig swaps the dev-time src exports for
//      build/{esm,cjs,dts}, and `workspace:` ranges for real ones). Each tarball must hold README.md,
//      LICENSE (the repository's), the build and a .d.cts next to every .d.ts; its package.json must
//      have no `workspace:` range and no other package of ours in `dependencies` (peers only, so a
//      user never gets a second copy).
//   2. Install the tarballs into a fresh project outside the workspace with the peers no package
//      marks optional (effect, @effect/platform, ...: the versions in the workspace's node_modules, so
//      no registry is needed), not the optional ones: each package that needs no more (the client
//      without @effect/platform-node and undici, ...) must `import()` and `require()` from there.
//   3. Add the other peers (@effect/platform-node, undici, ...) and @types/node. For every package, in
//      plain Node: `import()` and `require()` of the barrel and of every public module (build/esm/*.js,
//      save scripts such as the testing package's `bin`, whose declarations export nothing) must load
//      from build/esm and build/cjs respectively, with the same export names both ways; `internal/*`
//      must be blocked by the exports map; a package of ours listed as a peer must resolve to the
//      consumer's own copy. Plus a few checks by name (SkytellsError, NodeSkytellsClient, FakeSkytells).
//   4. Type-check a consumer of every package (the barrel, every public module, a few typed uses, and
//      the Quick start of the package's README if it has one) against the shipped declarations, as:
//        esm-node16    "type": "module", module/moduleResolution Node16          loads our .d.ts
//        cjs-node16    no "type", module/moduleResolution Node16                   loads our .d.cts
//        esm-bundler   "type": "module", module ESNext, moduleResolution Bundler   loads our .d.ts
//        mts-nodenext  .mts files, module/moduleResolution NodeNext                loads our .d.ts
//      strict, exactOptionalPropertyTypes, skipLibCheck false. This runs the workspace's TypeScript
//      through its API (two worker threads, each sharing parsed files between its programs) and
//      reports what `tsc -p` would for the consumer files and, in the two node16 layouts (one per
//      flavor), for our shipped declaration files themselves; not for effect's own .d.ts, which take
//      several times longer to check and aren't ours. Each layout must load only the declaration
//      flavor above. Each layout is a directory with its own package.json and tsconfig.json: with
//      --keep, `tsc -p` there checks it in full (the command is printed on failure).
//
//   5. What a new user does first, in that project (with vitest and @effect/vitest added): a plain
//      async script (ESM and CommonJS) whose `catch` sees the typed error instance from PromiseClient,
//      and an `@effect/vitest` test of `Predictions.run` against `FakeSkytells.layerTest()` that must
//      pass within seconds with no clock handling.
//
// Ends with a table of what passed for each package, and exit code 1 if anything failed.
// Plain Node ESM, no dependencies. Usage: node scripts/check-package.mjs [--keep]
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const keep = process.argv.includes("--keep")
const started = Date.now()
const seconds = (since = started) => `${((Date.now() - since) / 1000).toFixed(1)} s`
const tscBin = path.join(root, "node_modules", "typescript", "bin", "tsc")

// The packages we publish, in dependency order (a package after those it lists as peers).
const packages = (() => {
  const all = fs.readdirSync(path.join(root, "packages"), { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(root, "packages", e.name, "package.json")))
    .map((e) => {
      const dir = path.join(root, "packages", e.name)
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"))
      return { dir, short: e.name, name: manifest.name, manifest }
    })
    .filter((p) => p.manifest.private !== true)
  const names = new Set(all.map((p) => p.name))
  const ours = (p) =>
    Object.keys({ ...p.manifest.dependencies, ...p.manifest.peerDependencies }).filter((n) => names.has(n))
  const sorted = []
  while (sorted.length < all.length) {
    const next = all.find((p) => !sorted.includes(p) && ours(p).every((n) => sorted.some((s) => s.name === n)))
    if (next === undefined) throw new Error("check-package: packages/* depend on each other in a cycle")
    sorted.push(next)
  }
  return sorted
})()
const ourNames = new Set(packages.map((p) => p.name))

// ---------------------------------------------------------------------------------------------------
// Results: one row per check, one column per package.

const rows = []
const results = new Map()
const failures = []
const record = (row, pkg, ok, message, output) => {
  if (!rows.includes(row)) rows.push(row)
  const key = `${row}\0${pkg.name}`
  if (results.get(key) !== "FAIL") results.set(key, ok ? "ok" : "FAIL")
  if (!ok) {
    failures.push(`${pkg.name}: ${row}: ${message}`)
    console.error(`check-package: FAILED: ${pkg.name}: ${row}: ${message}`)
    if (output && output.trim()) console.error(output.trim().replace(/^/gm, "    "))
  }
  return ok
}
const fatal = (message, output) => {
  console.error(`check-package: FAILED: ${message}`)
  if (output && output.trim()) console.error(output.trim().replace(/^/gm, "    "))
  return false
}
const table = () => {
  const width = Math.max(...rows.map((r) => r.length))
  const cols = packages.map((p) => p.name)
  const lines = [`${"".padEnd(width)}  ${cols.join("  ")}`]
  for (const row of rows) {
    lines.push(
      `${row.padEnd(width)}  ${cols.map((c) => (results.get(`${row}\0${c}`) ?? "-").padEnd(c.length)).join("  ")}`
    )
  }
  return lines.join("\n")
}

// ---------------------------------------------------------------------------------------------------
// Processes

// pnpm itself: the one running us (`pnpm check-package`, also under `npx pnpm@10`), else from PATH.
const pnpm = (() => {
  const execpath = process.env.npm_execpath
  if (execpath && /pnpm/.test(path.basename(execpath))) {
    return /\.[cm]?js$/.test(execpath) ? [process.execPath, execpath] : [execpath]
  }
  return ["pnpm"]
})()
// The consumer is its own project, not part of our workspace.
const outside = { ...process.env, npm_config_workspace_dir: "" }

const run = (cwd, [command, ...args], options = {}) => {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", ...options })
  if (result.error) throw result.error
  return { status: result.status, output: `${result.stdout ?? ""}${result.stderr ?? ""}` }
}
const runAsync = (cwd, [command, ...args], options = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, ...options })
    let output = ""
    child.stdout.on("data", (d) => (output += d))
    child.stderr.on("data", (d) => (output += d))
    child.on("error", reject)
    child.on("close", (status) => resolve({ status, output }))
  })

// The version installed in the workspace (the root's, else a package's own), so the check needs no registry.
const localVersion = (name) => {
  const dirs = [root, ...packages.map((p) => p.dir)].map((d) => path.join(d, "node_modules", name))
  const dir = dirs.find((d) => fs.existsSync(path.join(d, "package.json")))
  if (dir === undefined) throw new Error(`check-package: ${name} is not installed in the workspace`)
  return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version
}

const pnpmAdd = (app, specs) =>
  run(app, [
    ...pnpm,
    "add",
    "--prefer-offline",
    "--config.auto-install-peers=false",
    "--config.strict-peer-dependencies=false",
    ...specs
  ], { env: outside })

// ---------------------------------------------------------------------------------------------------
// What a package publishes

// Public modules: build/esm/X.js outside internal/, but the barrel (checked on its own) and scripts
// (a module whose declarations export nothing, such as `bin`: importing it would run it).
const stripComments = (text) => text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "").trim()
const publicModules = (pkgDir) =>
  fs.readdirSync(path.join(pkgDir, "build", "esm"))
    .filter((f) => f.endsWith(".js") && f !== "index.js")
    .map((f) => f.slice(0, -3))
    .sort()
    .map((name) => {
      const dts = path.join(pkgDir, "build", "dts", `${name}.d.ts`)
      const script = fs.existsSync(dts) && /^export \{\};?$/.test(stripComments(fs.readFileSync(dts, "utf8")))
      return { name, script }
    })

const peersOf = (manifest) => {
  const optional = new Set(
    Object.entries(manifest.peerDependenciesMeta ?? {}).filter(([, m]) => m?.optional).map(([n]) => n)
  )
  const peers = Object.keys(manifest.peerDependencies ?? {}).filter((n) => !ourNames.has(n))
  return { required: peers.filter((n) => !optional.has(n)), optional: peers.filter((n) => optional.has(n)) }
}

// ---------------------------------------------------------------------------------------------------
// 1. Packing and what's in the tarball

const checkTarball = (pkg, tarball) => {
  const row = "tarball: files, manifest"
  const listed = run(root, ["tar", "-tzf", tarball])
  if (listed.status !== 0) return record(row, pkg, false, `tar -tzf ${path.basename(tarball)}`, listed.output)
  const files = new Set(listed.output.split("\n").filter(Boolean).map((f) => f.replace(/^package\//, "")))
  const problems = []
  for (
    const file of [
      "package.json",
      "README.md",
      "LICENSE",
      "build/esm/index.js",
      "build/cjs/index.js",
      "build/cjs/package.json",
      "build/dts/index.d.ts",
      "build/dts/index.d.cts"
    ]
  ) {
    if (!files.has(file)) problems.push(`${file} is not in the tarball`)
  }
  for (const file of files) {
    if (file.startsWith("build/dts/") && file.endsWith(".d.ts") && !files.has(file.replace(/\.d\.ts$/, ".d.cts"))) {
      problems.push(`${file} has no .d.cts (CommonJS declarations) next to it`)
    }
    if (file.endsWith(".tsbuildinfo")) problems.push(`${file} should not be published`)
  }
  const read = (file) => run(root, ["tar", "-xzOf", tarball, `package/${file}`])
  if (files.has("LICENSE")) {
    const license = read("LICENSE")
    if (license.output !== fs.readFileSync(path.join(root, "LICENSE"), "utf8")) {
      problems.push(`LICENSE differs from the repository's LICENSE (copy it to ${path.relative(root, pkg.dir)}/)`)
    }
  }
  const manifest = JSON.parse(read("package.json").output)
  const ranges = ["dependencies", "peerDependencies", "optionalDependencies", "devDependencies"].flatMap((field) =>
    Object.entries(manifest[field] ?? {}).map(([name, range]) => ({ field, name, range }))
  )
  for (const { field, name, range } of ranges) {
    if (/^(workspace|link|file|catalog):/.test(range)) problems.push(`${field}.${name} is still "${range}"`)
  }
  for (const name of Object.keys(manifest.dependencies ?? {}).filter((n) => ourNames.has(n))) {
    problems.push(`dependencies.${name}: must be a peer dependency (a user would get a second copy of it)`)
  }
  for (const target of Object.values(typeof manifest.bin === "string" ? { bin: manifest.bin } : manifest.bin ?? {})) {
    if (!files.has(path.posix.normalize(target))) problems.push(`bin ${target} is not in the tarball`)
  }
  return record(row, pkg, problems.length === 0, problems.join("; "))
}

// ---------------------------------------------------------------------------------------------------
// 2./3. Node: import() and require()

// One script per package, module system and phase. `load` is import() or require(); `where` what a
// specifier resolves to. It writes the sorted export names of each module to `out`, to compare.
const runtimeScript = ({ esm, pkg, modules, internal, smoke, out }) => {
  const lines = esm
    ? [
      `import * as fs from "node:fs"`,
      `const load = (id) => import(id)`,
      `const where = (id) => import.meta.resolve(id)`,
      `const expected = "/build/esm/"`
    ]
    : [
      `const fs = require("node:fs")`,
      `const load = async (id) => require(id)`,
      `const where = (id) => require.resolve(id)`,
      `const expected = "/build/cjs/"`
    ]
  return [
    ...lines,
    `const name = ${JSON.stringify(pkg.name)}`,
    `const assert = (ok, message) => { if (!ok) throw new Error(message) }`,
    `const main = async () => {`,
    `  const exportsOf = {}`,
    `  let barrel`,
    `  for (const sub of ${JSON.stringify(["", ...modules.map((m) => `/${m}`)])}) {`,
    `    const id = name + sub`,
    `    const file = String(where(id))`,
    `    assert(file.includes(expected), id + " resolves to " + file + ", not to a file in " + expected)`,
    `    const m = await load(id)`,
    `    if (sub === "") barrel = m`,
    `    exportsOf[sub || "."] = Object.keys(m).sort()`,
    `  }`,
    `  assert(exportsOf["."].length > 0, name + " exports nothing")`,
    ...(internal === undefined ? [] : [
      `  let blocked = false`,
      `  try { await load(name + ${
        JSON.stringify(`/${internal}`)
      }) } catch (e) { blocked = e.code === "ERR_PACKAGE_PATH_NOT_EXPORTED" }`,
      `  assert(blocked, name + "/internal/* is not blocked by the exports map")`
    ]),
    ...smoke.map((line) => `  ${line}`),
    `  fs.writeFileSync(${JSON.stringify(out)}, JSON.stringify(exportsOf))`,
    `}`,
    `main().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1) })`,
    ``
  ].join("\n")
}

// Checks by name, on top of the generic ones. `phase` 1 runs without optional peers.
const smokeChecks = (pkg, phase) => {
  switch (pkg.name) {
    case "@effect-skytells/client":
      return [
        `assert(typeof barrel.SkytellsError?.InvalidInput === "function", "no SkytellsError.InvalidInput")`,
        `const sub = await load(name + "/SkytellsError")`,
        `assert(sub.InvalidInput === barrel.SkytellsError.InvalidInput, "the SkytellsError module and the barrel's SkytellsError differ")`,
        ...(phase === 1 ? [] : [
          `const node = await load(name + "/NodeSkytellsClient")`,
          `assert(typeof node.layer === "function" && typeof node.layerConfig === "function", "no NodeSkytellsClient.layer/layerConfig")`
        ])
      ]
    case "@effect-skytells/testing":
      return [`assert(typeof barrel.FakeSkytells?.layer === "function", "no FakeSkytells.layer")`]
    default:
      return []
  }
}

const runtimeChecksOf = async (app, pkg, phase, modules) => {
  const installed = path.join(app, "node_modules", ...pkg.name.split("/"))
  const manifest = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8"))
  // Any module under internal/ (one that exists, so that only the exports map can refuse it).
  const internalDir = path.join(installed, "build", "esm", "internal")
  const internalModule = fs.existsSync(internalDir)
    ? fs.readdirSync(internalDir).find((f) => f.endsWith(".js"))?.slice(0, -3)
    : undefined
  const internal = manifest.exports?.["./internal/*"] === null ? `internal/${internalModule ?? "x"}` : undefined
  const runs = [true, false].map(async (esm) => {
    const base = `${pkg.short}.phase${phase}`
    const file = path.join(app, `${base}.${esm ? "mjs" : "cjs"}`)
    const out = path.join(app, `${base}.${esm ? "esm" : "cjs"}.json`)
    fs.writeFileSync(file, runtimeScript({ esm, pkg, modules, internal, smoke: smokeChecks(pkg, phase), out }))
    const result = await runAsync(app, [process.execPath, file])
    return { esm, file, out, ...result }
  })
  return Promise.all(runs).then((done) => {
    const label = phase === 1 ? "node, required peers only" : "node"
    for (const { esm, file, status, output } of done) {
      record(`${label}: ${esm ? "import()" : "require()"}`, pkg, status === 0, `node ${path.basename(file)}`, output)
    }
    if (done.every((d) => d.status === 0)) {
      const [esm, cjs] = done.map((d) => JSON.parse(fs.readFileSync(d.out, "utf8")))
      const differ = Object.keys(esm).filter((m) => JSON.stringify(esm[m]) !== JSON.stringify(cjs[m]))
        .map((m) => {
          const only = (a, b) => a.filter((k) => !b.includes(k)).join(", ") || "-"
          return `${m}: only in ESM: ${only(esm[m], cjs[m])}; only in CJS: ${only(cjs[m], esm[m])}`
        })
      record(`${label}: same exports both ways`, pkg, differ.length === 0, differ.join("; "))
    }
  })
}

// As above; an unexpected error (a missing file, ...) is that package's failure, not the end of the run.
const runtimeChecks = (app, pkg, phase, modules) =>
  runtimeChecksOf(app, pkg, phase, modules).catch((error) =>
    record(`node${phase === 1 ? ", required peers only" : ""}`, pkg, false, String(error?.stack ?? error))
  )

// A package of ours that `pkg` lists as a peer must be the consumer's own copy, not a second one.
const checkSharedPeers = (app, pkg) => {
  const peers = Object.keys(pkg.manifest.peerDependencies ?? {}).filter((n) => ourNames.has(n))
  if (peers.length === 0) return
  const row = "peers of ours: one shared copy"
  try {
    const fromApp = createRequire(path.join(app, "package.json"))
    const fromPkg = createRequire(fs.realpathSync(fromApp.resolve(`${pkg.name}/package.json`)))
    const problems = peers.filter((peer) =>
      fs.realpathSync(fromApp.resolve(`${peer}/package.json`)) !==
        fs.realpathSync(fromPkg.resolve(`${peer}/package.json`))
    ).map((peer) => `${pkg.name} loads its own copy of ${peer}, not the consumer's`)
    record(row, pkg, problems.length === 0, problems.join("; "))
  } catch (error) {
    record(row, pkg, false, String(error?.message ?? error))
  }
}

// ---------------------------------------------------------------------------------------------------
// 4. Types

// Each layout is a consumer project of its own (package.json + tsconfig.json + one file per package).
// `deep`: also check our shipped declaration files themselves (skipLibCheck false for them), once for
// each flavor (.d.ts, .d.cts) in the layout that loads it natively; the others check the consumer files.
// `group`: layouts checked in the same worker thread (sharing parsed files): one per flavor of effect's
// files (node16/nodenext vs bundler resolution parse them differently).
const layouts = [
  {
    id: "esm-node16",
    row: "tsc: ESM, module node16",
    type: "module",
    ext: ".ts",
    format: ".d.ts",
    deep: true,
    readme: true,
    group: 0,
    options: { module: "Node16", moduleResolution: "Node16" }
  },
  {
    id: "mts-nodenext",
    row: "tsc: .mts, module nodenext",
    type: undefined,
    ext: ".mts",
    format: ".d.ts",
    deep: false,
    readme: false,
    group: 0,
    options: { module: "NodeNext", moduleResolution: "NodeNext" }
  },
  {
    id: "cjs-node16",
    row: "tsc: CommonJS, module node16",
    type: undefined,
    ext: ".ts",
    format: ".d.cts",
    deep: true,
    readme: true,
    group: 1,
    options: { module: "Node16", moduleResolution: "Node16" }
  },
  {
    id: "esm-bundler",
    row: "tsc: ESM, moduleResolution bundler",
    type: "module",
    ext: ".ts",
    format: ".d.ts",
    deep: false,
    readme: false,
    group: 1,
    options: { module: "ESNext", moduleResolution: "Bundler" }
  }
]

const identifier = (name) => `M_${name.replace(/[^A-Za-z0-9_$]/g, "_")}`

// A consumer of `pkg`: the barrel and every public module through the exports map, and typed uses.
const typeConsumer = (pkg, modules) => {
  const lines = [
    `// Generated by scripts/check-package.mjs: ${pkg.name} as a consumer sees it.`,
    `import * as Barrel from ${JSON.stringify(pkg.name)}`,
    ...modules.map((m) => `import * as ${identifier(m.name)} from ${JSON.stringify(`${pkg.name}/${m.name}`)}`),
    `export const modules = [Barrel, ${modules.map((m) => identifier(m.name)).join(", ")}] as const`,
    `type IsAny<T> = 0 extends 1 & T ? true : false`
  ]
  switch (pkg.name) {
    case "@effect-skytells/client":
      lines.push(
        `import { SkytellsError } from "@effect-skytells/client"`,
        `import * as SkytellsErrorModule from "@effect-skytells/client/SkytellsError"`,
        `import * as NodeSkytellsClient from "@effect-skytells/client/NodeSkytellsClient"`,
        `import type * as Effect from "effect/Effect"`,
        `declare const call: Effect.Effect<string, SkytellsError.InvalidInput>`,
        `export const tag: "InvalidInput" = null as unknown as Effect.Effect.Error<typeof call>["_tag"]`,
        `export const same: typeof SkytellsErrorModule.InvalidInput = SkytellsError.InvalidInput`,
        `export const notAny: [IsAny<typeof SkytellsError.InvalidInput>, IsAny<typeof NodeSkytellsClient.layer>] = [false, false]`
      )
      break
    case "@effect-skytells/testing":
      // The testing package's types and the client's line up: the fake provides what the client needs.
      lines.push(
        `import { FakeSkytells } from "@effect-skytells/testing"`,
        `import { SkytellsClient } from "@effect-skytells/client"`,
        `import * as Effect from "effect/Effect"`,
        `import * as Layer from "effect/Layer"`,
        `import * as Redacted from "effect/Redacted"`,
        `const TestSkytells = SkytellsClient.layer({`,
        `  apiKey: Redacted.make(FakeSkytells.defaultApiKey),`,
        `  baseUrl: FakeSkytells.defaultBaseUrl`,
        `}).pipe(Layer.provideMerge(FakeSkytells.layer()))`,
        `export const program = Effect.provide(Effect.zip(SkytellsClient.SkytellsClient, FakeSkytells.FakeSkytells), TestSkytells)`,
        `export const provided: [Effect.Effect.Context<typeof program>] extends [never] ? true : false = true`,
        `export const notAny: IsAny<typeof FakeSkytells.layer> = false`
      )
      break
  }
  return lines.join("\n") + "\n"
}

// The first ```ts block under "## Quick start" in the package's README (as published), if any.
const quickStart = (installed) => {
  const readme = path.join(installed, "README.md")
  if (!fs.existsSync(readme)) return undefined
  const text = fs.readFileSync(readme, "utf8")
  const section = text.split(/^## /m).find((s) => /^Quick start\b/i.test(s))
  return section?.match(/```ts\n([\s\S]*?)```/)?.[1]
}

// Writes the consumer projects; returns, per layout, its directory and which package each root file is for.
const writeTypeConsumers = (app, typedModules) =>
  layouts.map((layout) => {
    const dir = path.join(app, "ts", layout.id)
    fs.mkdirSync(dir, { recursive: true })
    const type = layout.type ? { type: layout.type } : {}
    fs.writeFileSync(
      path.join(dir, "package.json"),
      JSON.stringify({ name: `check-${layout.id}`, private: true, ...type }) + "\n"
    )
    const roots = {}
    for (const pkg of packages) {
      fs.writeFileSync(path.join(dir, `${pkg.short}${layout.ext}`), typeConsumer(pkg, typedModules.get(pkg.name)))
      roots[`${pkg.short}${layout.ext}`] = pkg.name
      const example = layout.readme ? quickStart(path.join(app, "node_modules", ...pkg.name.split("/"))) : undefined
      if (example !== undefined) {
        fs.writeFileSync(
          path.join(dir, `${pkg.short}-readme${layout.ext}`),
          `// ${pkg.name}'s README.md, Quick start\n${example}`
        )
        roots[`${pkg.short}-readme${layout.ext}`] = pkg.name
      }
    }
    const compilerOptions = {
      strict: true,
      exactOptionalPropertyTypes: true,
      target: "ES2022",
      lib: ["ES2022", "DOM"],
      types: [],
      noEmit: true,
      skipLibCheck: false,
      ...layout.options
    }
    fs.writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions, files: Object.keys(roots) }, null, 2) + "\n"
    )
    return { ...layout, dir, roots }
  })

// In a worker thread: type-check the layouts of one group, sharing parsed declaration files between
// them; posts back [{ row, pkg, ok, message, output }] and a log line per layout.
const typeCheckWorker = ({ layouts, names }) => {
  const ts = createRequire(import.meta.url)(path.join(root, "node_modules", "typescript"))
  const sourceFiles = new Map()
  const results = []
  const log = []
  for (const layout of layouts) {
    const begun = Date.now()
    const configFile = path.join(layout.dir, "tsconfig.json")
    const parsed = ts.getParsedCommandLineOfConfigFile(configFile, {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"))
      }
    })
    const host = ts.createCompilerHost(parsed.options)
    const getSourceFile = host.getSourceFile
    host.getSourceFile = (fileName, languageVersionOrOptions, ...rest) => {
      if (!/\.d\.[cm]?ts$/.test(fileName)) return getSourceFile.call(host, fileName, languageVersionOrOptions, ...rest)
      const v = languageVersionOrOptions
      const key = typeof v === "object" ? `${fileName}|${v.languageVersion}|${v.impliedNodeFormat}` : `${fileName}|${v}`
      if (!sourceFiles.has(key)) {
        sourceFiles.set(key, getSourceFile.call(host, fileName, languageVersionOrOptions, ...rest))
      }
      return sourceFiles.get(key)
    }
    const program = ts.createProgram({
      rootNames: parsed.fileNames,
      options: parsed.options,
      host,
      configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(parsed)
    })
    const rootOf = (fileName) => layout.roots[path.relative(layout.dir, fileName)]
    const ownerOf = (fileName) => rootOf(fileName) ?? names.find((n) => fileName.includes(`/node_modules/${n}/`))
    const diagnostics = new Map(names.map((n) => [n, []]))
    const wrongFormat = new Map(names.map((n) => [n, []]))
    const global = [
      ...program.getConfigFileParsingDiagnostics(),
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics()
    ]
    for (const sf of program.getSourceFiles()) {
      const owner = ownerOf(sf.fileName)
      if (owner === undefined) continue
      const isRoot = rootOf(sf.fileName) !== undefined
      if (!isRoot && !sf.fileName.endsWith(layout.format)) {
        wrongFormat.get(owner).push(sf.fileName.replace(/^.*\/node_modules\//, ""))
      }
      if (isRoot || layout.deep) {
        const own = diagnostics.get(owner)
        for (const d of program.getSyntacticDiagnostics(sf)) own.push(d)
        for (const d of program.getSemanticDiagnostics(sf)) own.push(d)
      }
    }
    const formatHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => layout.dir, getNewLine: () => "\n" }
    const reproduce = keep
      ? `\n(all of it, effect's declarations too: cd ${layout.dir} && node ${tscBin} -p .)`
      : "\n(with --keep, the project is kept to check with tsc -p)"
    for (const name of names) {
      const found = [...global, ...diagnostics.get(name)]
      const wrong = wrongFormat.get(name)
      if (found.length > 0) {
        const output = ts.formatDiagnostics(found, formatHost) + reproduce
        results.push({ row: layout.row, name, ok: false, message: `${found.length} error(s)`, output })
      } else if (wrong.length > 0) {
        const files = `${wrong.slice(0, 3).join(", ")}${wrong.length > 3 ? ", ..." : ""}`
        results.push({ row: layout.row, name, ok: false, message: `loaded ${files}; expected ${layout.format} files` })
      } else {
        results.push({ row: layout.row, name, ok: true })
      }
    }
    log.push(
      `types: ${layout.id}${layout.deep ? ` (with our ${layout.format} files)` : ""} checked in ${seconds(begun)}`
    )
  }
  return { results, log }
}

// Runs the groups in parallel worker threads (one thread for all of them on a single core).
const typeChecks = (projects) => {
  const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length
  const groups = cores > 1
    ? [...new Set(projects.map((p) => p.group))].map((g) => projects.filter((p) => p.group === g))
    : [projects]
  return Promise.all(groups.map((group) =>
    new Promise((resolve, reject) => {
      const worker = new Worker(new URL(import.meta.url), {
        workerData: { layouts: group, names: packages.map((p) => p.name) },
        argv: process.argv.slice(2)
      })
      worker.once("message", resolve)
      worker.once("error", reject)
      worker.once("exit", (code) => reject(new Error(`type-check worker exited with ${code}`)))
    })
  )).then((done) => {
    for (const { results, log } of done) {
      for (const line of log) console.log(line)
      for (const r of results) record(r.row, packages.find((p) => p.name === r.name), r.ok, r.message, r.output)
    }
  })
}

// ---------------------------------------------------------------------------------------------------

const main = async () => {
  // 0. a build to pack, and not an older one than the sources
  let built = true
  for (const pkg of packages) {
    for (
      const file of [
        "build/esm/index.js",
        "build/cjs/index.js",
        "build/cjs/package.json",
        "build/dts/index.d.ts",
        "build/dts/index.d.cts"
      ]
    ) {
      if (!fs.existsSync(path.join(pkg.dir, file))) {
        built = fatal(`${pkg.name}: ${file} is missing; run \`pnpm build\` first`)
        break
      }
    }
    if (!built) continue
    const stale = fs.readdirSync(path.join(pkg.dir, "src")).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
      .filter((f) => !fs.existsSync(path.join(pkg.dir, "build", "esm", f.replace(/\.ts$/, ".js"))))
    if (stale.length > 0) built = fatal(`${pkg.name}: src/${stale.join(", src/")} not built; run \`pnpm build\` again`)
  }
  if (!built) return false

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "effect-skytells-check-package-"))
  try {
    // 1. pack
    let step = Date.now()
    const packDir = path.join(tmp, "pack")
    const tarballs = new Map()
    const packed = await Promise.all(packages.map(async (pkg) => {
      const dest = path.join(packDir, pkg.short)
      fs.mkdirSync(dest, { recursive: true })
      const result = await runAsync(pkg.dir, [...pnpm, "pack", "--pack-destination", dest])
      const files = fs.readdirSync(dest).filter((f) => f.endsWith(".tgz"))
      if (result.status !== 0 || files.length !== 1) return fatal(`${pkg.name}: pnpm pack`, result.output)
      tarballs.set(pkg.name, path.join(dest, files[0]))
      return true
    }))
    if (!packed.every(Boolean)) return false
    for (const pkg of packages) checkTarball(pkg, tarballs.get(pkg.name))
    console.log(
      `packed ${
        packages.map((p) => `${path.basename(tarballs.get(p.name))} (${fs.statSync(tarballs.get(p.name)).size} bytes)`)
          .join(", ")
      } in ${seconds(step)}`
    )

    // 2. install with the peers every package requires, none of the optional ones
    step = Date.now()
    const app = path.join(tmp, "app")
    fs.mkdirSync(app)
    fs.writeFileSync(
      path.join(app, "package.json"),
      JSON.stringify({ name: "check-package-consumer", version: "0.0.0", private: true }, null, 2) + "\n"
    )
    const peers = packages.map((p) => peersOf(p.manifest))
    const optional = new Set(peers.flatMap((p) => p.optional))
    const base = [...new Set(peers.flatMap((p) => p.required))].filter((n) => !optional.has(n)).sort()
    const rest = [...new Set([...peers.flatMap((p) => p.required), ...optional])].filter((n) => !base.includes(n))
      .sort()
    const baseSpecs = base.map((n) => `${n}@${localVersion(n)}`)
    const installed = pnpmAdd(app, [...packages.map((p) => tarballs.get(p.name)), ...baseSpecs])
    if (installed.status !== 0) return fatal(`pnpm add (the tarballs, ${baseSpecs.join(", ")})`, installed.output)
    console.log(`installed the tarballs with ${baseSpecs.join(", ")} in ${seconds(step)}`)

    const modules = new Map()
    const typedModules = new Map()
    for (const pkg of packages) {
      const all = publicModules(path.join(app, "node_modules", ...pkg.name.split("/")))
      typedModules.set(pkg.name, all)
      modules.set(pkg.name, all.filter((m) => !m.script).map((m) => m.name))
      const scripts = all.filter((m) => m.script).map((m) => m.name)
      console.log(
        `${pkg.name}: ${all.length - scripts.length} public modules${
          scripts.length ? ` (not loaded, scripts: ${scripts.join(", ")})` : ""
        }`
      )
    }

    step = Date.now()
    const phase1 = packages.filter((p) => peersOf(p.manifest).required.every((n) => base.includes(n)))
    // Only the barrel and the modules that load without optional peers: SkytellsError (in its smoke check).
    await Promise.all(phase1.map((pkg) => runtimeChecks(app, pkg, 1, [])))
    console.log(`node without optional peers (${phase1.map((p) => p.name).join(", ")}) in ${seconds(step)}`)

    // 3. the other peers, and @types/node (undici's types reference it)
    step = Date.now()
    const restSpecs = [...rest, "@types/node"].map((n) => `${n}@${localVersion(n)}`)
    const added = pnpmAdd(app, restSpecs)
    if (added.status !== 0) return fatal(`pnpm add ${restSpecs.join(" ")}`, added.output)
    console.log(`added ${restSpecs.join(", ")} in ${seconds(step)}`)

    step = Date.now()
    for (const pkg of packages) checkSharedPeers(app, pkg)
    // Node runs in child processes while worker threads type-check.
    const projects = writeTypeConsumers(app, typedModules)
    const settled = await Promise.allSettled([
      ...packages.map((pkg) => runtimeChecks(app, pkg, 2, modules.get(pkg.name))),
      typeChecks(projects)
    ])
    for (const { reason } of settled.filter((s) => s.status === "rejected")) {
      failures.push(String(reason?.message ?? reason))
      fatal("type-checking", String(reason?.stack ?? reason))
    }
    console.log(`node and types in ${seconds(step)}`)

    step = Date.now()
    await firstHour(app)
    console.log(`plain async scripts and an @effect/vitest test in ${seconds(step)}`)

    console.log("")
    console.log(table())
    console.log("")
    if (failures.length > 0) {
      console.error(`check-package: FAILED (${failures.length}) in ${seconds()}:`)
      for (const f of failures) console.error(`  ${f}`)
      return false
    }
    console.log(`check-package: ok, ${packages.map((p) => p.name).join(", ")} in ${seconds()}`)
    return true
  } finally {
    if (keep) console.log(`kept ${tmp}`)
    else fs.rmSync(tmp, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------------------------------
// 5. A new user's first hour: Promise code with typed rejections, and a test of their own app.

const plainAsync = (load) =>
  `${load}
const skytells = PromiseClient.make(FakeSkytells.layerTest())
const main = async () => {
  try {
    const done = await skytells.predictions.run({ model: "truefusion", input: { prompt: "a lighthouse" } })
    if (done.status !== "succeeded") throw new Error("run did not succeed: " + done.status)
    try {
      await skytells.predictions.get("pred_missing")
      throw new Error("get of an unknown id resolved")
    } catch (error) {
      if (!(error instanceof SkytellsError.PredictionNotFound) || error._tag !== "PredictionNotFound") throw error
      if (!SkytellsError.isSkytellsError(error)) throw new Error("isSkytellsError is false for " + error._tag)
    }
  } finally {
    await skytells.dispose()
  }
}
main().then(() => console.log("typed rejection seen"), (e) => { console.error(e); process.exitCode = 1 })
`

const vitestApp = `import { Predictions } from "@effect-skytells/client"
import { FakeSkytells } from "@effect-skytells/testing"
import { assert, it } from "@effect/vitest"
import { Effect } from "effect"

it.effect("Predictions.run against the testing layer, no clock handling", () =>
  Effect.gen(function*() {
    const prediction = yield* Predictions.run({ model: "truefusion", input: { prompt: "a lighthouse" } })
    assert.strictEqual(prediction.status, "succeeded")
    const refused = yield* Effect.flip(Predictions.get("pred_missing"))
    assert.strictEqual(refused._tag, "PredictionNotFound")
  }).pipe(Effect.provide(FakeSkytells.layerTest())))
`

const firstHour = async (app) => {
  const testing = packages.find((p) => p.short === "testing")
  const client = packages.find((p) => p.short === "client")
  if (testing === undefined || client === undefined) return
  const added = pnpmAdd(app, ["vitest", "@effect/vitest"].map((n) => `${n}@${localVersion(n)}`))
  if (
    !record("first hour: vitest installs", testing, added.status === 0, "pnpm add vitest @effect/vitest", added.output)
  ) {
    return
  }
  const dir = path.join(app, "first-hour")
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(
    path.join(dir, "plain.mjs"),
    plainAsync(
      `import { PromiseClient, SkytellsError } from "@effect-skytells/client"\nimport { FakeSkytells } from "@effect-skytells/testing"`
    )
  )
  fs.writeFileSync(
    path.join(dir, "plain.cjs"),
    plainAsync(
      `const { PromiseClient, SkytellsError } = require("@effect-skytells/client")\nconst { FakeSkytells } = require("@effect-skytells/testing")`
    )
  )
  fs.writeFileSync(path.join(dir, "app.test.ts"), vitestApp)
  const vitest = path.join(app, "node_modules", "vitest", "vitest.mjs")
  const [esm, cjs, test] = await Promise.all([
    runAsync(dir, [process.execPath, "plain.mjs"], { env: outside }),
    runAsync(dir, [process.execPath, "plain.cjs"], { env: outside }),
    // A hanging test fails on vitest's own timeout, well inside check-all's.
    runAsync(dir, [process.execPath, vitest, "run", "--root", dir, "--testTimeout", "20000"], { env: outside })
  ])
  record("first hour: async catch sees the typed error (ESM)", client, esm.status === 0, "plain.mjs", esm.output)
  record("first hour: async catch sees the typed error (CJS)", client, cjs.status === 0, "plain.cjs", cjs.output)
  // vitest colours its summary when it may (CI sets FORCE_COLOR): read it without the escapes.
  const plain = test.output.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), "")
  const ran = test.status === 0 && /Tests\s+1 passed/.test(plain)
  record("first hour: @effect/vitest test of run on layerTest", testing, ran, "app.test.ts: 1 test passed", test.output)
}

if (isMainThread) {
  main().then(
    (ok) => (process.exitCode = ok ? 0 : 1),
    (error) => {
      console.error(`check-package: FAILED: ${error instanceof Error ? error.stack : error}`)
      process.exitCode = 1
    }
  )
} else {
  parentPort.postMessage(typeCheckWorker(workerData))
}
