/**
 * Every failure the toolkit can report, as `Schema.TaggedError` classes in Effect's typed error channel.
 *
 * - One class per documented Skytells error id (the tag is the PascalCase of the id; the Prediction
 *   and Inference APIs share a class where they name the same failure, e.g. `RATE_LIMIT_EXCEEDED` and
 *   `rate_limit_exceeded` are both {@link RateLimitExceeded}).
 * - {@link UnknownApiError}, {@link GatewayError} and {@link MalformedResponse} for answers outside the
 *   documentation, {@link TransportError} and {@link RequestTimeout} for requests that got no answer.
 * - Unions for the whole catalogue and for groups (authentication, billing, validation, ...), so a
 *   caller can handle a group with one `Effect.catchTags` and stay exhaustive.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { SkytellsError } from "@effect-skytells/client"
 *
 * const call: Effect.Effect<string, SkytellsError.InsufficientCredits | SkytellsError.RateLimitExceeded> =
 *   Effect.succeed("done")
 *
 * const handled = call.pipe(Effect.catchTags({
 *   InsufficientCredits: (e) => Effect.succeed(`top up: ${e.resolution}`),
 *   RateLimitExceeded: (e) => Effect.succeed(`slow down (${e.errorId})`)
 * }))
 * ```
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { type ApiTag, catalogue, type Category, type Entry, type Level, type TagsWhere } from "./internal/catalogue.js"
import * as decode from "./internal/errorDecoder.js"
import { Prediction } from "./Prediction.js"

/**
 * The fields every documented API error carries.
 *
 * - `errorId`: the id exactly as the server sent it (`INVALID_INPUT`, `context_length_exceeded`); when
 *   the server sent none and the class was inferred from the HTTP status, the catalogue's canonical id.
 * - `message`: the server's human-readable message (do not parse it).
 * - `retryAfter`: the server's `Retry-After` / `retry-after-ms` hint; `shouldRetry`: its `x-should-retry`.
 *
 * @since 0.1.0
 * @category models
 */
export const ApiErrorFields = {
  errorId: Schema.String,
  message: Schema.String,
  httpStatus: Schema.optional(Schema.Number),
  requestId: Schema.optional(Schema.String),
  param: Schema.optional(Schema.String),
  details: Schema.optional(Schema.Unknown),
  type: Schema.optional(Schema.String),
  code: Schema.optional(Schema.String),
  predictionId: Schema.optional(Schema.String),
  /** The whole prediction, when the error comes from a prediction that ended `failed`. */
  prediction: Schema.optional(Prediction),
  retryAfter: Schema.optional(Schema.Duration),
  shouldRetry: Schema.optional(Schema.Boolean)
}

/**
 * The documented metadata of an error class: statuses, levels, category, retryability, resolution.
 *
 * @since 0.1.0
 * @category models
 */
export type CatalogueEntry = Entry

export type {
  /**
   * @since 0.1.0
   * @category models
   */
  Category,
  /**
   * @since 0.1.0
   * @category models
   */
  Level
}

const identifier = (tag: string) => `@effect-skytells/client/SkytellsError/${tag}`

/**
 * The base of every catalogue class: the fields above plus the documented metadata, available on the
 * class (`InvalidInput.entry`) and on each instance (`error.resolution`, `error.retryable`, ...).
 */
/**
 * The documented metadata every catalogue error exposes on its instances.
 *
 * @since 0.1.0
 * @category models
 */
export interface Documented {
  /** What to do about it, from the Skytells documentation. */
  readonly resolution: string
  /** What the documentation says it means. */
  readonly description: string
  /** Whether the documentation calls it transient (see {@link isRetryable}). */
  readonly retryable: boolean
  readonly category: Category
  readonly levels: ReadonlyArray<Level>
}

type ApiFieldsOf<Tag extends string> = { readonly _tag: Schema.tag<Tag> } & typeof ApiErrorFields

