/**
 * Receiving Skytells webhooks: an `@effect/platform` handler with size limits, signature
 * verification, optional freshness and duplicate protection. This module is the one import most
 * receivers need: it also re-exports `WebhookEvent` (the typed events and their decoding),
 * `WebhookSignature` (`verify` and `sign`) and `WebhookError` (the rejections), so
 * `Webhooks.verify`, `Webhooks.sign`, `Webhooks.Succeeded` and the rest work here too.
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
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as hmac from "./internal/hmac.js"
import { readBody } from "./internal/webhookBody.js"
import { WebhookPayloadInvalid, WebhookPayloadTooLarge } from "./WebhookError.js"
import { checkFreshness, deduplicationKey, type WebhookEvent } from "./WebhookEvent.js"
import { type Secret, verify } from "./WebhookSignature.js"
import * as WebhookStore from "./WebhookStore.js"

/**
 * The typed events, their decoders and getters: `Webhooks.Succeeded`, `Webhooks.decodeEvent`,
 * `Webhooks.deduplicationKey` and the rest are the ones of the `WebhookEvent` module.
 *
 * @since 0.1.0
 * @category re-exports
 */
export * from "./WebhookEvent.js"

/**
 * Verifying and signing: `Webhooks.verify`, `Webhooks.verifySignature`, `Webhooks.sign`,
 * `Webhooks.signatureHeader` and their option types are the ones of the
 * `WebhookSignature` module.
 *
 * @since 0.1.0
 * @category re-exports
 */
export * from "./WebhookSignature.js"

/**
 * The rejections: `Webhooks.WebhookSignatureMismatch` and the rest are the classes of the
 * `WebhookError` module.
 *
 * @since 0.1.0
 * @category re-exports
 */
export * from "./WebhookError.js"

// Constants ---------------------------------------------------------------------------------------

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
   * When set, deliveries whose own timestamp (`deliveryTimestamp`) is older than this are
   * refused with 400. Off by default. The timestamp is not signed, so this only limits honest
   * replays; keep it generous (redeliveries after an outage are late too).
   */
  readonly freshness?: Duration.DurationInput | undefined
  /** The signature header's name; default `signatureHeader`. */
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
