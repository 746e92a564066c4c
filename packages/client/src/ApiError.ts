/**
 * The documented API errors: one `Schema.TaggedError` class per error id Skytells documents (the
 * tag is the PascalCase of the id), each carrying the server's fields and the catalogue's metadata
 * (`resolution`, `retryable`, ...). All of them are reachable as `SkytellsError.<Name>`, the import
 * most code uses.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { type ApiTag, catalogue, type Category, type Entry, type Level } from "./internal/catalogue.js"
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

// The identifiers predate the split of `SkytellsError` into modules; they stay as they were so that
// errors serialised by an older version still decode.
const identifier = (tag: string) => `@effect-skytells/client/SkytellsError/${tag}`

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
  /** Whether the documentation calls it transient (see `SkytellsError.isRetryable`). */
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

// The base of every catalogue class: the fields above plus the documented metadata, available on the
// class (`InvalidInput.entry`) and on each instance (`error.resolution`, `error.retryable`, ...).
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
    /** What happened, the ids to quote to support, and what to do; `SkytellsError.describe` returns it. */
    override toString(): string {
      const error = this as unknown as Schema.Struct.Type<ApiFieldsOf<Tag>>
      const ids = [
        error.errorId,
        error.httpStatus !== undefined ? `HTTP ${error.httpStatus}` : undefined,
        error.requestId !== undefined ? `request ${error.requestId}` : undefined,
        error.predictionId !== undefined ? `prediction ${error.predictionId}` : undefined
      ].filter(Predicate.isNotUndefined)
      return `${tag} (${ids.join(", ")}): ${error.message} What to do: ${entry.resolution}`
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
