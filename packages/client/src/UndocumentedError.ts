/**
 * The failures outside the Skytells error documentation: answers it does not describe
 * ({@link UnknownApiError}, {@link GatewayError}, {@link MalformedResponse}) and requests that got no
 * answer ({@link TransportError}, {@link RequestTimeout}). All of them are reachable as
 * `SkytellsError.<Name>`, the import most code uses.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Prediction } from "./Prediction.js"

// The identifiers predate the split of `SkytellsError` into modules; they stay as they were so that
// errors serialised by an older version still decode.
const identifier = (tag: string) => `@effect-skytells/client/SkytellsError/${tag}`

/**
 * The server answered with an error id the catalogue does not know. Keeps the id, the status and
 * the parsed body so nothing is lost. Not retried (its meaning is unknown) unless the server sent
 * `x-should-retry: true`.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownApiError extends Schema.TaggedError<UnknownApiError>(identifier("UnknownApiError"))(
  "UnknownApiError",
  {
    errorId: Schema.optional(Schema.String),
    message: Schema.String,
    httpStatus: Schema.Number,
    requestId: Schema.optional(Schema.String),
    /** A bounded copy of the body: the parsed JSON when small, otherwise an excerpt of its text. */
    body: Schema.Unknown,
    retryAfter: Schema.optional(Schema.Duration),
    shouldRetry: Schema.optional(Schema.Boolean),
    /** The failed prediction that carried the id, when it came from one. */
    prediction: Schema.optional(Prediction)
  }
) {}

/**
 * A 502 or 504 with no Skytells error id: a proxy or load balancer answered (often an HTML page).
 * Transient: retried by the default policy when the request is safe to repeat.
 *
 * @since 0.1.0
 * @category errors
 */
export class GatewayError extends Schema.TaggedError<GatewayError>(identifier("GatewayError"))("GatewayError", {
  httpStatus: Schema.Number,
  contentType: Schema.optional(Schema.String),
  excerpt: Schema.String,
  requestId: Schema.optional(Schema.String),
  retryAfter: Schema.optional(Schema.Duration),
  shouldRetry: Schema.optional(Schema.Boolean)
}) {
  override get message(): string {
    return `HTTP ${this.httpStatus} from a gateway in front of Skytells (${
      this.contentType ?? "no content type"
    }): the API did not answer. This is usually transient; retry later.`
  }
}

/**
 * The response could not be read as the API's JSON: an empty body, an HTML page, truncated JSON,
 * JSON that does not match the documented schema (`issue` says which field was wrong), a body over
 * the client's `responseLimits` (`TooLarge`), a stream of the wrong content type, or a redirect,
 * which the client never follows (`Redirect`, with `location`). Only an empty or cut 2xx body is
 * ever retried (see `Retry`).
 *
 * @since 0.1.0
 * @category errors
 */
export class MalformedResponse extends Schema.TaggedError<MalformedResponse>(identifier("MalformedResponse"))(
  "MalformedResponse",
  {
    reason: Schema.Literal("EmptyBody", "NotJson", "UnexpectedShape", "UnexpectedContentType", "TooLarge", "Redirect"),
    httpStatus: Schema.Number,
    /** Where a redirect pointed (origin and path only: no query, which may hold credentials). */
    location: Schema.optional(Schema.String),
    contentType: Schema.optional(Schema.String),
    excerpt: Schema.String,
    bodyLength: Schema.Number,
    issue: Schema.optional(Schema.String),
    requestId: Schema.optional(Schema.String),
    /** `x-should-retry`, when the server sent it. */
    shouldRetry: Schema.optional(Schema.Boolean)
  }
) {
  override get message(): string {
    switch (this.reason) {
      case "Redirect":
        return `HTTP ${this.httpStatus} redirect to ${
          this.location ?? "an undisclosed location"
        }: the client never follows a redirect from the API (the API key would go with it). Check the base URL (SKYTELLS_BASE_URL) and any proxy in between.`
      case "TooLarge":
        return `HTTP ${this.httpStatus} with a body larger than ${this.bodyLength} bytes${
          this.issue ? ` (${this.issue})` : ""
        }: reading stopped there. Raise the client's \`responseLimits\` if such a body is expected.`
      case "UnexpectedContentType":
        return `HTTP ${this.httpStatus} with content type ${this.contentType ?? "(none)"} where ${
          this.issue ?? "another content type"
        } was expected: something other than the Skytells API answered (a proxy or captive portal?). Check the base URL and proxies.`
    }
    const what = this.reason === "EmptyBody"
      ? "an empty body"
      : this.reason === "NotJson"
      ? `a body that is not JSON (${this.contentType ?? "no content type"}, ${this.bodyLength} bytes)`
      : `JSON that does not match the documented shape: ${this.issue ?? "unknown field"}`
    return `HTTP ${this.httpStatus} with ${what}. If this persists, report it with the request id${
      this.requestId ? ` ${this.requestId}` : ""
    }.`
  }
}

/**
 * The request got no HTTP answer. `mayHaveReachedServer` is `false` when the server certainly did
 * not see it (connection refused, DNS failure, invalid URL) and `true` when it may have acted on it
 * (the connection broke after the request was written): a create is not retried in that case.
 * `LimiterUnavailable`: a shared limiter that fails closed could not reach its store, and the
 * request was not sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>(identifier("TransportError"))(
  "TransportError",
  {
    reason: Schema.Literal(
      "ConnectionRefused",
      "DnsLookup",
      "InvalidUrl",
      "ConnectionReset",
      "Encode",
      "LimiterUnavailable",
      "Other"
    ),
    mayHaveReachedServer: Schema.Boolean,
    method: Schema.String,
    url: Schema.String,
    description: Schema.String
  }
) {
  override get message(): string {
    if (this.reason === "LimiterUnavailable") {
      return `${this.method} ${this.url} was not sent: the shared rate limiter is unavailable (${this.description}). Check its store (Redis), or let the limiter fail open.`
    }
    return `${this.method} ${this.url} failed before an answer arrived (${this.reason}): ${this.description}. ${
      this.mayHaveReachedServer
        ? "The server may have received the request."
        : "The server did not receive the request; check the base URL and your network."
    }`
  }
}

/**
 * No answer within the client-side timeout (per attempt) or the total deadline.
 *
 * @since 0.1.0
 * @category errors
 */
export class RequestTimeout extends Schema.TaggedError<RequestTimeout>(identifier("RequestTimeout"))(
  "RequestTimeout",
  {
    method: Schema.String,
    url: Schema.String,
    timeout: Schema.Duration,
    scope: Schema.Literal("attempt", "deadline")
  }
) {
  override get message(): string {
    return `${this.method} ${this.url} got no answer within the ${
      this.scope === "attempt" ? "per-attempt timeout" : "total deadline"
    } of ${this.timeout.toString()}. Raise \`timeout\`/\`deadline\` or use webhooks for long jobs.`
  }
}
