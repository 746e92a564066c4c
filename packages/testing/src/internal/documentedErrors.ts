/**
 * The fake's own table of the error ids Skytells documents: the HTTP status the fake answers each one
 * with, the other statuses a source gives for it, and a default message.
 *
 * Transcribed from Skytells' documents, independently of the client's catalogue, so that a mistake
 * in one shows up as a disagreement with the other (test/DocumentedErrors.test.ts compares them):
 *
 * - S0: the API v1 errors reference, https://learn.skytells.ai/docs/api/v1/errors. The API
 *   reference, so it wins where it disagrees with S2.
 * - S2: the "Error Handling & Best Practices" guide,
 *   https://learn.skytells.ai/training/paths/ai-foundations/06-error-handling: the Prediction API and
 *   Inference API code tables.
 * - REF: the newer reference pages, https://learn.skytells.ai/docs/api/v1/errors/prediction-errors
 *   and .../errors/inference-errors (§5.4: the inference error format; §6.2: their ids together
 *   with the official `skytells` SDK's error enum and docs), for ids neither S0 nor S2 has.
 *
 * Contradictions between them (numbered as in the project's research notes, "§10 #n") are commented
 * where they touch an entry. Two that touch the whole table:
 *
 * - S2 says the Prediction API "always returns HTTP 200", then lists 401/402/404/422/429/500/504 in
 *   its own table. The fake follows S0: API-level errors are answered with their 4xx/5xx status;
 *   prediction-level failures are a `status: "failed"` prediction answered with 200.
 * - Inference ids: S2 writes them lower case (`context_length_exceeded`), the learn reference (REF
 *   §5.4) upper case (`INVALID_REQUEST`) with a lower-case `code`. Both spellings are listed where a
 *   source uses them, with the same status.
 *
 * @internal
 */

/** @internal */
export interface DocumentedError {
  /** The status the fake answers with. */
  readonly status: number
  /** Other statuses some source gives for the id (the fake answers them on request: `fake/error-<ID>-<status>`). */
  readonly alsoDocumented: ReadonlyArray<number>
  /** The default message: the documented description. */
  readonly message: string
  /** Where it is documented. */
  readonly source: string
}

/**
 * Every documented id in its documented spelling, grouped by status as in S0.
 *
 * @internal
 */
