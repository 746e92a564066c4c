/**
 * From `@effect/ai`'s provider options to the body of `POST /responses`: the prompt as input items,
 * the toolkit as function tools, the tool choice, and the output format of `generateObject`.
 *
 * @internal
 */
import type * as InferenceSchema from "@effect-skytells/client/InferenceSchema"
import * as AiError from "@effect/ai/AiError"
import type * as LanguageModel from "@effect/ai/LanguageModel"
import type * as Prompt from "@effect/ai/Prompt"
import * as Tool from "@effect/ai/Tool"
import * as Effect from "effect/Effect"
import * as Encoding from "effect/Encoding"

type InputItem = InferenceSchema.ResponseInputItem
type InputContent = InferenceSchema.ResponseInputContent

const MODULE = "SkytellsLanguageModel"

const malformedInput = (method: string, description: string) =>
  new AiError.MalformedInput({ module: MODULE, method, description })

/** The per-part options the provider reads (`options.skytells` on prompt parts). @internal */
export interface PartOptions {
  readonly itemId?: string | undefined
  readonly imageDetail?: InferenceSchema.ImageDetail | undefined
}

const skytellsOptions = (part: { readonly options: Prompt.ProviderOptions }): PartOptions | undefined =>
  part.options.skytells as PartOptions | undefined

const isUrl = (data: string) => /^(https?:|data:)/i.test(data)

const imageOf = (part: Prompt.FilePart): InputContent => {
  const detail = skytellsOptions(part)?.imageDetail
  const mediaType = part.mediaType === "image/*" ? "image/jpeg" : part.mediaType
  const imageUrl = part.data instanceof URL
    ? part.data.toString()
    : typeof part.data === "string"
    ? isUrl(part.data) ? part.data : `data:${mediaType};base64,${part.data}`
    : `data:${mediaType};base64,${Encoding.encodeBase64(part.data)}`
  return { type: "input_image", image_url: imageUrl, ...(detail !== undefined ? { detail } : {}) }
}

/**
 * The prompt as Responses input items, in order. System messages stay where they are (as `system`
 * messages), tool calls become `function_call` items and tool results `function_call_output` items
 * matched by `call_id`. Reasoning parts are not replayed: the Skytells Responses input has no
 * reasoning item. A file that is not an image fails with `MalformedInput` (Responses input on
 * Skytells takes text and images).
 *
 * @internal
 */
export const prepareInput = (prompt: Prompt.Prompt): Effect.Effect<Array<InputItem>, AiError.MalformedInput> =>
  Effect.suspend(() => {
    const items: Array<InputItem> = []
    for (const message of prompt.content) {
      switch (message.role) {
        case "system": {
          items.push({ role: "system", content: message.content })
          break
        }
        case "user": {
          const content: Array<InputContent> = []
          for (const part of message.content) {
            if (part.type === "text") {
              content.push({ type: "input_text", text: part.text })
            } else if (part.mediaType.startsWith("image/")) {
              content.push(imageOf(part))
            } else {
              return Effect.fail(
                malformedInput(
                  "prepareInput",
                  `Skytells' Responses input takes text and images; a file of type '${part.mediaType}' cannot be sent`
                )
              )
            }
          }
          items.push({ role: "user", content })
          break
        }
        case "assistant": {
          for (const part of message.content) {
            if (part.type === "text") {
              items.push({ role: "assistant", content: [{ type: "output_text", text: part.text }] })
            } else if (part.type === "tool-call" && !part.providerExecuted) {
              const itemId = skytellsOptions(part)?.itemId
              items.push({
                type: "function_call",
                ...(itemId !== undefined ? { id: itemId } : {}),
                call_id: part.id,
                name: part.name,
                arguments: JSON.stringify(part.params)
              })
            }
          }
          break
        }
        case "tool": {
          for (const part of message.content) {
            items.push({ type: "function_call_output", call_id: part.id, output: JSON.stringify(part.result) })
          }
          break
        }
      }
    }
    return Effect.succeed(items)
  })

/** @internal */
export interface PreparedTools {
  readonly tools: Array<InferenceSchema.ResponsesTool> | undefined
  readonly toolChoice: InferenceSchema.ResponsesToolChoice | undefined
}

/**
 * The toolkit as flat function tools, and the tool choice. `oneOf` keeps only the tools it names
 * (`mode: "required"` becomes `required`). Provider-defined tools of other providers fail with
 * `MalformedInput`: Skytells cannot run them.
 *
 * @internal
 */
export const prepareTools = (
  options: LanguageModel.ProviderOptions,
  strict: boolean
): Effect.Effect<PreparedTools, AiError.MalformedInput> =>
  Effect.suspend((): Effect.Effect<PreparedTools, AiError.MalformedInput> => {
    if (options.tools.length === 0) return Effect.succeed({ tools: undefined, toolChoice: undefined })
    const choice = options.toolChoice
    let allowed = options.tools
    let toolChoice: InferenceSchema.ResponsesToolChoice | undefined
    if (typeof choice === "object" && "oneOf" in choice) {
      const names = new Set<string>(choice.oneOf)
      allowed = options.tools.filter((tool) => names.has(tool.name))
      toolChoice = choice.mode === "required" ? "required" : "auto"
    } else if (typeof choice === "object") {
      toolChoice = { type: "function", name: choice.tool }
    } else {
      toolChoice = choice
    }
    const tools: Array<InferenceSchema.ResponsesTool> = []
    for (const tool of allowed) {
      if (!Tool.isUserDefined(tool)) {
        return Effect.fail(
          malformedInput("prepareTools", `Skytells cannot run the provider-defined tool '${tool.name}'`)
        )
      }
      const description = Tool.getDescription(tool as any)
      tools.push({
        type: "function",
        name: tool.name,
        ...(description !== undefined ? { description } : {}),
        parameters: Tool.getJsonSchema(tool as any) as unknown as Record<string, unknown>,
        strict
      })
    }
    return Effect.succeed({ tools, toolChoice })
  })

/**
 * The output format: `json_schema` with the JSON Schema of `generateObject`'s schema, else text.
 *
 * @internal
 */
export const prepareFormat = (
  options: LanguageModel.ProviderOptions,
  strict: boolean
): InferenceSchema.ResponseTextFormat => {
  if (options.responseFormat.type === "text") return { type: "text" }
  const { objectName, schema } = options.responseFormat
  return {
    type: "json_schema",
    name: objectName,
    description: Tool.getDescriptionFromSchemaAst(schema.ast) ?? "Response with a JSON object",
    schema: Tool.getJsonSchemaFromSchemaAst(schema.ast) as unknown as Record<string, unknown>,
    strict
  }
}
