/**
 * @since 0.1.0
 */

/**
 * A fake of the Skytells API v1 (in process or on loopback) with request recording, scenarios,
 * fault injection, rate limits and webhooks.
 *
 * @since 0.1.0
 */
export * as FakeSkytells from "./FakeSkytells.js"

/**
 * Faults the fake can inject: error statuses, gateway pages, resets, stalls, truncation, latency.
 *
 * @since 0.1.0
 */
export * as Fault from "./Fault.js"

/**
 * What the fake recorded: the requests it received and the webhook deliveries it attempted.
 *
 * @since 0.1.0
 */
export * as Recorded from "./Recorded.js"

/**
 * Which variant of the API the fake speaks where Skytells' sources disagree, and how long its
 * predictions take.
 *
 * @since 0.1.0
 */
export * as Scenario from "./Scenario.js"
