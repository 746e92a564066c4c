// Builds the package in the current directory (run from a package's `build` script) with plain tsc:
//
//   build/esm  ES modules       tsc -b tsconfig.build.json (type-checks, also builds referenced packages)
//   build/dts  .d.ts + maps     same run (declarationDir, stripInternal)
//   build/cjs  CommonJS         a second tsc run over the same sources: module CommonJS, no type check
//                               (the first run did that), plus build/cjs/package.json {"type":"commonjs"}
//
// The sources are whatever tsconfig.src.json includes (`src`), so new modules are picked up without
// touching this script. The publish-time `exports` map in the package's `publishConfig` points at
// these three folders. Usage: node ../../scripts/build-package.mjs
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as vm from "node:vm"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc")
const cwd = process.cwd()
const name = JSON.parse(fs.readFileSync(path.join(cwd, "package.json"), "utf8")).name

const run = (args) => {
  console.log(`[${name}] tsc ${args.join(" ")}`)
  const result = spawnSync(process.execPath, [tsc, ...args], { cwd, stdio: "inherit" })
  if (result.status !== 0) {
    console.error(`[${name}] build failed: tsc exited with ${result.status ?? result.signal}`)
    process.exit(1)
  }
}

// A clean build every time: tsc -b trusts its .tsbuildinfo, so stale outputs of deleted or renamed
// modules would otherwise survive into the tarball.
for (const dir of ["build/esm", "build/cjs", "build/dts"]) {
  fs.rmSync(path.join(cwd, dir), { recursive: true, force: true })
}
fs.rmSync(path.join(cwd, ".tsbuildinfo", "build.tsbuildinfo"), { force: true })

run(["-b", "tsconfig.build.json"])
run([
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
fs.writeFileSync(path.join(cwd, "build", "cjs", "package.json"), JSON.stringify({ type: "commonjs" }, null, 2) + "\n")

// The CJS run doesn't type-check, and tsc then emits ESM-only syntax (`import.meta`, top-level await)
// as is. Compile (not run) every CJS file the way Node's require would, so that fails here, not for a user.
const cjsFiles = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name)
    return entry.isDirectory() ? cjsFiles(file) : entry.name.endsWith(".js") ? [file] : []
  })
const broken = []
for (const file of cjsFiles(path.join(cwd, "build", "cjs"))) {
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
console.log(`[${name}] built build/esm, build/cjs, build/dts`)
