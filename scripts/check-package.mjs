// Checks that the published form of @effect-skytells/client works for a consumer, from Node 20:
//
//   1. `pnpm pack` the client (publishConfig swaps the dev-time src exports for build/{esm,cjs,dts})
//      into a temp dir; the package must have been built first (`pnpm build`).
//   2. Install the tarball into a temp project outside the workspace, with the same effect and
//      @effect/platform versions as the workspace's node_modules (its peer dependencies).
//   3. `import()` and `require()` the package: both must expose `SkytellsError`; a subpath module must
//      load too; `internal/*` must be blocked by the exports map.
//   4. Type-check a consumer file against the shipped .d.ts (module NodeNext, strict).
//
// Plain Node ESM, no dependencies. Usage: node scripts/check-package.mjs [--keep]
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const pkgDir = path.join(root, "packages", "client")
const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"))
const keep = process.argv.includes("--keep")

// pnpm itself: the one running us (`pnpm check-package`, also under `npx pnpm@10`), else from PATH.
const pnpm = () => {
  const execpath = process.env.npm_execpath
  if (execpath && /pnpm/.test(path.basename(execpath))) {
    return /\.[cm]?js$/.test(execpath) ? [process.execPath, [execpath]] : [execpath, []]
  }
  return ["pnpm", []]
}

const run = (cwd, command, args, options = {}) => {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", ...options })
  if (result.error) throw result.error
  return result
}

const fail = (message, output) => {
  console.error(`check-package: FAILED: ${message}`)
  if (output) console.error(output.trim())
  return false
}

// The version installed in the workspace (the root's, else the package's own), so the check needs no registry.
const localVersion = (name) => {
  const dir = [root, pkgDir].map((d) => path.join(d, "node_modules", name)).find((d) => fs.existsSync(d))
  return JSON.parse(fs.readFileSync(path.join(dir ?? path.join(root, "node_modules", name), "package.json"), "utf8"))
    .version
}

