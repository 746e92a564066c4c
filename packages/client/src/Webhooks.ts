/**
 * Receiving Skytells webhooks: signature verification, event decoding and an `@effect/platform`
 * handler with size limits and duplicate protection.
 *
 * **Signature.** Skytells signs the raw request body with HMAC-SHA256 and sends the hex digest in
 * `X-Skytells-Signature`, either as `sha256=<hex>` (error-handling guide) or as bare `<hex>` (official
 * SDK); both are accepted. The key is the webhook secret from the dashboard (the official SDK's
 * "general" mode uses the account API key instead: pass whichever your account uses). Verify the
 * **raw bytes** exactly as received: re-serialised JSON has a different signature.
 *
 * **Bodies.** Two shapes are in use and both decode: the envelope `{ type, created_at, data }` with
 * `type` such as `prediction.succeeded`, and the bare Prediction object (the event is its `status`).
 * Every spelling maps onto one {@link WebhookEvent}: `completed`, `succeeded`, `prediction.completed`,
 * `prediction.succeeded` → {@link Succeeded}; `failed`, `prediction.failed` → {@link Failed};
 * `canceled`, `cancelled`, `prediction.cancelled` → {@link Canceled}; `started`, `starting`,
 * `prediction.started` → {@link Started}; anything else (`processing`, unknown statuses) →
 * {@link Updated}.
 *
 * **Delivery semantics.** Deliveries are *at least once*: Skytells may deliver the same event more
 * than once (it retries when your endpoint fails or times out; the schedule is not documented). No
 * timestamp or delivery id is signed, so a captured delivery can be replayed verbatim by anyone
 * who sees it. {@link handler} therefore deduplicates on (prediction id, normalised event) in a
 * {@link WebhookStore.WebhookStore} and can refuse deliveries whose payload timestamps are older
 * than a freshness window, but neither replaces idempotent event handling on your side.
 *
 * @example
 * ```ts
 * import { HttpRouter, HttpServer } from "@effect/platform"
 * import { Config, Effect, Layer } from "effect"
 * import { WebhookStore, Webhooks } from "@effect-skytells/client"
 *
 * const router = Effect.gen(function*() {
 *   const secret = yield* Config.redacted("SKYTELLS_WEBHOOK_SECRET")
 *   return HttpRouter.empty.pipe(
 *     HttpRouter.post("/webhooks/skytells", Webhooks.handler({
 *       secret,
 *       onEvent: (event) =>
 *         event._tag === "Succeeded" ? Effect.log("outputs", event.prediction.output) : Effect.void
 *     }))
 *   )
 * })
 * // serve it with HttpServer.serve() and provide WebhookStore.layerMemory() once, at the server layer
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { header } from "./internal/errorDecoder.js"
import * as hmac from "./internal/hmac.js"
import { readBody } from "./internal/webhookBody.js"
import { classify, type Kind } from "./internal/webhookEvent.js"
import * as Prediction from "./Prediction.js"
import * as SkytellsError from "./SkytellsError.js"
import * as WebhookStore from "./WebhookStore.js"

// Constants ---------------------------------------------------------------------------------------

/**
 * The header carrying the signature (looked up case-insensitively).
 *
 * @since 0.1.0
 * @category constants
 */
export const signatureHeader = "x-skytells-signature"

/**
 * The default body size limit of {@link handler}: 1 MiB.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxBodySize = 1024 * 1024

/**
 * How long {@link handler} remembers a handled delivery by default: 24 hours.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultDedupeTtl: Duration.Duration = Duration.hours(24)

const identifier = (tag: string) => `@effect-skytells/client/Webhooks/${tag}`
const MAX_ISSUE = 500
const bounded = (s: string) => s.length <= MAX_ISSUE ? s : `${s.slice(0, MAX_ISSUE)}…`

// Errors ------------------------------------------------------------------------------------------

/**
 * The request carries no signature header, or an empty one. It was not sent by Skytells, or a proxy
 * stripped the header. Answered 401 by {@link handler}.
 *
 * @since 0.1.0
 * @category errors
 */
