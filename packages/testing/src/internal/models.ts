/**
 * The fake's model catalogue: a handful of realistic models (image, video, chat, embeddings) with
 * JSON-Schema `input_schema`s, plus the test-only `fake/*` models that trigger errors on purpose.
 *
 * @internal
 */
import { fnv1a, Prng } from "./prng.js"

/** @internal */
export type JsonObject = { readonly [key: string]: unknown }

/** Phase durations of a prediction, in milliseconds. @internal */
export interface Timing {
  readonly queuedMs: number
  readonly startingMs: number
  readonly processingMs: number
}

/** @internal */
export type Outcome =
  | { readonly _tag: "Succeed" }
  | { readonly _tag: "Fail"; readonly errorId: string | undefined; readonly message: string }

/** @internal */
export type ApiErrorTrigger = { readonly errorId: string; readonly status: number | undefined }

/** @internal */
export interface ModelDef {
  readonly slug: string
  readonly name: string
  readonly description: string
  readonly type: "image" | "video" | "text" | "audio"
  readonly privacy: "public" | "private"
  readonly vendor: string
  readonly price: { readonly amount: number; readonly unit: string }
  readonly capabilities: ReadonlyArray<string>
  readonly openaiCompatible: boolean
  readonly listed: boolean
  readonly ignoresAwait: boolean
  readonly timing: Timing
  readonly inputSchema: JsonObject
  readonly outputSchema: JsonObject
  /** Billable units of one prediction (images, videos, tokens). */
  readonly units: (input: JsonObject) => number
  /** What a successful prediction outputs; `files` are served by the fake under `/v1/files/{id}/`. */
  readonly output: (input: JsonObject) => Output
  readonly outcome: Outcome
  /** Set on `fake/error-*`: creating a prediction answers this API error. */
  readonly apiError: ApiErrorTrigger | undefined
  readonly chat: boolean
  readonly embeddingDimensions: number | undefined
  readonly contextWindow: number
}

/** @internal */
export type Output =
  | { readonly _tag: "Files"; readonly files: ReadonlyArray<{ readonly name: string; readonly mime: string }> }
  | { readonly _tag: "Value"; readonly value: unknown }

const vendor = (slug: string, name: string) => ({
  name,
  description: `${name} models`,
  image_url: `https://cdn.skytells.ai/vendors/${slug}.png`,
  verified: true,
  slug,
  metadata: {}
})

const num = (u: unknown, fallback: number): number => (typeof u === "number" && Number.isFinite(u) ? u : fallback)
const str = (u: unknown, fallback: string): string => (typeof u === "string" ? u : fallback)

/** Words, the fake's notion of tokens. @internal */
export const countTokens = (text: string): number => text.split(/\s+/).filter((w) => w.length > 0).length

const base = {
  privacy: "public" as const,
  vendor: "skytells",
  listed: true,
  ignoresAwait: false,
  outcome: { _tag: "Succeed" } as Outcome,
  apiError: undefined,
  chat: false,
  embeddingDimensions: undefined,
  contextWindow: 8192,
  openaiCompatible: false,
  outputSchema: { type: "array", items: { type: "string", format: "uri" } }
}

const imageExtension = (input: JsonObject) => {
  const f = str(input.output_format, "png")
  return f === "jpg" ? { ext: "jpg", mime: "image/jpeg" } : f === "webp"
    ? { ext: "webp", mime: "image/webp" }
    : { ext: "png", mime: "image/png" }
}

const truefusion: ModelDef = {
  ...base,
  slug: "truefusion",
  name: "TrueFusion",
  description: "Skytells' general-purpose text-to-image model.",
  type: "image",
  price: { amount: 0.03, unit: "image" },
  capabilities: ["text-to-image"],
  timing: { queuedMs: 1_000, startingMs: 1_000, processingMs: 4_000 },
  inputSchema: {
    type: "object",
    title: "Input",
    required: ["prompt"],
    properties: {
      prompt: { type: "string", title: "Prompt", "x-order": 0 },
      width: { type: "integer", default: 1024, minimum: 256, maximum: 2048, "x-order": 1 },
      height: { type: "integer", default: 1024, minimum: 256, maximum: 2048, "x-order": 2 },
      num_outputs: { type: "integer", default: 1, minimum: 1, maximum: 4, "x-order": 3 },
      output_format: { type: "string", enum: ["png", "jpg", "webp"], default: "png", "x-order": 4 },
      seed: { type: "integer", "x-order": 5 }
    }
  },
  units: (input) => num(input.num_outputs, 1),
  output: (input) => {
    const { ext, mime } = imageExtension(input)
    return {
      _tag: "Files",
      files: Array.from({ length: num(input.num_outputs, 1) }, (_, i) => ({ name: `output-${i}.${ext}`, mime }))
    }
  }
}

