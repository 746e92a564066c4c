/**
 * `effect/Schema` schemas that several Inference APIs share: the Skytells safety results
 * (`content_filter_results`), token log probabilities, text annotations, image detail levels,
 * message roles and chat-style function tools. {@link InferenceSchema} re-exports them.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { nullable, openLiteral, TypedObject } from "./internal/inferenceSchema.js"
import { JsonObject } from "./internal/jsonObject.js"

// =============================================================================
// Safety (Skytells additions)
// =============================================================================

/**
 * A content-filter severity: `safe`, `low`, `medium`, `high` (other values are accepted).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ContentFilterSeverity = openLiteral("safe", "low", "medium", "high")

/**
 * @since 0.1.0
 * @category models
 */
export type ContentFilterSeverity = Schema.Schema.Type<typeof ContentFilterSeverity>

/**
 * The result of a severity-graded category (`hate`, `sexual`, `violence`, `self_harm`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ContentFilterSeverityResult = Schema.Struct({
  filtered: Schema.Boolean,
  severity: ContentFilterSeverity
}).annotations({ identifier: "ContentFilterSeverityResult" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ContentFilterSeverityResult extends Schema.Schema.Type<typeof ContentFilterSeverityResult> {}

/**
 * The result of a detection category (`jailbreak`, `protected_material_code`, `protected_material_text`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ContentFilterDetectionResult = Schema.Struct({
  filtered: Schema.Boolean,
  detected: Schema.Boolean
}).annotations({ identifier: "ContentFilterDetectionResult" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ContentFilterDetectionResult extends Schema.Schema.Type<typeof ContentFilterDetectionResult> {}

/**
 * Skytells safety results for a prompt or a choice. Every category is optional: prompts carry
 * `jailbreak`, completions carry `protected_material_*`, and `error` replaces them all when the
 * filter itself failed.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ContentFilterResults = Schema.Struct({
  hate: nullable(ContentFilterSeverityResult),
  sexual: nullable(ContentFilterSeverityResult),
  violence: nullable(ContentFilterSeverityResult),
  self_harm: nullable(ContentFilterSeverityResult),
  jailbreak: nullable(ContentFilterDetectionResult),
  protected_material_code: nullable(ContentFilterDetectionResult),
  protected_material_text: nullable(ContentFilterDetectionResult),
  error: nullable(Schema.Struct({ code: nullable(Schema.String), message: nullable(Schema.String) }))
}).annotations({ identifier: "ContentFilterResults" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ContentFilterResults extends Schema.Schema.Type<typeof ContentFilterResults> {}

/**
 * The character range of a streamed completion that a content-filter result covers.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ContentFilterOffsets = Schema.Struct({
  check_offset: Schema.Number,
  start_offset: Schema.Number,
  end_offset: Schema.Number
}).annotations({ identifier: "ContentFilterOffsets" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ContentFilterOffsets extends Schema.Schema.Type<typeof ContentFilterOffsets> {}

// =============================================================================
// Generated text and roles
// =============================================================================

/**
 * The log probability of one token, with the most likely alternatives.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TokenLogprob = Schema.Struct({
  token: Schema.String,
  logprob: Schema.Number,
  bytes: nullable(Schema.Array(Schema.Number)),
  top_logprobs: nullable(Schema.Array(Schema.Struct({
    token: Schema.String,
    logprob: Schema.Number,
    bytes: nullable(Schema.Array(Schema.Number))
  })))
}).annotations({ identifier: "TokenLogprob" })

/**
 * @since 0.1.0
 * @category models
 */
export interface TokenLogprob extends Schema.Schema.Type<typeof TokenLogprob> {}

/**
 * An annotation on generated text (for example `url_citation`); all its fields are kept.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Annotation = TypedObject.annotations({ identifier: "Annotation" })

/**
 * @since 0.1.0
 * @category models
 */
export type Annotation = Schema.Schema.Type<typeof Annotation>

/**
 * A message role as the server reports it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatRole = openLiteral("system", "user", "assistant", "tool", "function")

/**
 * @since 0.1.0
 * @category models
 */
export type ChatRole = Schema.Schema.Type<typeof ChatRole>

// =============================================================================
// Input and tools
// =============================================================================

/**
 * The detail level of an input image.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ImageDetail = Schema.Literal("auto", "low", "high")

/**
 * @since 0.1.0
 * @category models
 */
export type ImageDetail = Schema.Schema.Type<typeof ImageDetail>

/**
 * A function the model may call. `parameters` is a JSON Schema object.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FunctionDefinition = Schema.Struct({
  name: Schema.String,
  description: Schema.optional(Schema.String),
  parameters: Schema.optional(JsonObject),
  strict: Schema.optional(Schema.NullOr(Schema.Boolean))
}).annotations({ identifier: "FunctionDefinition" })

/**
 * @since 0.1.0
 * @category models
 */
export interface FunctionDefinition extends Schema.Schema.Type<typeof FunctionDefinition> {}

/**
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionTool = Schema.Struct({
  type: Schema.Literal("function"),
  function: FunctionDefinition
}).annotations({ identifier: "ChatCompletionTool" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionTool extends Schema.Schema.Type<typeof ChatCompletionTool> {}
