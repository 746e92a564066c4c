/**
 * Which variant of the API the fake speaks where Skytells' sources disagree, and how long its
 * predictions take. Pass a `Partial<Scenario>` as `scenario` to `FakeSkytells.layer`,
 * `FakeSkytells.layerTest` or `FakeSkytells.serve`, or change it at any time with
 * `fake.setScenario(patch)`.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"

/**
 * Where the sources disagree, which variant the fake speaks. Defaults ({@link defaults}) in brackets.
 *
 * @since 0.1.0
 * @category models
 */
export interface Scenario {
  /** Prediction/Models API error body: unified envelope `{status:false, response, error:{...}}`, flat `{error_id, message}`, or `{error:{...}}` [envelope]. Inference routes always use the nested OpenAI-style shape. */
  readonly errorShape: "envelope" | "flat" | "nested"
  /** Missing `model`/`input`: 400 `MISSING_REQUIRED_FIELD` (the errors reference) or 422 `VALIDATION_ERROR` (the newer prediction-errors page) [MISSING_REQUIRED_FIELD]. */
  readonly missingField: "MISSING_REQUIRED_FIELD" | "VALIDATION_ERROR"
  /** Status of `INVALID_INPUT` [400]. */
  readonly invalidInputStatus: 400 | 422
  /** Unknown prediction id: 404 `PREDICTION_NOT_FOUND` or 502 `PREDICTION_FAILED` "Error fetching prediction" [not-found]. */
  readonly predictionNotFound: "not-found" | "bad-gateway"
  /** `GET /predictions`: `{data, pagination}` or a bare array [paginated]. */
  readonly listShape: "paginated" | "array"
  /** Cancel answers `{success: true}` (documented) or the prediction [success]. */
  readonly cancelResponse: "success" | "prediction"
  /** Delete answers `{success: true}` (documented) or the prediction [success]. */
  readonly deleteResponse: "success" | "prediction"
  /** Failed prediction: `error` string (the errors reference) or `error_id` + `error_message` with `error: null` (the error-handling guide) [error]. */
  readonly failureStyle: "error" | "error_id"
  /** The prediction's `model`: `{name, type}` or the slug [object]. */
  readonly modelField: "object" | "string"
  /** Spelling of the cancelled status [canceled]. */
  readonly canceledStatus: "canceled" | "cancelled"
  /** Status before the prediction starts [queued]. */
  readonly initialStatus: "queued" | "pending" | "starting"
  /** HTTP status of a successful create [200]. */
  readonly createStatus: 200 | 201 | 202
  /**
   * Overrides every model's phase durations (e.g. `{ queued: 0, starting: 0, processing: "1 second" }`);
   * a phase left out keeps the model's own. `undefined`: each model's own durations [undefined;
   * `FakeSkytells.layerTest`: {@link instantLifecycle}].
   */
  readonly lifecycle:
    | {
      readonly queued?: Duration.DurationInput | undefined
      readonly starting?: Duration.DurationInput | undefined
      readonly processing?: Duration.DurationInput | undefined
    }
    | undefined
  /** Outputs and inputs are purged this long after completion (`data_removed: true`) [never]. */
  readonly retention: Duration.DurationInput | undefined
  /** Which routes accept `Authorization: Bearer <key>` besides `x-api-key` [inference]. */
  readonly bearerAuth: "inference" | "all" | "none"
  /** When a POST must say `Content-Type: application/json`: when it has a body (and always on create and inference) or always [when-body]. */
  readonly contentType: "when-body" | "always"
  /** Webhook body: `{type, created_at, data}` envelope or the bare prediction [envelope]. */
  readonly webhookBody: "envelope" | "prediction"
  /** `X-Skytells-Signature: sha256=<hex>` (the error-handling guide) or bare `<hex>` (the official SDK) [prefixed]. */
  readonly webhookSignature: "prefixed" | "bare"
  /** Extra copies of every webhook delivery (at-least-once) [0]. */
  readonly webhookDuplicates: number
  /** Pause between SSE events, on effect's Clock [0]. */
  readonly streamChunkDelay: Duration.DurationInput
}

/**
 * The scenario the fake starts with, unless told otherwise.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: Scenario = {
  errorShape: "envelope",
  missingField: "MISSING_REQUIRED_FIELD",
  invalidInputStatus: 400,
  predictionNotFound: "not-found",
  listShape: "paginated",
  cancelResponse: "success",
  deleteResponse: "success",
  failureStyle: "error",
  modelField: "object",
  canceledStatus: "canceled",
  initialStatus: "queued",
  createStatus: 200,
  lifecycle: undefined,
  retention: undefined,
  bearerAuth: "inference",
  contentType: "when-body",
  webhookBody: "envelope",
  webhookSignature: "prefixed",
  webhookDuplicates: 0,
  streamChunkDelay: Duration.zero
}

/**
 * Phases of no duration: a prediction has finished (succeeded or failed) when it is created, so an
 * awaited create answers at once and nothing polls. The lifecycle `FakeSkytells.layerTest` uses.
 *
 * @since 0.1.0
 * @category constants
 */
export const instantLifecycle: NonNullable<Scenario["lifecycle"]> = {
  queued: Duration.zero,
  starting: Duration.zero,
  processing: Duration.zero
}
