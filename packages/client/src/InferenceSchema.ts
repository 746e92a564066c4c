/**
 * `effect/Schema` schemas for the OpenAI-compatible Inference API as Skytells documents it: chat
 * completions (`POST /v1/chat/completions`, plain and streamed), Responses (`POST /v1/responses`,
 * plain and streamed) and embeddings (`POST /v1/embeddings`), with the Skytells safety fields
 * (`content_filter_results`, `prompt_filter_results`, `content_filters`) and `obfuscation` tags.
 *
 * Every schema is a `Schema.Struct` (or a union of them) whose Type is its Encoded side, with the
 * wire names: a request value is the JSON body, a decoded response is the JSON body you got, minus
 * unknown fields. The one exception is the `unknown` fallback of open unions (below). Objects kept
 * whole (`Annotation`, `ResponsesHostedTool`, JSON Schema `parameters`, `metadata`) decode to plain
 * copies: a `"__proto__"` key stays an own key, it never becomes the object's prototype.
 *
 * Requests are checked the way the documentation describes them. Responses are decoded leniently,
 * because the server may add things:
 *
 * - unknown fields are dropped, never an error;
 * - fields beyond the core ones (`id`, `model`, `choices`, ...) are optional, and those the server
 *   may send as `null` accept it (`content?: string | null`), so `x ?? fallback` covers both;
 * - enumerations the server may extend (`finish_reason`, `status`, `role`, `severity`, ...) accept
 *   any string while their Type still lists the documented values;
 * - unions that the server may extend (Responses stream events, output items, output content parts)
 *   end with an `unknown` member that keeps the whole payload: its `type` is `"unknown"`, the wire
 *   type is in `originalType`, so `switch (event.type)` still narrows the documented members.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { InferenceSchema } from "@effect-skytells/client"
 *
 * const decodeChunk = Schema.decodeUnknown(Schema.parseJson(InferenceSchema.ChatCompletionChunk))
 *
 * const decodeEvent = Schema.decodeUnknown(Schema.parseJson(InferenceSchema.ResponseStreamEvent))
 * // decodeEvent(data).pipe(Effect.map((event) => event.type === "response.output_text.delta" ? event.delta : ""))
 * ```
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { JsonObject, jsonObjectWith } from "./internal/jsonObject.js"

// =============================================================================
// Building blocks
// =============================================================================

/**
 * An optional response field that the server may also send as `null`: `field?: A | null`, as on the
 * wire. (Mapping `null` to an absent field with `optionalWith({ nullable: true })` would make every
 * struct a transformation, which decodes several times slower; chunks are decoded once per token.)
 */
const nullable = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(Schema.NullOr(schema), { exact: true })

/**
 * A string whose documented values are listed in the Type (for completion and narrowing) but which
 * accepts any other string, so a value added by the server does not fail the whole decode.
 */
const openLiteral = <const Known extends ReadonlyArray<string>>(
  ...known: Known
): Schema.Schema<Known[number] | (string & {})> =>
  Schema.String.annotations({
    description: `One of ${known.map((k) => JSON.stringify(k)).join(", ")}; other values are accepted.`
  }) as unknown as Schema.Schema<Known[number] | (string & {})>

const PositiveInt = Schema.Int.pipe(Schema.positive())

/** An object with a string `type` whose other fields are kept as they are. */
const TypedObject = jsonObjectWith({ type: Schema.String })

/** An object whose `type` is none of the `known` ones; all its fields are kept. */
const undocumented = (known: ReadonlyArray<string>) => {
  const knownTypes = new Set(known)
  return jsonObjectWith({
    type: Schema.String.pipe(
      Schema.filter((type) => !knownTypes.has(type) || `"${type}" is a documented type; its own schema applies`)
    )
  })
}

/**
 * The fallback member of an open union: an object whose `type` is none of the `known` ones becomes
 * `{ type: "unknown", originalType, payload }` (and encodes back to the payload). A known `type`
 * whose fields do not decode is an error (reported by its own member), never this.
 */
const unknownVariant = (identifier: string, known: ReadonlyArray<string>) =>
  Schema.transform(
    undocumented(known),
    Schema.Struct({ type: Schema.Literal("unknown"), originalType: Schema.String, payload: JsonObject }),
    {
      strict: true,
      decode: (payload) => ({ type: "unknown" as const, originalType: payload.type, payload }),
      encode: (variant) => ({ ...variant.payload, type: variant.originalType })
    }
  ).annotations({ identifier })

// =============================================================================
// Safety (Skytells additions) and usage
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

