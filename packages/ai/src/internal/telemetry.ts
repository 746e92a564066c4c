/**
 * GenAI span attributes (`gen_ai.*`, the OpenTelemetry semantic conventions `@effect/ai` follows)
 * for the spans `@effect/ai` opens around each call, plus `gen_ai.skytells.*` for what only Skytells
 * has. Only request settings, ids, finish reasons and token counts: never the prompt, never a header.
 *
 * @internal
 */
import type * as InferenceSchema from "@effect-skytells/client/InferenceSchema"
import type * as Response from "@effect/ai/Response"
import * as Telemetry from "@effect/ai/Telemetry"
import * as Str from "effect/String"
import type { Span } from "effect/Tracer"

/** The `gen_ai.system` of every span. @internal */
export const system = "skytells"

const addSkytellsRequest = Telemetry.addSpanAttributes("gen_ai.skytells.request", Str.camelToSnake)<{
  readonly responseFormat?: string | undefined
  readonly serviceTier?: string | undefined
}>

/** @internal */
export const annotateRequest = (span: Span, request: InferenceSchema.ResponsesRequest): void => {
  Telemetry.addGenAIAnnotations(span, {
    system,
    operation: { name: "chat" },
    request: {
      model: request.model,
      temperature: request.temperature,
      topP: request.top_p,
      maxTokens: request.max_output_tokens,
      frequencyPenalty: request.frequency_penalty,
      presencePenalty: request.presence_penalty
    }
  })
  addSkytellsRequest(span, { responseFormat: request.text?.format?.type, serviceTier: request.service_tier })
}

/** @internal */
export const annotateMetadata = (
  span: Span,
  part: { readonly id?: string | undefined; readonly modelId?: string | undefined }
) => Telemetry.addGenAIAnnotations(span, { response: { id: part.id, model: part.modelId } })

/** @internal */
export const annotateFinish = (span: Span, part: Response.FinishPartEncoded): void =>
  Telemetry.addGenAIAnnotations(span, {
    response: { finishReasons: [part.reason] },
    usage: { inputTokens: part.usage.inputTokens, outputTokens: part.usage.outputTokens }
  })

/** The attributes of an embedding span. @internal */
export const embeddingAttributes = (model: string): Record<string, string> => ({
  "gen_ai.system": system,
  "gen_ai.operation.name": "embeddings",
  "gen_ai.request.model": model
})
