/**
 * The typed events a webhook delivery decodes to, the decoders, and the getters the handler's
 * freshness check and duplicate protection are built on.
 *
 * **Bodies.** Two shapes are in use and both decode: the envelope `{ type, created_at, data }` with
 * `type` such as `prediction.succeeded`, and the bare Prediction object (the event is its `status`).
 * Every spelling maps onto one {@link WebhookEvent}: `completed`, `succeeded`, `prediction.completed`,
 * `prediction.succeeded` → {@link Succeeded}; `failed`, `prediction.failed` → {@link Failed};
 * `canceled`, `cancelled`, `prediction.cancelled` → {@link Canceled}; `started`, `starting`,
 * `prediction.started` → {@link Started}; anything else (`processing`, unknown statuses) →
 * {@link Updated}.
 *
 * The decoders here do not check signatures: `Webhooks.verify` checks and decodes. Everything here
 * is also reachable as `Webhooks.<name>`.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { classify, type Kind } from "./internal/webhookEvent.js"
import * as Prediction from "./Prediction.js"
import * as SkytellsError from "./SkytellsError.js"
import { WebhookPayloadInvalid, WebhookStale } from "./WebhookError.js"

// Events ------------------------------------------------------------------------------------------

/**
 * The fields every event carries.
 *
 * @since 0.1.0
 * @category models
 */
export interface EventFields {
  /** The event name exactly as it arrived: the envelope's `type`, or the bare prediction's `status`. */
  readonly event: string
  /** Which body shape the delivery had. */
  readonly shape: "envelope" | "bare"
  /** The envelope's `created_at`, when the delivery had one (unsigned: informative only). */
  readonly createdAt: string | undefined
  /** The prediction, decoded leniently. */
  readonly prediction: Prediction.Prediction
  /** The whole body as parsed JSON, for fields this client does not model. */
  readonly json: unknown
}

/**
 * The prediction started (`started`, `starting`, `prediction.started`).
 *
 * @since 0.1.0
 * @category events
 */
export class Started extends Data.TaggedClass("Started")<EventFields> {}

/**
 * The prediction succeeded (`completed`, `succeeded`, `prediction.completed`, `prediction.succeeded`).
 * Download the outputs now: they expire (minutes to hours, depending on the source).
 *
 * @since 0.1.0
 * @category events
 */
export class Succeeded extends Data.TaggedClass("Succeeded")<EventFields> {}

/**
 * The prediction failed (`failed`, `prediction.failed`). `error` is the typed prediction-level error,
 * the same value polling fails with, so one `Effect.catchTags` serves both.
 *
 * @since 0.1.0
 * @category events
 */
export class Failed extends Data.TaggedClass("Failed")<
  EventFields & { readonly error: SkytellsError.SkytellsApiError | SkytellsError.UnknownApiError }
> {}

/**
 * The prediction was canceled (`canceled`, `cancelled`, `prediction.cancelled`).
 *
 * @since 0.1.0
 * @category events
 */
export class Canceled extends Data.TaggedClass("Canceled")<EventFields> {}

/**
 * Any other event: a non-terminal status such as `processing` or `queued`, or an event name this
 * client does not know. `status` is the prediction's normalised status.
 *
 * @since 0.1.0
 * @category events
 */
export class Updated extends Data.TaggedClass("Updated")<
  EventFields & { readonly status: Prediction.NormalizedStatus }
> {}

/**
 * A decoded webhook delivery.
 *
 * @since 0.1.0
 * @category models
 */
export type WebhookEvent = Started | Succeeded | Failed | Canceled | Updated

/**
 * @since 0.1.0
 * @category guards
 */
export const isWebhookEvent = (u: unknown): u is WebhookEvent =>
  u instanceof Started || u instanceof Succeeded || u instanceof Failed || u instanceof Canceled ||
  u instanceof Updated

// Decoding ----------------------------------------------------------------------------------------

const decodePrediction = Schema.decodeUnknownEither(Prediction.Prediction, { errors: "first" })

// Parse issues can quote the payload; an error message must stay readable.
const MAX_ISSUE = 500
const bounded = (s: string) => s.length <= MAX_ISSUE ? s : `${s.slice(0, MAX_ISSUE)}…`

// A `prediction.failed` envelope may wrap data whose status still reads `processing`: the event wins.
const failedError = (json: Record<string, unknown>): Failed["error"] => {
  const asFailed = json.status === "failed" ? json : { ...json, status: "failed" }
  return SkytellsError.fromFailedPrediction(asFailed) ??
    new SkytellsError.PredictionFailed({
      errorId: "PREDICTION_FAILED",
      message: "The prediction failed without an error message."
    }, { disableValidation: true })
}

