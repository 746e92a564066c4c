/**
 * What the fake model answers, for `/responses` and `/chat/completions` alike, so that code using
 * tools and structured output (an `@effect/ai` tool loop, `generateObject`) can be tested against it:
 *
 * 1. tools are offered, `tool_choice` is not `none`, and no tool result came since the last user
 *    message: one call to a tool (the one `tool_choice` names, else the first whose name is in the
 *    prompt, case-insensitive, else the first), its arguments generated from its `parameters`;
 * 2. a JSON Schema output format: a text that is a JSON value generated from the schema;
 * 3. tool results came since the last user message: a text quoting them, so a test sees the loop close;
 * 4. otherwise the fixed reply to the prompt.
 *
 * Generated values follow `jsonSchemaValue.ts` (strings are the last user text, numbers its word
 * count). Nothing here draws from the PRNG: the same request gets the same answer whatever the seed
 * (only the ids differ).
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { type ApiFailure, failure } from "./errors.js"
import { isRecord } from "./http.js"
import { generate } from "./jsonSchemaValue.js"
import * as Models from "./models.js"

/** The text of a message's content: a string, or its parts' `text` joined. @internal */
export const textOf = (content: unknown): string => {
  if (typeof content === "string") return content
  if (Array.isArray(content)) {
    return content.map((part) => isRecord(part) && typeof part.text === "string" ? part.text : "").join(" ")
  }
  return ""
}

/** @internal */
export interface FunctionTool {
  readonly name: string
  readonly parameters: unknown
}

/** A request, as far as the answer depends on it. @internal */
export interface Turn {
  /** The last user text. */
  readonly prompt: string
  readonly tools: ReadonlyArray<FunctionTool>
  /** `none`, `auto`, `required`, or the tool named. */
  readonly toolChoice: string | { readonly name: string }
  /** The tool results sent after the last user message. */
  readonly results: ReadonlyArray<string>
  /** The schema of a `json_schema` output format. */
  readonly schema: { readonly value: unknown } | undefined
}

/** @internal */
export type Answer =
  | { readonly _tag: "Call"; readonly name: string; readonly arguments: string }
  | { readonly _tag: "Text"; readonly text: string; readonly truncated: boolean }

/**
 * The function tools of a request (`{ type, name, parameters }`, or the Chat form with a nested
 * `function`); hosted tools (`web_search`, ...) are not the fake's to call and are left out.
 */
const functionTools = (value: unknown): Effect.Effect<ReadonlyArray<FunctionTool>, ApiFailure> => {
  if (value === undefined || value === null) return Effect.succeed([])
  if (!Array.isArray(value)) {
    return Effect.fail(failure("INVALID_REQUEST", { message: "tools must be an array", param: "tools" }))
  }
  const tools: Array<FunctionTool> = []
  for (const [i, tool] of value.entries()) {
    if (!isRecord(tool) || tool.type !== "function") continue
    const definition = isRecord(tool.function) ? tool.function : tool
    if (typeof definition.name !== "string" || definition.name.length === 0) {
      return Effect.fail(failure("INVALID_REQUEST", {
        message: `tools[${i}] is a function tool without a name`,
        param: `tools[${i}].name`
      }))
    }
    tools.push({ name: definition.name, parameters: definition.parameters })
  }
  return Effect.succeed(tools)
}

/** `tool_choice` in either API's spelling; choosing a hosted tool, which the fake does not run, is `auto`. */
const toolChoiceOf = (value: unknown): Turn["toolChoice"] => {
  if (value === "none" || value === "required") return value
  if (isRecord(value) && value.type === "function") {
    const name = isRecord(value.function) ? value.function.name : value.name
    if (typeof name === "string") return { name }
  }
  return "auto"
}

/** The text of a `function_call_output` item's `output` (a string, or JSON of anything else). @internal */
export const outputText = (output: unknown): string =>
  typeof output === "string" ? output : JSON.stringify(output) ?? ""

const isUserMessage = (item: unknown): item is Record<string, unknown> =>
  isRecord(item) && (item.role === "user" || (item.role === undefined && (item.type ?? "message") === "message"))

// `Array.prototype.findLastIndex` is ES2023, past this package's target.
const lastIndex = <A>(items: ReadonlyArray<A>, predicate: (a: A) => boolean): number => {
  for (let i = items.length - 1; i >= 0; i--) if (predicate(items[i]!)) return i
  return -1
}