const truefusionVideo: ModelDef = {
  ...base,
  slug: "truefusion-video",
  name: "TrueFusion Video",
  description: "Text-to-video. Long running: ignores `await` and returns at once; use webhooks or polling.",
  type: "video",
  price: { amount: 0.5, unit: "video" },
  capabilities: ["text-to-video"],
  ignoresAwait: true,
  timing: { queuedMs: 2_000, startingMs: 3_000, processingMs: 30_000 },
  inputSchema: {
    type: "object",
    title: "Input",
    required: ["prompt"],
    properties: {
      prompt: { type: "string", "x-order": 0 },
      duration: { type: "integer", enum: [5, 10], default: 5, "x-order": 1 },
      aspect_ratio: { type: "string", enum: ["16:9", "9:16", "1:1"], default: "16:9", "x-order": 2 }
    }
  },
  units: () => 1,
  output: () => ({ _tag: "Files", files: [{ name: "output-0.mp4", mime: "video/mp4" }] })
}

const chatReply = (prompt: string): string =>
  `You said: "${prompt}". This is a deterministic reply from the fake Skytells API.`

/** A text cut to `maxTokens` words, as a model stops at its token limit. @internal */
export const cut = (text: string, maxTokens: number | undefined): { text: string; truncated: boolean } => {
  const words = text.split(" ")
  if (maxTokens !== undefined && words.length > maxTokens) {
    return { text: words.slice(0, Math.max(0, maxTokens)).join(" "), truncated: true }
  }
  return { text, truncated: false }
}

/** The deterministic reply to a prompt, cut to `maxTokens` words. @internal */
export const reply = (prompt: string, maxTokens: number | undefined): { text: string; truncated: boolean } =>
  cut(chatReply(prompt), maxTokens)

const chatModel = (slug: string, name: string, price: number): ModelDef => ({
  ...base,
  slug,
  name,
  description: `${name}: chat model, OpenAI compatible (use /v1/chat/completions).`,
  type: "text",
  vendor: slug.startsWith("gpt") ? "openai" : "skytells",
  price: { amount: price, unit: "token" },
  capabilities: ["text-generation", "chat"],
  openaiCompatible: true,
  chat: true,
  contextWindow: 4096,
  timing: { queuedMs: 200, startingMs: 300, processingMs: 1_500 },
  inputSchema: {
    type: "object",
    title: "Input",
    required: ["prompt"],
    properties: {
      prompt: { type: "string", "x-order": 0 },
      max_tokens: { type: "integer", minimum: 1, maximum: 8192, default: 512, "x-order": 1 },
      temperature: { type: "number", minimum: 0, maximum: 2, default: 0.7, "x-order": 2 }
    }
  },
  outputSchema: { type: "string" },
  units: (input) => countTokens(str(input.prompt, "")) + countTokens(reply(str(input.prompt, ""), undefined).text),
  output: (input) => ({
    _tag: "Value",
    value: reply(str(input.prompt, ""), typeof input.max_tokens === "number" ? input.max_tokens : undefined).text
  })
})

const embeddingModel = (slug: string, name: string, dimensions: number, price: number): ModelDef => ({
  ...base,
  slug,
  name,
  description: `${name}: text embeddings with ${dimensions} dimensions (use /v1/embeddings).`,
  type: "text",
  price: { amount: price, unit: "token" },
  capabilities: ["embeddings"],
  openaiCompatible: true,
  embeddingDimensions: dimensions,
  timing: { queuedMs: 100, startingMs: 100, processingMs: 300 },
  inputSchema: {
    type: "object",
    title: "Input",
    required: ["text"],
    properties: { text: { type: "string", "x-order": 0 } }
  },
  outputSchema: { type: "array", items: { type: "number" } },
  units: (input) => countTokens(str(input.text, "")),
  output: (input) => ({ _tag: "Value", value: embed(str(input.text, ""), dimensions) })
})

/** The catalogue `GET /v1/models` lists. @internal */
export const catalogue: ReadonlyArray<ModelDef> = [
  truefusion,
  truefusionVideo,
  chatModel("deepbrain-router", "DeepBrain Router", 0.000002),
  chatModel("gpt-5-nano", "GPT-5 nano", 0.000001),
  embeddingModel("skytells-embed-3-small", "Skytells Embed 3 Small", 1536, 0.00000002),
  embeddingModel("skytells-embed-3-large", "Skytells Embed 3 Large", 3072, 0.00000013)
]

const testModel = (slug: string, description: string, patch: Partial<ModelDef>): ModelDef => ({
  ...truefusion,
  slug,
  name: slug,
  description,
  vendor: "fake",
  listed: false,
  timing: { queuedMs: 100, startingMs: 100, processingMs: 300 },
  ...patch
})

/**
 * Looks a slug up: the catalogue, then the test-only models
 * - `fake/error-<ERROR_ID>` and `fake/error-<ERROR_ID>-<status>`: creating a prediction (or an
 *   inference request) with it answers that API error;
 * - `fake/fail` and `fake/fail-<ERROR_ID>`: the prediction is accepted and later fails.
 *
 * @internal
 */