export class WebhookSignatureMissing extends Schema.TaggedError<WebhookSignatureMissing>(
  identifier("WebhookSignatureMissing")
)("WebhookSignatureMissing", {
  header: Schema.String
}) {
  override get message(): string {
    return `The webhook request has no ${this.header} header (or it is empty), so it cannot be verified and was rejected. If Skytells sent it, check that no proxy strips the header.`
  }
}

/**
 * The signature does not match the body under any configured secret, or is not a well-formed
 * `sha256=<64 hex digits>` / `<64 hex digits>` value (`reason: "Malformed"`). The body was tampered
 * with, the secret is wrong (rotated?), or the body was re-serialised before verification. Answered
 * 401 by {@link handler}.
 *
 * @since 0.1.0
 * @category errors
 */
export class WebhookSignatureMismatch extends Schema.TaggedError<WebhookSignatureMismatch>(
  identifier("WebhookSignatureMismatch")
)("WebhookSignatureMismatch", {
  reason: Schema.Literal("Mismatch", "Malformed"),
  secretsTried: Schema.Number
}) {
  override get message(): string {
    return this.reason === "Malformed"
      ? `The webhook signature is not of the form sha256=<64 hex digits> or <64 hex digits>; the request was rejected.`
      : `The webhook signature does not match the body under any of the ${this.secretsTried} configured secret(s); the request was rejected. Verify the raw body bytes exactly as received (not re-serialised JSON) and check the secret (during a rotation, pass both the old and the new one).`
  }
}

/**
 * The signature is valid but the body is not a webhook event this client understands: not JSON, not
 * an envelope or prediction, or a prediction that does not decode. {@link handler} also uses it
 * (`reason: "Unreadable"`) when the request body broke off while being read. Answered 400 by
 * {@link handler}.
 *
 * @since 0.1.0
 * @category errors
 */
export class WebhookPayloadInvalid extends Schema.TaggedError<WebhookPayloadInvalid>(
  identifier("WebhookPayloadInvalid")
)("WebhookPayloadInvalid", {
  reason: Schema.Literal("NotJson", "UnknownShape", "InvalidPrediction", "Unreadable"),
  issue: Schema.String
}) {
  override get message(): string {
    return this.reason === "Unreadable"
      ? `The webhook request body could not be read to the end (${this.issue}); nothing was verified. A genuine delivery will be retried by Skytells.`
      : `The webhook body is correctly signed but is not a Skytells event (${this.reason}: ${this.issue}). If the API changed its payload, please report it.`
  }
}

/**
 * The body is larger than the handler's `maxBodySize` (declared in `Content-Length` or counted while
 * reading). Answered 413 by {@link handler}, before any hashing.
 *
 * @since 0.1.0
 * @category errors
 */
export class WebhookPayloadTooLarge extends Schema.TaggedError<WebhookPayloadTooLarge>(
  identifier("WebhookPayloadTooLarge")
)("WebhookPayloadTooLarge", {
  limit: Schema.Number,
  declared: Schema.optional(Schema.Number),
  received: Schema.optional(Schema.Number)
}) {
  override get message(): string {
    const size = this.declared !== undefined
      ? `declares ${this.declared} bytes`
      : `exceeded ${this.limit} bytes after ${this.received ?? "?"} bytes`
    return `The webhook body ${size}, over the limit of ${this.limit} bytes; it was refused unread. Raise \`maxBodySize\` if Skytells legitimately sends larger events.`
  }
}

/**
 * The delivery's own timestamp is older than the handler's `freshness` window. The timestamp is
 * inside the body but Skytells signs no separate timestamp, so this limits replays of *old* captured
 * deliveries and honest very late redeliveries; it cannot stop a replay within the window. Answered
 * 400 by {@link handler}.
 *
 * @since 0.1.0
 * @category errors
 */
export class WebhookStale extends Schema.TaggedError<WebhookStale>(identifier("WebhookStale"))("WebhookStale", {
  timestamp: Schema.String,
  age: Schema.DurationFromSelf,
  tolerance: Schema.DurationFromSelf
}) {
  override get message(): string {
    return `The webhook delivery is stale: its timestamp ${this.timestamp} is ${
      Duration.format(this.age)
    } old, over the freshness window of ${Duration.format(this.tolerance)}. It was refused.`
  }
}

/**
 * The failures of {@link verify}.
 *
 * @since 0.1.0
 * @category models
 */
