/**
 * `effect/Schema` schemas for the `data:` payloads of a streamed response (`POST /v1/responses`
 * with `stream: true`), discriminated by `type`. Events of an undocumented `type` decode to
 * {@link UnknownResponseStreamEvent} instead of failing the stream. {@link InferenceSchema}
 * re-exports this module.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { ResponseStreamEventSchema } from "@effect-skytells/client"
 *
 * const decodeEvent = Schema.decodeUnknown(Schema.parseJson(ResponseStreamEventSchema.ResponseStreamEvent))
 * // decodeEvent(data).pipe(Effect.map((event) => event.type === "response.output_text.delta" ? event.delta : ""))
 * ```
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { TokenLogprob } from "./InferenceCommonSchema.js"
import { nullable, undocumented } from "./internal/inferenceSchema.js"
import { JsonObject } from "./internal/jsonObject.js"
import { Response, ResponseOutputContent, ResponseOutputItem } from "./ResponseSchema.js"

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
