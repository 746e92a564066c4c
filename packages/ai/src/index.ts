/**
 * @since 0.1.0
 */

/**
 * Skytells failures as `@effect/ai` `AiError`s (the Skytells error kept as the `cause`), and
 * `unwrap` to get the Skytells errors back for `catchTags`.
 *
 * @since 0.1.0
 */
export * as SkytellsAiError from "./SkytellsAiError.js"

/**
 * Skytells embeddings as an `@effect/ai` `EmbeddingModel`, over the toolkit's batching `embed`.
 *
 * @since 0.1.0
 */
export * as SkytellsEmbeddingModel from "./SkytellsEmbeddingModel.js"

/**
 * Skytells models as an `@effect/ai` `LanguageModel`, over the Responses API: text, streams with an
 * idle timeout, tool calls, structured output, usage and finish reasons.
 *
 * @since 0.1.0
 */
export * as SkytellsLanguageModel from "./SkytellsLanguageModel.js"