/**
 * The type of a catalogue class: a `Schema.TaggedError` class with {@link Documented} instances and
 * its catalogue entry as the static `entry`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ApiErrorClass<Self, Tag extends string> extends
  Schema.Class<
    Self,
    ApiFieldsOf<Tag>,
    Schema.Struct.Encoded<ApiFieldsOf<Tag>>,
    never,
    Schema.Struct.Constructor<Omit<ApiFieldsOf<Tag>, "_tag">>,
    {},
    Cause.YieldableError & Documented
  >
{
  readonly _tag: Tag
  readonly entry: Entry
}

const ApiError = <Self>() => <Tag extends ApiTag>(tag: Tag): ApiErrorClass<Self, Tag> => {
  const entry: Entry = catalogue[tag]
  const Base: new(...args: Array<any>) => object = Schema.TaggedError<any>(identifier(tag))(tag, ApiErrorFields)
  return class extends Base implements Documented {
    static readonly entry: Entry = entry
    get resolution() {
      return entry.resolution
    }
    get description() {
      return entry.description
    }
    get retryable() {
      return entry.retryable
    }
    get category() {
      return entry.category
    }
    get levels() {
      return entry.levels
    }
    override toString(): string {
      return describe(this as unknown as SkytellsError)
    }
  } as unknown as ApiErrorClass<Self, Tag>
}

// The catalogue, one class per documented id (see docs/errors.md for the generated table) ----------------

/**
 * @since 0.1.0
 * @category errors
 */
export class InvalidInput extends ApiError<InvalidInput>()("InvalidInput") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class InvalidParameter extends ApiError<InvalidParameter>()("InvalidParameter") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class UnsupportedMediaType extends ApiError<UnsupportedMediaType>()("UnsupportedMediaType") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class MissingRequiredField extends ApiError<MissingRequiredField>()("MissingRequiredField") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class ValidationError extends ApiError<ValidationError>()("ValidationError") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class InvalidDateFormat extends ApiError<InvalidDateFormat>()("InvalidDateFormat") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class InvalidDateRange extends ApiError<InvalidDateRange>()("InvalidDateRange") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class InvalidParameterCombination
  extends ApiError<InvalidParameterCombination>()("InvalidParameterCombination")
{}
/**
 * @since 0.1.0
 * @category errors
 */
export class ModelNotSupported extends ApiError<ModelNotSupported>()("ModelNotSupported") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class ContextLengthExceeded extends ApiError<ContextLengthExceeded>()("ContextLengthExceeded") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class InvalidRequestError extends ApiError<InvalidRequestError>()("InvalidRequestError") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class InvalidRequest extends ApiError<InvalidRequest>()("InvalidRequest") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class InfrastructureError extends ApiError<InfrastructureError>()("InfrastructureError") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends ApiError<Unauthorized>()("Unauthorized") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class InvalidApiKey extends ApiError<InvalidApiKey>()("InvalidApiKey") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class AccountSuspended extends ApiError<AccountSuspended>()("AccountSuspended") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class SecurityViolation extends ApiError<SecurityViolation>()("SecurityViolation") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class ModelAccessDenied extends ApiError<ModelAccessDenied>()("ModelAccessDenied") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class Forbidden extends ApiError<Forbidden>()("Forbidden") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class LegalReasons extends ApiError<LegalReasons>()("LegalReasons") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class PaymentRequired extends ApiError<PaymentRequired>()("PaymentRequired") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class InsufficientCredits extends ApiError<InsufficientCredits>()("InsufficientCredits") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class InsufficientQuota extends ApiError<InsufficientQuota>()("InsufficientQuota") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class ModelNotFound extends ApiError<ModelNotFound>()("ModelNotFound") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class PredictionNotFound extends ApiError<PredictionNotFound>()("PredictionNotFound") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class EndpointNotFound extends ApiError<EndpointNotFound>()("EndpointNotFound") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class PredictionNotCancellable extends ApiError<PredictionNotCancellable>()("PredictionNotCancellable") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class UnprocessableEntity extends ApiError<UnprocessableEntity>()("UnprocessableEntity") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class ModerationError extends ApiError<ModerationError>()("ModerationError") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class ContentPolicyViolation extends ApiError<ContentPolicyViolation>()("ContentPolicyViolation") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class UseCaseNotSupported extends ApiError<UseCaseNotSupported>()("UseCaseNotSupported") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class ModelNotAuthorized extends ApiError<ModelNotAuthorized>()("ModelNotAuthorized") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class RateLimitExceeded extends ApiError<RateLimitExceeded>()("RateLimitExceeded") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class RateLimited extends ApiError<RateLimited>()("RateLimited") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class InferenceRateLimited extends ApiError<InferenceRateLimited>()("InferenceRateLimited") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class InternalError extends ApiError<InternalError>()("InternalError") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class ModelUnavailable extends ApiError<ModelUnavailable>()("ModelUnavailable") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class InferenceError extends ApiError<InferenceError>()("InferenceError") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class ServerError extends ApiError<ServerError>()("ServerError") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class ServiceUnavailable extends ApiError<ServiceUnavailable>()("ServiceUnavailable") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class InferenceTimeout extends ApiError<InferenceTimeout>()("InferenceTimeout") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class PredictionFailed extends ApiError<PredictionFailed>()("PredictionFailed") {}
/**
 * @since 0.1.0
 * @category errors
 */
