// A real server that a backend package's tests run against (Redis, PostgreSQL), at the URL in an
// environment variable or else a default. `make` probes it once, when the test module that runs it
// is imported. `describe` then runs a suite against it. When the server is not reachable, the suite
// is skipped with a message saying how to enable it, except under CI=true, where it fails instead:
// there a missing server is a broken setup rather than a developer's laptop.
import type { Vitest } from "@effect/vitest"
import { describe, it, layer } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"
import type { Layer } from "effect"

export interface Options {
  /** The server as messages name it: "Redis", "PostgreSQL". */
  readonly name: string
  /** The environment variable holding its URL. */
  readonly env: string
  readonly defaultUrl: string
  /** How to get one at the URL, completed by "or set <env> to one.". */
  readonly howToStart: string
  /** Succeeds when the server at `url` answers. Its failure is quoted in the skip message. */
  readonly probe: (url: string) => Effect.Effect<unknown, unknown>
}

export interface TestServer {
  readonly url: string
  /** A suite against the server. Its tests use the live clock, because the server keeps time itself. */
  readonly describe: <R, E>(
    name: string,
    layer: Layer.Layer<R, E>,
    suite: (it: Vitest.MethodsNonLive<R, true>) => void
  ) => void
}

/** `url` without its password, for messages. */
const redactUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    if (parsed.password !== "") parsed.password = "***"
    return parsed.toString()
  } catch {
    return "(an invalid URL)"
  }
}

// A driver's error usually wraps the socket's ("connect ECONNREFUSED ..."), which says what went wrong.
const reason = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.squash(cause)
  if (!(error instanceof Error)) return String(error)
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message
}

export const make = (options: Options): Effect.Effect<TestServer> =>
  Effect.gen(function*() {
    const url = process.env[options.env] ?? options.defaultUrl
    const probed = yield* Effect.exit(options.probe(url))
    const enableHint = Exit.isSuccess(probed) ? undefined : `${options.name} is not reachable at ${redactUrl(url)} ` +
      `(${reason(probed.cause)}). ${options.howToStart} or set ${options.env} to one.`
    return {
      url,
      describe: (name, serverLayer, suite) => {
        const withServer = layer(serverLayer, { excludeTestServices: true })
        if (enableHint === undefined) return withServer(name, suite)
        if (process.env.CI === "true") {
          describe(name, () => {
            it(`needs ${options.name}`, () => {
              throw new Error(`${enableHint} Under CI=true a missing ${options.name} fails the run.`)
            })
          })
          return
        }
        process.stderr.write(`Skipping "${name}": ${enableHint}\n`)
        describe.skip(`${name} [skipped: ${enableHint}]`, () => withServer(suite))
      }
    }
  })

/**
 * PostgreSQL as every backend's tests find it: SKYTELLS_TEST_PG_URL, default
 * postgres://postgres@127.0.0.1:5432/test. The caller brings the probe (its own driver).
 */
export const postgres = (probe: Options["probe"]): Options => ({
  name: "PostgreSQL",
  env: "SKYTELLS_TEST_PG_URL",
  defaultUrl: "postgres://postgres@127.0.0.1:5432/test",
  howToStart: "Start PostgreSQL 15 there " +
    "(e.g. `docker run --rm -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust -e POSTGRES_DB=test postgres:15`)",
  probe
})