const main = () => {
  for (const file of ["build/esm/index.js", "build/cjs/index.js", "build/cjs/package.json", "build/dts/index.d.ts"]) {
    if (!fs.existsSync(path.join(pkgDir, file))) {
      return fail(`${pkg.name}: ${file} is missing; run \`pnpm build\` first`)
    }
  }

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "effect-skytells-check-package-"))
  try {
    // 1. pack
    const packDir = path.join(tmp, "pack")
    fs.mkdirSync(packDir)
    const [pnpmCmd, pnpmArgs] = pnpm()
    const packed = run(pkgDir, pnpmCmd, [...pnpmArgs, "pack", "--pack-destination", packDir])
    const tarballs = fs.readdirSync(packDir).filter((f) => f.endsWith(".tgz"))
    if (packed.status !== 0 || tarballs.length !== 1) {
      return fail("pnpm pack", packed.stdout + packed.stderr)
    }
    const tarball = path.join(packDir, tarballs[0])
    console.log(`packed ${path.relative(tmp, tarball)} (${fs.statSync(tarball).size} bytes)`)

    // 2. install into a consumer project
    const app = path.join(tmp, "app")
    fs.mkdirSync(app)
    fs.writeFileSync(
      path.join(app, "package.json"),
      JSON.stringify({ name: "check-package-consumer", version: "0.0.0", private: true }, null, 2) + "\n"
    )
    const deps = [`effect@${localVersion("effect")}`, `@effect/platform@${localVersion("@effect/platform")}`]
    const installed = run(app, pnpmCmd, [
      ...pnpmArgs,
      "add",
      "--prefer-offline",
      "--config.auto-install-peers=false",
      tarball,
      ...deps
    ], { env: { ...process.env, npm_config_workspace_dir: "" } })
    if (installed.status !== 0) {
      return fail(`pnpm add ${path.basename(tarball)} ${deps.join(" ")}`, installed.stdout + installed.stderr)
    }
    console.log(`installed into a consumer project with ${deps.join(", ")}`)

    // 3. load it both ways
    const name = pkg.name
    const [barrel, subpath, internal] = [name, `${name}/SkytellsError`, `${name}/internal/catalogue`].map((id) =>
      JSON.stringify(id)
    )
    // The same checks for both module systems; `load` is `await import` or `require`.
    const consumer = (load, label) =>
      [
        `const m = ${load}(${barrel})`,
        `if (typeof m.SkytellsError !== "object" || m.SkytellsError === null) throw new Error("${label}: no SkytellsError")`,
        `if (typeof m.SkytellsError.InvalidInput !== "function") throw new Error("${label}: no SkytellsError.InvalidInput")`,
        `const sub = ${load}(${subpath})`,
        `if (sub.InvalidInput !== m.SkytellsError.InvalidInput) throw new Error("${label}: subpath and barrel disagree")`,
        `let blocked = false`,
        `try { ${load}(${internal}) } catch (e) { blocked = e.code === "ERR_PACKAGE_PATH_NOT_EXPORTED" }`,
        `if (!blocked) throw new Error("${label}: internal/* is not blocked by the exports map")`,
        `console.log("${label}: ok, SkytellsError has " + Object.keys(m.SkytellsError).length + " exports")`,
        ``
      ].join("\n")
    fs.writeFileSync(path.join(app, "esm.mjs"), consumer("await import", "import()"))
    fs.writeFileSync(path.join(app, "cjs.cjs"), consumer("require", "require()"))
    let ok = true
    for (const file of ["esm.mjs", "cjs.cjs"]) {
      const loaded = run(app, process.execPath, [file])
      if (loaded.status !== 0) ok = fail(`node ${file}`, loaded.stdout + loaded.stderr)
      else process.stdout.write(loaded.stdout)
    }

    // 3b. the barrel above loaded without undici and @effect/platform-node (optional peers); with
    // them installed, the Node entry point loads both ways too.
    const nodePeers = [
      `undici@${localVersion("undici")}`,
      `@effect/platform-node@${localVersion("@effect/platform-node")}`
    ]
    const withPeers = run(app, pnpmCmd, [
      ...pnpmArgs,
      "add",
      "--prefer-offline",
      "--config.auto-install-peers=false",
      ...nodePeers
    ], { env: { ...process.env, npm_config_workspace_dir: "" } })
    if (withPeers.status !== 0) return fail(`pnpm add ${nodePeers.join(" ")}`, withPeers.stdout + withPeers.stderr)
    const nodeEntry = JSON.stringify(`${name}/NodeSkytellsClient`)
    const nodeConsumer = (load, label) =>
      [
        `const n = ${load}(${nodeEntry})`,
        `if (typeof n.layer !== "function" || typeof n.layerConfig !== "function") throw new Error("${label}: no NodeSkytellsClient.layer")`,
        `console.log("${label}: ok, NodeSkytellsClient loads with its optional peers")`,
        ``
      ].join("\n")
    fs.writeFileSync(path.join(app, "node-esm.mjs"), nodeConsumer("await import", "import()"))
    fs.writeFileSync(path.join(app, "node-cjs.cjs"), nodeConsumer("require", "require()"))
    for (const file of ["node-esm.mjs", "node-cjs.cjs"]) {
      const loaded = run(app, process.execPath, [file])
      if (loaded.status !== 0) ok = fail(`node ${file}`, loaded.stdout + loaded.stderr)
      else process.stdout.write(loaded.stdout)
    }

    // 4. the shipped declarations type-check for a NodeNext consumer
    fs.writeFileSync(
      path.join(app, "types.mts"),
      `import { SkytellsError } from ${JSON.stringify(name)}
import type * as Effect from "effect/Effect"
declare const call: Effect.Effect<string, SkytellsError.InvalidInput>
export const tag: "InvalidInput" = null as unknown as Effect.Effect.Error<typeof call>["_tag"]
`
    )
    fs.writeFileSync(
      path.join(app, "tsconfig.json"),
      JSON.stringify(
        {
          compilerOptions: {
            strict: true,
            exactOptionalPropertyTypes: true,
            module: "NodeNext",
            moduleResolution: "NodeNext",
            target: "ES2022",
            lib: ["ES2022", "DOM"],
            types: [],
            noEmit: true,
            skipLibCheck: false
          },
          files: ["types.mts"]
        },
        null,
        2
      ) + "\n"
    )
    const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc")
    const typed = run(app, process.execPath, [tsc, "-p", "tsconfig.json"])
    if (typed.status !== 0) ok = fail("tsc on a consumer of the shipped .d.ts", typed.stdout + typed.stderr)
    else console.log("types: ok (NodeNext consumer type-checks against build/dts)")

    if (ok) console.log(`check-package: ${name} ok (ESM import, CJS require, exports map, types)`)
    return ok
  } finally {
    if (keep) console.log(`kept ${tmp}`)
    else fs.rmSync(tmp, { recursive: true, force: true })
  }
}

process.exitCode = main() ? 0 : 1
