/**
 * The Models API: the catalogue (`GET /models`), one model (`GET /models/{slug}`), an opt-in cache
 * for both, and local validation of a prediction's input against a model's `input_schema`.
 *
 * Every function requires the {@link SkytellsClient.SkytellsClient} service and fails with its own
 * union: {@link SkytellsError.CommonError}, plus `ModelNotFound` for {@link get}.
 *
 * Caching: the documentation advises caching the catalogue. Provide {@link layerCache} and
 * {@link list} / {@link get} answer from an effect `Cache` for `timeToLive`; without it every call
 * sends a request. Failures are never cached, and the `fields` asked for are part of the key.
 *
 * Input validation: {@link validateInput} checks an input against `model.input_schema` before
 * anything is sent, failing with `InvalidInput` that lists every violation with its path. It uses
 * `@cfworker/json-schema`, an interpreter that needs no `eval` / `new Function` (so it runs on edge
 * runtimes) and has no dependencies. {@link inputValidator} fetches (cached with the layer) the
 * model's schema once and returns a reusable check.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer } from "effect"
 * import { Models, Predictions, SkytellsClient } from "@effect-skytells/client"
 *
 * const program = Effect.gen(function*() {
 *   const check = yield* Models.inputValidator("truefusion")
 *   const input = { prompt: "a lighthouse at dawn", width: 1024 }
 *   yield* check(input) // fails with InvalidInput, listing every problem, before any request
 *   return yield* Predictions.create({ model: "truefusion", input })
 * })
 *
 * const Skytells = SkytellsClient.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 * const Live = Models.layerCache({ timeToLive: "10 minutes" }).pipe(Layer.provideMerge(Skytells))
 * program.pipe(Effect.provide(Live))
 * ```
 *
 * @since 0.1.0
 */
import * as Cache from "effect/Cache"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as InputValidation from "./internal/inputValidation.js"
import { declare, type Declared, predictionApiCommon } from "./internal/narrow.js"
import * as Paths from "./internal/paths.js"
import * as M from "./Model.js"
import { SkytellsClient } from "./SkytellsClient.js"
import * as SkytellsError from "./SkytellsError.js"

type Model = M.Model

// Errors ----------------------------------------------------------------------------------------

const getErrors = [SkytellsError.ModelNotFound] as const

/**
 * The failures any Prediction API call can have: authentication, refusals, rate limits, server-side
 * and undocumented failures (the Inference API's own ids are not among them).
 *
 * @since 0.1.0
 * @category errors
 */
export type ListError = Declared<[], typeof predictionApiCommon>
/**
 * `ListError` and `ModelNotFound`.
 *
 * @since 0.1.0
 * @category errors
 */
export type GetError = Declared<typeof getErrors, typeof predictionApiCommon>

const narrowList = declare([], predictionApiCommon)
const narrowGet = declare(getErrors, predictionApiCommon)

// Requests --------------------------------------------------------------------------------------

/**
 * Optional parts of the Model object, sent as `fields=input_schema,output_schema`. The default
 * answer omits the schemas.
 *
 * @since 0.1.0
 * @category models
 */
export type Field = "input_schema" | "output_schema" | (string & {})

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Optional fields to include (order and duplicates do not matter). */
  readonly fields?: ReadonlyArray<Field> | undefined
}

/** The `fields` parameter in one canonical form: trimmed, deduplicated, sorted, comma-separated. */
const fieldsParam = (options: Options | undefined): string =>
  Array.from(new Set((options?.fields ?? []).map((f) => f.trim()).filter((f) => f.length > 0))).sort().join(",")

// The documentation shows a bare array; `{data: [...]}` is read too, as for predictions.
const ListBody = Schema.Union(Schema.Array(M.Model), Schema.Struct({ data: Schema.Array(M.Model) }))

const fetchList = (fields: string): Effect.Effect<ReadonlyArray<Model>, ListError, SkytellsClient> =>
  Effect.flatMap(SkytellsClient, (client) =>
    client.execute({
      method: "GET",
      path: "/models",
      route: "/models",
      urlParams: { fields: fields.length > 0 ? fields : undefined },
      schema: ListBody
    })).pipe(
      Effect.map((body): ReadonlyArray<Model> => "data" in body ? body.data : body),
      narrowList
    )

/**
 * A 404 from `GET /models/{slug}` means the model does not exist for this key, whatever id (or
 * none) the body carries.
 */
const notFoundFrom404 = (slug: string) => (error: GetError): GetError =>
  error._tag === "UnknownApiError" && error.httpStatus === 404
    ? new SkytellsError.ModelNotFound({
      errorId: "MODEL_NOT_FOUND",
      message: `No model "${slug}" (HTTP 404${
        error.errorId !== undefined ? `, ${error.errorId}` : ""
      }): ${error.message}`,
      httpStatus: 404,
      details: { serverErrorId: error.errorId, body: error.body },
      ...(error.requestId !== undefined ? { requestId: error.requestId } : {})
    })
    : error

