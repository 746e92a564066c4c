/**
 * `effect/Schema` schemas for the `Response` object: the answer of `POST /v1/responses` and the
 * snapshot carried by its `response.*` stream events, with its output items, usage and the Skytells
 * `content_filters`. Decoding is lenient (unknown output items and content parts are kept whole),
 * as described in {@link InferenceSchema}, which re-exports this module.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import {
  Annotation,
  ChatRole,
  ContentFilterOffsets,
  ContentFilterResults,
  TokenLogprob
} from "./InferenceCommonSchema.js"
import { nullable, openLiteral, TypedObject, unknownVariant } from "./internal/inferenceSchema.js"
import { JsonObject } from "./internal/jsonObject.js"
import { ItemStatus, ResponseFunctionCall } from "./ResponsesRequestSchema.js"

/**
 * @since 0.1.0
 * @category schemas
 */
export const ResponseOutputText = Schema.Struct({
  type: Schema.Literal("output_text"),
  text: Schema.String,
  annotations: nullable(Schema.Array(Annotation)),
  logprobs: nullable(Schema.Array(TokenLogprob))
}).annotations({ identifier: "ResponseOutputText" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseOutputText extends Schema.Schema.Type<typeof ResponseOutputText> {}

/**
 * @since 0.1.0
 * @category schemas
 */
export const ResponseOutputRefusal = Schema.Struct({
  type: Schema.Literal("refusal"),
  refusal: Schema.String
}).annotations({ identifier: "ResponseOutputRefusal" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseOutputRefusal extends Schema.Schema.Type<typeof ResponseOutputRefusal> {}

/**
 * A content part of an undocumented `type`, kept whole.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UnknownOutputContent = unknownVariant("UnknownOutputContent", ["output_text", "refusal"])

/**
 * @since 0.1.0
 * @category models
 */
export type UnknownOutputContent = Schema.Schema.Type<typeof UnknownOutputContent>

/**
 * A content part of an output message, discriminated by `type`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseOutputContent = Schema.Union(ResponseOutputText, ResponseOutputRefusal, UnknownOutputContent)

/**
 * @since 0.1.0
 * @category models
 */
export type ResponseOutputContent = Schema.Schema.Type<typeof ResponseOutputContent>

/**
 * @since 0.1.0
 * @category schemas
 */
export const ResponseOutputMessage = Schema.Struct({
  type: Schema.Literal("message"),
  id: Schema.String,
  status: nullable(ItemStatus),
  role: nullable(ChatRole),
  content: Schema.Array(ResponseOutputContent)
}).annotations({ identifier: "ResponseOutputMessage" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseOutputMessage extends Schema.Schema.Type<typeof ResponseOutputMessage> {}

/**
 * @since 0.1.0
 * @category schemas
 */
export const ResponseReasoningItem = Schema.Struct({
  type: Schema.Literal("reasoning"),
  id: Schema.String,
  summary: nullable(Schema.Array(Schema.Struct({ type: openLiteral("summary_text"), text: Schema.String }))),
  content: nullable(Schema.Array(Schema.Struct({ type: openLiteral("reasoning_text"), text: Schema.String }))),
  encrypted_content: nullable(Schema.String),
  status: nullable(ItemStatus)
}).annotations({ identifier: "ResponseReasoningItem" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseReasoningItem extends Schema.Schema.Type<typeof ResponseReasoningItem> {}

/**
 * An output item of an undocumented `type` (a server-side tool call, for example), kept whole.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UnknownOutputItem = unknownVariant("UnknownOutputItem", ["message", "function_call", "reasoning"])

/**
 * @since 0.1.0
 * @category models
 */
export type UnknownOutputItem = Schema.Schema.Type<typeof UnknownOutputItem>

/**
 * An item of `Response.output`, discriminated by `type`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseOutputItem = Schema.Union(
  ResponseOutputMessage,
  ResponseFunctionCall,
  ResponseReasoningItem,
  UnknownOutputItem
)

/**
 * @since 0.1.0
 * @category models
 */
export type ResponseOutputItem = Schema.Schema.Type<typeof ResponseOutputItem>

/**
 * Token usage of a response.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseUsage = Schema.Struct({
  input_tokens: Schema.Number,
  output_tokens: Schema.Number,
  total_tokens: Schema.Number,
  input_tokens_details: nullable(Schema.Struct({ cached_tokens: nullable(Schema.Number) })),
  output_tokens_details: nullable(Schema.Struct({ reasoning_tokens: nullable(Schema.Number) }))
}).annotations({ identifier: "ResponseUsage" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseUsage extends Schema.Schema.Type<typeof ResponseUsage> {}

/**
 * A Skytells safety entry of a response, for the prompt or the completion.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseContentFilter = Schema.Struct({
  blocked: Schema.Boolean,
  source_type: openLiteral("prompt", "completion"),
  content_filter_results: nullable(ContentFilterResults),
  content_filter_offsets: nullable(ContentFilterOffsets),
  content_filter_raw: nullable(Schema.Array(Schema.Unknown))
}).annotations({ identifier: "ResponseContentFilter" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseContentFilter extends Schema.Schema.Type<typeof ResponseContentFilter> {}

/**
 * The status of a response: `completed`, `failed`, `in_progress`, `cancelled`, `queued`, `incomplete`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseStatus = openLiteral("completed", "failed", "in_progress", "cancelled", "queued", "incomplete")

/**
 * @since 0.1.0
 * @category models
 */
export type ResponseStatus = Schema.Schema.Type<typeof ResponseStatus>

/**
 * Why a response failed (`status: "failed"`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseError = Schema.Struct({
  code: nullable(Schema.String),
  message: Schema.String
}).annotations({ identifier: "ResponseError" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseError extends Schema.Schema.Type<typeof ResponseError> {}

/**
 * The answer of `POST /v1/responses`, and the snapshot carried by the `response.*` lifecycle events.
 * Besides the result it echoes the request settings; the echoed `tools` and `tool_choice` are kept
 * undecoded.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Response = Schema.Struct({
  id: Schema.String,
  object: nullable(openLiteral("response")),
  created_at: Schema.Number,
  status: ResponseStatus,
  completed_at: nullable(Schema.Number),
  error: nullable(ResponseError),
  incomplete_details: nullable(Schema.Struct({ reason: nullable(Schema.String) })),
  model: Schema.String,
  output: Schema.Array(ResponseOutputItem),
  usage: nullable(ResponseUsage),
  content_filters: nullable(Schema.Array(ResponseContentFilter)),
  instructions: nullable(Schema.Union(Schema.String, Schema.Array(Schema.Unknown))),
  previous_response_id: nullable(Schema.String),
  max_output_tokens: nullable(Schema.Number),
  max_tool_calls: nullable(Schema.Number),
  temperature: nullable(Schema.Number),
  top_p: nullable(Schema.Number),
  frequency_penalty: nullable(Schema.Number),
  presence_penalty: nullable(Schema.Number),
  top_logprobs: nullable(Schema.Number),
  tools: nullable(Schema.Array(Schema.Unknown)),
  tool_choice: nullable(Schema.Unknown),
  parallel_tool_calls: nullable(Schema.Boolean),
  reasoning: nullable(Schema.Struct({ effort: nullable(Schema.String), summary: nullable(Schema.String) })),
  text: nullable(Schema.Struct({ format: nullable(TypedObject), verbosity: nullable(Schema.String) })),
  metadata: nullable(JsonObject),
  store: nullable(Schema.Boolean),
  background: nullable(Schema.Boolean),
  truncation: nullable(Schema.String),
  user: nullable(Schema.String),
  safety_identifier: nullable(Schema.String),
  service_tier: nullable(Schema.String),
  system_fingerprint: nullable(Schema.String),
  prompt_cache_key: nullable(Schema.String),
  prompt_cache_retention: nullable(Schema.String)
}).annotations({ identifier: "Response" })

/**
 * @since 0.1.0
 * @category models
 */
export interface Response extends Schema.Schema.Type<typeof Response> {}