export class Timeout extends ApiError<Timeout>()("Timeout") {}

/**
 * Every documented error class, in catalogue order.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SkytellsApiError = Schema.Union(
  InvalidInput,
  InvalidParameter,
  UnsupportedMediaType,
  MissingRequiredField,
  ValidationError,
  InvalidDateFormat,
  InvalidDateRange,
  InvalidParameterCombination,
  ModelNotSupported,
  ContextLengthExceeded,
  InvalidRequestError,
  InvalidRequest,
  InfrastructureError,
  Unauthorized,
  InvalidApiKey,
  AccountSuspended,
  SecurityViolation,
  ModelAccessDenied,
  Forbidden,
  LegalReasons,
  PaymentRequired,
  InsufficientCredits,
  InsufficientQuota,
  ModelNotFound,
  PredictionNotFound,
  EndpointNotFound,
  PredictionNotCancellable,
  UnprocessableEntity,
  ModerationError,
  ContentPolicyViolation,
  UseCaseNotSupported,
  ModelNotAuthorized,
  RateLimitExceeded,
  RateLimited,
  InferenceRateLimited,
  InternalError,
  ModelUnavailable,
  InferenceError,
  ServerError,
  ServiceUnavailable,
  InferenceTimeout,
  PredictionFailed,
  Timeout
)

/**
 * The union of every documented error class.
 *
 * @since 0.1.0
 * @category models
 */
export type SkytellsApiError = typeof SkytellsApiError.Type

/**
 * The class of each documented error, by tag.
 *
 * @since 0.1.0
 * @category constructors
 */
export const classes: { readonly [T in ApiTag]: ClassOf<T> } = Object.fromEntries(
  SkytellsApiError.members.map((c) => [c._tag, c])
) as any

/**
 * @since 0.1.0
 * @category models
 */
export type ClassOf<T extends ApiTag> = Extract<(typeof SkytellsApiError.members)[number], { readonly _tag: T }>

export type {
  /**
   * @since 0.1.0
   * @category models
   */
  ApiTag
}

// Groups, derived from the catalogue's categories and levels ---------------------------------------

/**
 * `Unauthorized | InvalidApiKey | AccountSuspended`
 *
 * @since 0.1.0
 * @category groups
 */
export type AuthenticationError = Extract<SkytellsApiError, { readonly _tag: TagsWhere<"category", "authentication"> }>
/**
 * Refused although authenticated (plan, scope, security, legal).
 *
 * @since 0.1.0
 * @category groups
 */
export type PermissionError = Extract<SkytellsApiError, { readonly _tag: TagsWhere<"category", "permission"> }>
/**
 * `PaymentRequired | InsufficientCredits | InsufficientQuota`: never retried.
 *
 * @since 0.1.0
 * @category groups
 */
export type BillingError = Extract<SkytellsApiError, { readonly _tag: TagsWhere<"category", "billing"> }>
/**
 * The request itself is wrong: fix it before sending again.
 *
 * @since 0.1.0
 * @category groups
 */
export type ValidationFailure = Extract<SkytellsApiError, { readonly _tag: TagsWhere<"category", "validation"> }>
/**
 * @since 0.1.0
 * @category groups
 */
export type NotFoundError = Extract<SkytellsApiError, { readonly _tag: TagsWhere<"category", "notFound"> }>
/**
 * Safety, moderation and policy refusals (API or prediction level).
 *
 * @since 0.1.0
 * @category groups
 */
export type ContentPolicyError = Extract<SkytellsApiError, { readonly _tag: TagsWhere<"category", "contentPolicy"> }>
/**
 * `RateLimitExceeded | RateLimited | InferenceRateLimited`
 *
 * @since 0.1.0
 * @category groups
 */
export type RateLimitError = Extract<SkytellsApiError, { readonly _tag: TagsWhere<"category", "rateLimit"> }>
/**
 * Documented server-side failures, plus {
 *
 * @link GatewayError}.
 * @since 0.1.0
 * @category groups
 */
export type ServerSideError =
  | Extract<SkytellsApiError, { readonly _tag: TagsWhere<"category", "server"> }>
  | GatewayError
/**
 * Errors documented at prediction level (a prediction that ended `failed`).
 *
 * @since 0.1.0
 * @category groups
 */
export type PredictionLevelError = Extract<SkytellsApiError, { readonly _tag: TagsWhere<"levels", "prediction"> }>
/**
 * Errors documented for the Inference API (chat, responses, embeddings).
 *
 * @since 0.1.0
 * @category groups
 */