export const find = (slug: string): ModelDef | undefined => {
  const known = catalogue.find((m) => m.slug === slug)
  if (known !== undefined) return known
  const error = /^fake\/error-([A-Za-z0-9_]+?)(?:-(\d{3}))?$/.exec(slug)
  if (error !== null) {
    return testModel(slug, "Test-only: every request with this model answers the named API error.", {
      apiError: { errorId: error[1]!, status: error[2] !== undefined ? Number(error[2]) : undefined }
    })
  }
  const fail = /^fake\/fail(?:-([A-Za-z0-9_]+))?$/.exec(slug)
  if (fail !== null) {
    return testModel(slug, "Test-only: predictions are accepted, then fail.", {
      outcome: { _tag: "Fail", errorId: fail[1], message: failureMessage(fail[1]) }
    })
  }
  return undefined
}

const failureMessage = (errorId: string | undefined): string => {
  switch (errorId) {
    case undefined:
      return "Failed to generate image."
    case "CONTENT_POLICY_VIOLATION":
    case "MODERATION_ERROR":
      return "NSFW content detected."
    case "TIMEOUT":
      return "The prediction exceeded its time limit."
    case "INSUFFICIENT_CREDITS":
      return "Your account has run out of credits."
    default:
      return `Prediction failed: ${errorId}`
  }
}

/** The Model object as the API renders it; schemas only when asked with `fields=`. @internal */
export const render = (model: ModelDef, fields: ReadonlySet<string>): JsonObject => ({
  name: model.name,
  description: model.description,
  namespace: model.slug,
  type: model.type,
  privacy: model.privacy,
  img_url: `https://cdn.skytells.ai/models/${model.slug.replace(/\//g, "-")}.png`,
  vendor: vendor(model.vendor, model.vendor === "openai" ? "OpenAI" : model.vendor === "fake" ? "Fake" : "Skytells"),
  billable: true,
  pricing: { amount: model.price.amount, currency: "USD", unit: model.price.unit },
  capabilities: model.capabilities,
  metadata: {
    edge_compatible: model.chat,
    openai_compatible: model.openaiCompatible,
    cold_boot: model.type === "video"
  },
  status: "operational",
  service: {
    type: model.chat || model.embeddingDimensions !== undefined ? "inference" : "prediction",
    inference_party: model.vendor
  },
  ...(fields.has("input_schema") ? { input_schema: model.inputSchema } : {}),
  ...(fields.has("output_schema") ? { output_schema: model.outputSchema } : {})
})

// Input validation: the subset of JSON Schema the models use ------------------------------------

const typeOf = (value: unknown): string =>
  value === null
    ? "null"
    : Array.isArray(value)
    ? "array"
    : typeof value === "number"
    ? Number.isInteger(value) ? "integer" : "number"
    : typeof value

const typeMatches = (expected: unknown, value: unknown): boolean => {
  if (typeof expected !== "string") return true
  const actual = typeOf(value)
  return actual === expected || (expected === "number" && actual === "integer")
}

/** One violation of the input schema. @internal */
export interface Violation {
  readonly field: string
  readonly message: string
}

/**
 * Validates an input against a schema using `type`, `required`, `properties`, `enum`, `minimum`,
 * `maximum`. Unknown properties are accepted, as the API does.
 *
 * @internal
 */
export const validate = (schema: JsonObject, input: unknown): ReadonlyArray<Violation> => {
  if (typeOf(input) !== "object") return [{ field: "input", message: "input must be an object" }]
  const record = input as JsonObject
  const violations: Array<Violation> = []
  const required = Array.isArray(schema.required) ? schema.required : []
  for (const name of required) {
    if (typeof name === "string" && record[name] === undefined) {
      violations.push({ field: name, message: `${name} is required` })
    }
  }
  const properties = (typeof schema.properties === "object" && schema.properties !== null ? schema.properties : {}) as {
    readonly [k: string]: JsonObject
  }
  for (const [name, property] of Object.entries(properties)) {
    const value = record[name]
    if (value === undefined) continue
    if (!typeMatches(property.type, value)) {
      violations.push({
        field: name,
        message: `${name} must be of type ${String(property.type)}, got ${typeOf(value)}`
      })
      continue
    }
    if (Array.isArray(property.enum) && !property.enum.includes(value)) {
      violations.push({ field: name, message: `${name} must be one of ${property.enum.map(String).join(", ")}` })
    }
    if (typeof property.minimum === "number" && typeof value === "number" && value < property.minimum) {
      violations.push({ field: name, message: `${name} must be >= ${property.minimum}` })
    }
    if (typeof property.maximum === "number" && typeof value === "number" && value > property.maximum) {
      violations.push({ field: name, message: `${name} must be <= ${property.maximum}` })
    }
  }
  return violations
}

// Deterministic embeddings ------------------------------------------------------------------------

/**
 * A unit-length vector derived from the text only: the same text always embeds to the same vector,
 * different texts to different ones. Values are float32-exact so a base64 round trip is lossless.
 *
 * @internal
 */
export const embed = (text: string, dimensions: number): Array<number> => {
  const prng = new Prng(fnv1a(text))
  const raw = Array.from({ length: dimensions }, () => prng.next() * 2 - 1)
  const norm = Math.sqrt(raw.reduce((s, v) => s + v * v, 0)) || 1
  return raw.map((v) => Math.fround(v / norm))
}
