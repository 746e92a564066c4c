// The single "run every check and test" entry point: `pnpm check-all`. Plain Node ESM, no dependencies.
//
// Steps, in order, each timed; a failed step does not stop the later ones, so the summary is complete:
//   1. tsc -b tsconfig.json      type check of every package, the tests and the examples
//   2. eslint .                  lint + dprint formatting
//   3. vitest run                every test project, type tests (vitest typecheck mode) included;
//                                default reporter on the console, JSON reporter into a temp file
//   4. docs                      the API reference (docgen runs every @example); the committed pages must match
//   5. build                     `pnpm build`: ESM + CJS + .d.ts/.d.cts for every package
//   6. check-package             pack every package, install the tarballs into temp projects, import() + require()
//                                every module, type-check ESM/CommonJS/bundler consumers (skipped when the build
//                                failed: it would only test a stale or missing build)
//
// The last line printed is exactly `N passed, N failed` (plus `, N skipped` when N > 0):
//   passed  = vitest's numPassedTests
//   failed  = vitest's numFailedTests
//           + 1 for each test file vitest reports as failed without any failed test in it (a file that
//             doesn't load, a type error outside a type test)
//           + 1 for the vitest step itself when it exited non-zero (or wrote no JSON, e.g. it crashed)
//             and none of the above accounts for it
//           + 1 for each non-test step that failed (tsc, eslint, build, check-package): such a step is
//             counted as one failed check, however many errors it printed
//   skipped = vitest's numPendingTests + numTodoTests
// vitest 3.2 reports type tests (typecheck mode) in the same JSON as runtime tests, so they are counted.
// The exit code is 0 only when nothing failed.
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const bin = (name) => path.join(root, "node_modules", ".bin", name)
// A step that runs longer than this is killed (with its whole process group) and counted as failed, so a
// hung test run still ends in a summary. 5 steps x 15 min stays inside CI's 90 minutes.
const stepTimeoutMs = Number(process.env.CHECK_ALL_STEP_TIMEOUT_MS ?? 15 * 60 * 1000)

// pnpm itself: the one running us (`pnpm check-all`, also under `npx pnpm@10`), else from PATH.
const pnpm = () => {
  const execpath = process.env.npm_execpath
  if (execpath && /pnpm/.test(path.basename(execpath))) {
    return /\.[cm]?js$/.test(execpath) ? [process.execPath, execpath] : [execpath]
  }
  return ["pnpm"]
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "effect-skytells-check-all-"))
const vitestJson = path.join(tmp, "vitest-results.json")

const steps = [
  { name: "typecheck", display: "tsc -b tsconfig.json", command: [bin("tsc"), "-b", "tsconfig.json"] },
  { name: "lint", display: "eslint .", command: [bin("eslint"), "."] },
  {
    name: "test",
    display: `vitest run --reporter=default --reporter=json --outputFile.json=${vitestJson}`,
    command: [bin("vitest"), "run", "--reporter=default", "--reporter=json", `--outputFile.json=${vitestJson}`],
    vitest: true
  },
  // The API reference from the JSDoc; docgen type-checks and runs every @example, and the committed
  // pages must match what it generates.
  {
    name: "docs",
    display: "node docs/api/generate.mjs --check",
    command: [process.execPath, path.join(root, "docs", "api", "generate.mjs"), "--check"]
  },
  { name: "build", display: "pnpm build", command: [...pnpm(), "build"] },
  {
    name: "check-package",
    display: "node scripts/check-package.mjs",
    command: [process.execPath, path.join(root, "scripts", "check-package.mjs")],
    needs: "build"
  }
]

let current
const forward = (signal) => {
  if (current) {
    try {
      process.kill(-current.pid, signal)
    } catch {
      // already gone
    }
  }
  process.exit(130)
}
process.on("SIGINT", forward)
process.on("SIGTERM", forward)