export const documentedErrors = {
  // 400 ------------------------------------------------------------------------------------------
  // Contradiction (REF §10 #1): S0 lists INVALID_INPUT under 400; S2's table and the SDK docs say
  // 422. The fake answers 400 (S0, the API reference); `scenario.invalidInputStatus: 422` and
  // `fake/error-INVALID_INPUT-422` give the other.
  INVALID_INPUT: {
    status: 400,
    alsoDocumented: [422],
    message: "One or more input fields failed validation against the model's input_schema.",
    source: "S0 (400), S2 (422)"
  },
  // Contradiction (REF §10 #5): 400 in S0 and the learn docs, 422 in the SDK docs. 400 (S0).
  INVALID_PARAMETER: {
    status: 400,
    alsoDocumented: [422],
    message: "A query parameter (e.g. per_page, page) is out of the allowed range.",
    source: "S0 (400), SDK docs via REF §6.2 (422)"
  },
  // REF §5.4: the learn inference-errors page uses `invalid_parameter` as the inference `code`; its
  // example answers 400.
  invalid_parameter: {
    status: 400,
    alsoDocumented: [],
    message: "A parameter of the inference request is invalid.",
    source: "REF §5.4, §6.2 (inference example with 400)"
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 400,
    alsoDocumented: [],
    message: "The Content-Type header is not application/json.",
    source: "S0"
  },
  // Contradiction (REF §10 #6): a create without model or input is 400 MISSING_REQUIRED_FIELD in
  // S0, 422 VALIDATION_ERROR in the newer learn docs and the SDK tests. Both ids are documented, each
  // with its own status; `scenario.missingField` picks which one the fake uses.
  MISSING_REQUIRED_FIELD: {
    status: 400,
    alsoDocumented: [],
    message: "A required top-level field (model, input) is absent from the request body.",
    source: "S0"
  },
  VALIDATION_ERROR: {
    status: 422,
    alsoDocumented: [],
    message: "The request body is missing a required field (model or input).",
    source: "REF §6.2 (learn prediction-errors, SDK tests)"
  },
  // Contradiction (REF §10 #13) on the format only: S0 says ISO 8601, the learn docs Y-m-d. The fake
  // accepts YYYY-MM-DD, which is both. The status is 400 everywhere.
  INVALID_DATE_FORMAT: {
    status: 400,
    alsoDocumented: [],
    message: "A date field is not in the expected format (YYYY-MM-DD).",
    source: "S0, REF §6.2 (learn prediction-errors)"
  },
  INVALID_DATE_RANGE: {
    status: 400,
    alsoDocumented: [],
    message: "The from date is after the to date.",
    source: "REF §6.2 (learn prediction-errors, SDK enum)"
  },
  INVALID_PARAMETER_COMBINATION: {
    status: 400,
    alsoDocumented: [],
    message: "The request combines parameters that cannot be used together.",
    source: "REF §6.2 (learn prediction-errors)"
  },
  // S0 only says the pre-checks may reject with it and points at the prediction-level errors.
  INFRASTRUCTURE_ERROR: {
    status: 400,
    alsoDocumented: [],
    message: "Content was rejected due to safety policies or other infrastructure issues.",
    source: "S0"
  },
  context_length_exceeded: {
    status: 400,
    alsoDocumented: [],
    message: "The prompt plus the completion exceed the model's context window.",
    source: "S2 (inference codes)"
  },
  invalid_request_error: {
    status: 400,
    alsoDocumented: [],
    message: "The request body is malformed.",
    source: "S2 (inference codes)"
  },
  INVALID_REQUEST: {
    status: 400,
    alsoDocumented: [],
    message: "The inference request is invalid.",
    source: "REF §5.4, §6.2 (learn inference-errors: error_id INVALID_REQUEST, code invalid_request)"
  },
  invalid_request: {
    status: 400,
    alsoDocumented: [],
    message: "The inference request is invalid.",
    source: "REF §5.4, §6.2 (learn inference-errors: code invalid_request)"
  },
  // 401 ------------------------------------------------------------------------------------------
  UNAUTHORIZED: {
    status: 401,
    alsoDocumented: [],
    message: "The x-api-key header is missing or the key is invalid / revoked.",
    source: "S0, S2"
  },
  invalid_api_key: {
    status: 401,
    alsoDocumented: [],
    message: "Invalid, revoked, or missing API key.",
    source: "S2 (inference codes)"
  },
  // Contradiction (REF §10 #4): 401 in S0 and the learn docs, 403 in the SDK docs. 401 (S0).
  ACCOUNT_SUSPENDED: {
    status: 401,
    alsoDocumented: [403],
    message: "Your account has been suspended.",
    source: "S0 (401), SDK docs via REF §6.2 (403)"
  },
  // 402 ------------------------------------------------------------------------------------------
  PAYMENT_REQUIRED: {
    status: 402,
    alsoDocumented: [],
    message: "Your account has a negative balance.",
    source: "S0"
  },
  // Contradiction (REF §6.3 #7) on the level only: S0 rejects with it before queueing (402), S2's
  // example shows it on a failed prediction. The fake does the former on create; `fake/fail-INSUFFICIENT_CREDITS`
  // gives the latter.
  INSUFFICIENT_CREDITS: {
    status: 402,
    alsoDocumented: [],
    message: "You do not have enough credits to run this prediction.",
    source: "S0, S2"
  },
  insufficient_quota: {
    status: 402,
    alsoDocumented: [],
    message: "Your account ran out of token quota.",
    source: "S2 (inference codes)"
  },
  // 403 ------------------------------------------------------------------------------------------
  SECURITY_VIOLATION: {
    status: 403,
    alsoDocumented: [],
    message: "The request was flagged as malicious (e.g. prompt injection, abuse patterns).",
    source: "S0"
  },
  MODEL_ACCESS_DENIED: {
    status: 403,
    alsoDocumented: [],
    message: "Your plan does not include access to this model.",
    source: "S0"
  },
  FORBIDDEN: {
    status: 403,
    alsoDocumented: [],
    message: "The API key is valid but the request is not allowed.",
    source: "REF §6.2 (learn inference-errors, SDK enum)"
  },
  // 404 ------------------------------------------------------------------------------------------
  // Contradiction (REF §6.3 #9) on the level only: S0's level table names "model not found" a
  // prediction-level cause, its catalogue lists MODEL_NOT_FOUND under 404. S2: 404. 404.
  MODEL_NOT_FOUND: {
    status: 404,
    alsoDocumented: [],
    message: "No model exists with the given slug.",
    source: "S0, S2"
  },
  model_not_found: {
    status: 404,
    alsoDocumented: [],
    message: "The requested model is not available.",
    source: "S2 (inference codes)"
  },
  // Contradiction (REF §10 #7): 404 in S0; the newer learn docs answer a missing prediction with
  // 502. 404 (S0); `scenario.predictionNotFound` switches the fake to a 502 ("Error fetching
  // prediction", as PREDICTION_FAILED), and `fake/error-PREDICTION_NOT_FOUND-502` gives this id with 502.
  PREDICTION_NOT_FOUND: {
    status: 404,
    alsoDocumented: [502],
    message: "No prediction exists with the given ID, or it belongs to another account.",
    source: "S0 (404), learn prediction-errors via REF §6.2 (502)"
  },
  ENDPOINT_NOT_FOUND: {
    status: 404,
    alsoDocumented: [],
    message: "The requested path does not exist.",
    source: "REF §6.2 (SDK enum and docs only)"
  },
  // 409 ------------------------------------------------------------------------------------------
  PREDICTION_NOT_CANCELLABLE: {
    status: 409,
    alsoDocumented: [],
    message: "The prediction has already completed, failed, or been cancelled.",
    source: "S0"
  },
  // 422 ------------------------------------------------------------------------------------------
  UNPROCESSABLE_ENTITY: {
    status: 422,
    alsoDocumented: [],
    message: "The request was well-formed but was unable to be followed due to semantic errors.",
    source: "S0 (API and prediction level)"
  },
  MODERATION_ERROR: {
    status: 422,
    alsoDocumented: [],
    message: "The request was well-formed but was unable to be followed due to moderation errors.",
    source: "S0 (API and prediction level)"
  },
  // Contradiction (REF §10 #3): 422 in S0, 451 in the SDK docs. 422 (S0).
  CONTENT_POLICY_VIOLATION: {
    status: 422,
    alsoDocumented: [451],
    message: "The request was well-formed but was unable to be followed due to content policy violations.",
    source: "S0 (422), SDK docs via REF §6.2 (451)"
  },
  USE_CASE_NOT_SUPPORTED: {
    status: 422,
    alsoDocumented: [],
    message: "The request was well-formed but was unable to be followed due to use case not supported.",
    source: "S0 (API and prediction level)"
  },
  MODEL_NOT_AUTHORIZED: {
    status: 422,
    alsoDocumented: [],
    message: "The request was well-formed but was unable to be followed due to model not authorized.",
    source: "S0 (API and prediction level)"
  },
  // No source shows its exact status: the learn prediction-errors page lists it in the 422 group.
  MODEL_NOT_SUPPORTED: {
    status: 422,
    alsoDocumented: [],
    message: "The model cannot be used on this route.",
    source: "REF §6.2 (learn prediction-errors, 422 group; exact status not visible)"
  },
  // 429 ------------------------------------------------------------------------------------------
  RATE_LIMIT_EXCEEDED: {
    status: 429,
    alsoDocumented: [],
    message: "You have sent too many requests in a short period.",
    source: "S0, S2"
  },
  rate_limit_exceeded: {
    status: 429,
    alsoDocumented: [],
    message: "Too many requests per minute/day.",
    source: "S2 (inference codes)"
  },
  RATE_LIMITED: {
    status: 429,
    alsoDocumented: [],
    message: "Too many requests.",
    source: "REF §6.2 (SDK enum and docs)"
  },
  INFERENCE_RATE_LIMITED: {
    status: 429,
    alsoDocumented: [],
    message: "Too many inference requests.",
    source: "REF §6.2 (SDK enum and docs)"
  },
  // 451 ------------------------------------------------------------------------------------------
  // Contradiction (REF §6.3 #2): S0's LEGAL_REASONS table sits between the 429 and 500 sections
  // with no heading, so no source gives its status. 451 (Unavailable For Legal Reasons) is inferred.
  LEGAL_REASONS: {
    status: 451,
    alsoDocumented: [],
    message: "The request was refused due to legal reasons.",
    source: "S0 (no status given; 451 inferred)"
  },
  // 5xx ------------------------------------------------------------------------------------------
  INTERNAL_ERROR: {
    status: 500,
    alsoDocumented: [],
    message: "An unhandled server-side error occurred.",
    source: "S0"
  },
  MODEL_UNAVAILABLE: {
    status: 500,
    alsoDocumented: [],
    message: "The model service is temporarily unavailable.",
    source: "S0"
  },
  INFERENCE_ERROR: {
    status: 500,
    alsoDocumented: [],
    message: "Inference failed on the server.",
    source: "REF §6.2 (SDK docs)"
  },
  server_error: {
    status: 500,
    alsoDocumented: [],
    message: "Infrastructure error. Safe to retry.",
    source: "S2 (inference codes)"
  },
  // Contradiction (REF §10 #8): 500 in S2, 502 in the learn error-object docs (the SDK raises it
  // client side). 500 (S2, the only seed that has it); `fake/error-PREDICTION_FAILED-502` and
  // `scenario.predictionNotFound` give 502.
  PREDICTION_FAILED: {
    status: 500,
    alsoDocumented: [502],
    message: "The model failed at inference time.",
    source: "S2 (500), learn error objects via REF §6.2 (502)"
  },
  SERVICE_UNAVAILABLE: {
    status: 503,
    alsoDocumented: [],
    message: "The model or service is temporarily unavailable.",
    source: "REF §6.2 (SDK docs)"
  },
  service_unavailable: {
    status: 503,
    alsoDocumented: [],
    message: "The model is temporarily offline. Retry with backoff.",
    source: "S2 (inference codes)"
  },
  TIMEOUT: {
    status: 504,
    alsoDocumented: [],
    message: "The prediction exceeded its time limit.",
    source: "S2"
  },
  INFERENCE_TIMEOUT: {
    status: 504,
    alsoDocumented: [],
    message: "The model took too long to answer.",
    source: "REF §6.2 (SDK docs)"
  }
} as const satisfies Record<string, DocumentedError>

/** Every documented id, in its documented spelling. @internal */
export const documentedIds: ReadonlyArray<string> = Object.keys(documentedErrors)

const entries = Object.entries(documentedErrors as Record<string, DocumentedError>)

const byId: ReadonlyMap<string, DocumentedError> = new Map(entries)

// Ids are matched case-insensitively (as the client does); where an id is documented in both
// spellings, both entries carry the same status (the tests check it), and the first listed wins.
const byUpperCase: ReadonlyMap<string, DocumentedError> = new Map(
  entries.slice().reverse().map(([id, e]) => [id.toUpperCase(), e])
)

/** The table's entry for an id: its documented spelling first, then case-insensitively. @internal */
export const lookup = (errorId: string): DocumentedError | undefined =>
  byId.get(errorId) ?? byUpperCase.get(errorId.toUpperCase())
