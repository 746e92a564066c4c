/**
 * Skytells embeddings as an `@effect/ai` `EmbeddingModel`, over the toolkit's batching
 * `Inference.embed`: every `embed` (from any fiber) and every text of `embedMany` joins the
 * `EmbedBatcher` of the layer, which sends them together as `POST /embeddings` calls of at most
 * `maxBatchSize` texts (vectors come back base64, four times smaller on the wire).
 *
 * Every failure is an `AiError` that keeps the Skytells error as its `cause` (see `SkytellsAiError`);
 * a failed batch fails each of its callers with it.
 *
 * @example
 * ```ts
 * import { EmbeddingModel } from "@effect/ai"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer } from "effect"
 * import { SkytellsClient } from "@effect-skytells/client"
 * import { SkytellsEmbeddingModel } from "@effect-skytells/ai"
 *
 * const program = Effect.flatMap(EmbeddingModel.EmbeddingModel, (model) => model.embedMany(["a", "b", "c"]))
 *
 * export const runnable = program.pipe(
 *   Effect.provide(SkytellsEmbeddingModel.model("skytells-embed-3-small", { maxBatchSize: 64 })),
 *   Effect.provide(SkytellsClient.layerConfig().pipe(Layer.provide(FetchHttpClient.layer)))
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Inference from "@effect-skytells/client/Inference"
import { SkytellsClient } from "@effect-skytells/client/SkytellsClient"
import * as EmbeddingModel from "@effect/ai/EmbeddingModel"
import * as AiModel from "@effect/ai/Model"
import type * as EffectConfig from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Telemetry from "./internal/telemetry.js"
import * as SkytellsAiError from "./SkytellsAiError.js"

/**
 * The Skytells settings of the embeddings: set with {@link model} / {@link layer}, and for a region
 * of a program with {@link withConfigOverride} (which wins). Texts with different settings are sent
 * in different batches.
 *
 * @since 0.1.0
 * @category context
 */
export class Config extends Context.Tag("@effect-skytells/ai/SkytellsEmbeddingModel/Config")<
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
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    /** An embedding model slug (`skytells-embed-3-small`, ...). */
    readonly model?: string | undefined
    /** Fewer dimensions than the model's own (models that support it). */
    readonly dimensions?: number | undefined
    /** An end-user id, for Skytells' abuse monitoring. */
    readonly user?: string | undefined
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly model: string
  readonly config?: (Omit<Config.Service, "model"> & BatchOptions) | undefined
}

/**
 * How the layer's batcher groups texts.
 *
 * @since 0.1.0
 * @category models
 */
export interface BatchOptions {
  /** Most texts in one `/embeddings` call. Default 100. */
  readonly maxBatchSize?: number | undefined
  /** How long a batch stays open after its first text, on effect's `Clock`. Default 0: one scheduler tick. */
  readonly window?: Duration.DurationInput | undefined
}

const MODULE = "SkytellsEmbeddingModel"

/**
 * The `EmbeddingModel` service over the `EmbedBatcher` and the `SkytellsClient` of the context.
 * `embedMany` embeds its texts concurrently (unbounded unless told otherwise) so they share batches.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fnUntraced(function*(options: {
  readonly model: string
  readonly config?: Omit<Config.Service, "model"> | undefined
}) {
  const batcher = yield* Inference.EmbedBatcher
  const client = yield* SkytellsClient
  const url = `${client.baseUrl}/embeddings`

  const embed = (input: string) =>
    Effect.gen(function*() {
      const overrides = yield* Config.getOrUndefined
      const { dimensions, model = options.model, user } = { ...options.config, ...overrides }
      yield* Effect.annotateCurrentSpan(Telemetry.embeddingAttributes(model))
      const vector = yield* Inference.embed(model, input, { dimensions, user }).pipe(
        Effect.provideService(Inference.EmbedBatcher, batcher),
        Effect.mapError((error) => SkytellsAiError.fromSkytells(error, { module: MODULE, method: "embed", url }))
      )
      return Array.from(vector)
    })

  return EmbeddingModel.EmbeddingModel.of({
    embed: (input) => embed(input).pipe(Effect.withSpan("EmbeddingModel.embed", { captureStackTrace: false })),
    embedMany: (inputs, embedOptions) =>
      Effect.forEach(inputs, embed, { concurrency: embedOptions?.concurrency ?? "unbounded" }).pipe(
        Effect.withSpan("EmbeddingModel.embedMany", { captureStackTrace: false })
      )
  })
})

/**
 * An `EmbeddingModel` layer with its own `EmbedBatcher`, over the `SkytellsClient` of its context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<EmbeddingModel.EmbeddingModel, never, SkytellsClient> => {
  const { maxBatchSize, window, ...config } = options.config ?? {}
  return Layer.effect(EmbeddingModel.EmbeddingModel, make({ model: options.model, config })).pipe(
    Layer.provide(Inference.layerEmbedBatcher({ maxBatchSize, window }))
  )
}

/**
 * Like {@link layer}, with the model slug read through effect's `Config`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (options: {
  readonly model: EffectConfig.Config<string>
  readonly config?: Options["config"]
}): Layer.Layer<EmbeddingModel.EmbeddingModel, ConfigError.ConfigError, SkytellsClient> =>
  Layer.unwrapEffect(Effect.map(options.model, (model) => layer({ model, config: options.config })))

/**
 * The model as an `@effect/ai` `Model` (provider `"skytells"`), as `OpenAiEmbeddingModel.model(...)`.
 *
 * @since 0.1.0
 * @category models
 */
export const model = (
  model: string,
  config?: Options["config"]
): AiModel.Model<"skytells", EmbeddingModel.EmbeddingModel, SkytellsClient> =>
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
