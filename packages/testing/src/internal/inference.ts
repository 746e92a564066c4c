/**
 * The OpenAI-compatible Inference API: `/chat/completions` (plain and SSE), `/embeddings`
 * (deterministic vectors, float or base64), and what `/responses` (responses.ts) shares with them.
 * Replies are deterministic functions of the request (toolAnswers.ts says which), so tests can
 * assert them exactly.
 *
 * @internal
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Encoding from "effect/Encoding"
import * as Stream from "effect/Stream"
import { type ApiFailure, failure } from "./errors.js"
import { type Ctx, type Handler, isRecord, json } from "./http.js"
import * as Models from "./models.js"
import type { State } from "./state.js"
import * as Answers from "./toolAnswers.js"

const encoder = new TextEncoder()

/** One SSE event per stream element, so stream faults can cut between events. @internal */
export const sse = (state: State, events: ReadonlyArray<string>): HttpServerResponse.HttpServerResponse => {
  const delay = state.scenario.streamChunkDelay
  const chunks = Stream.fromIterable(events).pipe(Stream.map((e) => encoder.encode(e)))
  const paced = Duration.toMillis(Duration.decode(delay)) > 0
    ? Stream.mapEffect(chunks, (c) => Effect.as(Effect.sleep(delay), c))
    : chunks
  return HttpServerResponse.stream(paced, {
    contentType: "text/event-stream",
    headers: { "cache-control": "no-cache" }
  })
}

