/**
 * The catalogue entries of the errors that come from the service rather than the request (rate
 * limits, server failures, predictions that failed or timed out): most of them are transient.
 * Joined with the rest, and its sources explained, in `catalogue.ts`.
 *
 * @internal
 */
import type { Entry } from "./catalogue.js"

/** @internal */
export const failures = {
  // 429 ----------------------------------------------------------------------------------------
  RateLimitExceeded: {
    ids: ["RATE_LIMIT_EXCEEDED", "rate_limit_exceeded"],
    statuses: [429],
    levels: ["api", "inference"],
    category: "rateLimit",
    retryable: true,
    description: "You have sent too many requests in a short period.",
    resolution: "Back off and retry after the duration in Retry-After (the default retry policy does this).",
    source: "Errors reference, Error-handling guide (both APIs)"
  },
  RateLimited: {
    ids: ["RATE_LIMITED"],
    statuses: [429],
    levels: ["inference"],
    category: "rateLimit",
    retryable: true,
    description: "Too many requests (alternate id).",
    resolution: "Back off and retry after the duration in Retry-After (the default retry policy does this).",
    source: "SDK (error enum)"
  },
  InferenceRateLimited: {
    ids: ["INFERENCE_RATE_LIMITED"],
    statuses: [429],
    levels: ["inference"],
    category: "rateLimit",
    retryable: true,
    description: "Too many inference requests.",
    resolution: "Back off and retry after the duration in Retry-After (the default retry policy does this).",
    source: "SDK (error enum)"
  },
  // 5xx ----------------------------------------------------------------------------------------
  InternalError: {
    ids: ["INTERNAL_ERROR"],
    statuses: [500],
    levels: ["api"],
    category: "server",
    retryable: true,
    description: "An unhandled server-side error occurred.",
    resolution: "Retry the request. If the issue persists, check status.skytells.ai or contact support.",
    source: "Errors reference"
  },
  ModelUnavailable: {
    ids: ["MODEL_UNAVAILABLE"],
    statuses: [500],
    levels: ["api", "prediction"],
    category: "server",
    retryable: true,
    description: "The model service is temporarily unavailable.",
    resolution: "Retry after a short delay or check the API Status page.",
    source:
      "Errors reference (among the errors at the edge of the model serving infrastructure, which a running prediction can also end with)"
  },
  InferenceError: {
    ids: ["INFERENCE_ERROR"],
    statuses: [500],
    levels: ["inference"],
    category: "server",
    retryable: true,
    description: "Inference failed on the server.",
    resolution: "Retry with backoff; contact support with the request id if it persists.",
    source: "SDK (docs)"
  },
  ServerError: {
    ids: ["server_error"],
    statuses: [500],
    levels: ["inference"],
    category: "server",
    retryable: true,
    description: "Infrastructure error on the Inference API.",
    resolution: "Safe to retry with backoff.",
    source: "Error-handling guide (inference codes)"
  },
  ServiceUnavailable: {
    ids: ["SERVICE_UNAVAILABLE", "service_unavailable"],
    statuses: [503],
    levels: ["inference"],
    category: "server",
    retryable: true,
    description: "The model or service is temporarily offline.",
    resolution: "Retry with backoff.",
    source: "Error-handling guide (inference codes), SDK (docs)"
  },
  InferenceTimeout: {
    ids: ["INFERENCE_TIMEOUT"],
    statuses: [504],
    levels: ["inference"],
    category: "server",
    retryable: true,
    description: "The model took too long to answer.",
    resolution: "Retry, use streaming, or lower max_tokens.",
    source: "SDK (docs)"
  },
  // Prediction-level -----------------------------------------------------------------------------
  PredictionFailed: {
    ids: ["PREDICTION_FAILED"],
    statuses: [500, 502],
    levels: ["prediction"],
    category: "prediction",
    retryable: false,
    description: "The model failed at inference time (the prediction ended with status failed).",
    resolution:
      "Check prediction.error. Retry once if a second billed run is acceptable (Predictions.run's retryFailedOnce does it); contact support with the prediction id if it persists.",
    source:
      "Error-handling guide (500, \"retry once\"), Prediction errors (502): both accepted. Not auto-retried: a retry creates and bills a new prediction, so it is an opt-in"
  },
  Timeout: {
    ids: ["TIMEOUT"],
    statuses: [504],
    levels: ["prediction"],
    category: "prediction",
    retryable: false,
    description: "The prediction exceeded its time limit.",
    resolution: "Use webhooks for long-running jobs (video, audio) instead of waiting on the request.",
    source: "Error-handling guide"
  }
} as const satisfies Record<string, Entry>
