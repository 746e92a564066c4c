/**
 * Skytells models as an `@effect/ai` `LanguageModel`, over the Responses API (`POST /responses`) of
 * the toolkit's `Inference` module: `generateText`, `streamText` (with the toolkit's idle timeout),
 * tool calls through a `Toolkit` (the calls `@effect/ai` resolves, and `Chat` for the next turn),
 * `generateObject` with a `Schema` (`text.format: json_schema`), usage and finish reasons.
 *
 * - Requests go through the `SkytellsClient` of the context: its retries (only when the server did
 *   not act), timeouts, rate limits and spans apply, and the key stays `Redacted`.
 * - Every failure is an `AiError` that keeps the Skytells error as its `cause` (see
 *   `SkytellsAiError`; `SkytellsAiError.unwrap` gives the Skytells errors back for `catchTags`).
 * - {@link Config} holds the Skytells parameters of the Responses API (`temperature`,
 *   `max_output_tokens`, `reasoning`, `service_tier`, `prompt_cache_key`, `metadata`, ...), plus
 *   `strict`, `timeout` and the streams' `idleTimeout`; {@link withConfigOverride} changes them for
 *   a region of a program.
 *
 * @example
 * ```ts
 * import { LanguageModel } from "@effect/ai"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer } from "effect"
 * import { SkytellsClient } from "@effect-skytells/client"
 * import { SkytellsLanguageModel } from "@effect-skytells/ai"
 *
 * const program = LanguageModel.generateText({ prompt: "Write a haiku about the sea" }).pipe(
 *   Effect.map((response) => response.text)
 * )
 *
 * // Reads SKYTELLS_API_KEY (redacted).
 * const Skytells = SkytellsClient.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 *
 * export const runnable = program.pipe(
 *   Effect.provide(SkytellsLanguageModel.model("deepbrain-router", { temperature: 0.2 })),
 *   Effect.provide(Skytells)
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Inference from "@effect-skytells/client/Inference"
import type * as InferenceSchema from "@effect-skytells/client/InferenceSchema"
import { SkytellsClient } from "@effect-skytells/client/SkytellsClient"
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as AiModel from "@effect/ai/Model"
import type * as EffectConfig from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { Simplify } from "effect/Types"
import * as InternalPrompt from "./internal/prompt.js"
import * as InternalResponse from "./internal/response.js"
import * as Telemetry from "./internal/telemetry.js"
import * as SkytellsAiError from "./SkytellsAiError.js"

// Configuration ---------------------------------------------------------------------------------

/**
 * The Skytells settings of the calls: set once with {@link model} / {@link layer}, and for a region
 * of a program with {@link withConfigOverride} (which wins).
 *
 * @since 0.1.0
 * @category context
 */
export class Config extends Context.Tag("@effect-skytells/ai/SkytellsLanguageModel/Config")<
  Config,
  Config.Service
>() {
  /**
   * @since 0.1.0
   */
  static readonly getOrUndefined: Effect.Effect<Config.Service | undefined> = Effect.map(
    Effect.serviceOption(Config),
    Option.getOrUndefined
  )
}

/**
 * @since 0.1.0
 */
export declare namespace Config {
  /**
   * The fields of the Responses request body the provider does not build itself, and how calls are made.
   *
   * @since 0.1.0
   * @category models
   */
  export interface Service extends
    Simplify<
      Partial<Omit<InferenceSchema.ResponsesRequest, "input" | "tools" | "tool_choice" | "stream" | "text">>
    >
  {
    /** How verbose the answer is (`text.verbosity`). */
    readonly text?: { readonly verbosity?: "low" | "medium" | "high" | undefined } | undefined
    /**
     * Sends tool parameters and `generateObject` schemas with `strict` (structured outputs).
     * Default `true`, as `@effect/ai-openai`; `false` for schemas with optional fields.
     */
    readonly strict?: boolean | undefined
    /** A stream fails with `StreamIdleTimeout` after this long without a byte. Default 60 seconds. */
    readonly idleTimeout?: Duration.DurationInput | undefined
    /** Per-attempt timeout of a call (until the headers, for a stream). Default: the client's. */
    readonly timeout?: Duration.DurationInput | undefined
  }
}

// Provider options and metadata ------------------------------------------------------------------

declare module "@effect/ai/Prompt" {
  export interface FilePartOptions extends ProviderOptions {
    readonly skytells?: {
      /** The detail level of an image: `low`, `high` or `auto`. */
      readonly imageDetail?: InferenceSchema.ImageDetail | undefined
    } | undefined
  }

  export interface ToolCallPartOptions extends ProviderOptions {
    readonly skytells?: {
      /** The id of the `function_call` output item, sent back with the call. */
      readonly itemId?: string | undefined
    } | undefined
  }
}

declare module "@effect/ai/Response" {
  export interface TextPartMetadata extends ProviderMetadata {
    readonly skytells?: {
      readonly itemId?: string | undefined
      /** The model refused: its explanation, on an empty text part. */
      readonly refusal?: string | undefined
    } | undefined
  }

  export interface TextEndPartMetadata extends ProviderMetadata {
    readonly skytells?: { readonly itemId?: string | undefined; readonly refusal?: string | undefined } | undefined
  }

