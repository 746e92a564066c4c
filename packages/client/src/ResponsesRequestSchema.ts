/**
 * `effect/Schema` schemas for the body of `POST /v1/responses`: input items, tools and tool choice,
 * reasoning and text settings. The answer is in {@link ResponseSchema} (and
 * {@link ResponseStreamEventSchema} when streamed); {@link InferenceSchema} re-exports them all.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { ChatCompletionTool, ImageDetail } from "./InferenceCommonSchema.js"
import { nullable, openLiteral, PositiveInt } from "./internal/inferenceSchema.js"
import { JsonObject, jsonObjectWith } from "./internal/jsonObject.js"

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
