/**
 * The Skytells Prediction object, decoded leniently: every variant the public sources show decodes,
 * unknown fields are ignored, and an unknown `status` is kept (and treated as not terminal) rather
 * than rejected.
 *
 * Leniency rules:
 *
 * - `status` is required and kept verbatim; {@link normalizeStatus} maps both cancel spellings to
 *   `"canceled"` and anything unknown to `"unknown"`.
 * - `id` is optional: the documented `prediction.failed` payload (the errors reference) has none. Every
 *   prediction the API returns from create/get/list carries one.
 * - `model` is a slug string or an object `{ name, type }` (list items, webhook payloads); use
 *   {@link modelSlug}.
 * - `output` is a string, an array of strings, `null` or absent; use {@link outputs}. Any other shape
 *   is a decode failure, because dropping outputs silently would be worse.
 * - Descriptive fields (`metrics`, `metadata`, `urls`, `webhook`, timestamps, flags, ...) are decoded
 *   field by field: a value of the wrong type is dropped (read as absent) instead of failing the
 *   whole prediction. Numbers sent as numeric strings are accepted.
 * - Timestamps stay strings (the API mixes `…000000Z` and `…+00:00` in one object); parse them with
 *   {@link parseTimestamp}.
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as internal from "./internal/predictionSchema.js"

/**
 * An optional field whose value is dropped (read as absent) when it does not match `schema`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const lenient: <S extends Schema.Schema.Any>(
  schema: S
) => Schema.optional<Schema.Union<[S, Schema.transform<typeof Schema.Unknown, typeof Schema.Undefined>]>> =
  internal.lenient

/**
 * A number, also accepted as a numeric string (some payloads send `"0.03"`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const LenientNumber: Schema.Union<[typeof Schema.Number, typeof Schema.NumberFromString]> =
  internal.LenientNumber

// Status ------------------------------------------------------------------------------------------

/**
 * The statuses the sources document. `cancelled` (SDK, console, webhook event names) and `canceled`
 * (API docs, CLI) are both in use.
 *
 * @since 0.1.0
 * @category schemas
 */
export const KnownStatus = Schema.Literal(
  "pending",
  "queued",
  "starting",
  "started",
  "processing",
  "succeeded",
  "failed",
  "canceled",
  "cancelled"
)

/**
 * @since 0.1.0
 * @category models
 */
export type KnownStatus = typeof KnownStatus.Type

/**
 * A status as sent: one of the documented values or any other string (kept, not rejected).
 *
 * @since 0.1.0
 * @category models
 */
export type Status = KnownStatus | (string & {})

/**
 * A status with both cancel spellings folded into `"canceled"` and unknown values into `"unknown"`.
 *
 * @since 0.1.0
 * @category models
 */
export type NormalizedStatus = Exclude<KnownStatus, "cancelled"> | "unknown"

const Lenient = internal.Lenient

/**
 * `model` when the API sends an object (list items, webhook payloads).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ModelRef = Lenient.ModelRef

/**
 * @since 0.1.0
 * @category models
 */
export interface ModelRef extends Schema.Schema.Type<typeof ModelRef> {}

/**
 * Timing and counters. `progress` is 0–100 while running; times are seconds.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Metrics = Lenient.Metrics

/**
 * @since 0.1.0
 * @category models
 */
export interface Metrics extends Schema.Schema.Type<typeof Metrics> {}

/**
 * A stored output file (`metadata.storage.files[]`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const StoredFile = Lenient.StoredFile

/**
 * @since 0.1.0
 * @category models
 */
export interface StoredFile extends Schema.Schema.Type<typeof StoredFile> {}

/**
 * Billing and storage details.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Metadata = Lenient.Metadata

/**
 * @since 0.1.0
 * @category models
 */
export interface Metadata extends Schema.Schema.Type<typeof Metadata> {}

/**
 * Absolute URLs of the prediction's own endpoints; prefer them over building paths.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Urls = Lenient.Urls

/**
 * @since 0.1.0
 * @category models
 */
export interface Urls extends Schema.Schema.Type<typeof Urls> {}

/**
 * The webhook registered with the prediction: an object (SDK, docs) or a bare URL (CLI).
 *
 * @since 0.1.0
 * @category schemas
 */
export const WebhookConfig = Lenient.WebhookConfig

/**
 * @since 0.1.0
 * @category models
 */
export type WebhookConfig = typeof WebhookConfig.Type

/**
 * A prediction as the API returns it (create, get, list items, webhook deliveries).
 *
 * @since 0.1.0
 * @category models
 */
export interface Prediction extends Schema.Schema.Type<typeof Lenient.Prediction> {}

/**
 * @since 0.1.0
 * @category models
 */
export interface PredictionEncoded extends Schema.Schema.Encoded<typeof Lenient.Prediction> {}