export type InferenceApiError = Extract<SkytellsApiError, { readonly _tag: TagsWhere<"levels", "inference"> }>

// The groups as lists of classes: what an operation declares its errors with (one list gives both its
// type and its run-time check), and what code can test membership with. Each list is checked
// against the catalogue's categories and levels (dtslint/SkytellsError.tst.ts, test/SkytellsError.test.ts).

/**
 * The classes of {@link AuthenticationError}.
 *
 * @since 0.1.0
 * @category groups
 */
export const authenticationErrors = [Unauthorized, InvalidApiKey, AccountSuspended] as const
/**
 * The classes of {@link PermissionError}.
 *
 * @since 0.1.0
 * @category groups
 */
export const permissionErrors = [SecurityViolation, ModelAccessDenied, Forbidden, LegalReasons] as const
/**
 * The classes of {@link BillingError}.
 *
 * @since 0.1.0
 * @category groups
 */
export const billingErrors = [PaymentRequired, InsufficientCredits, InsufficientQuota] as const
/**
 * The classes of {@link ValidationFailure}.
 *
 * @since 0.1.0
 * @category groups
 */
export const validationErrors = [
  InvalidInput,
  InvalidParameter,
  UnsupportedMediaType,
  MissingRequiredField,
  ValidationError,
  InvalidDateFormat,
  InvalidDateRange,
  InvalidParameterCombination,
  ModelNotSupported,
  ContextLengthExceeded,
  InvalidRequestError,
  InvalidRequest
] as const
/**
 * The classes of {@link ContentPolicyError}.
 *
 * @since 0.1.0
 * @category groups
 */
export const contentPolicyErrors = [
  InfrastructureError,
  UnprocessableEntity,
  ModerationError,
  ContentPolicyViolation,
  UseCaseNotSupported,
  ModelNotAuthorized
] as const
/**
 * The classes of {@link RateLimitError}.
 *
 * @since 0.1.0
 * @category groups
 */
export const rateLimitErrors = [RateLimitExceeded, RateLimited, InferenceRateLimited] as const
/**
 * The documented classes of {@link ServerSideError}.
 *
 * @since 0.1.0
 * @category groups
 */
export const serverErrors = [
  InternalError,
  ModelUnavailable,
  InferenceError,
  ServerError,
  ServiceUnavailable,
  InferenceTimeout
] as const
/**
 * The classes of {@link InferenceApiError}.
 *
 * @since 0.1.0
 * @category groups
 */
export const inferenceApiErrors = [
  InvalidParameter,
  ContextLengthExceeded,
  InvalidRequestError,
  InvalidRequest,
  Unauthorized,
  InvalidApiKey,
  Forbidden,
  InsufficientQuota,
  ModelNotFound,
  EndpointNotFound,
  RateLimitExceeded,
  RateLimited,
  InferenceRateLimited,
  InferenceError,
  ServerError,
  ServiceUnavailable,
  InferenceTimeout
] as const