  export interface ToolCallPartMetadata extends ProviderMetadata {
    readonly skytells?: { readonly itemId?: string | undefined } | undefined
  }

  export interface ReasoningPartMetadata extends ProviderMetadata {
    readonly skytells?: { readonly itemId?: string | undefined } | undefined
  }

  export interface FinishPartMetadata extends ProviderMetadata {
    /** The response's status, service tier, Skytells' content filters and, when it failed, why. */
    readonly skytells?: InternalResponse.FinishMetadata | undefined
  }
}

// Constructors ----------------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** A Skytells chat model slug (`deepbrain-router`, `gpt-5-nano`, ...). */
  readonly model: string
  readonly config?: Omit<Config.Service, "model"> | undefined
}

const MODULE = "SkytellsLanguageModel"

/**
 * The `LanguageModel` service over the `SkytellsClient` of the context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fnUntraced(function*(options: Options) {
  const client = yield* SkytellsClient
  const url = `${client.baseUrl}/responses`
  const toAiError = (method: string) => (error: SkytellsAiError.SkytellsFailure) =>
    SkytellsAiError.fromSkytells(error, { module: MODULE, method, url })

  const makeRequest = Effect.fnUntraced(function*(providerOptions: LanguageModel.ProviderOptions) {
    const overrides = yield* Config.getOrUndefined
    const config: Config.Service = { ...options.config, ...overrides }
    const { idleTimeout, strict = true, text, timeout, ...body } = config
    const input = yield* InternalPrompt.prepareInput(providerOptions.prompt)
    const { toolChoice, tools } = yield* InternalPrompt.prepareTools(providerOptions, strict)
    const format = InternalPrompt.prepareFormat(providerOptions, strict)
    const request: Inference.ResponseRequest = {
      ...body,
      model: config.model ?? options.model,
      input,
      text: text?.verbosity !== undefined ? { format, verbosity: text.verbosity } : { format },
      ...(tools !== undefined ? { tools } : {}),
      ...(toolChoice !== undefined ? { tool_choice: toolChoice } : {})
    }
    Telemetry.annotateRequest(providerOptions.span, request)
    return { request, idleTimeout, timeout }
  })

  return yield* LanguageModel.make({
    generateText: Effect.fnUntraced(function*(providerOptions) {
      const { request, timeout } = yield* makeRequest(providerOptions)
      const response = yield* Inference.response(request, { timeout }).pipe(
        Effect.provideService(SkytellsClient, client),
        Effect.mapError(toAiError("generateText"))
      )
      const parts = yield* InternalResponse.makeParts(response)
      for (const part of parts) annotate(providerOptions, part)
      return parts
    }),
    streamText: (providerOptions) =>
      Stream.unwrap(Effect.map(makeRequest(providerOptions), ({ idleTimeout, request, timeout }) => {
        const decode = InternalResponse.makeStreamDecoder()
        return Inference.responseStream(request, { idleTimeout, timeout }).pipe(
          Stream.provideService(SkytellsClient, client),
          Stream.mapError(toAiError("streamText")),
          Stream.mapEffect(decode),
          Stream.flattenIterables,
          Stream.tap((part) => Effect.sync(() => annotate(providerOptions, part)))
        )
      }))
  })
})

const annotate = (
  options: LanguageModel.ProviderOptions,
  part: InternalResponse.AnnotatedPart
): void => {
  if (part.type === "response-metadata") Telemetry.annotateMetadata(options.span, part)
  else if (part.type === "finish") Telemetry.annotateFinish(options.span, part)
}

/**
 * A `LanguageModel` layer over the `SkytellsClient` of its context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<LanguageModel.LanguageModel, never, SkytellsClient> =>
  Layer.effect(LanguageModel.LanguageModel, make(options))

/**
 * Like {@link layer}, with the model slug read through effect's `Config` (e.g.
 * `Config.string("SKYTELLS_MODEL")`); a missing value fails the layer with a `ConfigError`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (options: {
  readonly model: EffectConfig.Config<string>
  readonly config?: Omit<Config.Service, "model"> | undefined
}): Layer.Layer<LanguageModel.LanguageModel, ConfigError.ConfigError, SkytellsClient> =>
  Layer.unwrapEffect(Effect.map(options.model, (model) => layer({ model, config: options.config })))

/**
 * The model as an `@effect/ai` `Model` (a layer that also names its provider, `"skytells"`), as
 * `OpenAiLanguageModel.model(...)`: `Effect.provide(SkytellsLanguageModel.model("deepbrain-router"))`.
 *
 * @since 0.1.0
 * @category models
 */
export const model = (
  model: string,
  config?: Omit<Config.Service, "model">
): AiModel.Model<"skytells", LanguageModel.LanguageModel, SkytellsClient> =>
  AiModel.make("skytells", layer({ model, config }))

/**
 * Runs `self` with these settings over those of the layer (and of an enclosing override).
 *
 * @since 0.1.0
 * @category configuration
 */
export const withConfigOverride: {
  (overrides: Config.Service): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, overrides: Config.Service): Effect.Effect<A, E, R>
} = dual(2, <A, E, R>(self: Effect.Effect<A, E, R>, overrides: Config.Service) =>
  Effect.flatMap(
    Config.getOrUndefined,
    (config) => Effect.provideService(self, Config, { ...config, ...overrides })
  ))
