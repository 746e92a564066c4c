/**
 * What the fake recorded: the requests it received (`fake.requests`) and the webhook deliveries it
 * attempted (`fake.webhookDeliveries`).
 *
 * @since 0.1.0
 */
import type * as Fault from "./Fault.js"

/**
 * A request as the fake received it. The `x-api-key` value and the `Authorization` credentials are
 * replaced by `<redacted>`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Request {
  /** The `x-request-id` the fake answered (or would have answered) with. */
  readonly id: string
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly route: Fault.RouteName
  readonly headers: Readonly<Record<string, string>>
  /**
   * `undefined` when empty, when a fault broke the connection before the body was read, or when the
   * body was over `maxBodyBytes`. At most `requestLog.maxBodyBytes` bytes of it.
   */
  readonly body: string | undefined
  /** The body's size in bytes: as read, or as declared in `Content-Length` when refused unread. */
  readonly bodyBytes: number
  /** Whether {@link Request.body} holds only the first `requestLog.maxBodyBytes` bytes. */
  readonly bodyTruncated: boolean
  /** Clock time of arrival, epoch milliseconds. */
  readonly at: number
  /** `undefined` when no answer was sent (reset, refused, stalled). */
  readonly status: number | undefined
  readonly fault: Fault.Fault["_tag"] | undefined
  /** Whether the fake acted on it (ran the handler: created, cancelled, charged...). */
  readonly acted: boolean
}

/**
 * One webhook delivery attempt.
 *
 * @since 0.1.0
 * @category models
 */
export interface WebhookDelivery {
  /** Same for retries and duplicates of one delivery (`x-skytells-delivery`). */
  readonly id: string
  readonly predictionId: string
  readonly event: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  /** The raw body, exactly as signed. */
  readonly body: string
  readonly attempt: number
  readonly at: number
  readonly result:
    | { readonly _tag: "Delivered"; readonly status: number }
    | { readonly _tag: "Failed"; readonly status?: number | undefined; readonly error: string }
    | { readonly _tag: "NotSent"; readonly reason: string }
}