const dataEvent = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`

/** @internal */
export const requireBody = (ctx: Ctx): Effect.Effect<Record<string, unknown>, ApiFailure> =>
  isRecord(ctx.json)
    ? Effect.succeed(ctx.json)
    : Effect.fail(failure("INVALID_REQUEST", { message: "The request body must be a JSON object" }))

/** @internal */
export const resolveModel = (
  value: unknown,
  kind: "chat" | "embedding"
): Effect.Effect<Models.ModelDef, ApiFailure> => {
  if (typeof value !== "string" || value.length === 0) {
    return Effect.fail(failure("INVALID_REQUEST", { message: "model is required", param: "model" }))
  }
  const model = Models.find(value)
  if (model === undefined) {
    return Effect.fail(
      failure("MODEL_NOT_FOUND", {
        message: `The model '${value}' does not exist or you do not have access to it`,
        param: "model"
      })
    )
  }
  if (model.apiError !== undefined) {
    return Effect.fail(failure(model.apiError.errorId, { status: model.apiError.status, param: "model" }))
  }
  const fits = kind === "chat" ? model.chat : model.embeddingDimensions !== undefined
  return fits ? Effect.succeed(model) : Effect.fail(
    failure("MODEL_NOT_SUPPORTED", {
      message: `The model '${value}' does not support ${kind === "chat" ? "chat completions" : "embeddings"}`,
      param: "model"
    })
  )
}

/** @internal */
export const charge = (ctx: Ctx, model: Models.ModelDef, tokens: number) =>
  Effect.suspend(() => {
    const cost = Math.round(model.price.amount * tokens * 1e8) / 1e8
    if (cost > ctx.account.credits) {
      return Effect.fail(
        failure("INSUFFICIENT_CREDITS", { message: "You have run out of credits for this request." })
      )
    }
    ctx.account.credits = Math.round((ctx.account.credits - cost) * 1e8) / 1e8
    return Effect.void
  })

/** @internal */
export const maxTokensOf = (body: Record<string, unknown>): Effect.Effect<number | undefined, ApiFailure> => {
  const value = body.max_completion_tokens ?? body.max_tokens ?? body.max_output_tokens
  if (value === undefined || value === null) return Effect.succeed(undefined)
  return typeof value === "number" && Number.isInteger(value) && value >= 1
    ? Effect.succeed(value)
    : Effect.fail(
      failure("INVALID_PARAMETER", { message: "max_tokens must be a positive integer", param: "max_tokens" })
    )
}

/** @internal */
export const contentFilters = {
  hate: { filtered: false, severity: "safe" },
  self_harm: { filtered: false, severity: "safe" },
  sexual: { filtered: false, severity: "safe" },
  violence: { filtered: false, severity: "safe" }
}

/** The documented roles of a chat message (`function` is the legacy one). */
const chatRoles: ReadonlyArray<unknown> = ["system", "user", "assistant", "tool", "function"]

/** `POST /v1/chat/completions`. @internal */
export const chat: Handler = (ctx) =>
  Effect.gen(function*() {
    const body = yield* requireBody(ctx)
    const model = yield* resolveModel(body.model, "chat")
    const messages = body.messages
    if (!Array.isArray(messages) || messages.length === 0 || !messages.every(isRecord)) {
      return yield* failure("INVALID_REQUEST", {
        message: "messages must be a non-empty array of { role, content }",
        param: "messages"
      })
    }
    const invalid = messages.findIndex((m) => !chatRoles.includes(m.role))
    if (invalid >= 0) {
      return yield* failure("INVALID_REQUEST", {
        message: `messages[${invalid}].role must be one of ${chatRoles.join(", ")} (got ${
          JSON.stringify(messages[invalid]!.role) ?? "none"
        })`,
        param: `messages[${invalid}].role`
      })
    }
    const promptTokens = messages.reduce((n, m) => n + Models.countTokens(Answers.textOf(m.content)), 0)
    if (promptTokens > model.contextWindow) {
      return yield* failure("context_length_exceeded", {
        status: 400,
        message:
          `This model's maximum context length is ${model.contextWindow} tokens; the messages have ${promptTokens}.`,
        param: "messages"
      })
    }
    const maxTokens = yield* maxTokensOf(body)
    const reply = yield* Effect.flatMap(Answers.chatTurn(body, messages), (turn) => Answers.answer(turn, maxTokens))
    const completionTokens = Answers.outputTokens(reply)
    yield* charge(ctx, model, promptTokens + completionTokens)
    const n = typeof body.n === "number" && Number.isInteger(body.n) && body.n > 0 ? body.n : 1
    const id = `chatcmpl-${ctx.state.ids.hex(24)}`
    const created = Math.floor(ctx.now / 1000)
    const indexes = Array.from({ length: n }, (_, i) => i)
    // Each choice is a sample of its own, with calls of its own.
    const callIds = reply._tag === "Call" ? indexes.map(() => `call_${ctx.state.ids.hex(24)}`) : []
    const finish = reply._tag === "Call" ? "tool_calls" : reply.truncated ? "length" : "stop"
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens
    }
    const head = { id, created, model: model.slug, system_fingerprint: "fp_fake_skytells" }
    const promptFilters = [{ prompt_index: 0, content_filter_results: contentFilters }]
    if (body.stream === true || ctx.query.stream === "true") {
      const chunk = (deltaOf: (index: number) => Record<string, unknown>, extra: Record<string, unknown> = {}) =>
        dataEvent({
          ...head,
          object: "chat.completion.chunk",
          choices: indexes.map((index) => ({ index, delta: deltaOf(index), logprobs: null, finish_reason: null })),
          ...extra
        })
      // As OpenAI streams a call: its id and name first, then its arguments in pieces.
      const deltas: ReadonlyArray<(index: number) => Record<string, unknown>> = reply._tag === "Call"
        ? [
          (index) => ({
            tool_calls: [{
              index: 0,
              id: callIds[index],
              type: "function",
              function: { name: reply.name, arguments: "" }
            }]
          }),
          ...Answers.argumentPieces(reply.arguments).map((piece) => () => ({
            tool_calls: [{ index: 0, function: { arguments: piece } }]
          }))
        ]
        : (reply.text.length === 0 ? [] : reply.text.split(" ")).map((word, i) => () => ({
          content: i === 0 ? word : ` ${word}`
        }))
      const events = [
        chunk(() => ({ role: "assistant", content: reply._tag === "Call" ? null : "" }), {
          prompt_filter_results: promptFilters
        }),
        ...deltas.map((delta) => chunk(delta)),
        dataEvent({
          ...head,
          object: "chat.completion.chunk",
          choices: indexes.map((index) => ({
            index,
            delta: {},
            logprobs: null,
            finish_reason: finish,
            content_filter_results: contentFilters
          }))
        }),
        ...(isRecord(body.stream_options) && body.stream_options.include_usage === true
          ? [dataEvent({ ...head, object: "chat.completion.chunk", choices: [], usage })]
          : []),
        "data: [DONE]\n\n"
      ]
      return sse(ctx.state, events)
    }
    return json({
      ...head,
      object: "chat.completion",
      choices: indexes.map((index) => ({
        index,
        message: reply._tag === "Call"
          ? {
            role: "assistant",
            content: null,
            refusal: null,
            annotations: [],
            tool_calls: [{
              id: callIds[index],
              type: "function",
              function: { name: reply.name, arguments: reply.arguments }
            }]
          }
          : { role: "assistant", content: reply.text, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: finish,
        content_filter_results: contentFilters
      })),
      prompt_filter_results: promptFilters,
      usage
    })
  })

