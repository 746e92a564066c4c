// The real Redis the tests run against: SKYTELLS_TEST_REDIS_URL, default redis://127.0.0.1:6379.
// It is probed once, when a test file imports this module. `describeRedis` then runs its suite with
// a `TestRedis` (an admin client and a key prefix of this run, whose keys are deleted afterwards),
// skips it with a message saying how to enable it when Redis is not reachable, and fails it instead
// under CI=true, where a missing server is a broken setup rather than a developer's laptop.
import type { Vitest } from "@effect/vitest"
import { describe, it, layer } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { Redis } from "ioredis"
import { randomUUID } from "node:crypto"

export const redisUrl = process.env.SKYTELLS_TEST_REDIS_URL ?? "redis://127.0.0.1:6379"

/** `url` without its password, for messages. */
export const redactUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    if (parsed.password !== "") parsed.password = "***"
    return parsed.toString()
  } catch {
    return "(an invalid URL)"
  }
}

const probe = async (): Promise<string | undefined> => {
  const client = new Redis(redisUrl, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2000
  })
  const failures: Array<string> = []
  client.on("error", (error: Error) => failures.push(error.message))
  try {
    await client.connect()
    await client.ping()
    return undefined
  } catch (error) {
    return failures[0] ?? String(error)
  } finally {
    client.disconnect()
  }
}

const unreachable = await probe()

const enableHint = `Redis is not reachable at ${redactUrl(redisUrl)} (${unreachable}). ` +
  "Start Redis 7 there (e.g. `docker run --rm -p 6379:6379 redis:7`) or set SKYTELLS_TEST_REDIS_URL to one."

export class TestRedis extends Context.Tag("test/TestRedis")<TestRedis, {
  /** A client for assertions and fixtures. */
  readonly admin: Redis
  /** Every key of this run starts with it. */
  readonly prefix: string
}>() {}

const TestRedisLive = Layer.scoped(
  TestRedis,
  Effect.acquireRelease(
    Effect.promise(async () => {
      const admin = new Redis(redisUrl, { lazyConnect: true })
      await admin.connect()
      return { admin, prefix: `skytells-test:${randomUUID()}:` }
    }),
    ({ admin, prefix }) =>
      Effect.promise(async () => {
        for await (const keys of admin.scanStream({ match: `${prefix}*`, count: 1000 })) {
          if (keys.length > 0) await admin.del(...(keys as Array<string>))
        }
        await admin.quit()
      })
  )
)

/**
 * A suite against the real Redis, its tests on the live clock (Redis keeps time itself).
 */
export const describeRedis = (name: string, suite: (it: Vitest.MethodsNonLive<TestRedis, true>) => void): void => {
  const withRedis = layer(TestRedisLive, { excludeTestServices: true })
  if (unreachable === undefined) return withRedis(name, suite)
  if (process.env.CI === "true") {
    describe(name, () => {
      it("needs Redis", () => {
        throw new Error(`${enableHint} Under CI=true a missing Redis fails the run.`)
      })
    })
    return
  }
  process.stderr.write(`Skipping "${name}": ${enableHint}\n`)
  describe.skip(`${name} [skipped: ${enableHint}]`, () => withRedis(suite))
}
