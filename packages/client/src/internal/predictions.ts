/**
 * The single-prediction operations behind `Predictions`: create, get, cancel and remove, the
 * errors each one documents, and where an operation on a prediction is sent.
 *
 * @internal
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Models from "../Models.js"
import * as P from "../Prediction.js"
import type * as Predictions from "../Predictions.js"
import { type Service as SkytellsClientService, SkytellsClient } from "../SkytellsClient.js"
import * as SkytellsError from "../SkytellsError.js"
import { declare, predictionApiCommon } from "./narrow.js"
import * as Paths from "./paths.js"

// Each operation declares its documented errors once: the list gives its type and its run-time check.
// Only what the Prediction API documents for the operation: the list filters' date errors, and the
// Inference API's ids (`ContextLengthExceeded`, `InsufficientQuota`, ...), cannot come from a create.
export const createErrors = [
  SkytellsError.InvalidInput,
  SkytellsError.UnsupportedMediaType,
  SkytellsError.MissingRequiredField,
  SkytellsError.ValidationError,
  SkytellsError.InvalidParameterCombination,
  SkytellsError.ModelNotSupported,
  SkytellsError.PaymentRequired,
  SkytellsError.InsufficientCredits,
  ...SkytellsError.permissionErrors,
  ...SkytellsError.contentPolicyErrors,
  SkytellsError.ModelNotFound,
  SkytellsError.PredictionFailed,
  SkytellsError.Timeout
] as const
export const getErrors = [
  SkytellsError.PredictionNotFound,
  SkytellsError.PredictionFailed,
  SkytellsError.Timeout
] as const
export const cancelErrors = [SkytellsError.PredictionNotFound, SkytellsError.PredictionNotCancellable] as const
export const removeErrors = [SkytellsError.PredictionNotFound] as const

const narrowCreate = declare(createErrors, predictionApiCommon)
const narrowGet = declare(getErrors, predictionApiCommon)
const narrowCancel = declare(cancelErrors, predictionApiCommon)
const narrowRemove = declare(removeErrors, predictionApiCommon)

export const idOf = (target: Predictions.Target): string => typeof target === "string" ? target : target.id ?? ""

const SuccessOrPrediction = Schema.Union(
  Schema.Struct({ success: Schema.Boolean }),
  P.Prediction
)

// A DELETE may also answer 204 No Content.
const RemoveBody = Schema.NullOr(SuccessOrPrediction)

/**
 * Where an operation on `target` goes: the prediction's own `urls[key]` when it lies under
 * `{baseUrl}/predictions/` (normalised first), otherwise `/predictions/{id}{suffix}` with the id
 * checked as a path segment.
 */
const pathFor = (
  client: SkytellsClientService,
  target: Predictions.Target,
  key: "get" | "cancel" | "delete",
  suffix = ""
): Either.Either<string, SkytellsError.PredictionNotFound> => {
  const url = typeof target === "string" ? undefined : target.urls?.[key]
  // A prediction's own URLs must stay within the predictions collection.
  const own = url ? client.apiUrl(url, "/predictions") : undefined
  if (own !== undefined) return Either.right(own)
  const id = idOf(target)
  const encoded = Paths.segment(id)
  return encoded !== undefined
    ? Either.right(`/predictions/${encoded}${suffix}`)
    : Either.left(
      new SkytellsError.PredictionNotFound({
        errorId: "PREDICTION_NOT_FOUND",
        message: Paths.refused("prediction id", id)
      })
    )
}

export const create = (
  request: Predictions.CreateRequest,
  options: { readonly timeout?: Duration.DurationInput | undefined } = {}
): Effect.Effect<P.Prediction, Predictions.CreateError, SkytellsClient> =>
  Effect.zipRight(
    validateLocally(request),
    Effect.flatMap(SkytellsClient, (client) =>
      client.execute({
        method: "POST",
        path: "/predictions",
        route: "/predictions",
        body: {
          model: request.model,
          input: request.input,
          ...(request.webhook !== undefined ? { webhook: request.webhook } : {}),
          ...(request.await !== undefined ? { await: request.await } : {}),
          ...(request.stream !== undefined ? { stream: request.stream } : {})
        },
        schema: P.Prediction,
        idempotent: false,
        timeout: options.timeout,
        span: "Predictions.create",
        spanAttributes: { model: request.model }
      }).pipe(narrowCreate))
  )

const validateLocally = (
  request: Predictions.CreateRequest
): Effect.Effect<void, Predictions.CreateError, SkytellsClient> =>
  request.validate === undefined || request.validate === false
    ? Effect.void
    : request.validate === true
    ? Effect.flatMap(Models.inputValidator(request.model), (check) => check(request.input))
    : Models.validateInput(request.validate, request.input)

// A pipe rather than a generator: `get` is the call polling makes.
export const get = (target: Predictions.Target): Effect.Effect<P.Prediction, Predictions.GetError, SkytellsClient> =>
  Effect.flatMap(SkytellsClient, (client) =>
    Either.match(pathFor(client, target, "get"), {
      onLeft: Effect.fail,
      onRight: (path) =>
        client.execute({
          method: "GET",
          path,
          route: "/predictions/{id}",
          schema: P.Prediction,
          span: "Predictions.get"
        })
    })).pipe(narrowGet)

export const cancel = (
  target: Predictions.Target
): Effect.Effect<Option.Option<P.Prediction>, Predictions.CancelError, SkytellsClient> =>
  Effect.gen(function*() {
    const client = yield* SkytellsClient
    const path = yield* pathFor(client, target, "cancel", "/cancel")
    // Repeating a cancel is harmless (at worst a 409), so it is retried like a GET.
    const result = yield* client.execute({
      method: "POST",
      path,
      route: "/predictions/{id}/cancel",
      schema: SuccessOrPrediction,
      idempotent: true,
      span: "Predictions.cancel"
    })
    return "status" in result ? Option.some(result) : Option.none()
  }).pipe(narrowCancel)

export const remove = (target: Predictions.Target): Effect.Effect<void, Predictions.RemoveError, SkytellsClient> =>
  Effect.gen(function*() {
    const client = yield* SkytellsClient
    const path = yield* pathFor(client, target, "delete")
    yield* client.execute({
      method: "DELETE",
      path,
      route: "/predictions/{id}",
      schema: RemoveBody,
      span: "Predictions.remove"
    })
  }).pipe(narrowRemove)
