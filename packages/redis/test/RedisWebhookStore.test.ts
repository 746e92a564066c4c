import { WebhookStore } from "@effect-skytells/client"
import { RedisWebhookStore } from "@effect-skytells/redis"
import { assert, describe, it } from "@effect/vitest"
import { Context, Duration, Effect, Layer, Logger } from "effect"
import { Redis } from "ioredis"
import { randomUUID } from "node:crypto"
import * as Net from "node:net"
import { describeRedis, redisUrl, TestRedis } from "./servers.js"

const ttl = Duration.minutes(1)

/** The store of `RedisWebhookStore.layer({ url, ... })`, for the test's scope. */
const urlStore = (options: RedisWebhookStore.UrlOptions) =>
  Effect.map(Layer.build(RedisWebhookStore.layer(options)), Context.get(WebhookStore.WebhookStore))

describeRedis("RedisWebhookStore on a real Redis", (it) => {
  it.scoped("admits a key once, stored under the prefix with the TTL in Redis", () =>
    Effect.gen(function*() {
      const { admin, prefix } = yield* TestRedis
      const store = yield* urlStore({ url: redisUrl, prefix })
      assert.isTrue(yield* store.markIfNew("a", ttl))
      assert.isFalse(yield* store.markIfNew("a", ttl))
      assert.isTrue(yield* store.markIfNew("b", ttl))
      const pttl = yield* Effect.promise(() => admin.pttl(`${prefix}a`))
      assert.isTrue(pttl > 55_000 && pttl <= 60_000, `PTTL ${pttl}`)
    }))

  it.scoped("of many concurrent identical marks, exactly one is admitted", () =>
    Effect.gen(function*() {
      const { prefix } = yield* TestRedis
      const store = yield* urlStore({ url: redisUrl, prefix })
      const answers = yield* Effect.all(Array.from({ length: 200 }, () => store.markIfNew("same", ttl)), {
        concurrency: "unbounded"
      })
      assert.strictEqual(answers.filter((admitted) => admitted).length, 1)
    }))

  it.scoped("an expired key is admitted again, on Redis's clock", () =>
    Effect.gen(function*() {
      const { admin, prefix } = yield* TestRedis
      const store = yield* urlStore({ url: redisUrl, prefix })
      assert.isTrue(yield* store.markIfNew("short", Duration.millis(1)))
      // No sleep: ask until Redis's own clock has passed the millisecond (a few round trips).
      const readmitted = yield* store.markIfNew("short", ttl).pipe(
        Effect.repeat({ until: (admitted) => admitted, times: 10_000 })
      )
      assert.isTrue(readmitted)
      assert.isTrue((yield* Effect.promise(() => admin.pttl(`${prefix}short`))) > 55_000, "re-armed with the new TTL")
      assert.isTrue(yield* store.markIfNew("forever", Duration.infinity))
      assert.isTrue((yield* Effect.promise(() => admin.pttl(`${prefix}forever`))) > 1e15)
    }))

  it.scoped("unmark forgets a key", () =>
    Effect.gen(function*() {
      const { admin, prefix } = yield* TestRedis
      const store = yield* urlStore({ url: redisUrl, prefix })
      assert.isTrue(yield* store.markIfNew("k", ttl))
      yield* store.unmark("k")
      assert.strictEqual(yield* Effect.promise(() => admin.exists(`${prefix}k`)), 0)
      assert.isTrue(yield* store.markIfNew("k", ttl))
      yield* store.unmark("never-marked")
    }))

  it.scoped("a SET that times out but runs later is released, so the redelivery is admitted", () =>
    Effect.gen(function*() {
      const { admin, prefix } = yield* TestRedis
      const client = new Redis(redisUrl, { ...RedisWebhookStore.clientOptions, lazyConnect: true })
      yield* Effect.acquireRelease(Effect.promise(() => client.connect()), () => Effect.sync(() => client.disconnect()))
      const store = yield* RedisWebhookStore.make({ client, prefix, timeout: Duration.millis(20) })
      // Redis holds write commands for 200 ms: the SET gets no answer in time, then runs.
      yield* Effect.promise(() => admin.call("CLIENT", "PAUSE", "200", "WRITE"))
      const error = yield* Effect.flip(store.markIfNew("late", ttl))
      assert.strictEqual(error._tag, "WebhookStoreError")
      assert.match(String(error.cause), /did not answer SET .*late NX within 20ms/)
      // Commands on one connection run in order: once PING answers, the SET and the release have run.
      yield* Effect.promise(() => client.ping())
      assert.strictEqual(yield* Effect.promise(() => admin.exists(`${prefix}late`)), 0)
      assert.isTrue(yield* store.markIfNew("late", ttl))
    }))

  it.scoped("layer({ url }) opens its own connection and quits it when released", () =>
    Effect.gen(function*() {
      const { admin, prefix } = yield* TestRedis
      const connectionName = `skytells-test-${randomUUID()}`
      const connected = Effect.map(
        Effect.promise(() => admin.call("CLIENT", "LIST") as Promise<string>),
        (list) => list.includes(`name=${connectionName}`)
      )
      yield* Effect.scoped(Effect.gen(function*() {
        const store = yield* urlStore({ url: redisUrl, prefix, redisOptions: { connectionName } })
        assert.isTrue(yield* store.markIfNew("x", ttl))
        assert.isTrue(yield* connected)
      }))
      assert.isFalse(yield* connected)
    }))
})