/** A `POST /responses` body (`input` already checked to be a string or an array). @internal */
export const responsesTurn = (body: Record<string, unknown>): Effect.Effect<Turn, ApiFailure> =>
  Effect.map(functionTools(body.tools), (tools) => {
    const input: ReadonlyArray<unknown> = Array.isArray(body.input) ? body.input : []
    const lastUser = lastIndex(input, isUserMessage)
    const user = input[lastUser]
    const results = input.slice(lastUser + 1).flatMap((item) =>
      !isRecord(item)
        ? []
        : item.type === "function_call_output"
        ? [outputText(item.output)]
        : item.role === "tool"
        ? [textOf(item.content)]
        : []
    )
    const format = isRecord(body.text) ? body.text.format : undefined
    return {
      prompt: typeof body.input === "string" ? body.input : textOf(isRecord(user) ? user.content : undefined),
      tools,
      toolChoice: toolChoiceOf(body.tool_choice),
      results,
      schema: isRecord(format) && format.type === "json_schema" ? { value: format.schema } : undefined
    }
  })

/** A `POST /chat/completions` body, with its checked `messages`. @internal */
export const chatTurn = (
  body: Record<string, unknown>,
  messages: ReadonlyArray<Record<string, unknown>>
): Effect.Effect<Turn, ApiFailure> =>
  Effect.map(functionTools(body.tools), (tools) => {
    const lastUser = lastIndex(messages, (m) => m.role === "user")
    const format = isRecord(body.response_format) ? body.response_format : undefined
    return {
      prompt: textOf(messages[lastUser]?.content),
      tools,
      toolChoice: toolChoiceOf(body.tool_choice),
      results: messages.slice(lastUser + 1).filter((m) => m.role === "tool" || m.role === "function").map((m) =>
        textOf(m.content)
      ),
      schema: format?.type === "json_schema"
        ? { value: isRecord(format.json_schema) ? format.json_schema.schema : undefined }
        : undefined
    }
  })

const chooseTool = (turn: Turn): Effect.Effect<FunctionTool | undefined, ApiFailure> => {
  const { toolChoice, tools } = turn
  const named = typeof toolChoice === "object" ? tools.find((tool) => tool.name === toolChoice.name) : undefined
  if (typeof toolChoice === "object" && named === undefined) {
    return Effect.fail(failure("INVALID_REQUEST", {
      message: `tool_choice names '${toolChoice.name}', which is not one of the tools`,
      param: "tool_choice"
    }))
  }
  if (tools.length === 0 || toolChoice === "none" || turn.results.length > 0) return Effect.succeed(undefined)
  const prompt = turn.prompt.toLowerCase()
  return Effect.succeed(named ?? tools.find((tool) => prompt.includes(tool.name.toLowerCase())) ?? tools[0])
}

// A tool without parameters (or with an empty schema) still takes an object.
const noParameters = { type: "object" }

const argumentsOf = (tool: FunctionTool, prompt: string): string => {
  const parameters = isRecord(tool.parameters) && Object.keys(tool.parameters).length > 0
    ? tool.parameters
    : noParameters
  return JSON.stringify(generate(parameters, prompt))
}

/** The answer to a turn; texts are cut to `maxTokens` words (JSON included, as a real model's). @internal */
export const answer = (turn: Turn, maxTokens: number | undefined): Effect.Effect<Answer, ApiFailure> =>
  Effect.map(chooseTool(turn), (tool): Answer => {
    if (tool !== undefined) return { _tag: "Call", name: tool.name, arguments: argumentsOf(tool, turn.prompt) }
    const { text, truncated } = turn.schema !== undefined
      ? Models.cut(JSON.stringify(generate(turn.schema.value, turn.prompt)), maxTokens)
      : turn.results.length > 0
      ? Models.cut(
        `The ${turn.results.length === 1 ? "tool" : "tools"} answered: ${turn.results.join(" and ")}`,
        maxTokens
      )
      : Models.reply(turn.prompt, maxTokens)
    return { _tag: "Text", text, truncated }
  })

/**
 * The pieces a call's arguments are streamed in (each ending after a `:` or a `,`); also its count
 * of output tokens, as a text's is its count of words.
 *
 * @internal
 */
export const argumentPieces = (args: string): ReadonlyArray<string> => args.split(/(?<=[,:])/)

/** Output tokens: a text's words, a call's argument pieces. @internal */
export const outputTokens = (answer: Answer): number =>
  answer._tag === "Call" ? argumentPieces(answer.arguments).length : Models.countTokens(answer.text)