const fetchModel = (slug: string, fields: string): Effect.Effect<Model, GetError, SkytellsClient> => {
  const path = slug.trim().length === 0 ? undefined : Paths.segments(slug)
  if (path === undefined) {
    return Effect.fail(
      new SkytellsError.ModelNotFound({ errorId: "MODEL_NOT_FOUND", message: Paths.refused("model slug", slug.trim()) })
    )
  }
  return Effect.flatMap(SkytellsClient, (client) =>
    client.execute({
      method: "GET",
      path: `/models/${path}`,
      route: "/models/{slug}",
      urlParams: { fields: fields.length > 0 ? fields : undefined },
      schema: M.Model
    })).pipe(narrowGet, Effect.mapError(notFoundFrom404(slug)))
}

// The cache ---------------------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export interface CacheOptions {
  /** How long an answer is reused. Default 5 minutes. */
  readonly timeToLive?: Duration.DurationInput | undefined
  /** Most entries kept per kind (catalogue listings, single models). Default 100. */
  readonly capacity?: number | undefined
}

/**
 * The cache {@link list} and {@link get} consult when it is in the context.
 *
 * @since 0.1.0
 * @category models
 */
export interface ModelCacheService {
  /** The catalogue for a canonical `fields` value (see {@link Options}). */
  readonly list: (fields: string) => Effect.Effect<ReadonlyArray<Model>, ListError>
  /** One model for a slug and a canonical `fields` value. */
  readonly get: (slug: string, fields: string) => Effect.Effect<Model, GetError>
  /** Drops every entry: the next calls send requests. */
  readonly invalidateAll: Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class ModelCache extends Context.Tag("@effect-skytells/client/Models/ModelCache")<
  ModelCache,
  ModelCacheService
>() {}

/**
 * Builds the cache over the {@link SkytellsClient.SkytellsClient} in the context. Successful answers
 * live for `timeToLive`; a failure is handed to the callers waiting for it and then dropped, so the
 * next call asks again.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeCache = (options: CacheOptions = {}): Effect.Effect<ModelCacheService, never, SkytellsClient> =>
  Effect.gen(function*() {
    const timeToLive = Duration.decode(options.timeToLive ?? Duration.minutes(5))
    const capacity = Math.max(1, Math.floor(options.capacity ?? 100))
    const ttl = (exit: Exit.Exit<unknown, unknown>) => Exit.isSuccess(exit) ? timeToLive : Duration.zero
    const lists = yield* Cache.makeWith({ capacity, timeToLive: ttl, lookup: fetchList })
    const models = yield* Cache.makeWith({
      capacity,
      timeToLive: ttl,
      lookup: (key: string) => {
        const [fields, slug] = splitKey(key)
        return fetchModel(slug, fields)
      }
    })
    // A zero time-to-live still serves the failure within the same millisecond: drop it explicitly.
    const uncachedFailure = <A, E>(cache: Cache.Cache<string, A, E>, key: string) =>
      Effect.tapError(cache.get(key), () => cache.invalidate(key))
    return ModelCache.of({
      list: (fields) => uncachedFailure(lists, fields),
      get: (slug, fields) => uncachedFailure(models, joinKey(fields, slug)),
      invalidateAll: Effect.zipRight(lists.invalidateAll, models.invalidateAll)
    })
  })

const joinKey = (fields: string, slug: string) => `${fields}\u0000${slug}`
const splitKey = (key: string): readonly [string, string] => {
  const at = key.indexOf("\u0000")
  return [key.slice(0, at), key.slice(at + 1)]
}

/**
 * Caches {@link list} and {@link get} answers for `timeToLive` (default 5 minutes). Opt-in: without
 * this layer every call sends a request.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerCache = (options: CacheOptions = {}): Layer.Layer<ModelCache, never, SkytellsClient> =>
  Layer.effect(ModelCache, makeCache(options))

/**
 * Empties the cache, when {@link layerCache} is provided (otherwise does nothing).
 *
 * @since 0.1.0
 * @category operations
 */
export const invalidateCache: Effect.Effect<void> = Effect.flatMap(
  Effect.serviceOption(ModelCache),
  Option.match({ onNone: () => Effect.void, onSome: (cache) => cache.invalidateAll })
)

// Operations --------------------------------------------------------------------------------------

/**
 * The models this key can use (`GET /models`). Cached when {@link layerCache} is provided.
 *
 * @since 0.1.0
 * @category operations
 */
export const list = (options: Options = {}): Effect.Effect<ReadonlyArray<Model>, ListError, SkytellsClient> => {
  const fields = fieldsParam(options)
  return Effect.flatMap(
    Effect.serviceOption(ModelCache),
    Option.match({ onNone: () => fetchList(fields), onSome: (cache) => cache.list(fields) })
  ).pipe(Effect.withSpan("Models.list", { attributes: { fields } }))
}

/**
 * One model (`GET /models/{slug}`); an unknown slug fails with `ModelNotFound`. Ask for
 * `fields: ["input_schema", "output_schema"]` to get the schemas. Cached when {@link layerCache} is
 * provided.
 *
 * @since 0.1.0
 * @category operations
 */
export const get = (slug: string, options: Options = {}): Effect.Effect<Model, GetError, SkytellsClient> => {
  const fields = fieldsParam(options)
  return Effect.flatMap(
    Effect.serviceOption(ModelCache),
    Option.match({ onNone: () => fetchModel(slug, fields), onSome: (cache) => cache.get(slug, fields) })
  ).pipe(Effect.withSpan("Models.get", { attributes: { slug, fields } }))
}

// Input validation --------------------------------------------------------------------------------

/**
 * One way an input breaks the model's `input_schema`, as listed in `InvalidInput.details.violations`.
 *
 * @since 0.1.0
 * @category models
 */
export interface InputViolation {
  /** Where, for people: `input.width`, `input.tags[1]`, `input["odd key"]`. */
  readonly path: string
  /** Where, as a JSON Pointer into the input (`/width`; `""` for the input itself). */
  readonly pointer: string
  /** The JSON Schema keyword that failed: `required`, `type`, `enum`, `minimum`, `maximum`, ... */
  readonly keyword: string
  /** What is wrong, without the path: `is required`, `must be at most 2048 (got 4096)`. */
  readonly message: string
  /** Where in the schema (`#/properties/width/maximum`). */
  readonly schemaPath: string
}

/**
 * What `InvalidInput.details` holds when the failure comes from local validation.
 *
 * @since 0.1.0
 * @category models
 */
export interface InputValidationDetails {
  readonly source: "local"
  readonly model: string
  readonly violations: ReadonlyArray<InputViolation>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ValidateOptions {
  /**
   * Treat `format` (`uri`, `date-time`, `email`, ...) as an assertion. Default false: JSON Schema
   * 2019-09 and later make `format` an annotation, and a stricter check than the server's would
   * reject inputs it accepts.
   */
  readonly formats?: boolean | undefined
}

const invalidInput = (slug: string, violations: ReadonlyArray<InputViolation>) => {
  const count = violations.length
  const listed = violations.map((v) => `${v.path} ${v.message}`).join("; ")
  const details: InputValidationDetails = { source: "local", model: slug, violations }
  return new SkytellsError.InvalidInput({
    errorId: "INVALID_INPUT",
    message: `The input for model "${slug}" does not match its input_schema (${count} ${
      count === 1 ? "problem" : "problems"
    }): ${listed}. Nothing was sent.`,
    details,
    ...(violations[0] !== undefined ? { param: violations[0].path } : {})
  })
}

const check = (
  slug: string,
  schema: Readonly<Record<string, unknown>> | null | undefined,
  input: unknown,
  options: ValidateOptions
): Effect.Effect<void, SkytellsError.InvalidInput> =>
  Effect.suspend(() => {
    if (schema === undefined || schema === null) {
      return Effect.logWarning(
        `Model "${slug}" carries no input_schema, so its input was not validated locally: fetch it with Models.get(slug, { fields: ["input_schema"] }).`
      )
    }
    const outcome = InputValidation.compile(schema).validate(input, options)
    switch (outcome._tag) {
      case "Valid":
        return Effect.void
      case "Unusable":
        return Effect.logWarning(`The input for model "${slug}" was not validated locally: ${outcome.reason}.`)
      case "Invalid":
        return Effect.fail(invalidInput(slug, outcome.violations))
    }
  })

/**
 * Checks `input` against `model.input_schema` without sending anything, and fails with
 * `InvalidInput` (`errorId` `INVALID_INPUT`) whose message lists every violation with its path and
 * whose `details` ({@link InputValidationDetails}) hold them as data. It saves a request and the
 * credits of a prediction that could not run.
 *
 * The input is checked in the JSON form the server would receive (`undefined` fields dropped,
 * `Date`s as strings); an input that cannot be sent as JSON is itself a violation. A model without
 * `input_schema` (fetched without `fields: ["input_schema"]`) or whose schema the validator cannot
 * use passes, with a warning logged: the server stays the authority.
 *
 * @since 0.1.0
 * @category validation
 */
export const validateInput = (
  model: Pick<Model, "namespace" | "input_schema">,
  input: unknown,
  options: ValidateOptions = {}
): Effect.Effect<void, SkytellsError.InvalidInput> => check(model.namespace, model.input_schema, input, options)

/**
 * Fetches the model's `input_schema` once (`Models.get(slug, { fields: ["input_schema"] })`, cached
 * when {@link layerCache} is provided) and returns a check for inputs, with the schema compiled once.
 *
 * @since 0.1.0
 * @category validation
 */
export const inputValidator = (
  slug: string,
  options: ValidateOptions = {}
): Effect.Effect<(input: unknown) => Effect.Effect<void, SkytellsError.InvalidInput>, GetError, SkytellsClient> =>
  Effect.map(
    get(slug, { fields: ["input_schema"] }),
    (model) => (input: unknown) => check(model.namespace, model.input_schema, input, options)
  )
