/**
 * Every way a webhook delivery can be refused, as `Schema.TaggedError` classes: the signature is
 * missing or wrong, the body is not an event, too large, or stale. `Webhooks.handler` turns
 * each into its HTTP status; `WebhookSignature.verify` fails with the first three.
 *
 * All of them are also reachable as `Webhooks.<Name>`.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"

// The identifiers predate the split of `Webhooks` into modules; they stay as they were so that
// errors serialised by an older version still decode.
const identifier = (tag: string) => `@effect-skytells/client/Webhooks/${tag}`

/**
 * The request carries no signature header, or an empty one. It was not sent by Skytells, or a proxy
 * stripped the header. Answered 401 by `Webhooks.handler`.
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
 * 401 by `Webhooks.handler`.
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
 * an envelope or prediction, or a prediction that does not decode. `Webhooks.handler` also uses
 * it (`reason: "Unreadable"`) when the request body broke off while being read. Answered 400 by
 * `Webhooks.handler`.
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
 * reading). Answered 413 by `Webhooks.handler`, before any hashing.
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
 * 400 by `Webhooks.handler`.
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