/**
 * The lenient schema of {@link Prediction} (see the module documentation for the rules). A clean
 * payload is decoded by a faster strict pass first; the result is the same either way.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Prediction: Schema.Schema<Prediction, PredictionEncoded> = internal.prediction

/**
 * Decodes unknown JSON into a {@link Prediction}.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeUnknown: (u: unknown) => Effect.Effect<Prediction, ParseResult.ParseError> = Schema.decodeUnknown(
  Prediction
)

// Status helpers ----------------------------------------------------------------------------------

const normalized: Readonly<Record<string, NormalizedStatus>> = {
  pending: "pending",
  queued: "queued",
  starting: "starting",
  started: "started",
  processing: "processing",
  succeeded: "succeeded",
  failed: "failed",
  canceled: "canceled",
  cancelled: "canceled"
}

/**
 * Folds a status into {@link NormalizedStatus}: case and surrounding spaces are ignored, `cancelled`
 * becomes `canceled`, any undocumented value becomes `unknown`.
 *
 * @since 0.1.0
 * @category status
 */
export const normalizeStatus = (status: string): NormalizedStatus =>
  Object.hasOwn(normalized, status.trim().toLowerCase()) ? normalized[status.trim().toLowerCase()]! : "unknown"

/**
 * The normalised status of a prediction.
 *
 * @since 0.1.0
 * @category status
 */
export const status = (prediction: { readonly status: string }): NormalizedStatus => normalizeStatus(prediction.status)

/**
 * `true` for `succeeded`, `failed`, `canceled` and `cancelled`. Unknown statuses are not terminal.
 *
 * @since 0.1.0
 * @category status
 */
export const isTerminal = (prediction: { readonly status: string }): boolean => {
  const s = status(prediction)
  return s === "succeeded" || s === "failed" || s === "canceled"
}

/**
 * @since 0.1.0
 * @category status
 */
export const isSucceeded = (prediction: { readonly status: string }): boolean => status(prediction) === "succeeded"

/**
 * @since 0.1.0
 * @category status
 */
export const isFailed = (prediction: { readonly status: string }): boolean => status(prediction) === "failed"

/**
 * `true` for both spellings, `canceled` and `cancelled`.
 *
 * @since 0.1.0
 * @category status
 */
export const isCanceled = (prediction: { readonly status: string }): boolean => status(prediction) === "canceled"

// Other helpers -----------------------------------------------------------------------------------

/**
 * The outputs as an array: a single string becomes a one-element array, `null` or absent an empty one.
 *
 * @since 0.1.0
 * @category getters
 */
export const outputs = (prediction: Pick<Prediction, "output">): ReadonlyArray<string> => {
  const output = prediction.output
  return output === undefined || output === null ? [] : typeof output === "string" ? [output] : output
}

/**
 * The model's slug: `model` itself when it is a string, its `name` when it is an object.
 *
 * @since 0.1.0
 * @category getters
 */
export const modelSlug = (prediction: Pick<Prediction, "model">): string | undefined => {
  const model = prediction.model
  return model === undefined ? undefined : typeof model === "string" ? model : model.name
}

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/

/**
 * Parses the API's timestamps leniently: ISO 8601 with any number of fractional digits
 * (`2025-01-02T03:04:05.123456Z`), `+00:00` / `+0000` / `+00` offsets, a space instead of `T`, a
 * missing zone (read as UTC, the API's zone) and date-only values. `None` for anything else.
 *
 * @since 0.1.0
 * @category getters
 */
export const parseTimestamp = (value: string | null | undefined): Option.Option<DateTime.Utc> => {
  if (typeof value !== "string") return Option.none()
  const m = TIMESTAMP.exec(value.trim())
  if (m === null) return Option.none()
  const [, y, mo, d, h = "00", mi = "00", s = "00", fraction = "", zone = "Z"] = m
  const ms = (fraction + "000").slice(0, 3)
  let offset = "Z"
  if (zone !== "Z" && zone !== "z" && zone !== "UTC") {
    const digits = zone.slice(1).replace(":", "")
    offset = `${zone[0]}${digits.slice(0, 2)}:${(digits.slice(2) || "00").padEnd(2, "0")}`
  }
  const millis = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}${offset}`)
  return Number.isFinite(millis) ? DateTime.make(millis) : Option.none()
}

// Errors ------------------------------------------------------------------------------------------

/**
 * The prediction was canceled (by you, another client or the platform) before it finished. This is
 * the error `Predictions.wait` fails with when a prediction ends `canceled` or `cancelled`.
 *
 * @since 0.1.0
 * @category errors
 */
export class PredictionCanceled extends Schema.TaggedError<PredictionCanceled>(
  "@effect-skytells/client/Prediction/PredictionCanceled"
)("PredictionCanceled", {
  predictionId: Schema.optional(Schema.String),
  prediction: Prediction
}) {
  /**
   * @since 0.1.0
   */
  static fromPrediction(prediction: Prediction): PredictionCanceled {
    return new PredictionCanceled(
      prediction.id === undefined ? { prediction } : { predictionId: prediction.id, prediction },
      { disableValidation: true }
    )
  }

  override get message(): string {
    return `Prediction ${
      this.predictionId ?? "(no id)"
    } was canceled (status "${this.prediction.status}") before it finished. A canceled prediction cannot be resumed: create a new one if you still need the result.`
  }
}
