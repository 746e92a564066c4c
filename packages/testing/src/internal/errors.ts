/**
 * API errors inside the fake and how they are written on the wire, in each documented shape. Statuses
 * and default messages come from the fake's own table of documented errors (documentedErrors.ts).
 *
 * @internal
 */
import * as Data from "effect/Data"
import * as DocumentedErrors from "./documentedErrors.js"

/** An error the fake answers with; rendered by the app in the route's shape. @internal */
export class ApiFailure extends Data.TaggedError("ApiFailure")<{
  readonly errorId: string
  readonly status: number
  readonly message: string
  readonly details?: unknown
  readonly param?: string | undefined
  readonly retryAfterSeconds?: number | undefined
}> {}

/** Whether Skytells documents this id (the fake's own table; case-insensitive). @internal */
export const isDocumented = (errorId: string): boolean => DocumentedErrors.lookup(errorId) !== undefined

/** Every documented id, in its documented spelling (the fake's own table). @internal */
export const documentedIds: ReadonlyArray<string> = DocumentedErrors.documentedIds

/** The status the fake uses for an id: the table's, 400 for undocumented ids. @internal */
export const statusFor = (errorId: string): number => DocumentedErrors.lookup(errorId)?.status ?? 400

/** The documented description of an id, as the default message. @internal */
export const describe = (errorId: string): string =>
  DocumentedErrors.lookup(errorId)?.message ?? `The request failed (${errorId}).`

// The docs say every 429 carries `Retry-After`; an error triggered on purpose (`fake/error-*`,
// `Fault.apiError`) with no wait of its own asks for this one.
const defaultRetryAfterSeconds = 1

/** @internal */
export const failure = (
  errorId: string,
  options?: {
    readonly status?: number | undefined
    readonly message?: string | undefined
    readonly details?: unknown
    readonly param?: string | undefined
    readonly retryAfterSeconds?: number | undefined
  }
): ApiFailure => {
  const status = options?.status ?? statusFor(errorId)
  return new ApiFailure({
    errorId,
    status,
    message: options?.message ?? describe(errorId),
    details: options?.details,
    param: options?.param,
    retryAfterSeconds: options?.retryAfterSeconds ?? (status === 429 ? defaultRetryAfterSeconds : undefined)
  })
}

/** How Prediction-API errors are written. @internal */
export type ErrorShape = "envelope" | "flat" | "nested"

const summary = (status: number): string =>
  status === 401
    ? "Unauthorized"
    : status === 402
    ? "Payment required"
    : status === 403
    ? "Forbidden"
    : status === 404
    ? "Not found"
    : status === 409
    ? "Conflict"
    : status === 413
    ? "Payload too large"
    : status === 429
    ? "Too many requests"
    : status >= 500
    ? "Server error"
    : "Request failed"

/** A Prediction/Models API error body in the chosen shape. @internal */
export const predictionBody = (shape: ErrorShape, e: ApiFailure): unknown => {
  switch (shape) {
    case "flat":
      return { error_id: e.errorId, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) }
    case "nested":
      return { error: { http_status: e.status, message: e.message, details: e.details ?? null, error_id: e.errorId } }
    case "envelope":
      return {
        status: false,
        response: `${summary(e.status)}: ${e.message}`,
        error: { http_status: e.status, message: e.message, details: e.details ?? null, error_id: e.errorId }
      }
  }
}

const inferenceCodes: Readonly<Record<string, string>> = {
  UNAUTHORIZED: "invalid_api_key",
  RATE_LIMIT_EXCEEDED: "rate_limit_exceeded",
  MODEL_NOT_FOUND: "model_not_found",
  INVALID_PARAMETER: "invalid_parameter",
  INVALID_REQUEST: "invalid_request",
  INSUFFICIENT_CREDITS: "insufficient_quota",
  INTERNAL_ERROR: "server_error",
  INFERENCE_ERROR: "server_error",
  SERVICE_UNAVAILABLE: "service_unavailable",
  CONTEXT_LENGTH_EXCEEDED: "context_length_exceeded"
}

const inferenceType = (status: number): string =>
  status === 401
    ? "authentication_error"
    : status === 403
    ? "permission_error"
    : status === 429
    ? "rate_limit_error"
    : status >= 500
    ? "server_error"
    : "invalid_request_error"

/** The nested, OpenAI-style error of the Inference API. @internal */
export const inferenceBody = (e: ApiFailure, requestId: string): unknown => {
  const lower = e.errorId === e.errorId.toLowerCase()
  return {
    error: {
      message: e.message,
      type: inferenceType(e.status),
      code: lower ? e.errorId : inferenceCodes[e.errorId] ?? e.errorId.toLowerCase(),
      error_id: e.errorId,
      status: e.status,
      param: e.param ?? null,
      request_id: requestId,
      ...(e.details !== undefined ? { details: e.details } : {})
    }
  }
}

/** The HTML page a gateway in front of the API answers with. @internal */
export const gatewayHtml = (status: number): string => {
  const title = status === 502
    ? "502 Bad Gateway"
    : status === 503
    ? "503 Service Temporarily Unavailable"
    : "504 Gateway Time-out"
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
}
