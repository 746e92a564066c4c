/**
 * The fake Skytells API with a "model" that calls tools and answers in JSON, which the fake itself
 * does not do (its `/responses` always answers `You said: "<prompt>"...` in one message). Every
 * request still goes to the fake (authentication, faults, error models, credits, the request log);
 * a successful `/responses` answer is then rewritten, deterministically from the request:
 *
 * - the input ends with `function_call_output` items: one message, `The tool answered: <outputs>`;
 * - tools are offered (and `tool_choice` is not `none`): one `function_call` of the chosen tool (the
 *   named one, else the first), whose arguments are generated from its JSON Schema;
 * - `text.format` is `json_schema`: one message whose text is a JSON value generated from the schema.
 *
 * Generated values come from the last user text (strings are that text, numbers its word count), so
 * a test can compute what to expect, and a schema that was not sent faithfully does not decode.
 * A streamed request is answered by the fake as a plain one, then re-emitted as the documented
 * Responses events. Other requests pass through untouched.
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

type Json = Record<string, any>

const isRecord = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)

const textOf = (content: unknown): string =>
  typeof content === "string"
    ? content
    : Array.isArray(content)
    ? content.map((part) => isRecord(part) && typeof part.text === "string" ? part.text : "").join(" ")
    : ""

/** The last user text of a Responses input. */
export const lastUserText = (input: unknown): string => {
  if (typeof input === "string") return input
  const users = Array.isArray(input) ? input.filter((item) => isRecord(item) && item.role === "user") : []
  return users.length === 0 ? "" : textOf(users[users.length - 1].content)
}

/** The value the fake model generates for a JSON Schema, from the prompt. */
export const generate = (schema: Json, root: Json, prompt: string): unknown => {
  if (typeof schema.$ref === "string") {
    const name = schema.$ref.split("/").pop()!
    return generate((root.$defs ?? root.definitions)[name], root, prompt)
  }
  if ("const" in schema) return schema.const
  if (Array.isArray(schema.enum)) return schema.enum[0]
  const alternatives = schema.anyOf ?? schema.oneOf
  if (Array.isArray(alternatives)) return generate(alternatives.find((s: Json) => s.type !== "null"), root, prompt)
  switch (schema.type) {
    case "object":
      return Object.fromEntries(
        (schema.required ?? []).map((key: string) => [key, generate(schema.properties[key], root, prompt)])
      )
    case "array":
      return [generate(schema.items ?? {}, root, prompt)]
    case "number":
    case "integer":
      return prompt.split(/\s+/).filter((w) => w.length > 0).length
    case "boolean":
      return true
    case "null":
      return null
    default:
      return prompt
  }
}

type Plan =
  | { readonly _tag: "Answer"; readonly outputs: ReadonlyArray<string> }
  | { readonly _tag: "Call"; readonly tool: Json }
  | { readonly _tag: "Json"; readonly schema: Json }

const planOf = (body: Json): Plan | undefined => {
  const input: ReadonlyArray<unknown> = Array.isArray(body.input) ? body.input : []
  let lastMessage = -1
  input.forEach((item, i) => {
    if (isRecord(item) && item.role !== undefined) lastMessage = i
  })
  const outputs = input.slice(lastMessage + 1).filter((item) => isRecord(item) && item.type === "function_call_output")
  if (outputs.length > 0) return { _tag: "Answer", outputs: outputs.map((item) => String((item as Json).output)) }
  const tools: ReadonlyArray<Json> = Array.isArray(body.tools) ? body.tools.filter(isRecord) : []
  if (tools.length > 0 && body.tool_choice !== "none") {
    const named = isRecord(body.tool_choice) ? tools.find((t) => t.name === body.tool_choice.name) : undefined
    return { _tag: "Call", tool: named ?? tools[0] }
  }
  const format = isRecord(body.text) ? body.text.format : undefined
  if (isRecord(format) && format.type === "json_schema") return { _tag: "Json", schema: format.schema }
  return undefined
}