// Runs one command in its own process group (so a timeout can stop vitest's workers too), output
// going straight to our stdout/stderr. Resolves to the exit code, or a description of why there is none.
const run = (command) =>
  new Promise((resolve) => {
    const [file, ...args] = command
    const child = spawn(file, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"], detached: true })
    current = child
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      try {
        process.kill(-child.pid, "SIGKILL")
      } catch {
        // already gone
      }
    }, stepTimeoutMs)
    child.on("error", (error) => {
      clearTimeout(timer)
      current = undefined
      resolve({ code: null, reason: `could not start: ${error.message}` })
    })
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      current = undefined
      if (timedOut) resolve({ code: null, reason: `timed out after ${stepTimeoutMs / 1000}s` })
      else if (code === null) resolve({ code: null, reason: `killed by ${signal}` })
      else resolve({ code, reason: code === 0 ? "" : `exit code ${code}` })
    })
  })

// Reads vitest's JSON report. Returns the counts, or undefined if there is no usable report.
const readVitest = () => {
  let report
  try {
    report = JSON.parse(fs.readFileSync(vitestJson, "utf8"))
  } catch {
    return undefined
  }
  if (typeof report?.numPassedTests !== "number" || typeof report?.numFailedTests !== "number") return undefined
  const brokenFiles = (report.testResults ?? []).filter((file) =>
    file.status === "failed" && !(file.assertionResults ?? []).some((test) => test.status === "failed")
  )
  const failedTests = (report.testResults ?? []).flatMap((file) =>
    (file.assertionResults ?? []).filter((test) => test.status === "failed").map((test) => ({
      name: `${path.relative(root, file.name)} > ${test.fullName ?? test.title}`,
      message: (test.failureMessages ?? [])[0]?.split("\n")[0] ?? ""
    }))
  )
  return {
    passed: report.numPassedTests,
    failedTests,
    failed: report.numFailedTests,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
    brokenFiles: brokenFiles.map((file) => ({
      name: path.relative(root, file.name),
      message: (file.message ?? "").split("\n")[0]
    }))
  }
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)}s`
const results = []
let passed = 0
let failed = 0
let skipped = 0
// Failed tests, named again just above the summary: a CI log is often read from its end only.
const failures = []

for (const step of steps) {
  const label = `${step.name}: ${step.display}`
  if (step.needs && results.find((r) => r.name === step.needs)?.ok === false) {
    console.log(`\n=== ${step.name}: skipped (${step.needs} failed)`)
    results.push({ name: step.name, ok: undefined, ms: 0, note: `skipped: ${step.needs} failed` })
    continue
  }
  console.log(`\n=== ${label}`)
  const start = performance.now()
  const { code, reason } = await run(step.command)
  const ms = performance.now() - start
  let ok = code === 0
  let note = reason

  if (step.vitest) {
    const counts = readVitest()
    if (counts === undefined) {
      // No usable JSON: vitest crashed or never got to report. Never "0 passed, 0 failed".
      ok = false
      failed += 1
      note = `no JSON report (${reason || "exit code 0"})`
    } else {
      passed += counts.passed
      skipped += counts.skipped
      let testFailures = counts.failed + counts.brokenFiles.length
      for (const file of counts.brokenFiles) {
        console.log(`vitest: ${file.name} failed outside any test: ${file.message}`)
      }
      if (code !== 0 && testFailures === 0) testFailures = 1 // e.g. an unhandled error; see the header
      failed += testFailures
      ok = ok && testFailures === 0
      note = `${counts.passed} passed, ${testFailures} failed, ${counts.skipped} skipped${reason ? `; ${reason}` : ""}`
      for (const failure of [...counts.failedTests, ...counts.brokenFiles]) failures.push(failure)
    }
  } else if (!ok) {
    failed += 1
  }
  results.push({ name: step.name, ok, ms, note })
}

fs.rmSync(tmp, { recursive: true, force: true })

if (failures.length > 0) {
  console.log("\n=== failed tests")
  for (const f of failures) console.log(`${f.name}\n    ${f.message.slice(0, 300)}`)
}
console.log("\n=== summary")
const width = Math.max(...results.map((r) => r.name.length))
for (const r of results) {
  const status = r.ok === undefined ? "SKIP" : r.ok ? "ok  " : "FAIL"
  console.log(`${status} ${r.name.padEnd(width)} ${seconds(r.ms).padStart(7)}${r.note ? `  ${r.note}` : ""}`)
}
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`)
process.exitCode = failed > 0 || results.some((r) => r.ok === false) ? 1 : 0