// These need no Redis: a closed port, and fake servers that never answer or answer with an error.

/** A TCP server on loopback for the test's scope; `onData` answers each chunk it receives. */
const fakeServer = (onData: (socket: Net.Socket, chunk: Buffer) => void) =>
  Effect.acquireRelease(
    Effect.async<Net.Server>((resume) => {
      const server = Net.createServer((socket) => socket.on("data", (chunk) => onData(socket, chunk)))
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) => Effect.sync(() => server.close())
  ).pipe(Effect.map((server) => (server.address() as Net.AddressInfo).port))

const closedPort = Effect.scoped(fakeServer(() => undefined))

/** An ioredis client with its defaults (offline queue and all), disconnected with the scope. */
const defaultClient = (port: number, options: { readonly enableReadyCheck?: boolean } = {}) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const client = new Redis({ port, host: "127.0.0.1", ...options })
      client.on("error", () => undefined)
      return client
    }),
    (client) => Effect.sync(() => client.disconnect())
  )

describe("RedisWebhookStore failures", () => {
  it.scopedLive("a down Redis is a WebhookStoreError at once, not a hang, and one warning in the logs", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const logs: Array<string> = []
      const store = yield* urlStore({ url: `redis://127.0.0.1:${port}`, prefix: "p:" }).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => logs.push(String(message)))))
      )
      const marked = yield* Effect.flip(store.markIfNew("k", ttl)).pipe(Effect.timeout("1 second"))
      assert.strictEqual(marked._tag, "WebhookStoreError")
      assert.strictEqual(marked.operation, "markIfNew")
      assert.match(String(marked.cause), new RegExp(`SET p:k NX could not reach Redis at 127.0.0.1:${port}`))
      assert.match(String(marked.cause), /Check that Redis is running/)
      const unmarked = yield* Effect.flip(store.unmark("k")).pipe(Effect.timeout("1 second"))
      assert.strictEqual(unmarked.operation, "unmark")
      assert.match(String(unmarked.cause), /DEL p:k could not reach Redis/)
      // The client keeps failing to reconnect meanwhile; the outage is logged once.
      assert.deepStrictEqual(logs, [
        `Redis at 127.0.0.1:${port} is unreachable (connect ECONNREFUSED 127.0.0.1:${port}): webhook deliveries fail until it is back; the client keeps reconnecting.`
      ])
    }))

  it.scopedLive("a Redis that does not answer is a WebhookStoreError after `timeout`, even with ioredis's defaults", () =>
    Effect.gen(function*() {
      const port = yield* fakeServer(() => undefined)
      const client = yield* defaultClient(port)
      const store = yield* RedisWebhookStore.make({ client, timeout: Duration.millis(100) })
      const error = yield* Effect.flip(store.markIfNew("k", ttl)).pipe(Effect.timeout("2 seconds"))
      assert.strictEqual(error._tag, "WebhookStoreError")
      assert.match(String(error.cause), new RegExp(`Redis at 127.0.0.1:${port} did not answer SET k NX within 100ms`))
    }))

  it.scopedLive("an error reply is a WebhookStoreError saying what Redis refused", () =>
    Effect.gen(function*() {
      // Answers every command (each starts with a RESP array header) as a read-only replica would.
      const port = yield* fakeServer((socket, chunk) => {
        for (const _ of chunk.toString().matchAll(/(?:^|\r\n)\*\d+\r\n/g)) {
          socket.write("-READONLY You can't write against a read only replica.\r\n")
        }
      })
      const client = yield* defaultClient(port, { enableReadyCheck: false })
      const store = yield* RedisWebhookStore.make({ client })
      const error = yield* Effect.flip(store.markIfNew("k", ttl))
      assert.strictEqual(error._tag, "WebhookStoreError")
      assert.match(String(error.cause), new RegExp(`Redis at 127.0.0.1:${port} refused SET k NX: READONLY`))
    }))
})
