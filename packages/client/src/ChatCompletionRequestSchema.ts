/**
 * `effect/Schema` schemas for the body of `POST /v1/chat/completions`: messages and their content
 * parts, tools and tool choice, response format and streaming options. The answer is in
 * {@link ChatCompletionSchema}; {@link InferenceSchema} re-exports both.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { ChatCompletionTool, ImageDetail } from "./InferenceCommonSchema.js"
import { PositiveInt } from "./internal/inferenceSchema.js"
import { JsonObject } from "./internal/jsonObject.js"

// =============================================================================
// Messages
// =============================================================================

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

// =============================================================================
// Tools, format and the request
// =============================================================================

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
