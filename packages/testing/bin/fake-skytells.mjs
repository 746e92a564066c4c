#!/usr/bin/env node
// Starts the fake Skytells API on loopback and prints SKYTELLS_BASE_URL / SKYTELLS_API_KEY.
// In a checkout it runs the TypeScript source through tsx (a devDependency of this package), so it
// works on Node 20 without a build step; in an installed package it runs the built module.
import { existsSync } from "node:fs"
import { fileURLToPath, pathToFileURL } from "node:url"

const source = fileURLToPath(new URL("../src/bin.ts", import.meta.url))
const built = fileURLToPath(new URL("../build/esm/bin.js", import.meta.url))

const tsx = await import("tsx/esm/api").catch(() => undefined)
if (tsx !== undefined && existsSync(source)) {
  tsx.register()
  await import(pathToFileURL(source).href)
} else if (existsSync(built)) {
  await import(pathToFileURL(built).href)
} else {
  process.stderr.write("fake-skytells: needs tsx (to run src/bin.ts) or a build (build/esm/bin.js)\n")
  process.exit(1)
}
