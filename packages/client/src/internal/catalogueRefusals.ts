/**
 * The catalogue entries of the errors that refuse a request for what it is or who sent it
 * (validation, authentication, permission, billing, not found, conflict, content policy): sending it
 * again unchanged fails again. Joined with the rest, and its sources explained, in
 * `catalogue.ts`.
 *
 * @internal
 */
import type { Entry } from "./catalogue.js"

/** @internal */
export const refusals = {
  // 400 and other validation failures ------------------------------------------------------------
  InvalidInput: {
    ids: ["INVALID_INPUT"],
    statuses: [400, 422],
    levels: ["api"],
    category: "validation",
    retryable: false,
    description: "One or more input fields failed validation against the model's input_schema.",
    resolution: "Check the model's input schema for required and valid fields (Models.get with fields=input_schema).",
    source: "Errors reference (400), Error-handling guide and SDK docs (422): both statuses accepted"
  },
  InvalidParameter: {
    ids: ["INVALID_PARAMETER", "invalid_parameter"],
    statuses: [400, 422],
    levels: ["api", "inference"],
    category: "validation",
    retryable: false,
    description: "A query parameter (e.g. per_page, page) is out of the allowed range.",
    resolution: "Ensure per_page is between 1 and 50 and page is a positive integer.",
    source: "Errors reference (400), SDK docs (422), Inference errors (code invalid_parameter)"
  },
  UnsupportedMediaType: {
    ids: ["UNSUPPORTED_MEDIA_TYPE"],
    statuses: [400],
    levels: ["api"],
    category: "validation",
    retryable: false,
    description: "The Content-Type header is not application/json.",
    resolution: "Set Content-Type: application/json on all POST requests.",
    source: "Errors reference"
  },
  MissingRequiredField: {
    ids: ["MISSING_REQUIRED_FIELD"],
    statuses: [400],
    levels: ["api"],
    category: "validation",
    retryable: false,
    description: "A required top-level field (model, input) is absent from the request body.",
    resolution: "Include all required fields (model, input) in your request payload.",
    source: "Errors reference"
  },
  ValidationError: {
    ids: ["VALIDATION_ERROR"],
    statuses: [422],
    levels: ["api"],
    category: "validation",
    retryable: false,
    description: "The request body is missing model or input (newer docs' name for MISSING_REQUIRED_FIELD).",
    resolution: "Include all required fields (model, input) in your request payload.",
    source: "Prediction errors, SDK (tests)"
  },
  InvalidDateFormat: {
    ids: ["INVALID_DATE_FORMAT"],
    statuses: [400],
    levels: ["api"],
    category: "validation",
    retryable: false,
    description: "A date filter (from, to) is not in the expected format.",
    resolution: "Send dates as YYYY-MM-DD (a valid ISO 8601 calendar date).",
    source: "Errors reference (ISO 8601), Prediction errors (Y-m-d): the toolkit sends YYYY-MM-DD, which satisfies both"
  },
  InvalidDateRange: {
    ids: ["INVALID_DATE_RANGE"],
    statuses: [400],
    levels: ["api"],
    category: "validation",
    retryable: false,
    description: "The from date is after the to date.",
    resolution: "Make sure from is on or before to.",
    source: "Prediction errors, SDK (error enum)"
  },
  InvalidParameterCombination: {
    ids: ["INVALID_PARAMETER_COMBINATION"],
    statuses: [400],
    levels: ["api"],
    category: "validation",
    retryable: false,
    description: "The request combines parameters that cannot be used together.",
    resolution: "Remove one of the conflicting parameters and send the request again.",
    source: "Prediction errors"
  },
  ModelNotSupported: {
    ids: ["MODEL_NOT_SUPPORTED"],
    statuses: [422],
    levels: ["api"],
    category: "validation",
    retryable: false,
    description: "The model cannot be used on this route (e.g. a chat model sent to /predictions).",
    resolution: "Use the route the model supports: OpenAI-compatible models go through the Inference API.",
    source: "Prediction errors (exact status not shown; listed with the 422 errors)"
  },
  ContextLengthExceeded: {
    ids: ["context_length_exceeded"],
    statuses: [400],
    levels: ["inference"],
    category: "validation",
    retryable: false,
    description: "The prompt plus the requested completion exceed the model's context window.",
    resolution: "Shorten the messages or lower max_tokens.",
    source: "Error-handling guide (inference codes)"
  },
  InvalidRequestError: {
    ids: ["invalid_request_error"],
    statuses: [400],
    levels: ["inference"],
    category: "validation",
    retryable: false,
    description: "The inference request body is malformed.",
    resolution: "Check the request against the OpenAI-compatible schema; error.param names the field.",
    source: "Error-handling guide (inference codes)"
  },
  InvalidRequest: {
    ids: ["INVALID_REQUEST", "invalid_request"],
    statuses: [400],
    levels: ["inference"],
    category: "validation",
    retryable: false,
    description: "The inference request is invalid.",
    resolution: "Check the request fields; error.param names the offending one.",
    source: "Inference errors"
  },
  InfrastructureError: {
    ids: ["INFRASTRUCTURE_ERROR"],
    statuses: [400],
    levels: ["api", "prediction"],
    category: "contentPolicy",
    retryable: false,
    description: "A pre-check rejected the request for safety policies or other infrastructure reasons.",
    resolution: "Contact support; see the prediction-level errors for the underlying cause.",
    source: "Errors reference (its text refers to the prediction-level errors, so a failed prediction may carry it)"
  },
  // 401, 403 ------------------------------------------------------------------------------------
  Unauthorized: {
    ids: ["UNAUTHORIZED"],
    statuses: [401],
    levels: ["api", "inference"],
    category: "authentication",
    retryable: false,
    description: "The x-api-key header is missing or the key is invalid or revoked.",
    resolution: "Verify your API key in the Console and pass it as x-api-key (SKYTELLS_API_KEY).",
    source: "Errors reference, Error-handling guide, Prediction errors"
  },
  InvalidApiKey: {
    ids: ["invalid_api_key"],
    statuses: [401],
    levels: ["inference"],
    category: "authentication",
    retryable: false,
    description: "Invalid, revoked, or missing API key (Inference API).",
    resolution: "Verify your API key in the Console and pass it as x-api-key (SKYTELLS_API_KEY).",
    source: "Error-handling guide (inference codes)"
  },
  AccountSuspended: {
    ids: ["ACCOUNT_SUSPENDED"],
    statuses: [401, 403],
    levels: ["api"],
    category: "authentication",
    retryable: false,
    description: "Your account has been suspended.",
    resolution: "Contact support.",
    source: "Errors reference (401), SDK docs (403): both accepted"
  },
  SecurityViolation: {
    ids: ["SECURITY_VIOLATION"],
    statuses: [403],
    levels: ["api"],
    category: "permission",
    retryable: false,
    description: "The request was flagged as malicious (e.g. prompt injection, abuse patterns).",
    resolution: "Review your input for policy violations. Repeated violations may lead to account suspension.",
    source: "Errors reference"
  },
  ModelAccessDenied: {
    ids: ["MODEL_ACCESS_DENIED"],
    statuses: [403],
    levels: ["api"],
    category: "permission",
    retryable: false,
    description: "Your plan does not include access to this model.",
    resolution: "Upgrade your plan or use a model available on your current tier.",
    source: "Errors reference"
  },
  Forbidden: {
    ids: ["FORBIDDEN"],
    statuses: [403],
    levels: ["api", "inference"],
    category: "permission",
    retryable: false,
    description: "The key is valid but the request is not allowed.",
    resolution: "Check the key's scope and your plan in the Console.",
    source: "Inference errors, SDK (error enum)"
  },
  LegalReasons: {
    ids: ["LEGAL_REASONS"],
    statuses: [451],
    levels: ["api"],
    category: "permission",
    retryable: false,
    description: "The request was refused due to legal reasons.",
    resolution: "Contact support.",
    source: "Errors reference (no status given; 451 inferred, any status accepted since the id decides)"
  },
  // 402 ----------------------------------------------------------------------------------------
  PaymentRequired: {
    ids: ["PAYMENT_REQUIRED"],
    statuses: [402],
    levels: ["api"],
    category: "billing",
    retryable: false,
    description: "Your account has a negative balance.",
    resolution: "Top up your balance in the Billing section.",
    source: "Errors reference"
  },
  InsufficientCredits: {
    ids: ["INSUFFICIENT_CREDITS"],
    statuses: [402],
    levels: ["api", "prediction"],
    category: "billing",
    retryable: false,
    description: "You do not have enough credits to run this prediction.",
    resolution: "Purchase additional credits or use a lower-cost model.",
    source: "Errors reference (API level, 402), Error-handling guide (on a failed prediction object)"
  },
  InsufficientQuota: {
    ids: ["insufficient_quota"],
    statuses: [402],
    levels: ["inference"],
    category: "billing",
    retryable: false,
    description: "Your account ran out of token quota.",
    resolution: "Top up in the Dashboard or enable auto-recharge.",
    source: "Error-handling guide (inference codes)"
  },
  // 404, 409 -----------------------------------------------------------------------------------
  ModelNotFound: {
    ids: ["MODEL_NOT_FOUND", "model_not_found"],
    statuses: [404],
    levels: ["api", "inference", "prediction"],
    category: "notFound",
    retryable: false,
    description: "No model exists with the given slug (or it is not available to this key).",
    resolution: "Check the slug against Models.list(); the catalogue is key-scoped.",
    source:
      "Errors reference, Error-handling guide (both APIs); the errors reference lists \"model not found\" among the prediction-level errors"
  },
  PredictionNotFound: {
    ids: ["PREDICTION_NOT_FOUND"],
    statuses: [404, 502],
    levels: ["api"],
    category: "notFound",
    retryable: false,
    description: "No prediction exists with the given ID, or it belongs to another account.",
    resolution: "Verify the prediction ID and that you are using the correct API key.",
    source: "Errors reference (404); newer docs answer 502 for a missing id: both accepted"
  },
  EndpointNotFound: {
    ids: ["ENDPOINT_NOT_FOUND"],
    statuses: [404],
    levels: ["inference"],
    category: "notFound",
    retryable: false,
    description: "The requested path does not exist.",
    resolution: "Check the base URL (https://api.skytells.ai/v1) and the path.",
    source: "SDK (error enum)"
  },
  PredictionNotCancellable: {
    ids: ["PREDICTION_NOT_CANCELLABLE"],
    statuses: [409],
    levels: ["api"],
    category: "conflict",
    retryable: false,
    description: "The prediction has already completed, failed, or been cancelled.",
    resolution: "No action needed: the prediction is already in a terminal state.",
    source: "Errors reference"
  },
  // 422 and content policy ---------------------------------------------------------------------
  UnprocessableEntity: {
    ids: ["UNPROCESSABLE_ENTITY"],
    statuses: [422],
    levels: ["api", "prediction"],
    category: "contentPolicy",
    retryable: false,
    description: "The request was well-formed but could not be followed due to semantic errors.",
    resolution: "Contact support.",
    source: "Errors reference"
  },
  ModerationError: {
    ids: ["MODERATION_ERROR"],
    statuses: [422],
    levels: ["api", "prediction"],
    category: "contentPolicy",
    retryable: false,
    description: "The request was well-formed but could not be followed due to moderation.",
    resolution: "Change the input so it passes moderation; contact support if you think it is wrong.",
    source: "Errors reference"
  },
  ContentPolicyViolation: {
    ids: ["CONTENT_POLICY_VIOLATION"],
    statuses: [422, 451],
    levels: ["api", "prediction"],
    category: "contentPolicy",
    retryable: false,
    description: "The request was well-formed but violates the content policy.",
    resolution:
      "Change the prompt or input so it complies with the content policy; contact support if you think it is wrong.",
    source: "Errors reference (422), SDK docs (451): both accepted"
  },
  UseCaseNotSupported: {
    ids: ["USE_CASE_NOT_SUPPORTED"],
    statuses: [422],
    levels: ["api", "prediction"],
    category: "contentPolicy",
    retryable: false,
    description: "The request was well-formed but the use case is not supported.",
    resolution: "Contact support.",
    source: "Errors reference"
  },
  ModelNotAuthorized: {
    ids: ["MODEL_NOT_AUTHORIZED"],
    statuses: [422],
    levels: ["api", "prediction"],
    category: "contentPolicy",
    retryable: false,
    description: "The request was well-formed but the model is not authorized for it.",
    resolution: "Contact support.",
    source: "Errors reference"
  }
} as const satisfies Record<string, Entry>
