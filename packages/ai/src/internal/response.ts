/**
 * From a Skytells response (or its stream events) to `@effect/ai` response parts: the metadata, the
 * text, the tool calls, the reasoning summaries, and a finish part with the reason and usage.
 *
 * @internal
 */
import type * as Inference from "@effect-skytells/client/Inference"
import type * as InferenceSchema from "@effect-skytells/client/InferenceSchema"
import * as AiError from "@effect/ai/AiError"
import type * as Response from "@effect/ai/Response"
import * as Tool from "@effect/ai/Tool"
import * as Effect from "effect/Effect"

type Usage = typeof Response.Usage.Encoded

const MODULE = "SkytellsLanguageModel"

/** What the finish part's `metadata.skytells` holds. @internal */
export type FinishMetadata = {
  /** The response's status (`completed`, `incomplete`, `failed`, ...). */
  readonly status: string
  readonly serviceTier?: string | undefined
  /** Skytells' safety verdicts for the prompt and the completion. */
  readonly contentFilters?: ReadonlyArray<InferenceSchema.ResponseContentFilter> | undefined
  /** Why the response failed, when its status is `failed`. */
  readonly error?: InferenceSchema.ResponseError | undefined
}

/**
 * The finish reason: `content-filter` when a completion filter blocked the answer, `error` for a
 * failed response, `length` when cut at `max_output_tokens`, `tool-calls` when the model called a
 * tool, `stop` otherwise.
 */
const finishReason = (response: InferenceSchema.Response, hasToolCalls: boolean): Response.FinishReason => {
  const blocked = response.content_filters?.some((f) => f.blocked && f.source_type === "completion") ?? false
  if (blocked) return "content-filter"
  if (response.status === "failed") return "error"
  const reason = response.incomplete_details?.reason
  if (reason === "max_output_tokens") return "length"
  if (reason === "content_filter") return "content-filter"
  if (reason !== undefined && reason !== null) return "unknown"
  return hasToolCalls ? "tool-calls" : "stop"
}

const usageOf = (usage: InferenceSchema.ResponseUsage | null | undefined): Usage => ({
  inputTokens: usage?.input_tokens,
  outputTokens: usage?.output_tokens,
  totalTokens: usage?.total_tokens,
  ...(typeof usage?.output_tokens_details?.reasoning_tokens === "number"
    ? { reasoningTokens: usage.output_tokens_details.reasoning_tokens }
    : {}),
  ...(typeof usage?.input_tokens_details?.cached_tokens === "number"
    ? { cachedInputTokens: usage.input_tokens_details.cached_tokens }
    : {})
})

const finishPart = (response: InferenceSchema.Response, hasToolCalls: boolean): Response.FinishPartEncoded => {
  const metadata: FinishMetadata = {
    status: response.status,
    ...(typeof response.service_tier === "string" ? { serviceTier: response.service_tier } : {}),
    ...(response.content_filters ? { contentFilters: response.content_filters } : {}),
    ...(response.error ? { error: response.error } : {})
  }
  return {
    type: "finish",
    reason: finishReason(response, hasToolCalls),
    usage: usageOf(response.usage),
    metadata: { skytells: { ...metadata } }
  }
}

const metadataPart = (response: InferenceSchema.Response): Response.ResponseMetadataPartEncoded => ({
  type: "response-metadata",
  id: response.id,
  modelId: response.model,
  timestamp: new Date(response.created_at * 1000).toISOString()
})

const toolCall = (
  item: InferenceSchema.ResponseFunctionCall,
  method: string
): Effect.Effect<Response.ToolCallPartEncoded, AiError.MalformedOutput> =>
  Effect.try({
    // The arguments come from the model: parsed without prototype pollution.
    try: () => Tool.unsafeSecureJsonParse(item.arguments === "" ? "{}" : item.arguments),
    catch: (cause) =>
      new AiError.MalformedOutput({
        module: MODULE,
        method,
        description: `The arguments of the call to tool '${item.name}' are not JSON: ${item.arguments.slice(0, 300)}`,
        cause
      })
  }).pipe(Effect.map((params) => ({
    type: "tool-call",
    id: item.call_id,
    name: item.name,
    params,
    ...(typeof item.id === "string" ? { metadata: { skytells: { itemId: item.id } } } : {})
  })))

