/**
 * @since 0.1.0
 */

/**
 * The client-side limiter in Redis: one budget per minute and per day, and one pause, shared by
 * every worker that uses an API key.
 *
 * @since 0.1.0
 */
export * as RedisRateLimiter from "./RedisRateLimiter.js"

/**
 * A `WebhookStore` in Redis: webhook deliveries deduplicated across every worker of an account.
 *
 * @since 0.1.0
 */
export * as RedisWebhookStore from "./RedisWebhookStore.js"
