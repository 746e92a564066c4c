/**
 * `POST /v1/responses`: a `Response` object, or with `stream: true` its SSE events (`event:` line,
 * `sequence_number` counting from 0). The answer is a message or a `function_call` item, as
 * toolAnswers.ts decides; streamed, each item is added, filled in by deltas (text word by word,
 * arguments piece by piece), finished, then `response.completed` (or `response.incomplete`).
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { failure } from "./errors.js"
import { type Handler, isRecord, json } from "./http.js"
import { charge, contentFilters, maxTokensOf, requireBody, resolveModel, sse } from "./inference.js"
import * as Models from "./models.js"
import * as Answers from "./toolAnswers.js"

type Payload = Record<string, unknown>

/** Every text of the input (messages, call arguments, tool results), counted as input tokens. */
const inputText = (input: unknown): string =>
  typeof input === "string" ? input : (Array.isArray(input) ? input : []).map((item) =>
    !isRecord(item)
      ? ""
      : item.type === "function_call"
      ? (typeof item.arguments === "string" ? item.arguments : "")
      : item.type === "function_call_output"
      ? Answers.outputText(item.output)
      : Answers.textOf(item.content)
  ).join(" ")

interface OutputText {
  readonly type: "output_text"
  readonly text: string
  readonly annotations: ReadonlyArray<never>
  readonly logprobs: ReadonlyArray<never>
}

type OutputItem =
  | {
    readonly id: string
    readonly type: "function_call"
    readonly status: "completed"
    readonly call_id: string
    readonly name: string
    readonly arguments: string
  }
  | {
    readonly id: string
    readonly type: "message"
    readonly status: "completed"
    readonly role: "assistant"
    readonly content: readonly [OutputText]
  }

/** The events of one output item, from added to done. */
const itemEvents = (item: OutputItem, output_index: number): ReadonlyArray<Payload> => {
  if (item.type === "function_call") {
    const at = { item_id: item.id, output_index }
    return [
      { type: "response.output_item.added", output_index, item: { ...item, status: "in_progress", arguments: "" } },
      ...Answers.argumentPieces(item.arguments).map((delta) => ({
        type: "response.function_call_arguments.delta",
        ...at,
        delta
      })),
      { type: "response.function_call_arguments.done", ...at, name: item.name, arguments: item.arguments },
      { type: "response.output_item.done", output_index, item }
    ]
  }
  const [part] = item.content
  const at = { item_id: item.id, output_index, content_index: 0 }
  return [
    { type: "response.output_item.added", output_index, item: { ...item, status: "in_progress", content: [] } },
    { type: "response.content_part.added", ...at, part: { ...part, text: "" } },
    ...(part.text.length === 0 ? [] : part.text.split(" ")).map((word, i) => ({
      type: "response.output_text.delta",
      ...at,
      delta: i === 0 ? word : ` ${word}`,
      logprobs: []
    })),
    { type: "response.output_text.done", ...at, text: part.text, logprobs: [] },
    { type: "response.content_part.done", ...at, part },
    { type: "response.output_item.done", output_index, item }
  ]
}

/** `POST /v1/responses`. @internal */
export const responses: Handler = (ctx) =>
  Effect.gen(function*() {
    const body = yield* requireBody(ctx)
    const model = yield* resolveModel(body.model, "chat")
    if (body.input === undefined || (typeof body.input !== "string" && !Array.isArray(body.input))) {
      return yield* failure("INVALID_REQUEST", {
        message: "input must be a string or an array of items",
        param: "input"
      })
    }
    const inputTokens = Models.countTokens(inputText(body.input)) +
      Models.countTokens(typeof body.instructions === "string" ? body.instructions : "")
    const maxTokens = yield* maxTokensOf(body)
    const answer = yield* Effect.flatMap(Answers.responsesTurn(body), (turn) => Answers.answer(turn, maxTokens))
    const outputTokens = Answers.outputTokens(answer)
    yield* charge(ctx, model, inputTokens + outputTokens)
    const truncated = answer._tag === "Text" && answer.truncated
    const id = `resp_${ctx.state.ids.hex(32)}`
    const output: ReadonlyArray<OutputItem> = [
      answer._tag === "Call"
        ? {
          id: `fc_${ctx.state.ids.hex(32)}`,
          type: "function_call",
          status: "completed",
          call_id: `call_${ctx.state.ids.hex(24)}`,
          name: answer.name,
          arguments: answer.arguments
        }
        : {
          id: `msg_${ctx.state.ids.hex(32)}`,
          type: "message",
          status: "completed",
          role: "assistant",
          content: [{ type: "output_text", text: answer.text, annotations: [], logprobs: [] }]
        }
    ]
    const createdAt = Math.floor(ctx.now / 1000)
    const format = isRecord(body.text) && isRecord(body.text.format) ? body.text.format : { type: "text" }
    const response = (status: string, output: ReadonlyArray<unknown>, done: boolean) => ({
      id,
      object: "response",
      created_at: createdAt,
      status,
      completed_at: done ? createdAt : null,
      error: null,
      incomplete_details: truncated && done ? { reason: "max_output_tokens" } : null,
      instructions: typeof body.instructions === "string" ? body.instructions : null,
      max_output_tokens: maxTokens ?? null,
      model: model.slug,
      output,
      parallel_tool_calls: typeof body.parallel_tool_calls === "boolean" ? body.parallel_tool_calls : true,
      previous_response_id: typeof body.previous_response_id === "string" ? body.previous_response_id : null,
      store: body.store === true,
      temperature: typeof body.temperature === "number" ? body.temperature : 1,
      // The request's settings, echoed as the API does.
      text: { format },
      tool_choice: body.tool_choice ?? "auto",
      tools: Array.isArray(body.tools) ? body.tools : [],
      top_p: typeof body.top_p === "number" ? body.top_p : 1,
      truncation: "disabled",
      usage: done
        ? {
          input_tokens: inputTokens,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: outputTokens,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: inputTokens + outputTokens
        }
        : null,
      user: null,
      metadata: isRecord(body.metadata) ? body.metadata : {},
      content_filters: [
        { blocked: false, source_type: "prompt", content_filter_results: contentFilters, content_filter_offsets: null }
      ]
    })
    const finalStatus = truncated ? "incomplete" : "completed"
    if (body.stream !== true) return json(response(finalStatus, output, true))
    const payloads: ReadonlyArray<Payload> = [
      { type: "response.created", response: response("in_progress", [], false) },
      { type: "response.in_progress", response: response("in_progress", [], false) },
      ...output.flatMap(itemEvents),
      { type: truncated ? "response.incomplete" : "response.completed", response: response(finalStatus, output, true) }
    ]
    return sse(
      ctx.state,
      payloads.map((p, sequence_number) =>
        `event: ${String(p.type)}\ndata: ${JSON.stringify({ ...p, sequence_number })}\n\n`
      )
    )
  })
