// Runs every program in examples/ as its own process, exactly as its header tells a reader to
// (`tsx <file>.ts` from examples/), and expects exit code 0: each example exits non-zero when the
// behaviour it shows did not happen. The examples run against the fake Skytells API (in process or
// on loopback), so the Skytells variables are removed from their environment: CI never reaches the
// network, even on a machine with a key. One at a time, to stay light on small CI machines.
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const examplesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "examples")

// Every top-level .ts file is a runnable example; a new one is picked up without editing this file.
const examples = fs.readdirSync(examplesDir).filter((name) => name.endsWith(".ts") && !name.endsWith(".d.ts")).sort()

const timeoutMs = 90_000

const env = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !key.startsWith("SKYTELLS_") && key !== "PORT")
)

const run = (file: string) =>
  new Promise<{ readonly code: number | null; readonly output: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", file],
      { cwd: examplesDir, env: { ...env, NO_COLOR: "1" }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null
        const why = error !== null && error.killed ? `\n(killed after ${timeoutMs / 1000} s)` : ""
        resolve({ code, output: `${stdout}${stderr}${why}` })
      }
    )
  })

describe.sequential("examples", () => {
  it("finds the examples", () => {
    expect(examples).toContain("quick-start.ts")
  })

  for (const file of examples) {
    it(`${file} runs and exits 0`, async () => {
      const { code, output } = await run(file)
      expect(code, `examples/${file} printed:\n${output}`).toBe(0)
    }, timeoutMs + 10_000)
  }
})