// Failures outside the documentation --------------------------------------------------------------

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
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>(identifier("TransportError"))(
  "TransportError",
  {
    reason: Schema.Literal("ConnectionRefused", "DnsLookup", "InvalidUrl", "ConnectionReset", "Encode", "Other"),
    mayHaveReachedServer: Schema.Boolean,
    method: Schema.String,
    url: Schema.String,
    description: Schema.String
  }
) {
  override get message(): string {
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

/**
 * Any failure of a call to the Skytells API.
 *
 * @since 0.1.0
 * @category models
 */
export type SkytellsError =
  | SkytellsApiError
  | UnknownApiError
  | GatewayError
  | MalformedResponse
  | TransportError
  | RequestTimeout

/**
 * What an HTTP error response can decode to.
 *
 * @since 0.1.0
 * @category models
 */
export type ResponseError = SkytellsApiError | UnknownApiError | GatewayError | MalformedResponse

/**
 * The failures every call can have, whatever the operation: authentication, a generic refusal, rate
 * limits, server-side errors, and everything outside the documentation. Each operation's error type
 * is this union plus the errors documented for that operation.
 *
 * @since 0.1.0
 * @category groups
 */
export type CommonError =
  | AuthenticationError
  | Forbidden
  | RateLimitError
  | ServerSideError
  | UnknownApiError
  | MalformedResponse
  | TransportError
  | RequestTimeout

/**
 * Failures that are transient by nature: the documented retryable ids, gateway errors, transport
 * errors and timeouts. Whether a retry is *safe* also depends on the request (see `Retry`).
 *
 * @since 0.1.0
 * @category groups
 */
export type RetryableError =
  | Extract<SkytellsApiError, { readonly _tag: TagsWhere<"retryable", true> }>
  | GatewayError
  | TransportError
  | RequestTimeout

const retryableTags: ReadonlySet<string> = new Set([
  ...SkytellsApiError.members.filter((c) => c.entry.retryable).map((c) => c._tag),
  "GatewayError",
  "TransportError",
  "RequestTimeout"
])

/**
 * A typed refinement: `true` for {@link RetryableError}s. Generic, so `Effect.catchIf(isRetryable, f)`
 * removes exactly the retryable members from the error channel. It ignores `x-should-retry`, which the
 * retry policy applies on top.
 *
 * @since 0.1.0
 * @category refinements
 */
export const isRetryable = <A>(u: A): u is Extract<A, RetryableError> =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" && retryableTags.has(u._tag)

const allTags: ReadonlySet<string> = new Set([
  ...SkytellsApiError.members.map((c) => c._tag),
  "UnknownApiError",
  "GatewayError",
  "MalformedResponse",
  "TransportError",
  "RequestTimeout"
])

/**
 * @since 0.1.0
 * @category refinements
 */
export const isSkytellsError = (u: unknown): u is SkytellsError =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" && allTags.has(u._tag) && u instanceof Error

/**
 * A one-line description for people: what happened, the ids to quote to support, and what to do.
 *
 * @since 0.1.0
 * @category utils
 */
export const describe = (error: SkytellsError): string => {
  if (!("errorId" in error) || error._tag === "UnknownApiError") {
    return `${error._tag}: ${error.message}`
  }
  const ids = [
    error.errorId,
    error.httpStatus !== undefined ? `HTTP ${error.httpStatus}` : undefined,
    error.requestId !== undefined ? `request ${error.requestId}` : undefined,
    error.predictionId !== undefined ? `prediction ${error.predictionId}` : undefined
  ].filter(Predicate.isNotUndefined)
  return `${error._tag} (${ids.join(", ")}): ${error.message} What to do: ${error.resolution}`
}

/**
 * The input of {@link fromResponse}: an HTTP response as received.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResponseParts {
  readonly status: number
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly body: Uint8Array | string
  /** The current time in epoch milliseconds, for `Retry-After` HTTP dates; defaults to `Date.now()`. */
  readonly now?: number | undefined
}

/**
 * Decodes an HTTP error response into the matching error. Pure and total: any status, headers and
 * bytes give an error value, never an exception.
 *
 * The class is chosen by the error id (`error.error_id`, else `error.code`, else the top-level
 * `error_id`), matched case-insensitively; a failed prediction without an id is
 * {@link PredictionFailed}. With no id the status decides (401, 429, 500, 502, 503, 504); otherwise
 * the result is {@link UnknownApiError} for JSON and {@link MalformedResponse} for anything else.
 *
 * @since 0.1.0
 * @category decoding
 */
export const fromResponse = (response: ResponseParts): ResponseError => {
  const parsed = decode.parse(response)
  switch (parsed._tag) {
    case "Known":
      return new classes[parsed.tag](parsed.fields, { disableValidation: true })
    case "Unknown":
      return new UnknownApiError(parsed.fields, { disableValidation: true })
    case "Gateway":
      return new GatewayError(parsed.fields, { disableValidation: true })
    case "Malformed":
      return new MalformedResponse(parsed.fields, { disableValidation: true })
  }
}

/**
 * The error a failed prediction object stands for: the class of its `error_id` when documented,
 * otherwise {@link PredictionFailed} with the prediction's `error` text, carrying the whole decoded
 * prediction (id, error text, metrics). Returns `undefined` when the object is not a failed prediction.
 *
 * @since 0.1.0
 * @category decoding
 */
export const fromFailedPrediction = (prediction: unknown): SkytellsApiError | UnknownApiError | undefined => {
  const parsed = decode.failedPrediction(prediction)
  if (parsed === undefined) return undefined
  const decoded = decodePrediction(prediction)
  if (parsed._tag === "Unknown") {
    const { body: _, ...fields } = parsed.fields
    return new UnknownApiError({
      ...fields,
      body: { error_id: fields.errorId, message: fields.message },
      ...(Option.isSome(decoded) ? { prediction: decoded.value } : {})
    }, { disableValidation: true })
  }
  return new classes[parsed.tag](
    Option.isSome(decoded) ? { ...parsed.fields, prediction: decoded.value } : parsed.fields,
    { disableValidation: true }
  )
}

const decodePrediction = Schema.decodeUnknownOption(Prediction)
