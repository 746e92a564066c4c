// Builds the package in the current directory (run from a package's `build` script) with plain tsc:
//
//   build/esm  ES modules       tsc -b tsconfig.build.json (type-checks, also builds referenced packages)
//   build/dts  .d.ts + maps     same run (declarationDir, stripInternal)
//   build/cjs  CommonJS         a second tsc run over the same sources: module CommonJS, no type check
//                               (the first run did that), plus build/cjs/package.json {"type":"commonjs"}
//   build/dts  .d.cts + maps    a copy of each .d.ts for CommonJS consumers (see writeCjsDeclarations)
//
// The sources are whatever tsconfig.src.json includes (`src`), so new modules are picked up without
// touching this script. The publish-time `exports` map in the package's `publishConfig` points at
// these folders: `import` to build/esm/X.js typed by X.d.ts, anything else (`require`) to
// build/cjs/X.js typed by X.d.cts. Usage: node ../../scripts/build-package.mjs
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as vm from "node:vm"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc")
const cwd = process.cwd()
const nameOf = (dir) => JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).name
const name = nameOf(cwd)

const run = (dir, args) => {
  console.log(`[${name}] tsc ${args.join(" ")}${dir === cwd ? "" : ` (in ${path.relative(cwd, dir)})`}`)
  const result = spawnSync(process.execPath, [tsc, ...args], { cwd: dir, stdio: "inherit" })
  if (result.status !== 0) {
    console.error(`[${name}] build failed: tsc exited with ${result.status ?? result.signal}`)
    process.exit(1)
  }
}

const files = (dir, suffix) =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const file = path.join(dir, entry.name)
      return entry.isDirectory() ? files(file, suffix) : entry.name.endsWith(suffix) ? [file] : []
    })
    : []

// Packages this one's tsconfig.build.json references (the client, for the testing package): `tsc -b`
// rebuilds their ESM and .d.ts when their sources changed since their own build, but not the rest.
const references = () => {
  const config = fs.readFileSync(path.join(cwd, "tsconfig.build.json"), "utf8")
  return [...config.matchAll(/"path"\s*:\s*"([^"]+)"/g)].map((m) => path.dirname(path.resolve(cwd, m[1])))
}
const buildInfo = (dir) => {
  const file = path.join(dir, ".tsbuildinfo", "build.tsbuildinfo")
  return fs.existsSync(file) ? fs.statSync(file).mtimeMs : undefined
}

// A clean build every time: tsc -b trusts its .tsbuildinfo, so stale outputs of deleted or renamed
// modules would otherwise survive into the tarball.
for (const dir of ["build/esm", "build/cjs", "build/dts"]) {
  fs.rmSync(path.join(cwd, dir), { recursive: true, force: true })
}
fs.rmSync(path.join(cwd, ".tsbuildinfo", "build.tsbuildinfo"), { force: true })

const referenced = references().map((dir) => ({ dir, before: buildInfo(dir) }))
run(cwd, ["-b", "tsconfig.build.json"])
if (files(path.join(cwd, "build", "esm"), ".js").length === 0) {
  console.error(`[${name}] build failed: tsc emitted no JavaScript into build/esm (no sources in src/?)`)
  process.exit(1)
}

// CommonJS build, its check, and the .d.cts files, of this package or of a referenced one.
const buildCjs = (dir) => {
  run(dir, [
    "-p",
    "tsconfig.build.json",
    "--module",
    "CommonJS",
    "--moduleResolution",
    "Node10",
    "--outDir",
    "build/cjs",
    "--noCheck",
    "--composite",
    "false",
    "--incremental",
    "false",
    "--declaration",
    "false",
    "--declarationMap",
    "false",
    "--declarationDir",
    "null"
  ])
  fs.mkdirSync(path.join(dir, "build", "cjs"), { recursive: true })
  fs.writeFileSync(path.join(dir, "build", "cjs", "package.json"), JSON.stringify({ type: "commonjs" }, null, 2) + "\n")

  // The CJS run doesn't type-check, and tsc then emits ESM-only syntax (`import.meta`, top-level await)
  // as is. Compile (not run) every CJS file the way Node's require would, so that fails here, not for a user.
  const broken = []
  for (const file of files(path.join(dir, "build", "cjs"), ".js")) {
    try {
      vm.compileFunction(fs.readFileSync(file, "utf8"), ["exports", "require", "module", "__filename", "__dirname"], {
        filename: file
      })
    } catch (error) {
      broken.push(`${path.relative(cwd, file)}: ${error.message}`)
    }
  }
  if (broken.length > 0) {
    console.error(`[${name}] build failed: CommonJS output that Node can't load (ESM-only syntax in src?):`)
    for (const line of broken) console.error(`  ${line}`)
    process.exit(1)
  }
  return writeCjsDeclarations(path.join(dir, "build", "dts"))
}