const reasoningText = (item: InferenceSchema.ResponseReasoningItem): string => {
  const summary = (item.summary ?? []).map((s) => s.text)
  return (summary.length > 0 ? summary : (item.content ?? []).map((c) => c.text)).join("\n")
}

/**
 * The parts of a whole response. Output items of types Skytells does not document (kept whole by the
 * client's schema) are left out.
 *
 * @internal
 */
export const makeParts = Effect.fnUntraced(function*(response: InferenceSchema.Response) {
  const parts: Array<Response.PartEncoded> = [metadataPart(response)]
  let hasToolCalls = false
  for (const item of response.output) {
    switch (item.type) {
      case "message": {
        for (const content of item.content) {
          if (content.type === "output_text") {
            parts.push({ type: "text", text: content.text, metadata: { skytells: { itemId: item.id } } })
          } else if (content.type === "refusal") {
            // As @effect/ai-openai does: an empty text whose metadata says why the model refused.
            parts.push({
              type: "text",
              text: "",
              metadata: { skytells: { itemId: item.id, refusal: content.refusal } }
            })
          }
        }
        break
      }
      case "function_call": {
        hasToolCalls = true
        parts.push(yield* toolCall(item, "generateText"))
        break
      }
      case "reasoning": {
        const text = reasoningText(item)
        if (text.length > 0) parts.push({ type: "reasoning", text, metadata: { skytells: { itemId: item.id } } })
        break
      }
    }
  }
  parts.push(finishPart(response, hasToolCalls))
  return parts
})

/**
 * A decoder of stream events into stream parts, with the state a stream needs (the tool calls in
 * progress, by output index). One per stream.
 *
 * @internal
 */
export const makeStreamDecoder = () => {
  const activeCalls = new Map<number, string>()
  let hasToolCalls = false
  return (
    event: Inference.ResponseStreamEvent
  ): Effect.Effect<ReadonlyArray<Response.StreamPartEncoded>, AiError.MalformedOutput> => {
    switch (event.type) {
      case "response.created":
        return Effect.succeed([metadataPart(event.response)])
      case "response.output_item.added": {
        const item = event.item
        if (item.type === "message") {
          return Effect.succeed([{ type: "text-start", id: item.id, metadata: { skytells: { itemId: item.id } } }])
        }
        if (item.type === "function_call") {
          activeCalls.set(event.output_index, item.call_id)
          return Effect.succeed([{ type: "tool-params-start", id: item.call_id, name: item.name }])
        }
        return Effect.succeed([])
      }
      case "response.output_text.delta":
        return Effect.succeed([{ type: "text-delta", id: event.item_id, delta: event.delta }])
      case "response.function_call_arguments.delta": {
        const id = activeCalls.get(event.output_index)
        return Effect.succeed(id === undefined ? [] : [{ type: "tool-params-delta", id, delta: event.delta }])
      }
      case "response.output_item.done": {
        const item = event.item
        if (item.type === "message") {
          const refusal = item.content.find((c): c is InferenceSchema.ResponseOutputRefusal => c.type === "refusal")
          return Effect.succeed([{
            type: "text-end",
            id: item.id,
            ...(refusal ? { metadata: { skytells: { itemId: item.id, refusal: refusal.refusal } } } : {})
          }])
        }
        if (item.type === "function_call") {
          hasToolCalls = true
          activeCalls.delete(event.output_index)
          return Effect.map(
            toolCall(item, "streamText"),
            (call) => [{ type: "tool-params-end", id: item.call_id }, call]
          )
        }
        if (item.type === "reasoning") {
          const text = reasoningText(item)
          const metadata = { skytells: { itemId: item.id } }
          return Effect.succeed(
            text.length === 0 ? [] : [
              { type: "reasoning-start", id: item.id, metadata },
              { type: "reasoning-delta", id: item.id, delta: text },
              { type: "reasoning-end", id: item.id }
            ]
          )
        }
        return Effect.succeed([])
      }
      case "response.completed":
      case "response.incomplete":
      case "response.failed":
        return Effect.succeed([finishPart(event.response, hasToolCalls)])
      default:
        return Effect.succeed([])
    }
  }
}

/** A part the telemetry looks at. @internal */
export type AnnotatedPart = Response.PartEncoded | Response.StreamPartEncoded
