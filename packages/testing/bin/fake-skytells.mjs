#!/usr/bin/env node
// The `fake-skytells` command (`--help` lists its options). Which code it runs:
//
// - installed from the registry: the build, build/esm/bin.js, always. A project that happens to
//   have tsx must not get the shipped TypeScript sources run instead (slower, and not what was tested);
// - in a checkout of the effect-skytells workspace (tsconfig.src.json is there; it is not published):
//   src/bin.ts through tsx, a devDependency of this package. A build in a checkout is whatever the
//   last `pnpm build` left, possibly older than src, which everything else in the workspace (tests,
//   examples) runs from. Without tsx it takes the build, if there is one.
import { existsSync } from "node:fs"
import { fileURLToPath, pathToFileURL } from "node:url"

const file = (relative) => fileURLToPath(new URL(relative, import.meta.url))
const built = file("../build/esm/bin.js")
const inCheckout = existsSync(file("../tsconfig.src.json"))

const tsx = inCheckout ? await import("tsx/esm/api").catch(() => undefined) : undefined
let entry
if (tsx !== undefined) {
  tsx.register()
  entry = file("../src/bin.ts")
} else if (existsSync(built)) {
  entry = built
} else {
  process.stderr.write(
    inCheckout
      ? "fake-skytells: run `pnpm install` (for tsx) or `pnpm build` in the workspace\n"
      : "fake-skytells: this install has no build (build/esm/bin.js); reinstall @effect-skytells/testing\n"
  )
  process.exit(1)
}
const { main } = await import(pathToFileURL(entry).href)
main(process.argv.slice(2))