const float32Base64 = (vector: ReadonlyArray<number>): string => {
  const bytes = new Uint8Array(vector.length * 4)
  const view = new DataView(bytes.buffer)
  vector.forEach((v, i) => view.setFloat32(i * 4, v, true))
  return Encoding.encodeBase64(bytes)
}

const embeddingTexts = (input: unknown): ReadonlyArray<string> | undefined => {
  if (typeof input === "string") return [input]
  if (!Array.isArray(input) || input.length === 0) return undefined
  if (input.every((x) => typeof x === "string")) return input as ReadonlyArray<string>
  if (input.every((x) => typeof x === "number")) return [`tokens:${input.join(",")}`]
  if (input.every((x) => Array.isArray(x) && x.every((t) => typeof t === "number"))) {
    return (input as ReadonlyArray<ReadonlyArray<number>>).map((t) => `tokens:${t.join(",")}`)
  }
  return undefined
}

/** `POST /v1/embeddings`. @internal */
export const embeddings: Handler = (ctx) =>
  Effect.gen(function*() {
    const body = yield* requireBody(ctx)
    const model = yield* resolveModel(body.model, "embedding")
    const texts = embeddingTexts(body.input)
    if (texts === undefined || texts.some((t) => t.length === 0)) {
      return yield* failure("INVALID_REQUEST", {
        message: "input must be a non-empty string, an array of strings, or token arrays",
        param: "input"
      })
    }
    const native = model.embeddingDimensions!
    const dimensions = body.dimensions ?? native
    if (typeof dimensions !== "number" || !Number.isInteger(dimensions) || dimensions < 1 || dimensions > native) {
      return yield* failure("INVALID_PARAMETER", {
        message: `dimensions must be an integer between 1 and ${native} for ${model.slug}`,
        param: "dimensions"
      })
    }
    const format = body.encoding_format ?? "float"
    if (format !== "float" && format !== "base64") {
      return yield* failure("INVALID_PARAMETER", {
        message: "encoding_format must be 'float' or 'base64'",
        param: "encoding_format"
      })
    }
    const tokens = texts.reduce((n, t) => n + Math.max(1, Models.countTokens(t)), 0)
    yield* charge(ctx, model, tokens)
    return json({
      object: "list",
      model: model.slug,
      data: texts.map((text, index) => {
        const vector = vectorOf(text, native, dimensions)
        return { object: "embedding", index, embedding: format === "base64" ? float32Base64(vector) : vector }
      }),
      usage: { prompt_tokens: tokens, total_tokens: tokens }
    })
  })

/** The embedding of a text, reduced to `dimensions` and renormalised (Matryoshka style). @internal */
export const vectorOf = (text: string, native: number, dimensions: number): Array<number> => {
  const full = Models.embed(text, native)
  if (dimensions === native) return full
  const head = full.slice(0, dimensions)
  const norm = Math.sqrt(head.reduce((s, v) => s + v * v, 0)) || 1
  return head.map((v) => Math.fround(v / norm))
}
