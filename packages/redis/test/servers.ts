// The real Redis the tests run against: SKYTELLS_TEST_REDIS_URL, default redis://127.0.0.1:6379.
// It is probed once, when a test file imports this module. `describeRedis` then runs its suite with
// a `TestRedis` (an admin client and a key prefix of this run, whose keys are deleted afterwards);
// it skips the suite when Redis is not reachable, or fails it under CI=true (see TestServer).
import * as TestServer from "@effect-skytells/test-support/TestServer"
import type { Vitest } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { Redis } from "ioredis"
import { randomUUID } from "node:crypto"

// ioredis tells why it cannot connect (ECONNREFUSED, ...) only in "error" events; connect() itself
// rejects with a bare "Connection is closed".
const ping = async (url: string): Promise<void> => {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2000
  })
  let failure: Error | undefined
  client.on("error", (error: Error) => failure ??= error)
  try {
    await client.connect()
    await client.ping()
  } catch (error) {
    throw failure ?? error
  } finally {
    client.disconnect()
  }
}

const redis = await Effect.runPromise(TestServer.make({
  name: "Redis",
  env: "SKYTELLS_TEST_REDIS_URL",
  defaultUrl: "redis://127.0.0.1:6379",
  howToStart: "Start Redis 7 there (e.g. `docker run --rm -p 6379:6379 redis:7`)",
  probe: (url) => Effect.tryPromise({ try: () => ping(url), catch: (error) => error })
}))

export const redisUrl = redis.url

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

/** A suite against the real Redis. */
export const describeRedis = (name: string, suite: (it: Vitest.MethodsNonLive<TestRedis, true>) => void): void =>
  redis.describe(name, TestRedisLive, suite)
