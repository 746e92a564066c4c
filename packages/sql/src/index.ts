/**
 * @since 0.1.0
 */

/**
 * A `WebhookStore` in a SQL table (PostgreSQL, SQLite) over `@effect/sql`: webhook deliveries
 * deduplicated across every worker of an account.
 *
 * @since 0.1.0
 */
export * as SqlWebhookStore from "./SqlWebhookStore.js"
