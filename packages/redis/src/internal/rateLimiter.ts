/**
 * The Redis limiter: budgets kept by @effect/experimental's `RateLimiter` over its Redis store
 * (fixed windows, timed by key expiry in Redis), and a pause shared through one key whose time to
 * live is the pause, set by a script so that it only ever grows, within the client's cap.
 *
 * @since 0.1.0
 * @internal
 */
import * as Limiter from "@effect-skytells/client/Limiter"
import * as RateLimiter from "@effect/experimental/RateLimiter"
import * as RedisStore from "@effect/experimental/RateLimiter/Redis"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { identity } from "effect/Function"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import type { Redis, RedisOptions } from "ioredis"
import { createHash } from "node:crypto"
import * as internal from "./redis.js"

/**
 * A budget: `limit` requests per `window`, its Redis key ending in `:${name}`.
 *
 * @since 0.1.0
 * @internal
 */
export interface Budget {
  readonly name: string
  readonly limit: number
  readonly window: Duration.Duration
}

/**
 * @since 0.1.0
 * @internal
 */
export interface Settings {
  readonly url: string | Redacted.Redacted<string>
  readonly redisOptions: RedisOptions | undefined
  readonly prefix: string
  readonly budgets: ReadonlyArray<Budget>
  readonly concurrent: number | undefined
  readonly onStoreError: "fail-open" | "fail-closed"
  readonly timeout: Duration.Duration
}

// While the store fails, it is left alone for this long after each failure: calls then go ahead
// (or fail) at once rather than each waiting for a command to fail.
const STORE_RETRY_MILLIS = 1000

// KEYS[1]: the pause key. ARGV: a wait in ms counted from now (-1: none), a time in epoch ms
// (-1: none) turned into a wait on Redis's clock, the cap in ms. The key's time to live is the
// pause: it is set only when the new pause ends later than the current one.
const pauseScript = `
local wait = tonumber(ARGV[1])
local untilMillis = tonumber(ARGV[2])
if untilMillis >= 0 then
  local time = redis.call("TIME")
  wait = untilMillis - (tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000))
end
wait = math.floor(math.min(wait, tonumber(ARGV[3])))
local current = redis.call("PTTL", KEYS[1])
if wait > 0 and wait > current then
  redis.call("SET", KEYS[1], "1", "PX", wait)
  return wait
end
return current
`

interface PauseClient extends Redis {
  skytellsPause(key: string, wait: number, untilMillis: number, cap: number): Promise<number>
}

/**
 * The store's script extends the key's expiry by `window / limit` per request, and Redis takes whole
 * milliseconds (7 a minute would be 8571.43 ms: refused). The window is rounded up to the next
 * multiple of the limit: longer by less than `limit` ms, so the budget is never exceeded. A limit
 * above one request per millisecond is held to that rate.
 *
 * @since 0.1.0
 * @internal
 */
export const wholeWindow = (budget: Budget): Duration.Duration =>
  Duration.millis(Math.max(1, Math.ceil(Duration.toMillis(budget.window) / budget.limit)) * budget.limit)

/**
 * The id a budget is kept under: 32 hex digits of the key's SHA-256, never the key.
 *
 * @since 0.1.0
 * @internal
 */
export const accountOf = (apiKey: Redacted.Redacted<string>): string =>
  createHash("sha256").update(Redacted.value(apiKey)).digest("hex").slice(0, 32)

/**
 * The limiter service over two connections of its own (the store's, opened by @effect/experimental,
 * and one for the pause), closed with the scope.
 *
 * @since 0.1.0
 * @internal
 */
