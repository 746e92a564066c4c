/**
 * `effect/Schema` schemas for the answer of `POST /v1/chat/completions`: the `ChatCompletion`
 * object, and the `ChatCompletionChunk` payloads of a streamed completion, with the Skytells safety
 * fields (`content_filter_results`, `prompt_filter_results`) and `obfuscation` tags. Decoding is
 * lenient, as described in {@link InferenceSchema}, which re-exports this module.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { ChatCompletionMessageToolCall, FunctionCall } from "./ChatCompletionRequestSchema.js"
import {
  Annotation,
  ChatRole,
  ContentFilterOffsets,
  ContentFilterResults,
  TokenLogprob
} from "./InferenceCommonSchema.js"
import { nullable, openLiteral } from "./internal/inferenceSchema.js"

// =============================================================================
// Finish reasons, usage and prompt safety
// =============================================================================

/**
 * Why a choice stopped: `stop`, `length`, `tool_calls`, `content_filter`, `function_call`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FinishReason = openLiteral("stop", "length", "tool_calls", "content_filter", "function_call")

/**
 * @since 0.1.0
 * @category models
 */
export type FinishReason = Schema.Schema.Type<typeof FinishReason>

/**
 * Token usage of a chat completion.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CompletionUsage = Schema.Struct({
  prompt_tokens: Schema.Number,
  completion_tokens: Schema.Number,
  total_tokens: Schema.Number,
  prompt_tokens_details: nullable(Schema.Struct({
    cached_tokens: nullable(Schema.Number),
    audio_tokens: nullable(Schema.Number)
  })),
  completion_tokens_details: nullable(Schema.Struct({
    reasoning_tokens: nullable(Schema.Number),
    audio_tokens: nullable(Schema.Number),
    accepted_prediction_tokens: nullable(Schema.Number),
    rejected_prediction_tokens: nullable(Schema.Number)
  }))
}).annotations({ identifier: "CompletionUsage" })

/**
 * @since 0.1.0
 * @category models
 */
export interface CompletionUsage extends Schema.Schema.Type<typeof CompletionUsage> {}

/**
 * The safety results for one prompt of a chat completion request.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PromptFilterResult = Schema.Struct({
  prompt_index: Schema.Number,
  content_filter_results: ContentFilterResults
}).annotations({ identifier: "PromptFilterResult" })

/**
 * @since 0.1.0
 * @category models
 */
export interface PromptFilterResult extends Schema.Schema.Type<typeof PromptFilterResult> {}

// =============================================================================
// The ChatCompletion object
// =============================================================================

/**
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionLogprobs = Schema.Struct({
  content: nullable(Schema.Array(TokenLogprob)),
  refusal: nullable(Schema.Array(TokenLogprob))
}).annotations({ identifier: "ChatCompletionLogprobs" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionLogprobs extends Schema.Schema.Type<typeof ChatCompletionLogprobs> {}

/**
 * The message of a choice. `content` is absent when the model only called tools or refused.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionMessage = Schema.Struct({
  role: nullable(ChatRole),
  content: nullable(Schema.String),
  refusal: nullable(Schema.String),
  annotations: nullable(Schema.Array(Annotation)),
  tool_calls: nullable(Schema.Array(ChatCompletionMessageToolCall)),
  function_call: nullable(FunctionCall)
}).annotations({ identifier: "ChatCompletionMessage" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionMessage extends Schema.Schema.Type<typeof ChatCompletionMessage> {}

/**
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionChoice = Schema.Struct({
  index: Schema.Number,
  message: ChatCompletionMessage,
  finish_reason: nullable(FinishReason),
  logprobs: nullable(ChatCompletionLogprobs),
  content_filter_results: nullable(ContentFilterResults)
}).annotations({ identifier: "ChatCompletionChoice" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionChoice extends Schema.Schema.Type<typeof ChatCompletionChoice> {}

/**
 * The answer of `POST /v1/chat/completions` without streaming. `model` is the model that answered,
 * which may differ from the requested one after routing.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletion = Schema.Struct({
  id: Schema.String,
  object: nullable(openLiteral("chat.completion")),
  created: Schema.Number,
  model: Schema.String,
  system_fingerprint: nullable(Schema.String),
  service_tier: nullable(Schema.String),
  choices: Schema.Array(ChatCompletionChoice),
  usage: nullable(CompletionUsage),
  prompt_filter_results: nullable(Schema.Array(PromptFilterResult))
}).annotations({ identifier: "ChatCompletion" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletion extends Schema.Schema.Type<typeof ChatCompletion> {}

// =============================================================================
// Stream chunks
// =============================================================================

/**
 * A fragment of a tool call. Fragments with the same `index` belong to the same call: the first
 * carries `id` and `function.name`, the following ones pieces of `function.arguments`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionChunkToolCall = Schema.Struct({
  index: Schema.Number,
  id: nullable(Schema.String),
  type: nullable(openLiteral("function")),
  function: nullable(Schema.Struct({
    name: nullable(Schema.String),
    arguments: nullable(Schema.String)
  }))
}).annotations({ identifier: "ChatCompletionChunkToolCall" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionChunkToolCall extends Schema.Schema.Type<typeof ChatCompletionChunkToolCall> {}

/**
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionChunkDelta = Schema.Struct({
  role: nullable(ChatRole),
  content: nullable(Schema.String),
  refusal: nullable(Schema.String),
  tool_calls: nullable(Schema.Array(ChatCompletionChunkToolCall)),
  function_call: nullable(Schema.Struct({
    name: nullable(Schema.String),
    arguments: nullable(Schema.String)
  }))
}).annotations({ identifier: "ChatCompletionChunkDelta" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionChunkDelta extends Schema.Schema.Type<typeof ChatCompletionChunkDelta> {}

/**
 * A choice of a chunk. `delta` is absent on chunks that only carry content-filter results.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionChunkChoice = Schema.Struct({
  index: Schema.Number,
  delta: nullable(ChatCompletionChunkDelta),
  finish_reason: nullable(FinishReason),
  logprobs: nullable(ChatCompletionLogprobs),
  content_filter_results: nullable(ContentFilterResults),
  content_filter_offsets: nullable(ContentFilterOffsets)
}).annotations({ identifier: "ChatCompletionChunkChoice" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionChunkChoice extends Schema.Schema.Type<typeof ChatCompletionChunkChoice> {}

/**
 * One `data:` payload of a streamed chat completion (the stream ends with `data: [DONE]`, which is
 * not a chunk). With `stream_options.include_usage`, the last chunk has empty `choices` and `usage`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionChunk = Schema.Struct({
  id: Schema.String,
  object: nullable(openLiteral("chat.completion.chunk")),
  created: Schema.Number,
  model: Schema.String,
  system_fingerprint: nullable(Schema.String),
  service_tier: nullable(Schema.String),
  choices: Schema.Array(ChatCompletionChunkChoice),
  usage: nullable(CompletionUsage),
  prompt_filter_results: nullable(Schema.Array(PromptFilterResult)),
  obfuscation: nullable(Schema.String)
}).annotations({ identifier: "ChatCompletionChunk" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionChunk extends Schema.Schema.Type<typeof ChatCompletionChunk> {}