export type VerifyError = WebhookSignatureMissing | WebhookSignatureMismatch | WebhookPayloadInvalid

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

const failedError = (json: Record<string, unknown>): Failed["error"] => {
  const asFailed = json.status === "failed" ? json : { ...json, status: "failed" }
  return SkytellsError.fromFailedPrediction(asFailed) ??
    new SkytellsError.PredictionFailed({
      errorId: "PREDICTION_FAILED",
      message: "The prediction failed without an error message."
    }, { disableValidation: true })
}

const build = (
  kind: Kind,
  fields: EventFields,
  predictionJson: Record<string, unknown>
): WebhookEvent => {
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
 * you verified; {@link verify} does both.
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
 * only on a body whose signature you verified; {@link verify} does both.
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

// Signatures --------------------------------------------------------------------------------------

/**
 * One secret, or several during a rotation (a signature matching any of them is accepted). Always
 * `Redacted`, so it never shows up in logs, errors or inspection.
 *
 * @since 0.1.0
 * @category models
 */
export type Secret = Redacted.Redacted<string> | ReadonlyArray<Redacted.Redacted<string>>

/**
 * Request headers: a plain record (Node, `@effect/platform`), looked up case-insensitively, or a
 * Fetch API `Headers`.
 *
 * @since 0.1.0
 * @category models
 */
export type HeadersInput = Readonly<Record<string, string | ReadonlyArray<string> | undefined>> | Headers

/**
 * @since 0.1.0
 * @category models
 */
export interface VerifyOptions {
  /** The raw body exactly as received. A string is hashed as its UTF-8 bytes. */
  readonly body: Uint8Array | string
  readonly headers: HeadersInput
  readonly secret: Secret
  /** The signature header's name; default {@link signatureHeader}. */
  readonly header?: string | undefined
}

const secretsOf = (secret: Secret): Effect.Effect<ReadonlyArray<Redacted.Redacted<string>>> =>
  Effect.suspend(() => {
    const secrets: ReadonlyArray<unknown> = Array.isArray(secret) ? secret : [secret]
    if (secrets.length === 0) {
      return Effect.dieMessage(
        "Webhooks: no secret configured. Pass the webhook secret from the Skytells dashboard as a Redacted value (Config.redacted(\"SKYTELLS_WEBHOOK_SECRET\"))."
      )
    }
    for (const s of secrets) {
      if (!Redacted.isRedacted(s)) {
        return Effect.dieMessage("Webhooks: the secret must be a Redacted value (Redacted.make or Config.redacted).")
      }
      const value: unknown = Redacted.value(s)
      if (typeof value !== "string" || value === "") {
        return Effect.dieMessage(
          "Webhooks: a configured webhook secret is empty (an unset environment variable?). Refusing to verify with it."
        )
      }
    }
    return Effect.succeed(secrets as ReadonlyArray<Redacted.Redacted<string>>)
  })

const headerValue = (headers: HeadersInput, name: string): string | undefined =>
  typeof (headers as Headers).get === "function"
    ? (headers as Headers).get(name) ?? undefined
    : header(headers as Readonly<Record<string, string | ReadonlyArray<string> | undefined>>, name)

/**
 * Checks the signature of a delivery without decoding it.
 *
 * @since 0.1.0
 * @category verification
 */
export const verifySignature = (
  options: VerifyOptions
): Effect.Effect<void, WebhookSignatureMissing | WebhookSignatureMismatch> =>
  Effect.gen(function*() {
    const name = options.header ?? signatureHeader
    const secrets = yield* secretsOf(options.secret)
    const value = headerValue(options.headers, name)
    if (value === undefined || value.trim() === "") {
      return yield* new WebhookSignatureMissing({ header: name })
    }
    const signature = hmac.parseSignature(value)
    const matched = yield* hmac.matchesAny(secrets, hmac.toBytes(options.body), signature)
    if (!matched) {
      return yield* new WebhookSignatureMismatch({
        reason: signature.wellFormed ? "Mismatch" : "Malformed",
        secretsTried: secrets.length
      })
    }
  })

/**
 * Verifies a delivery and decodes it: checks the HMAC-SHA256 signature of the raw body (constant-time,
 * `sha256=<hex>` or bare hex, any of several secrets), then parses the body into a
 * {@link WebhookEvent}.
 *
 * Fails with {@link WebhookSignatureMissing} (no header), {@link WebhookSignatureMismatch} (wrong or
 * malformed signature) or {@link WebhookPayloadInvalid} (signed, but not an event). No error, log or
 * inspection output ever contains the secret or the expected signature.
 *
 * @since 0.1.0
 * @category verification
 */
export const verify = (options: VerifyOptions): Effect.Effect<WebhookEvent, VerifyError> =>
  Effect.zipRight(verifySignature(options), decodeEvent(options.body))

/**
 * Options of {@link sign}.
 *
 * @since 0.1.0
 * @category models
 */
export interface SignOptions {
  /** `"prefixed"` (default) gives `sha256=<hex>`, `"bare"` gives `<hex>` (the official SDK's format). */
  readonly format?: "prefixed" | "bare" | undefined
}

/**
 * Computes the `X-Skytells-Signature` value for a body, as Skytells would send it: for your own tests
 * (like Stripe's `generateTestHeaderString`).
 *
 * @since 0.1.0
 * @category verification
 */
export const sign = (
  body: Uint8Array | string,
  secret: Redacted.Redacted<string>,
  options?: SignOptions
): Effect.Effect<string> =>
  Effect.flatMap(
    secretsOf(secret),
    ([key]) =>
      Effect.map(hmac.hmacSha256(key!, hmac.toBytes(body)), (digest) =>
        options?.format === "bare" ? hmac.toHex(digest) : `sha256=${hmac.toHex(digest)}`)
  )

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
 * Fails with {@link WebhookStale} when the delivery's timestamp ({@link deliveryTimestamp}) is older
 * than `tolerance` by effect's `Clock`. A delivery without a parseable timestamp passes, and so does
 * one from the future (clock skew). The timestamp is not signed: this limits honest late replays only.
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
 * are not mistaken for duplicates. `undefined` when the prediction has no id ({@link handler} then
 * uses a hash of the body).
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

// The handler -------------------------------------------------------------------------------------

/**
 * Options of {@link handler}.
 *
 * @since 0.1.0
 * @category models
 */
export interface HandlerOptions<E, R> {
  readonly secret: Secret
  /**
   * Runs once per new event. It should be quick and idempotent: deliveries are at least once and the
   * duplicate protection is best effort (a different store per replica, a TTL that ran out, a crash
   * between your side effect and the response). Enqueue long work instead of doing it inline.
   * If it fails (or dies), the handler answers 500 and forgets the delivery, so Skytells's redelivery
   * runs it again.
   */
  readonly onEvent: (event: WebhookEvent) => Effect.Effect<void, E, R>
  /** Largest accepted body in bytes; default {@link defaultMaxBodySize} (1 MiB). */
  readonly maxBodySize?: number | undefined
  /** How long a handled delivery is remembered; default {@link defaultDedupeTtl} (24 hours). */
  readonly dedupeTtl?: Duration.DurationInput | undefined
  /**
   * When set, deliveries whose own timestamp ({@link deliveryTimestamp}) is older than this are
   * refused with 400. Off by default. The timestamp is not signed, so this only limits honest
   * replays; keep it generous (redeliveries after an outage are late too).
   */
  readonly freshness?: Duration.DurationInput | undefined
  /** The signature header's name; default {@link signatureHeader}. */
  readonly header?: string | undefined
}

const respond = (status: number, body: Record<string, unknown>) => HttpServerResponse.unsafeJson(body, { status })

const reject = (status: number, error: { readonly _tag: string; readonly message: string }) =>
  respond(status, { error: error._tag, message: error.message })

/**
 * An `@effect/platform` `HttpApp` receiving Skytells webhooks; mount it with
 * `HttpRouter.post(path, Webhooks.handler(options))`. It needs a {@link WebhookStore.WebhookStore}
 * (`WebhookStore.layerMemory()` in one process, or your shared store), provided once at the server
 * layer.
 *
 * Per request: reads the raw body once (refusing bodies over `maxBodySize` from `Content-Length`
 * before reading, and while reading), verifies the signature, decodes the event, checks freshness
 * when configured, drops duplicates, runs `onEvent`, and answers:
 *
 * | status | when |
 * |---|---|
 * | 204 | the event was handled |
 * | 200 | a duplicate, dropped without running `onEvent` (body `{"received":true,"duplicate":true}`) |
 * | 400 | correctly signed but not an event, stale (with `freshness`), or the body could not be read |
 * | 401 | signature missing, empty, malformed or wrong |
 * | 405 | not a POST |
 * | 413 | body over `maxBodySize` |
 * | 500 | `onEvent` failed or died, or the store failed: the delivery is *not* remembered, so Skytells's retry runs it again |
 *
 * Bad input never yields a 500. Concurrent duplicates: the first marks the key before running
 * `onEvent`; a duplicate arriving meanwhile gets 200 at once, and if the first then fails, its key is
 * released and its own 500 makes Skytells redeliver.
 *
 * @since 0.1.0
 * @category handler
 */
export const handler = <E, R>(
  options: HandlerOptions<E, R>
): HttpApp.Default<never, R | WebhookStore.WebhookStore> => {
  const limit = options.maxBodySize ?? defaultMaxBodySize
  const ttl = Duration.decode(options.dedupeTtl ?? defaultDedupeTtl)
  const freshness = options.freshness

  const handle = Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (request.method !== "POST") {
      return HttpServerResponse.empty({ status: 405, headers: { allow: "POST" } })
    }
    const body = yield* readBody(request, limit).pipe(
      Effect.mapError((failure) =>
        failure._tag === "TooLarge"
          ? new WebhookPayloadTooLarge({
            limit,
            ...(failure.declared !== undefined ? { declared: failure.declared } : {}),
            ...(failure.received !== undefined ? { received: failure.received } : {})
          })
          : new WebhookPayloadInvalid({ reason: "Unreadable", issue: "the request body could not be read to the end" })
      )
    )
    const event = yield* verify({ body, headers: request.headers, secret: options.secret, header: options.header })
    if (freshness !== undefined) yield* checkFreshness(event, freshness)

    const store = yield* WebhookStore.WebhookStore
    const idKey = deduplicationKey(event)
    const key = idKey !== undefined ? idKey : `skytells:webhook:body:${hmac.toHex(yield* hmac.sha256(body))}`
    const annotations = {
      "webhook.event": event.event,
      "webhook.kind": event._tag,
      "prediction.id": event.prediction.id
    }

    if (!(yield* store.markIfNew(key, ttl))) {
      yield* Effect.logDebug("Skytells webhook: duplicate delivery dropped").pipe(Effect.annotateLogs(annotations))
      return respond(200, { received: true, duplicate: true })
    }
    return yield* options.onEvent(event).pipe(
      Effect.onError(() => Effect.ignore(store.unmark(key))),
      Effect.as(HttpServerResponse.empty({ status: 204 })),
      Effect.catchAllCause((cause) =>
        Effect.as(
          Effect.logError("Skytells webhook: onEvent failed; answered 500 so the delivery is retried", cause).pipe(
            Effect.annotateLogs(annotations)
          ),
          respond(500, { error: "HandlerFailed", message: "The webhook handler failed; please redeliver." })
        )
      ),
      Effect.withSpan("Webhooks.onEvent", { attributes: annotations })
    )
  })

  return handle.pipe(
    Effect.catchTags({
      WebhookSignatureMissing: (e) => Effect.as(logRejected(e), reject(401, e)),
      WebhookSignatureMismatch: (e) => Effect.as(logRejected(e), reject(401, e)),
      WebhookPayloadInvalid: (e) => Effect.as(logRejected(e), reject(400, e)),
      WebhookStale: (e) => Effect.as(logRejected(e), reject(400, e)),
      WebhookPayloadTooLarge: (e) => Effect.as(logRejected(e), reject(413, e)),
      WebhookStoreError: (e) =>
        Effect.as(
          Effect.logError("Skytells webhook: the deduplication store failed; answered 500", Cause.fail(e)),
          reject(500, e)
        )
    })
  )
}

const logRejected = (error: { readonly _tag: string; readonly message: string }) =>
  Effect.logWarning(`Skytells webhook rejected: ${error.message}`).pipe(
    Effect.annotateLogs({ "webhook.rejection": error._tag })
  )