const answer = (response: Json, plan: Plan, prompt: string): Json => {
  const suffix = String(response.id).slice(-12)
  const message = (text: string) => ({
    id: `msg_${suffix}`,
    type: "message",
    status: "completed",
    role: "assistant",
    content: [{ type: "output_text", text, annotations: [], logprobs: [] }]
  })
  const output = plan._tag === "Answer"
    ? [message(`The tool answered: ${plan.outputs.join(" and ")}`)]
    : plan._tag === "Json"
    ? [message(JSON.stringify(generate(plan.schema, plan.schema, prompt)))]
    : [{
      id: `fc_${suffix}`,
      type: "function_call",
      status: "completed",
      call_id: `call_${suffix}`,
      name: plan.tool.name,
      arguments: JSON.stringify(generate(plan.tool.parameters ?? {}, plan.tool.parameters ?? {}, prompt))
    }]
  return { ...response, status: "completed", incomplete_details: null, output }
}

/** The documented Responses events of a whole response, as SSE. */
const events = (response: Json): ReadonlyArray<string> => {
  const items: ReadonlyArray<Json> = response.output
  const payloads: Array<Json> = [
    { type: "response.created", response: { ...response, output: [], usage: null } },
    ...items.flatMap((item, output_index): Array<Json> => {
      if (item.type === "message") {
        const text: string = item.content[0].text
        const at = { item_id: item.id, output_index, content_index: 0 }
        return [
          { type: "response.output_item.added", output_index, item: { ...item, status: "in_progress", content: [] } },
          { type: "response.content_part.added", ...at, part: { ...item.content[0], text: "" } },
          ...text.split(" ").map((word, i) => ({
            type: "response.output_text.delta",
            ...at,
            delta: i === 0 ? word : ` ${word}`
          })),
          { type: "response.output_text.done", ...at, text },
          { type: "response.content_part.done", ...at, part: item.content[0] },
          { type: "response.output_item.done", output_index, item }
        ]
      }
      const half = Math.floor(item.arguments.length / 2)
      return [
        { type: "response.output_item.added", output_index, item: { ...item, status: "in_progress", arguments: "" } },
        ...[item.arguments.slice(0, half), item.arguments.slice(half)].map((delta) => ({
          type: "response.function_call_arguments.delta",
          item_id: item.id,
          output_index,
          delta
        })),
        { type: "response.function_call_arguments.done", item_id: item.id, output_index, arguments: item.arguments },
        { type: "response.output_item.done", output_index, item }
      ]
    })
  ]
  payloads.push({ type: "response.completed", response })
  return payloads.map((p, sequence_number) =>
    `event: ${p.type}\ndata: ${JSON.stringify({ ...p, sequence_number })}\n\n`
  )
}

const encoder = new TextEncoder()

const bodyJson = (response: HttpServerResponse.HttpServerResponse): Json | undefined => {
  if (response.body._tag !== "Uint8Array") return undefined
  const parsed: unknown = JSON.parse(new TextDecoder().decode(response.body.body))
  return isRecord(parsed) ? parsed : undefined
}

/** The fake's app with the model above in front of `/responses`. */
export const withModel = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const url = new URL(request.url, "http://skytells.fake")
    if (request.method !== "POST" || !url.pathname.endsWith("/responses")) return yield* app
    const text = yield* Effect.orElseSucceed(request.text, () => "")
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      body = undefined
    }
    const plan = isRecord(body) ? planOf(body) : undefined
    const sent = plan !== undefined && isRecord(body) ? JSON.stringify({ ...body, stream: false }) : text
    const { "content-length": _, ...headers } = request.headers
    // The body was read: the fake gets a copy of the request.
    const copy = HttpServerRequest.fromWeb(new Request(url, { method: "POST", headers, body: sent }))
    const response = yield* Effect.provideService(app, HttpServerRequest.HttpServerRequest, copy)
    const json = plan !== undefined && response.status === 200 ? bodyJson(response) : undefined
    if (plan === undefined || json === undefined || !isRecord(body)) return response
    const answered = answer(json, plan, lastUserText(body.input))
    return body.stream === true
      ? HttpServerResponse.stream(Stream.fromIterable(events(answered)).pipe(Stream.map((e) => encoder.encode(e))), {
        contentType: "text/event-stream"
      })
      : HttpServerResponse.unsafeJson(answered)
  })
