import * as WebhookStore from "@effect-skytells/client/WebhookStore"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, TestClock } from "effect"

const ttl = Duration.minutes(10)

describe("WebhookStore.layerMemory", () => {
  it.effect("markIfNew is true once, then false until the TTL has passed (TestClock)", () =>
    Effect.gen(function*() {
      const store = yield* WebhookStore.WebhookStore
      assert.isTrue(yield* store.markIfNew("a", ttl))
      assert.isFalse(yield* store.markIfNew("a", ttl))
      assert.isTrue(yield* store.markIfNew("b", ttl))
      yield* TestClock.adjust("9 minutes")
      assert.isFalse(yield* store.markIfNew("a", ttl))
      yield* TestClock.adjust("1 minute")
      assert.isTrue(yield* store.markIfNew("a", ttl))
      assert.isTrue(yield* store.markIfNew("b", ttl))
    }).pipe(Effect.provide(WebhookStore.layerMemory())))

  it.effect("unmark forgets a key", () =>
    Effect.gen(function*() {
      const store = yield* WebhookStore.WebhookStore
      assert.isTrue(yield* store.markIfNew("k", ttl))
      yield* store.unmark("k")
      assert.isTrue(yield* store.markIfNew("k", ttl))
      yield* store.unmark("never-marked")
    }).pipe(Effect.provide(WebhookStore.layerMemory())))

  it.effect("stays bounded: the oldest keys are evicted past maxEntries", () =>
    Effect.gen(function*() {
      const store = yield* WebhookStore.makeMemory({ maxEntries: 3 })
      for (const k of ["1", "2", "3", "4"]) assert.isTrue(yield* store.markIfNew(k, ttl))
      assert.isTrue(yield* store.markIfNew("1", ttl), "evicted")
      assert.isFalse(yield* store.markIfNew("4", ttl))
    }))

  it.effect("expired entries are swept", () =>
    Effect.gen(function*() {
      const store = yield* WebhookStore.makeMemory({ maxEntries: 1000 })
      assert.isTrue(yield* store.markIfNew("live", ttl))
      for (let i = 0; i < 500; i++) yield* store.markIfNew(`old-${i}`, Duration.seconds(1))
      yield* TestClock.adjust("2 seconds")
      // Without sweeping, 600 more keys would make 1101 entries and evict the oldest, "live".
      for (let i = 0; i < 600; i++) yield* store.markIfNew(`new-${i}`, ttl)
      assert.isFalse(yield* store.markIfNew("live", ttl))
    }))

  it.effect("separate layers are separate stores", () =>
    Effect.gen(function*() {
      const one = yield* WebhookStore.makeMemory()
      const two = yield* WebhookStore.makeMemory()
      assert.isTrue(yield* one.markIfNew("x", ttl))
      assert.isTrue(yield* two.markIfNew("x", ttl))
    }))
})
