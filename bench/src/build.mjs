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

const redisRequire = createRequire(path.join(here, "..", "..", "packages", "redis", "package.json"))
const sqlSources = path.join(here, "..", "..", "packages", "sql", "src")
/** Marks the resolutions the externals plugin asks esbuild for itself. */
const fromSqlPackage = Symbol("resolved from packages/sql")

/** Loads the client's sources as they were at `commit` (the "before" side of an A/B of a change). */
const revertPlugin = (commit) => ({
  name: "revert",
  setup(build) {
    build.onLoad({ filter: /packages\/client\/src\/.*\.ts$/ }, async (args) => {
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

export const buildWorker = async (entry = "worker-effect.ts", revert = undefined) => {
  const outfile = path.join(buildDir, entry.replace(/\.ts$/, revert ? `-${revert}.js` : ".js"))
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
    plugins: [...(revert ? [revertPlugin(revert)] : []), {
      name: "externals",
      setup(build) {
        // Bundle the workspace packages and relative files; keep every npm package external.
        // @effect-skytells/redis's drivers are its dependencies, not the bench's: @effect/experimental
        // is bundled (its `effect` imports stay external, so one effect is loaded) and ioredis loads
        // from the redis package's node_modules.
        // @effect-skytells/sql's @effect/sql and its drivers (@effect/sql-pg, @effect/sql-libsql) stay
        // external too, loaded from where packages/sql finds them (their ES modules, whose `effect` is
        // the same file as the bench's, so one effect is loaded).
        build.onResolve({ filter: /^[^./]/ }, async (args) => {
          if (args.pluginData === fromSqlPackage) return undefined
          if (/^@effect\/sql(-pg|-libsql)?(\/|$)/.test(args.path)) {
            const resolved = await build.resolve(args.path, {
              kind: args.kind,
              resolveDir: sqlSources,
              pluginData: fromSqlPackage
            })
            return resolved.errors.length > 0 ? { errors: resolved.errors } : { path: resolved.path, external: true }
          }
          return args.path.startsWith("@effect-skytells/") || args.path.startsWith("@effect/experimental")
            ? undefined
            : args.path === "ioredis"
            ? { path: redisRequire.resolve("ioredis"), external: true }
            : { path: args.path, external: true }
        })
      }
    }]
  })
  return outfile
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mode = process.argv[3] ?? ""
  console.log(await buildWorker(process.argv[2], mode.startsWith("revert:") ? mode.slice(7) : undefined))
}
