/**
 * The documented errors as one union ({@link SkytellsApiError}, with {@link classes} to find a class
 * by tag) and in groups derived from the catalogue's categories and levels: a type per group
 * ({@link BillingError}, ...) and the list of its classes ({@link billingErrors}, ...). All of it is
 * reachable as `SkytellsError.<Name>`, the import most code uses.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import {
  AccountSuspended,
  ContentPolicyViolation,
  ContextLengthExceeded,
  EndpointNotFound,
  Forbidden,
  InferenceError,
  InferenceRateLimited,
  InferenceTimeout,
  InfrastructureError,
  InsufficientCredits,
  InsufficientQuota,
  InternalError,
  InvalidApiKey,
  InvalidDateFormat,
  InvalidDateRange,
  InvalidInput,
  InvalidParameter,
  InvalidParameterCombination,
  InvalidRequest,
  InvalidRequestError,
  LegalReasons,
  MissingRequiredField,
  ModelAccessDenied,
  ModelNotAuthorized,
  ModelNotFound,
  ModelNotSupported,
  ModelUnavailable,
  ModerationError,
  PaymentRequired,
  PredictionFailed,
  PredictionNotCancellable,
  PredictionNotFound,
  RateLimited,
  RateLimitExceeded,
  SecurityViolation,
  ServerError,
  ServiceUnavailable,
  Timeout,
  Unauthorized,
  UnprocessableEntity,
  UnsupportedMediaType,
  UseCaseNotSupported,
  ValidationError
} from "./ApiError.js"
import type { ApiTag, TagsWhere } from "./internal/catalogue.js"
import type { GatewayError } from "./UndocumentedError.js"

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
 * Documented server-side failures, plus {@link GatewayError}.
 *
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
// type and its run-time check), what the guards (`isBillingError`, ...) are built from, and what
// `catchGroup` takes. Each list is checked against the catalogue's categories and levels
// (dtslint/SkytellsError.tst.ts, test/SkytellsError.test.ts).

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
 * The classes of {@link NotFoundError}.
 *
 * @since 0.1.0
 * @category groups
 */
export const notFoundErrors = [ModelNotFound, PredictionNotFound, EndpointNotFound] as const
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
 * The classes of {@link PredictionLevelError}.
 *
 * @since 0.1.0
 * @category groups
 */
export const predictionLevelErrors = [
  InfrastructureError,
  InsufficientCredits,
  ModelNotFound,
  UnprocessableEntity,
  ModerationError,
  ContentPolicyViolation,
  UseCaseNotSupported,
  ModelNotAuthorized,
  ModelUnavailable,
  PredictionFailed,
  Timeout
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