// =============================================================================
// Chat completions: request
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
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionContentPartText = Schema.Struct({
  type: Schema.Literal("text"),
  text: Schema.String
}).annotations({ identifier: "ChatCompletionContentPartText" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionContentPartText extends Schema.Schema.Type<typeof ChatCompletionContentPartText> {}

/**
 * An image given by URL (`https:` or a `data:` URL).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionContentPartImage = Schema.Struct({
  type: Schema.Literal("image_url"),
  image_url: Schema.Struct({ url: Schema.String, detail: Schema.optional(ImageDetail) })
}).annotations({ identifier: "ChatCompletionContentPartImage" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionContentPartImage extends Schema.Schema.Type<typeof ChatCompletionContentPartImage> {}

/**
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionContentPartRefusal = Schema.Struct({
  type: Schema.Literal("refusal"),
  refusal: Schema.String
}).annotations({ identifier: "ChatCompletionContentPartRefusal" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionContentPartRefusal extends Schema.Schema.Type<typeof ChatCompletionContentPartRefusal> {}

/**
 * A part of a user message: text or an image.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionContentPart = Schema.Union(ChatCompletionContentPartText, ChatCompletionContentPartImage)

/**
 * @since 0.1.0
 * @category models
 */
export type ChatCompletionContentPart = Schema.Schema.Type<typeof ChatCompletionContentPart>

/**
 * A function call: its name and its JSON-encoded arguments.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FunctionCall = Schema.Struct({
  name: Schema.String,
  arguments: Schema.String
}).annotations({ identifier: "FunctionCall" })

/**
 * @since 0.1.0
 * @category models
 */
export interface FunctionCall extends Schema.Schema.Type<typeof FunctionCall> {}

/**
 * A tool call made by the model (in a response) or replayed in the conversation (in a request).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionMessageToolCall = Schema.Struct({
  id: Schema.String,
  type: Schema.Literal("function"),
  function: FunctionCall
}).annotations({ identifier: "ChatCompletionMessageToolCall" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionMessageToolCall extends Schema.Schema.Type<typeof ChatCompletionMessageToolCall> {}

/**
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionSystemMessage = Schema.Struct({
  role: Schema.Literal("system"),
  content: Schema.Union(Schema.String, Schema.Array(ChatCompletionContentPartText)),
  name: Schema.optional(Schema.String)
}).annotations({ identifier: "ChatCompletionSystemMessage" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionSystemMessage extends Schema.Schema.Type<typeof ChatCompletionSystemMessage> {}

/**
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionUserMessage = Schema.Struct({
  role: Schema.Literal("user"),
  content: Schema.Union(Schema.String, Schema.Array(ChatCompletionContentPart)),
  name: Schema.optional(Schema.String)
}).annotations({ identifier: "ChatCompletionUserMessage" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionUserMessage extends Schema.Schema.Type<typeof ChatCompletionUserMessage> {}

/**
 * An earlier assistant turn replayed in the conversation, possibly with the tool calls it made.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionAssistantMessage = Schema.Struct({
  role: Schema.Literal("assistant"),
  content: Schema.optional(
    Schema.NullOr(
      Schema.Union(
        Schema.String,
        Schema.Array(Schema.Union(ChatCompletionContentPartText, ChatCompletionContentPartRefusal))
      )
    )
  ),
  refusal: Schema.optional(Schema.NullOr(Schema.String)),
  name: Schema.optional(Schema.String),
  tool_calls: Schema.optional(Schema.Array(ChatCompletionMessageToolCall)),
  /** Legacy; use `tool_calls`. */
  function_call: Schema.optional(Schema.NullOr(FunctionCall))
}).annotations({ identifier: "ChatCompletionAssistantMessage" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionAssistantMessage extends Schema.Schema.Type<typeof ChatCompletionAssistantMessage> {}

/**
 * The result of a tool call, answering the call with id `tool_call_id`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionToolMessage = Schema.Struct({
  role: Schema.Literal("tool"),
  content: Schema.Union(Schema.String, Schema.Array(ChatCompletionContentPartText)),
  tool_call_id: Schema.String
}).annotations({ identifier: "ChatCompletionToolMessage" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionToolMessage extends Schema.Schema.Type<typeof ChatCompletionToolMessage> {}

/**
 * Legacy function result message; use {@link ChatCompletionToolMessage}.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionFunctionMessage = Schema.Struct({
  role: Schema.Literal("function"),
  name: Schema.String,
  content: Schema.NullOr(Schema.String)
}).annotations({ identifier: "ChatCompletionFunctionMessage" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionFunctionMessage extends Schema.Schema.Type<typeof ChatCompletionFunctionMessage> {}

/**
 * A message of the conversation, discriminated by `role`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionMessageParam = Schema.Union(
  ChatCompletionSystemMessage,
  ChatCompletionUserMessage,
  ChatCompletionAssistantMessage,
  ChatCompletionToolMessage,
  ChatCompletionFunctionMessage
)

/**
 * @since 0.1.0
 * @category models
 */
export type ChatCompletionMessageParam = Schema.Schema.Type<typeof ChatCompletionMessageParam>

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

/**
 * `none`, `auto`, `required`, or one named function.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionToolChoice = Schema.Union(
  Schema.Literal("none", "auto", "required"),
  Schema.Struct({ type: Schema.Literal("function"), function: Schema.Struct({ name: Schema.String }) })
)

/**
 * @since 0.1.0
 * @category models
 */
export type ChatCompletionToolChoice = Schema.Schema.Type<typeof ChatCompletionToolChoice>

/**
 * Plain text, any JSON object, or JSON matching a schema.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseFormat = Schema.Union(
  Schema.Struct({ type: Schema.Literal("text") }),
  Schema.Struct({ type: Schema.Literal("json_object") }),
  Schema.Struct({
    type: Schema.Literal("json_schema"),
    json_schema: Schema.Struct({
      name: Schema.String,
      description: Schema.optional(Schema.String),
      schema: Schema.optional(JsonObject),
      strict: Schema.optional(Schema.NullOr(Schema.Boolean))
    })
  })
)

/**
 * @since 0.1.0
 * @category models
 */
export type ResponseFormat = Schema.Schema.Type<typeof ResponseFormat>

/**
 * Streaming options: `include_usage` adds a final chunk with `usage` (and empty `choices`);
 * `include_obfuscation: false` turns off the `obfuscation` padding on chunks.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StreamOptions = Schema.Struct({
  include_usage: Schema.optional(Schema.Boolean),
  include_obfuscation: Schema.optional(Schema.Boolean)
}).annotations({ identifier: "StreamOptions" })

/**
 * @since 0.1.0
 * @category models
 */
export interface StreamOptions extends Schema.Schema.Type<typeof StreamOptions> {}

/**
 * The body of `POST /v1/chat/completions`. `temperature` is checked against 0–2 and `top_p`
 * against 0–1, as documented; the other limits are left to the server.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionRequest = Schema.Struct({
  model: Schema.String,
  messages: Schema.Array(ChatCompletionMessageParam),
  stream: Schema.optional(Schema.Boolean),
  stream_options: Schema.optional(Schema.NullOr(StreamOptions)),
  max_tokens: Schema.optional(PositiveInt),
  temperature: Schema.optional(Schema.Number.pipe(Schema.between(0, 2))),
  top_p: Schema.optional(Schema.Number.pipe(Schema.between(0, 1))),
  n: Schema.optional(PositiveInt),
  stop: Schema.optional(Schema.NullOr(Schema.Union(Schema.String, Schema.Array(Schema.String)))),
  presence_penalty: Schema.optional(Schema.Number),
  frequency_penalty: Schema.optional(Schema.Number),
  logprobs: Schema.optional(Schema.NullOr(Schema.Boolean)),
  top_logprobs: Schema.optional(Schema.NullOr(Schema.NonNegativeInt)),
  user: Schema.optional(Schema.String),
  tools: Schema.optional(Schema.Array(ChatCompletionTool)),
  tool_choice: Schema.optional(ChatCompletionToolChoice),
  parallel_tool_calls: Schema.optional(Schema.Boolean),
  response_format: Schema.optional(ResponseFormat)
}).annotations({ identifier: "ChatCompletionRequest" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionRequest extends Schema.Schema.Type<typeof ChatCompletionRequest> {}

// =============================================================================
// Chat completions: response
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

// =============================================================================
// Responses: request
// =============================================================================

/**
 * @since 0.1.0
 * @category schemas
 */
export const ResponseInputText = Schema.Struct({
  type: Schema.Literal("input_text"),
  text: Schema.String
}).annotations({ identifier: "ResponseInputText" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseInputText extends Schema.Schema.Type<typeof ResponseInputText> {}

/**
 * An image given by URL (`https:` or `data:`) or by uploaded file id.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseInputImage = Schema.Struct({
  type: Schema.Literal("input_image"),
  image_url: Schema.optional(Schema.String),
  file_id: Schema.optional(Schema.String),
  detail: Schema.optional(ImageDetail)
}).annotations({ identifier: "ResponseInputImage" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseInputImage extends Schema.Schema.Type<typeof ResponseInputImage> {}

/**
 * Text of an earlier assistant turn replayed as input.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseInputOutputText = Schema.Struct({
  type: Schema.Literal("output_text"),
  text: Schema.String
}).annotations({ identifier: "ResponseInputOutputText" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseInputOutputText extends Schema.Schema.Type<typeof ResponseInputOutputText> {}

/**
 * @since 0.1.0
 * @category schemas
 */
export const ResponseInputContent = Schema.Union(ResponseInputText, ResponseInputImage, ResponseInputOutputText)

/**
 * @since 0.1.0
 * @category models
 */
export type ResponseInputContent = Schema.Schema.Type<typeof ResponseInputContent>

/**
 * A message of the input. `tool` messages (with `tool_call_id`) follow the official SDK; the
 * OpenAI way to return a tool result is {@link ResponseFunctionCallOutput}.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseInputMessage = Schema.Struct({
  type: Schema.optional(Schema.Literal("message")),
  role: Schema.Literal("system", "developer", "user", "assistant", "tool"),
  content: Schema.Union(Schema.String, Schema.Array(ResponseInputContent)),
  name: Schema.optional(Schema.String),
  tool_call_id: Schema.optional(Schema.String)
}).annotations({ identifier: "ResponseInputMessage" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseInputMessage extends Schema.Schema.Type<typeof ResponseInputMessage> {}

/**
 * An item status: `in_progress`, `completed`, `incomplete`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ItemStatus = openLiteral("in_progress", "completed", "incomplete")

/**
 * @since 0.1.0
 * @category models
 */
export type ItemStatus = Schema.Schema.Type<typeof ItemStatus>

/**
 * A function call made by the model: in an output, or replayed as input.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseFunctionCall = Schema.Struct({
  type: Schema.Literal("function_call"),
  id: nullable(Schema.String),
  call_id: Schema.String,
  name: Schema.String,
  arguments: Schema.String,
  status: nullable(ItemStatus)
}).annotations({ identifier: "ResponseFunctionCall" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseFunctionCall extends Schema.Schema.Type<typeof ResponseFunctionCall> {}

/**
 * The result of the function call with id `call_id`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseFunctionCallOutput = Schema.Struct({
  type: Schema.Literal("function_call_output"),
  call_id: Schema.String,
  output: Schema.String,
  id: Schema.optional(Schema.String)
}).annotations({ identifier: "ResponseFunctionCallOutput" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseFunctionCallOutput extends Schema.Schema.Type<typeof ResponseFunctionCallOutput> {}

/**
 * @since 0.1.0
 * @category schemas
 */
export const ResponseInputItem = Schema.Union(ResponseInputMessage, ResponseFunctionCall, ResponseFunctionCallOutput)

/**
 * @since 0.1.0
 * @category models
 */
export type ResponseInputItem = Schema.Schema.Type<typeof ResponseInputItem>

/**
 * A function tool in the flat Responses form (`{ type, name, parameters }`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponsesFunctionTool = Schema.Struct({
  type: Schema.Literal("function"),
  name: Schema.String,
  description: Schema.optional(Schema.NullOr(Schema.String)),
  parameters: Schema.optional(Schema.NullOr(JsonObject)),
  strict: Schema.optional(Schema.NullOr(Schema.Boolean))
}).annotations({ identifier: "ResponsesFunctionTool" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponsesFunctionTool extends Schema.Schema.Type<typeof ResponsesFunctionTool> {}

/**
 * A server-side tool (any `type` other than `function`); all its fields are sent as given.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponsesHostedTool = jsonObjectWith({
  type: Schema.String.pipe(
    Schema.filter((type) => type !== "function" || "a function tool needs `name` (or a nested `function`)")
  )
}).annotations({ identifier: "ResponsesHostedTool" })

/**
 * @since 0.1.0
 * @category models
 */
export type ResponsesHostedTool = Schema.Schema.Type<typeof ResponsesHostedTool>

/**
 * A tool: a flat function tool, a chat-style function tool (`{ type, function: {...} }`, which the
 * official SDK sends), or a server-side tool.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponsesTool = Schema.Union(ResponsesFunctionTool, ChatCompletionTool, ResponsesHostedTool)

/**
 * @since 0.1.0
 * @category models
 */
export type ResponsesTool = Schema.Schema.Type<typeof ResponsesTool>

/**
 * `none`, `auto`, `required`, one named function (flat or chat-style), or a server-side tool.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponsesToolChoice = Schema.Union(
  Schema.Literal("none", "auto", "required"),
  Schema.Struct({ type: Schema.Literal("function"), name: Schema.String }),
  Schema.Struct({ type: Schema.Literal("function"), function: Schema.Struct({ name: Schema.String }) }),
  ResponsesHostedTool
)

/**
 * @since 0.1.0
 * @category models
 */
export type ResponsesToolChoice = Schema.Schema.Type<typeof ResponsesToolChoice>

/**
 * @since 0.1.0
 * @category schemas
 */
export const Reasoning = Schema.Struct({
  effort: Schema.optional(Schema.NullOr(openLiteral("none", "minimal", "low", "medium", "high"))),
  summary: Schema.optional(Schema.NullOr(openLiteral("auto", "concise", "detailed")))
}).annotations({ identifier: "Reasoning" })

/**
 * @since 0.1.0
 * @category models
 */
export interface Reasoning extends Schema.Schema.Type<typeof Reasoning> {}

/**
 * The output format of a response: plain text, any JSON object, or JSON matching `schema`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseTextFormat = Schema.Union(
  Schema.Struct({ type: Schema.Literal("text") }),
  Schema.Struct({ type: Schema.Literal("json_object") }),
  Schema.Struct({
    type: Schema.Literal("json_schema"),
    name: Schema.String,
    schema: JsonObject,
    description: Schema.optional(Schema.String),
    strict: Schema.optional(Schema.NullOr(Schema.Boolean))
  })
)

/**
 * @since 0.1.0
 * @category models
 */
export type ResponseTextFormat = Schema.Schema.Type<typeof ResponseTextFormat>

/**
 * @since 0.1.0
 * @category schemas
 */
export const ResponseTextConfig = Schema.Struct({
  format: Schema.optional(ResponseTextFormat),
  verbosity: Schema.optional(Schema.NullOr(openLiteral("low", "medium", "high")))
}).annotations({ identifier: "ResponseTextConfig" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseTextConfig extends Schema.Schema.Type<typeof ResponseTextConfig> {}

/**
 * The body of `POST /v1/responses`. `previous_response_id` needs `store: true` on the earlier
 * response.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponsesRequest = Schema.Struct({
  model: Schema.String,
  input: Schema.Union(Schema.String, Schema.Array(ResponseInputItem)),
  instructions: Schema.optional(Schema.NullOr(Schema.String)),
  previous_response_id: Schema.optional(Schema.NullOr(Schema.String)),
  store: Schema.optional(Schema.Boolean),
  stream: Schema.optional(Schema.Boolean),
  temperature: Schema.optional(Schema.Number.pipe(Schema.between(0, 2))),
  top_p: Schema.optional(Schema.Number.pipe(Schema.between(0, 1))),
  max_output_tokens: Schema.optional(Schema.NullOr(PositiveInt)),
  max_tool_calls: Schema.optional(Schema.NullOr(PositiveInt)),
  tools: Schema.optional(Schema.Array(ResponsesTool)),
  tool_choice: Schema.optional(ResponsesToolChoice),
  parallel_tool_calls: Schema.optional(Schema.Boolean),
  reasoning: Schema.optional(Schema.NullOr(Reasoning)),
  text: Schema.optional(ResponseTextConfig),
  metadata: Schema.optional(JsonObject),
  user: Schema.optional(Schema.NullOr(Schema.String)),
  service_tier: Schema.optional(openLiteral("auto", "default", "flex", "priority")),
  truncation: Schema.optional(openLiteral("auto", "disabled")),
  frequency_penalty: Schema.optional(Schema.Number),
  presence_penalty: Schema.optional(Schema.Number),
  top_logprobs: Schema.optional(Schema.NonNegativeInt),
  prompt_cache_key: Schema.optional(Schema.NullOr(Schema.String)),
  prompt_cache_retention: Schema.optional(Schema.NullOr(openLiteral("in-memory", "24h")))
}).annotations({ identifier: "ResponsesRequest" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponsesRequest extends Schema.Schema.Type<typeof ResponsesRequest> {}

// =============================================================================
// Responses: the Response object
// =============================================================================

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

// =============================================================================
// Responses: stream events
// =============================================================================

const lifecycleEvent = <const Type extends string>(type: Type, identifier: string) =>
  Schema.Struct({
    type: Schema.Literal(type),
    sequence_number: nullable(Schema.Number),
    response: Response
  }).annotations({ identifier })

const outputItemEvent = <const Type extends string>(type: Type, identifier: string) =>
  Schema.Struct({
    type: Schema.Literal(type),
    sequence_number: nullable(Schema.Number),
    output_index: Schema.Number,
    item: ResponseOutputItem
  }).annotations({ identifier })

const contentPartEvent = <const Type extends string>(type: Type, identifier: string) =>
  Schema.Struct({
    type: Schema.Literal(type),
    sequence_number: nullable(Schema.Number),
    item_id: Schema.String,
    output_index: Schema.Number,
    content_index: Schema.Number,
    part: ResponseOutputContent
  }).annotations({ identifier })

/**
 * The first event: the response was created (`status` is usually `in_progress` or `queued`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseCreatedEvent = lifecycleEvent("response.created", "ResponseCreatedEvent")

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseCreatedEvent extends Schema.Schema.Type<typeof ResponseCreatedEvent> {}

/**
 * @since 0.1.0
 * @category schemas
 */
export const ResponseQueuedEvent = lifecycleEvent("response.queued", "ResponseQueuedEvent")

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseQueuedEvent extends Schema.Schema.Type<typeof ResponseQueuedEvent> {}

/**
 * @since 0.1.0
 * @category schemas
 */
export const ResponseInProgressEvent = lifecycleEvent("response.in_progress", "ResponseInProgressEvent")

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseInProgressEvent extends Schema.Schema.Type<typeof ResponseInProgressEvent> {}

/**
 * The last event of a successful response, with the final snapshot and `usage`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseCompletedEvent = lifecycleEvent("response.completed", "ResponseCompletedEvent")

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseCompletedEvent extends Schema.Schema.Type<typeof ResponseCompletedEvent> {}

/**
 * The last event of a failed response; `response.error` says why.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseFailedEvent = lifecycleEvent("response.failed", "ResponseFailedEvent")

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseFailedEvent extends Schema.Schema.Type<typeof ResponseFailedEvent> {}

/**
 * The last event of a response cut short; `response.incomplete_details` says why.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseIncompleteEvent = lifecycleEvent("response.incomplete", "ResponseIncompleteEvent")

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseIncompleteEvent extends Schema.Schema.Type<typeof ResponseIncompleteEvent> {}

/**
 * @since 0.1.0
 * @category schemas
 */
export const ResponseOutputItemAddedEvent = outputItemEvent(
  "response.output_item.added",
  "ResponseOutputItemAddedEvent"
)

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseOutputItemAddedEvent extends Schema.Schema.Type<typeof ResponseOutputItemAddedEvent> {}

/**
 * @since 0.1.0
 * @category schemas
 */
export const ResponseOutputItemDoneEvent = outputItemEvent("response.output_item.done", "ResponseOutputItemDoneEvent")

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseOutputItemDoneEvent extends Schema.Schema.Type<typeof ResponseOutputItemDoneEvent> {}

/**
 * @since 0.1.0
 * @category schemas
 */
export const ResponseContentPartAddedEvent = contentPartEvent(
  "response.content_part.added",
  "ResponseContentPartAddedEvent"
)

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseContentPartAddedEvent extends Schema.Schema.Type<typeof ResponseContentPartAddedEvent> {}

/**
 * @since 0.1.0
 * @category schemas
 */
export const ResponseContentPartDoneEvent = contentPartEvent(
  "response.content_part.done",
  "ResponseContentPartDoneEvent"
)

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseContentPartDoneEvent extends Schema.Schema.Type<typeof ResponseContentPartDoneEvent> {}

/**
 * A piece of text to append to the content part `content_index` of item `item_id`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseOutputTextDeltaEvent = Schema.Struct({
  type: Schema.Literal("response.output_text.delta"),
  sequence_number: nullable(Schema.Number),
  item_id: Schema.String,
  output_index: Schema.Number,
  content_index: Schema.Number,
  delta: Schema.String,
  logprobs: nullable(Schema.Array(TokenLogprob)),
  obfuscation: nullable(Schema.String)
}).annotations({ identifier: "ResponseOutputTextDeltaEvent" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseOutputTextDeltaEvent extends Schema.Schema.Type<typeof ResponseOutputTextDeltaEvent> {}

/**
 * The complete text of a content part.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseOutputTextDoneEvent = Schema.Struct({
  type: Schema.Literal("response.output_text.done"),
  sequence_number: nullable(Schema.Number),
  item_id: Schema.String,
  output_index: Schema.Number,
  content_index: Schema.Number,
  text: Schema.String,
  logprobs: nullable(Schema.Array(TokenLogprob))
}).annotations({ identifier: "ResponseOutputTextDoneEvent" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseOutputTextDoneEvent extends Schema.Schema.Type<typeof ResponseOutputTextDoneEvent> {}

/**
 * A piece of the JSON arguments of the function call `item_id`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseFunctionCallArgumentsDeltaEvent = Schema.Struct({
  type: Schema.Literal("response.function_call_arguments.delta"),
  sequence_number: nullable(Schema.Number),
  item_id: Schema.String,
  output_index: Schema.Number,
  delta: Schema.String,
  obfuscation: nullable(Schema.String)
}).annotations({ identifier: "ResponseFunctionCallArgumentsDeltaEvent" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseFunctionCallArgumentsDeltaEvent
  extends Schema.Schema.Type<typeof ResponseFunctionCallArgumentsDeltaEvent>
{}

/**
 * @since 0.1.0
 * @category schemas
 */
export const ResponseFunctionCallArgumentsDoneEvent = Schema.Struct({
  type: Schema.Literal("response.function_call_arguments.done"),
  sequence_number: nullable(Schema.Number),
  item_id: Schema.String,
  output_index: Schema.Number,
  arguments: Schema.String,
  name: nullable(Schema.String)
}).annotations({ identifier: "ResponseFunctionCallArgumentsDoneEvent" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseFunctionCallArgumentsDoneEvent
  extends Schema.Schema.Type<typeof ResponseFunctionCallArgumentsDoneEvent>
{}

/**
 * An error reported inside the stream. OpenAI sends `code`/`message`/`param` at the top level;
 * newer servers nest them under `error`; both are accepted.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseErrorEvent = Schema.Struct({
  type: Schema.Literal("error"),
  sequence_number: nullable(Schema.Number),
  code: nullable(Schema.String),
  message: nullable(Schema.String),
  param: nullable(Schema.String),
  error: nullable(Schema.Struct({
    type: nullable(Schema.String),
    code: nullable(Schema.String),
    message: nullable(Schema.String),
    param: nullable(Schema.String)
  }))
}).annotations({ identifier: "ResponseErrorEvent" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ResponseErrorEvent extends Schema.Schema.Type<typeof ResponseErrorEvent> {}

const documentedEvents = [
  ResponseCreatedEvent,
  ResponseQueuedEvent,
  ResponseInProgressEvent,
  ResponseCompletedEvent,
  ResponseFailedEvent,
  ResponseIncompleteEvent,
  ResponseOutputItemAddedEvent,
  ResponseOutputItemDoneEvent,
  ResponseContentPartAddedEvent,
  ResponseContentPartDoneEvent,
  ResponseOutputTextDeltaEvent,
  ResponseOutputTextDoneEvent,
  ResponseFunctionCallArgumentsDeltaEvent,
  ResponseFunctionCallArgumentsDoneEvent,
  ResponseErrorEvent
] as const

const documentedEventTypes: ReadonlyArray<string> = documentedEvents.map((event) => event.fields.type.literals[0])

/**
 * A stream event of an undocumented `type` (the server may add events), kept whole instead of
 * failing the stream: `{ type: "unknown", originalType, sequence_number?, payload }`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UnknownResponseStreamEvent = Schema.transform(
  undocumented(documentedEventTypes),
  Schema.Struct({
    type: Schema.Literal("unknown"),
    originalType: Schema.String,
    sequence_number: Schema.optionalWith(Schema.Number, { exact: true }),
    payload: JsonObject
  }),
  {
    strict: true,
    decode: (payload) =>
      typeof payload.sequence_number === "number"
        ? { type: "unknown" as const, originalType: payload.type, sequence_number: payload.sequence_number, payload }
        : { type: "unknown" as const, originalType: payload.type, payload },
    encode: (event) => ({ ...event.payload, type: event.originalType })
  }
).annotations({ identifier: "UnknownResponseStreamEvent" })

/**
 * @since 0.1.0
 * @category models
 */
export type UnknownResponseStreamEvent = Schema.Schema.Type<typeof UnknownResponseStreamEvent>

/**
 * The `data:` payload of a streamed response, discriminated by `type`. Unrecognised types decode
 * to {@link UnknownResponseStreamEvent} (`type: "unknown"`); a recognised type with malformed
 * fields is a decode error.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseStreamEvent = Schema.Union(...documentedEvents, UnknownResponseStreamEvent)

/**
 * @since 0.1.0
 * @category models
 */
export type ResponseStreamEvent = Schema.Schema.Type<typeof ResponseStreamEvent>

// =============================================================================
// Embeddings
// =============================================================================

/**
 * The body of `POST /v1/embeddings`. `input` is a string, several strings, or token ids (one
 * array, or one array per input). With `encoding_format: "base64"` each embedding comes back as
 * base64 of little-endian float32s (see {@link decodeEmbeddingBase64}).
 *
 * @since 0.1.0
 * @category schemas
 */
export const EmbeddingRequest = Schema.Struct({
  model: Schema.String,
  input: Schema.Union(
    Schema.String,
    Schema.Array(Schema.String),
    Schema.Array(Schema.NonNegativeInt),
    Schema.Array(Schema.Array(Schema.NonNegativeInt))
  ),
  encoding_format: Schema.optional(Schema.Literal("float", "base64")),
  dimensions: Schema.optional(PositiveInt),
  user: Schema.optional(Schema.String)
}).annotations({ identifier: "EmbeddingRequest" })

/**
 * @since 0.1.0
 * @category models
 */
export interface EmbeddingRequest extends Schema.Schema.Type<typeof EmbeddingRequest> {}

/**
 * One embedding: numbers (`encoding_format: "float"`) or a base64 string (`"base64"`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Embedding = Schema.Struct({
  object: nullable(openLiteral("embedding")),
  index: Schema.Number,
  embedding: Schema.Union(Schema.Array(Schema.Number), Schema.String)
}).annotations({ identifier: "Embedding" })

/**
 * @since 0.1.0
 * @category models
 */
export interface Embedding extends Schema.Schema.Type<typeof Embedding> {}

/**
 * @since 0.1.0
 * @category schemas
 */
export const EmbeddingUsage = Schema.Struct({
  prompt_tokens: Schema.Number,
  total_tokens: Schema.Number
}).annotations({ identifier: "EmbeddingUsage" })

/**
 * @since 0.1.0
 * @category models
 */
export interface EmbeddingUsage extends Schema.Schema.Type<typeof EmbeddingUsage> {}

/**
 * The answer of `POST /v1/embeddings`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EmbeddingResponse = Schema.Struct({
  object: nullable(openLiteral("list")),
  model: Schema.String,
  data: Schema.Array(Embedding),
  usage: nullable(EmbeddingUsage)
}).annotations({ identifier: "EmbeddingResponse" })

/**
 * @since 0.1.0
 * @category models
 */
export interface EmbeddingResponse extends Schema.Schema.Type<typeof EmbeddingResponse> {}

/**
 * A base64 embedding that could not be decoded:
 *
 * - `InvalidCharacter`: a character outside the standard base64 alphabet (`position` is its index);
 * - `InvalidLength`: a length that no base64 text has (or misplaced `=` padding);
 * - `NotFloat32Aligned`: the decoded `byteLength` is not a multiple of 4, so not float32 values.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidEmbeddingBase64 extends Schema.TaggedError<InvalidEmbeddingBase64>(
  "@effect-skytells/client/InferenceSchema/InvalidEmbeddingBase64"
)("InvalidEmbeddingBase64", {
  reason: Schema.Literal("InvalidCharacter", "InvalidLength", "NotFloat32Aligned"),
  inputLength: Schema.Number,
  position: Schema.optional(Schema.Number),
  byteLength: Schema.optional(Schema.Number)
}) {
  override get message(): string {
    switch (this.reason) {
      case "InvalidCharacter":
        return `Invalid base64 embedding: unexpected character at position ${this.position ?? "?"}`
      case "InvalidLength":
        return `Invalid base64 embedding: ${this.inputLength} characters cannot be base64`
      case "NotFloat32Aligned":
        return `Invalid base64 embedding: ${this.byteLength ?? "?"} bytes are not a whole number of float32 values`
    }
  }
}

// 0-63 for the standard alphabet, -1 otherwise.
const sextet = (c: number): number =>
  c >= 65 && c <= 90
    ? c - 65
    : c >= 97 && c <= 122
    ? c - 71
    : c >= 48 && c <= 57
    ? c + 4
    : c === 43
    ? 62
    : c === 47
    ? 63
    : -1

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/**
 * Decodes an embedding sent with `encoding_format: "base64"`: standard base64 (padding optional)
 * of little-endian IEEE 754 float32 values. Works on every runtime (no `Buffer`, no `atob`) and
 * never throws: malformed input gives `Either.left(InvalidEmbeddingBase64)`. The result can be
 * yielded in `Effect.gen`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeEmbeddingBase64 = (s: string): Either.Either<Float32Array, InvalidEmbeddingBase64> => {
  let end = s.length
  if (end > 0 && s.charCodeAt(end - 1) === 61) end--
  if (end > 0 && s.charCodeAt(end - 1) === 61) end--
  const padding = s.length - end
  const rest = end % 4
  if (rest === 1 || (padding > 0 && (s.length % 4 !== 0 || rest === 0))) {
    return Either.left(new InvalidEmbeddingBase64({ reason: "InvalidLength", inputLength: s.length }))
  }
  const byteLength = (end >> 2) * 3 + (rest === 0 ? 0 : rest - 1)
  const bytes = new Uint8Array(byteLength)
  let out = 0
  let i = 0
  for (; i + 4 <= end; i += 4) {
    const a = sextet(s.charCodeAt(i))
    const b = sextet(s.charCodeAt(i + 1))
    const c = sextet(s.charCodeAt(i + 2))
    const d = sextet(s.charCodeAt(i + 3))
    if ((a | b | c | d) < 0) return Either.left(invalidCharacter(s, i))
    const n = (a << 18) | (b << 12) | (c << 6) | d
    bytes[out++] = n >> 16
    bytes[out++] = (n >> 8) & 255
    bytes[out++] = n & 255
  }
  if (rest > 0) {
    const a = sextet(s.charCodeAt(i))
    const b = sextet(s.charCodeAt(i + 1))
    const c = rest === 3 ? sextet(s.charCodeAt(i + 2)) : 0
    if ((a | b | c) < 0) return Either.left(invalidCharacter(s, i))
    const n = (a << 18) | (b << 12) | (c << 6)
    bytes[out++] = n >> 16
    if (rest === 3) bytes[out++] = (n >> 8) & 255
  }
  if (byteLength % 4 !== 0) {
    return Either.left(new InvalidEmbeddingBase64({ reason: "NotFloat32Aligned", inputLength: s.length, byteLength }))
  }
  if (littleEndian) return Either.right(new Float32Array(bytes.buffer))
  const view = new DataView(bytes.buffer)
  const floats = new Float32Array(byteLength >> 2)
  for (let k = 0; k < floats.length; k++) floats[k] = view.getFloat32(k * 4, true)
  return Either.right(floats)
}

const invalidCharacter = (s: string, from: number): InvalidEmbeddingBase64 => {
  let position = from
  while (sextet(s.charCodeAt(position)) >= 0) position++
  return new InvalidEmbeddingBase64({ reason: "InvalidCharacter", inputLength: s.length, position })
}
