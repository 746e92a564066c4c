/**
 * The frames of inference streams: one SSE event to a chat chunk, a Responses event, the end of
 * the stream, or a typed error (an error frame, data that is not JSON, JSON of the wrong shape).
 *
 * @internal
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as Inference from "../Inference.js"
import * as InferenceSchema from "../InferenceSchema.js"
import * as SkytellsError from "../SkytellsError.js"
import { excerpt, int, isRecord } from "./inference.js"
import type * as Sse from "./sse.js"

/** What a frame decoder returns: a value to emit, nothing (skip), or the end of the stream. @internal */
export type Frame<A> =
  | { readonly _tag: "Emit"; readonly value: A }
  | { readonly _tag: "Skip" }
  | { readonly _tag: "End"; readonly value?: A }

/** @internal */
export interface FrameContext {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly now: number
}

/** A frame decoder, as `streamCall` runs it on every event. @internal */
export type FrameDecoder<A> = (
  event: Sse.SseEvent,
  context: FrameContext
) => Either.Either<Frame<A>, SkytellsError.SkytellsError>

/**
 * The response's content type and request id, when it has them.
 *
 * @internal
 */
export const responseFields = (
  context: FrameContext
): { readonly contentType?: string; readonly requestId?: string } => ({
  ...(context.headers["content-type"] !== undefined ? { contentType: context.headers["content-type"] } : {}),
  ...(context.headers["x-request-id"] !== undefined ? { requestId: context.headers["x-request-id"] } : {})
})

/** @internal */
export const malformedFrame = (
  context: FrameContext,
  data: string,
  reason: "NotJson" | "UnexpectedShape",
  issue?: string
): SkytellsError.MalformedResponse =>
  new SkytellsError.MalformedResponse({
    reason,
    httpStatus: context.status,
    excerpt: excerpt(data),
    bodyLength: data.length,
    ...responseFields(context),
    ...(issue !== undefined ? { issue: issue.length > 1_000 ? `${issue.slice(0, 1_000)}…` : issue } : {})
  })

/**
 * An error reported inside a stream (`event: error`, or a data frame that is `{error: {...}}`),
 * decoded like an HTTP error response whose status is the error's `status` (else 500).
 *
 * @internal
 */
export const errorFrame = (context: FrameContext, data: string, json: unknown): SkytellsError.ResponseError => {
  const body = normaliseError(json)
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined
  const status = int(error?.status) ?? int(error?.http_status) ?? 500
  const headers: Record<string, string> = { "content-type": "application/json" }
  if (context.headers["x-request-id"] !== undefined) headers["x-request-id"] = context.headers["x-request-id"]
  return SkytellsError.fromResponse({
    status,
    headers,
    body: body === json ? data : JSON.stringify(body),
    now: context.now
  })
}

/**
 * `{error: {...}}` as it is; a flat error object (`{type: "error", code, message, param}`, the
 * Responses stream's `error` event) nested under `error`, the `type: "error"` marker dropped.
 */
const normaliseError = (json: unknown): unknown => {
  if (!isRecord(json)) return json
  if (isRecord(json.error)) {
    const { error, type: _type, ...outer } = json
    const missing = Object.fromEntries(Object.entries(outer).filter(([k]) => !(k in error)))
    return Object.keys(missing).length === 0 ? json : { error: { ...missing, ...error } }
  }
  const { type, ...rest } = json
  return { error: type === "error" ? rest : json }
}

/** Parses a frame's JSON; `undefined` data means it is not JSON. @internal */
export const parseJson = (data: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  try {
    return { ok: true, value: JSON.parse(data) }
  } catch {
    return { ok: false }
  }
}

/** @internal */
export const decodeFrame = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownEither(schema, { onExcessProperty: "ignore" })
  return (context: FrameContext, data: string, json: unknown): Either.Either<A, SkytellsError.MalformedResponse> =>
    Either.mapLeft(
      decode(json),
      (error) => malformedFrame(context, data, "UnexpectedShape", ParseResult.TreeFormatter.formatErrorSync(error))
    )
}

// Chat and Responses frames ----------------------------------------------------------------------

/**
 * A frame decoder for a JSON event stream. Every frame is checked here first: the `[DONE]` sentinel,
 * an `event: error` frame, an empty frame, or data that is not JSON; `onJson` gets the parsed JSON.
 */
const jsonFrame = <A>(
  onJson: (value: unknown, data: string, context: FrameContext) => Either.Either<Frame<A>, SkytellsError.SkytellsError>
): FrameDecoder<A> =>
(event, context) => {
  const data = event.data
  if (data.trim() === "[DONE]") return Either.right({ _tag: "End" })
  const json = parseJson(data)
  if (event.event === "error") return Either.left(errorFrame(context, data, json.ok ? json.value : undefined))
  if (data.trim() === "") return Either.right({ _tag: "Skip" })
  if (!json.ok) return Either.left(malformedFrame(context, data, "NotJson"))
  return onJson(json.value, data, context)
}

const decodeChunk = decodeFrame(InferenceSchema.ChatCompletionChunk)

/** @internal */
export const chatFrame = jsonFrame<InferenceSchema.ChatCompletionChunk>((value, data, context) => {
  if (isRecord(value) && value.error !== undefined && value.error !== null && !("choices" in value)) {
    return Either.left(errorFrame(context, data, value))
  }
  return Either.map(decodeChunk(context, data, value), (chunk) => ({ _tag: "Emit", value: chunk }))
})

const decodeEvent = decodeFrame(InferenceSchema.ResponseStreamEvent)

const terminalEvents: ReadonlySet<string> = new Set(["response.completed", "response.failed", "response.incomplete"])

/** @internal */
export const responseFrame = jsonFrame<Inference.ResponseStreamEvent>((value, data, context) => {
  if (isRecord(value) && (value.type === "error" || (value.type === undefined && isRecord(value.error)))) {
    // `{type: "error", code, message, param}` (OpenAI) or `{type: "error", error: {...}}`.
    return Either.left(errorFrame(context, data, value))
  }
  return Either.map(decodeEvent(context, data, value), (decoded) =>
    terminalEvents.has(decoded.type)
      ? { _tag: "End", value: decoded as Inference.ResponseStreamEvent }
      : { _tag: "Emit", value: decoded as Inference.ResponseStreamEvent })
})