const build = (kind: Kind, fields: EventFields, predictionJson: Record<string, unknown>): WebhookEvent => {
  switch (kind) {
    case "Started":
      return new Started(fields)
    case "Succeeded":
      return new Succeeded(fields)
    case "Canceled":
      return new Canceled(fields)
    case "Failed":
      return new Failed({ ...fields, error: failedError(predictionJson) })
    case "Updated":
      return new Updated({ ...fields, status: Prediction.status(fields.prediction) })
  }
}

/**
 * Turns an already-parsed body into a {@link WebhookEvent}. Use it only on a body whose signature
 * you verified; `Webhooks.verify` does both.
 *
 * @since 0.1.0
 * @category decoding
 */
export const eventFromJson = (json: unknown): Effect.Effect<WebhookEvent, WebhookPayloadInvalid> =>
  Effect.suspend(() => {
    const classified = classify(json)
    if (classified._tag === "UnknownShape") {
      return Effect.fail(new WebhookPayloadInvalid({ reason: "UnknownShape", issue: classified.issue }))
    }
    const decoded = decodePrediction(classified.prediction)
    if (Either.isLeft(decoded)) {
      return Effect.fail(
        new WebhookPayloadInvalid({
          reason: "InvalidPrediction",
          issue: bounded(ParseResult.TreeFormatter.formatErrorSync(decoded.left))
        })
      )
    }
    return Effect.succeed(build(classified.kind, {
      event: classified.event,
      shape: classified.shape,
      createdAt: classified.createdAt,
      prediction: decoded.right,
      json
    }, classified.prediction))
  })

const utf8 = new TextDecoder("utf-8", { fatal: true })

/**
 * Parses and decodes a raw body into a {@link WebhookEvent}, without checking the signature. Use it
 * only on a body whose signature you verified; `Webhooks.verify` does both.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeEvent = (body: Uint8Array | string): Effect.Effect<WebhookEvent, WebhookPayloadInvalid> =>
  Effect.suspend(() => {
    let json: unknown
    try {
      json = JSON.parse(typeof body === "string" ? body : utf8.decode(body))
    } catch (e) {
      return Effect.fail(
        new WebhookPayloadInvalid({
          reason: "NotJson",
          issue: e instanceof SyntaxError ? "the body is not valid JSON" : "the body is not valid UTF-8 JSON"
        })
      )
    }
    return eventFromJson(json)
  })

// Freshness and deduplication ---------------------------------------------------------------------

/**
 * The delivery's own timestamp, used for the freshness check: the envelope's `created_at`, else the
 * prediction's `updated_at`, else `completed_at`, else (for a start event) `started_at`. Unsigned.
 *
 * @since 0.1.0
 * @category getters
 */
export const deliveryTimestamp = (event: WebhookEvent): string | undefined => {
  const p = event.prediction
  return event.createdAt ?? p.updated_at ?? p.completed_at ?? (event._tag === "Started" ? p.started_at : undefined) ??
    undefined
}

/**
 * Fails with `WebhookStale` when the delivery's timestamp ({@link deliveryTimestamp}) is older than
 * `tolerance` by effect's `Clock`. A delivery without a parseable timestamp passes, and so does one
 * from the future (clock skew). The timestamp is not signed: this limits honest late replays only.
 *
 * @since 0.1.0
 * @category verification
 */
export const checkFreshness = (
  event: WebhookEvent,
  tolerance: Duration.DurationInput
): Effect.Effect<void, WebhookStale> =>
  Effect.gen(function*() {
    const timestamp = deliveryTimestamp(event)
    const parsed = Prediction.parseTimestamp(timestamp)
    if (timestamp === undefined || Option.isNone(parsed)) return
    const now = yield* Clock.currentTimeMillis
    const ageMillis = now - DateTime.toEpochMillis(parsed.value)
    const window = Duration.decode(tolerance)
    if (ageMillis > Duration.toMillis(window)) {
      return yield* new WebhookStale({ timestamp, age: Duration.millis(ageMillis), tolerance: window })
    }
  })

/**
 * The deduplication key of an event: `prediction id` + normalised event; for {@link Updated} also the
 * raw status and the prediction's `updated_at` / `metrics.progress`, so successive progress updates
 * are not mistaken for duplicates. `undefined` when the prediction has no id (`Webhooks.handler`
 * then uses a hash of the body).
 *
 * @since 0.1.0
 * @category getters
 */
export const deduplicationKey = (event: WebhookEvent): string | undefined => {
  const id = event.prediction.id
  if (id === undefined || id === "") return undefined
  if (event._tag !== "Updated") return `skytells:webhook:${id}:${event._tag.toLowerCase()}`
  const p = event.prediction
  return `skytells:webhook:${id}:updated:${p.status.trim().toLowerCase()}:${p.updated_at ?? ""}:${
    p.metrics?.progress ?? ""
  }`
}
