/**
 * Properties of the fake's own sources: no runtime import cycle between its modules, nothing from
 * `node:crypto` (signing is Web Crypto), and only the client's public modules.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const srcDir = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "../src")

const sources: ReadonlyMap<string, string> = new Map(
  (Fs.readdirSync(srcDir, { recursive: true }) as Array<string>)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => [f.split(Path.sep).join("/"), Fs.readFileSync(Path.join(srcDir, f), "utf8")])
)

/** `{ type A, type B }`: erased at runtime. */
const typeOnly = (clause: string): boolean => {
  const named = /^\{([^}]*)\}$/.exec(clause.trim())
  return named !== null &&
    named[1]!.split(",").map((s) => s.trim()).filter((s) => s.length > 0).every((s) => s.startsWith("type "))
}

/** Module specifiers of the import and export-from statements that stay at runtime. */
const runtimeImports = (text: string): ReadonlyArray<string> =>
  Array.from(text.matchAll(/^(?:import|export)\s+(?!type\s)([^"';]*?)\s*from\s+"([^"]+)"/gm))
    .filter(([, clause]) => !typeOnly(clause!))
    .map(([, , spec]) => spec!)

const resolve = (from: string, spec: string): string =>
  Path.posix.normalize(Path.posix.join(Path.posix.dirname(from), spec)).replace(/\.js$/, ".ts")

describe("the fake's sources", () => {
  it.effect("have no runtime import cycle", () =>
    Effect.sync(() => {
      const graph = new Map(
        Array.from(sources, ([file, text]) => [
          file,
          runtimeImports(text).filter((s) => s.startsWith(".")).map((s) => resolve(file, s))
        ])
      )
      const cycles: Array<string> = []
      const state = new Map<string, "visiting" | "done">()
      const visit = (file: string, path: ReadonlyArray<string>): void => {
        if (state.get(file) === "done") return
        if (state.get(file) === "visiting") {
          cycles.push([...path.slice(path.indexOf(file)), file].join(" -> "))
          return
        }
        state.set(file, "visiting")
        for (const next of graph.get(file) ?? []) visit(next, [...path, file])
        state.set(file, "done")
      }
      for (const file of graph.keys()) visit(file, [])
      assert.deepStrictEqual(cycles, [])
      const webhooks = graph.get("internal/webhooks.ts") ?? []
      assert.include(webhooks, "internal/predictionView.ts")
      assert.notInclude(webhooks, "internal/predictions.ts")
    }))

  it.effect("do not use node:crypto, nor the client's internal modules", () =>
    Effect.sync(() => {
      for (const [file, text] of sources) {
        const specs = Array.from(text.matchAll(/from\s+"([^"]+)"/g), ([, spec]) => spec!)
        assert.notInclude(specs, "node:crypto", file)
        assert.notInclude(specs, "crypto", file)
        assert.deepStrictEqual(specs.filter((s) => s.startsWith("@effect-skytells/client/internal")), [], file)
      }
    }))
})