export const make = (settings: Settings): Effect.Effect<Limiter.Service, never, Scope.Scope> =>
  Effect.gen(function*() {
    const redisOptions = { commandTimeout: Math.max(1, Duration.toMillis(settings.timeout)), ...settings.redisOptions }
    const redis =
      (yield* internal.acquireClient(settings.url, redisOptions, "the shared rate limiter's checks")) as PauseClient
    redis.defineCommand("skytellsPause", { numberOfKeys: 1, lua: pauseScript })
    // The store opens its own connection and does not wait for it: commands sent before it is up
    // wait in ioredis's offline queue (and fail at the next failed reconnection, or `timeout`).
    // `redis.options` are the URL's and `redisOptions` as ioredis resolved them; ioredis's own type
    // marks some optional fields `| undefined`, which the store's parameter type does not.
    const storeOptions = { ...redis.options, lazyConnect: false, enableOfflineQueue: true, prefix: settings.prefix }
    const store = yield* RedisStore.make(storeOptions as Parameters<typeof RedisStore.make>[0])
    const limiter = yield* Effect.provideService(RateLimiter.make, RateLimiter.RateLimiterStore, store)
    const failOpen = settings.onStoreError === "fail-open"
    // One state for every client of the layer: the store is theirs in common.
    let retryStoreAt = 0
    let lastFailure: Limiter.LimiterUnavailable | undefined = undefined

    /** Runs a store command; on failure, goes ahead with `fallback` (fail open) or refuses the call. */
    const guarded = <A>(
      command: string,
      run: Effect.Effect<A, unknown>,
      fallback: A
    ): Effect.Effect<A, Limiter.LimiterUnavailable> =>
      Effect.clockWith((clock) => {
        if (lastFailure !== undefined && clock.unsafeCurrentTimeMillis() < retryStoreAt) {
          return failOpen ? Effect.succeed(fallback) : Effect.fail(lastFailure)
        }
        return Effect.matchEffect(run, {
          onSuccess: (a) => {
            if (lastFailure === undefined) return Effect.succeed(a)
            lastFailure = undefined
            return Effect.as(Effect.logInfo("The shared rate limiter's Redis answers again."), a)
          },
          onFailure: (error) => {
            retryStoreAt = clock.unsafeCurrentTimeMillis() + STORE_RETRY_MILLIS
            const cause = error instanceof RateLimiter.RateLimitStoreError ? error.cause : error
            const refused = new Limiter.LimiterUnavailable({
              description: internal.failure(redis, command, cause).message
            })
            const log = lastFailure !== undefined ? Effect.void : Effect.logWarning(
              failOpen
                ? `${refused.description} Skytells calls go ahead without the shared budget and pause until it answers (onStoreError: "fail-open").`
                : `${refused.description} Skytells calls fail with a TransportError (LimiterUnavailable) until it answers (onStoreError: "fail-closed").`
            )
            lastFailure = refused
            return Effect.zipRight(log, failOpen ? Effect.succeed(fallback) : Effect.fail(refused))
          }
        })
      })
    /** A promise's rejection as it is (ioredis's error), for the messages. */
    const command = <A>(send: () => Promise<A>) => Effect.tryPromise({ try: send, catch: identity })

    return {
      make: (client) =>
        Effect.gen(function*() {
          const account = accountOf(client.apiKey)
          const pauseKey = `${settings.prefix}${account}:pause`
          const cap = Duration.toMillis(client.maxPause)
          // This process's own copy of the pause: it holds when the store does not answer.
          const localUntil = yield* Ref.make(0)
          const semaphore = settings.concurrent !== undefined
            ? yield* Effect.makeSemaphore(settings.concurrent)
            : undefined

          /** Milliseconds left of the pause: this process's, or every worker's as Redis has it. */
          const pauseLeft = Effect.flatMap(
            Effect.zipWith(Ref.get(localUntil), Clock.currentTimeMillis, (until, now) => until - now),
            (local) =>
              Effect.map(guarded("PTTL", command(() => redis.pttl(pauseKey)), 0), (shared) => Math.max(local, shared))
          )
          const consume = (budget: Budget) =>
            Effect.map(
              guarded(
                "the budget script",
                limiter.consume({
                  algorithm: "fixed-window",
                  onExceeded: "delay",
                  window: wholeWindow(budget),
                  limit: budget.limit,
                  key: `${account}:${budget.name}`
                }),
                undefined
              ),
              (result) => result === undefined ? 0 : Duration.toMillis(result.delay)
            )
          const { budgets } = settings
          const turn: Effect.Effect<number, Limiter.LimiterUnavailable> = budgets.length === 0
            ? Effect.succeed(0)
            : budgets.length === 1
            ? consume(budgets[0]!)
            : Effect.map(
              Effect.all(budgets.map(consume), { concurrency: "unbounded" }),
              (delays) => Math.max(...delays)
            )

          const acquire = Effect.gen(function*() {
            while (true) {
              // Read again after each wait: a 429 seen meanwhile may have made the pause longer.
              let left = yield* pauseLeft
              while (left > 0) {
                yield* Effect.sleep(Duration.millis(left))
                left = yield* pauseLeft
              }
              // Taken after the pause, so that no turn is spent while nobody may send.
              const delay = yield* turn
              if (delay <= 0) return
              yield* Effect.sleep(Duration.millis(delay))
              // A pause that began while this request waited for its turn holds it too; the turn
              // is then lost, and a new one is taken once the pause is over.
              if ((yield* pauseLeft) <= 0) return
            }
          })

          const share = (wait: number, untilMillis: number) =>
            Effect.asVoid(
              guarded(
                "the pause script",
                command(() => redis.skytellsPause(pauseKey, wait, untilMillis, cap)),
                0
              )
            )

          return {
            run: (effect) => {
              const limited = Effect.zipRight(acquire, effect)
              return semaphore ? semaphore.withPermits(1)(limited) : limited
            },
            observe: (status, info, error) => {
              const pause = Limiter.pauseOf(status, info, error)
              if (pause === undefined) return Effect.void
              return Effect.flatMap(Clock.currentTimeMillis, (now) => {
                const at = pause._tag === "Wait" ? now + pause.millis : pause.epochMillis
                return Effect.zipRight(
                  Ref.update(localUntil, (current) => Math.max(current, Math.min(at, now + cap))),
                  // The answer is the call's either way: a store that cannot take the pause fails
                  // only the calls that need it (fail closed), when they ask for their turn.
                  Effect.ignore(pause._tag === "Wait" ? share(pause.millis, -1) : share(-1, pause.epochMillis))
                )
              })
            }
          } satisfies Limiter.Instance
        })
    } satisfies Limiter.Service
  })
