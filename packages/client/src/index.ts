/**
 * @since 0.1.0
 */

/**
 * An `HttpClient` served by an `HttpApp` in the same fiber: the test transport.
 *
 * @since 0.1.0
 */
export * as InProcessHttpClient from "./InProcessHttpClient.js"

/**
 * Rate-limit information from the server's headers, and the client-side limiter's options.
 *
 * @since 0.1.0
 */
export * as RateLimit from "./RateLimit.js"

/**
 * Retry policies: `Schedule`s over the typed error of a call.
 *
 * @since 0.1.0
 */
export * as Retry from "./Retry.js"

/**
 * The service that executes Skytells requests.
 *
 * @since 0.1.0
 */
export * as SkytellsClient from "./SkytellsClient.js"

/**
 * Every failure the toolkit can report, as `Schema.TaggedError` classes in Effect's typed error channel.
 *
 * @since 0.1.0
 */
export * as SkytellsError from "./SkytellsError.js"
