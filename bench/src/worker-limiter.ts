/**
 * Bench worker for the limiter's cost per call: `Predictions.get` over the undici fast path
 * (`NodeSkytellsClient.layer`) with no limiter, the in-memory limiter, or the Redis limiter, each with
 * a per-minute and a per-day budget too large to ever make a call wait, so what is measured is the
 * bookkeeping alone. Its own worker (not a mode of worker-effect.ts) so that ioredis is loaded only
 * here, and the other workers' memory figures stay as they were.
 *
 * The Redis limiter's keys expire on their own within seconds of the run (a budget this large
 * extends them by one millisecond per request), so nothing is left to clean up.
 */
import * as Limiter from "@effect-skytells/client/Limiter"
import * as NodeSkytellsClient from "@effect-skytells/client/NodeSkytellsClient"
import * as Predictions from "@effect-skytells/client/Predictions"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as RedisRateLimiter from "../../packages/redis/src/RedisRateLimiter.js"
import { effectDriver } from "./effect-driver.js"
// @ts-expect-error plain JS module without types
import { API_KEY, PREDICTION_ID } from "./fixtures.mjs"
// @ts-expect-error plain JS module without types
import { config, measure, report } from "./harness.mjs"

interface Config {
  readonly variant: "none" | "memory" | "redis"
  readonly redisUrl: string
  readonly prefix: string
  readonly origin: string
  readonly warmup: number
  readonly requests: number
  readonly concurrency: number
}

const cfg = config() as Config
const limits = { requestsPerMinute: 100_000_000, requestsPerDay: 1_000_000_000 }
const client = NodeSkytellsClient.layer({ apiKey: Redacted.make(API_KEY as string), baseUrl: `${cfg.origin}/v1` })
const runtime = ManagedRuntime.make(Layer.orDie(
  cfg.variant === "memory"
    ? Layer.provide(client, Limiter.layerMemory(limits))
    : cfg.variant === "redis"
    ? Layer.provide(client, RedisRateLimiter.layer({ url: cfg.redisUrl, prefix: cfg.prefix, ...limits }))
    : client
))

measure({
  run: effectDriver(runtime, Predictions.get(PREDICTION_ID as string)),
  warmup: cfg.warmup,
  requests: cfg.requests,
  concurrency: cfg.concurrency,
  origin: cfg.origin
}).then(
  async (result: Record<string, unknown>) => {
    report({ variant: cfg.variant, ...result })
    await runtime.dispose()
    process.exit(0)
  },
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  }
)