// CommonJS declarations. The package is "type": "module", so TypeScript reads every build/dts/X.d.ts as
// the types of an ES module, and a CommonJS consumer (module node16, no "type": "module") that
// `require`s the package would get TS1479 ("the referenced file is an ECMAScript module"). The exports
// map gives `require` its own types, X.d.cts: the same declarations, which TypeScript reads as CommonJS
// by their extension. Their relative imports must reach CommonJS declarations too, so "./Y.js" becomes
// "./Y.cjs" (TypeScript resolves that to ./Y.d.cts). Package imports ("effect/Effect", the client from
// the testing package) stay as they are and resolve through those packages' own `require` conditions.
// Each .d.cts gets its own declaration map (same mappings: only specifiers on import lines change).
function writeCjsDeclarations(dir) {
  const declarations = files(dir, ".d.ts")
  const known = new Set(declarations)
  const missing = []
  // `from "./Y.js"`, `import("../Y.js")`, `import "./Y.js"`: a relative specifier of an emitted module.
  const specifier = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.\.?\/[^"'\n]*?)\.js\2/g
  for (const file of declarations) {
    const base = path.basename(file, ".d.ts")
    const text = fs.readFileSync(file, "utf8")
      .replace(specifier, (_, before, quote, stem) => {
        if (!known.has(path.resolve(path.dirname(file), `${stem}.d.ts`))) {
          missing.push(`${path.relative(cwd, file)}: ${stem}.js has no declaration file`)
        }
        return `${before}${quote}${stem}.cjs${quote}`
      })
      .replace(/^\/\/# sourceMappingURL=(.*)\.d\.ts\.map\s*$/m, "//# sourceMappingURL=$1.d.cts.map")
    fs.writeFileSync(path.join(path.dirname(file), `${base}.d.cts`), text)
    const mapFile = `${file}.map`
    if (fs.existsSync(mapFile)) {
      const map = JSON.parse(fs.readFileSync(mapFile, "utf8"))
      map.file = `${base}.d.cts`
      fs.writeFileSync(path.join(path.dirname(file), `${base}.d.cts.map`), JSON.stringify(map))
    }
  }
  if (missing.length > 0) {
    console.error(`[${name}] build failed: .d.cts imports that would not resolve:`)
    for (const line of missing) console.error(`  ${line}`)
    process.exit(1)
  }
  return declarations.length
}

// A referenced package that `tsc -b` just rebuilt (its sources changed after its own build, e.g. while
// this one waited) would be left with ESM and .d.ts newer than its CommonJS build and .d.cts.
for (const { dir, before } of referenced) {
  if (buildInfo(dir) === before) continue
  console.log(
    `[${name}] tsc -b rebuilt ${nameOf(dir)} (its sources changed since its build): redoing its CommonJS build`
  )
  fs.rmSync(path.join(dir, "build", "cjs"), { recursive: true, force: true })
  for (
    const file of [
      ...files(path.join(dir, "build", "dts"), ".d.cts"),
      ...files(path.join(dir, "build", "dts"), ".d.cts.map")
    ]
  ) {
    fs.rmSync(file)
  }
  buildCjs(dir)
}

const declarations = buildCjs(cwd)
console.log(`[${name}] built build/esm, build/cjs, build/dts (${declarations} .d.ts, each with a .d.cts)`)
