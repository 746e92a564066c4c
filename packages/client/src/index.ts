/**
 * @since 0.1.0
 */

/**
 * Every failure the toolkit can report, as `Schema.TaggedError` classes in Effect's typed error channel.
 *
 * @since 0.1.0
 */
export * as SkytellsError from "./SkytellsError.js"
