/**
 * The error classes of `Outputs.download`, declared here so that the internal download modules can
 * construct them without importing `Outputs.ts` (which imports them). `Outputs.ts` re-exports every
 * class, and documents them for the API reference; the identifiers keep the `Outputs` path.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"

const identifier = (tag: string) => `@effect-skytells/client/Outputs/${tag}`

const RETENTION_ADVICE =
  "Skytells keeps outputs only briefly after completion (5 minutes per the current docs, 24 hours per an older guide): download outputs as soon as the prediction completes, and use a webhook (the completed event) for long jobs instead of polling later."

/**
 * The prediction's outputs were purged by Skytells (`data_removed: true`, or
 * `metadata.data_available: false`). They cannot be downloaded any more.
 *
 * @since 0.1.0
 * @category errors
 */
export class OutputsRemoved extends Schema.TaggedError<OutputsRemoved>(identifier("OutputsRemoved"))(
  "OutputsRemoved",
  { predictionId: Schema.optional(Schema.String), completedAt: Schema.optional(Schema.String) }
) {
  override get message(): string {
    return `The outputs of prediction ${this.predictionId ?? "(no id)"}${
      this.completedAt ? ` (completed ${this.completedAt})` : ""
    } were removed by Skytells (data_removed) and cannot be downloaded; run the prediction again if you still need them. ${RETENTION_ADVICE}`
  }
}

/**
 * There is nothing to download: the prediction has not succeeded (yet), its output is empty, or its
 * outputs are values (text, numbers) rather than file URLs.
 *
 * @since 0.1.0
 * @category errors
 */
export class NoOutputs extends Schema.TaggedError<NoOutputs>(identifier("NoOutputs"))("NoOutputs", {
  predictionId: Schema.optional(Schema.String),
  status: Schema.String,
  reason: Schema.Literal("NotSucceeded", "Empty", "NotFiles")
}) {
  override get message(): string {
    const id = this.predictionId ?? "(no id)"
    switch (this.reason) {
      case "NotSucceeded":
        return `Prediction ${id} has no outputs: its status is "${this.status}". Wait for it to succeed (Predictions.wait) before downloading.`
      case "Empty":
        return `Prediction ${id} succeeded but its output is empty: there is nothing to download.`
      case "NotFiles":
        return `Prediction ${id}'s outputs are not http(s) URLs (the model returns values, e.g. text): read prediction.output instead of downloading.`
    }
  }
}

/**
 * An output link answered 403, 404 or 410: it expired, or the file was removed. Not retried.
 *
 * @since 0.1.0
 * @category errors
 */
export class OutputExpired extends Schema.TaggedError<OutputExpired>(identifier("OutputExpired"))("OutputExpired", {
  predictionId: Schema.optional(Schema.String),
  index: Schema.Number,
  /** The URL without its query string (signed links carry credentials there). */
  url: Schema.String,
  httpStatus: Schema.Number
}) {
  override get message(): string {
    return `Output #${this.index} of prediction ${
      this.predictionId ?? "(no id)"
    } (${this.url}) answered HTTP ${this.httpStatus}: the link has expired or the file was removed. ${RETENTION_ADVICE}`
  }
}

/**
 * An output link gave an answer that is not the file:
 *
 * - `Status`: another error status (a 5xx or 429 after the retries, a 401, ...);
 * - `InvalidRedirect`: a redirect whose `Location` is not a valid http(s) URL (`http://[::1`,
 *   `file:///...`). Not retried;
 * - `TooManyRedirects`: still redirecting after `maxRedirects` redirects. Not retried.
 *
 * @since 0.1.0
 * @category errors
 */
export class OutputUnavailable extends Schema.TaggedError<OutputUnavailable>(identifier("OutputUnavailable"))(
  "OutputUnavailable",
  {
    predictionId: Schema.optional(Schema.String),
    index: Schema.Number,
    url: Schema.String,
    httpStatus: Schema.Number,
    /** Whether the status is transient (408, 425, 429, 5xx): such failures are retried. */
    retryable: Schema.Boolean,
    reason: Schema.optionalWith(Schema.Literal("Status", "InvalidRedirect", "TooManyRedirects"), {
      default: () => "Status" as const
    }),
    /** The redirect target as received, without its query string, at most 200 characters. */
    location: Schema.optional(Schema.String)
  }
) {
  override get message(): string {
    switch (this.reason) {
      case "InvalidRedirect":
        return `Output #${this.index} (${this.url}) answered HTTP ${this.httpStatus} with a redirect to "${
          this.location ?? ""
        }", which is not a valid http(s) URL: the file host is misconfigured. Not retried; if it persists, report it to Skytells with the prediction id.`
      case "TooManyRedirects":
        return `Output #${this.index} (${this.url}) was still redirecting (HTTP ${this.httpStatus}${
          this.location !== undefined ? ` to ${this.location}` : ""
        }) after the maximum number of redirects: probably a redirect loop. Raise \`maxRedirects\` if the host really chains that many.`
      case "Status":
        return `Output #${this.index} (${this.url}) answered HTTP ${this.httpStatus}${
          this.retryable ? " (transient; the retries were used up)" : ""
        }. Try again later.`
    }
  }
}

/**
 * An output was not downloaded whole; nothing is left under the final name (the partial file is
 * removed):
 *
 * - `Truncated`: the body ended early (fewer bytes than announced). Retried;
 * - `Stalled`: no data arrived for `idleTimeout`. Retried;
 * - `TooLarge`: the body is larger than `maxBytes` (announced by `Content-Length`, or counted while
 *   reading, which stops there). Not retried;
 * - `TimedOut`: the output was not saved within `timeout`, every attempt included. Not retried.
 *
 * @since 0.1.0
 * @category errors
 */
export class OutputIncomplete extends Schema.TaggedError<OutputIncomplete>(identifier("OutputIncomplete"))(
  "OutputIncomplete",
  {
    predictionId: Schema.optional(Schema.String),
    index: Schema.Number,
    url: Schema.String,
    reason: Schema.Literal("Truncated", "Stalled", "TooLarge", "TimedOut"),
    /** Bytes written by the last attempt. */
    receivedBytes: Schema.Number,
    expectedBytes: Schema.optional(Schema.Number),
    idleTimeout: Schema.optional(Schema.Duration),
    maxBytes: Schema.optional(Schema.Number),
    timeout: Schema.optional(Schema.Duration)
  }
) {
  override get message(): string {
    const what = `Output #${this.index} (${this.url})`
    switch (this.reason) {
      case "Truncated":
        return `${what} ended after ${this.receivedBytes} of ${
          this.expectedBytes ?? "?"
        } bytes: the connection was cut. The partial file was removed.`
      case "Stalled":
        return `${what} stopped sending data for ${
          this.idleTimeout ? Duration.format(this.idleTimeout) : "too long"
        } after ${this.receivedBytes} bytes. The partial file was removed.`
      case "TooLarge":
        return `${what} is larger than the limit of ${this.maxBytes ?? "?"} bytes (${
          this.expectedBytes !== undefined
            ? `it announced ${this.expectedBytes} bytes; nothing was read`
            : `reading stopped after ${this.receivedBytes} bytes`
        }). The partial file was removed. Raise \`maxBytes\` if the model legitimately produces files that large.`
      case "TimedOut":
        return `${what} was not saved within the timeout of ${
          this.timeout ? Duration.format(this.timeout) : "?"
        } (every attempt included; ${this.receivedBytes} bytes received by the last one). The partial file was removed. Raise \`timeout\` for large files or slow hosts.`
    }
  }
}

/**
 * The file system refused an operation (creating the directory, writing, renaming).
 *
 * @since 0.1.0
 * @category errors
 */
export class OutputWriteFailed extends Schema.TaggedError<OutputWriteFailed>(identifier("OutputWriteFailed"))(
  "OutputWriteFailed",
  {
    path: Schema.String,
    operation: Schema.String,
    description: Schema.String,
    cause: Schema.optional(Schema.Defect)
  }
) {
  override get message(): string {
    return `Could not ${this.operation} ${this.path}: ${this.description}`
  }
}

/**
 * An output storage (`OutputStorage`) refused or failed to store an output; nothing was stored under
 * that name (a multipart upload is aborted, a temporary file removed). Declared here, with the other
 * output errors, so that the internals construct it without importing the public modules;
 * `OutputStorage.ts` re-exports it.
 *
 * - `InvalidKey`: the prefix asked for is not a safe key (an empty, `.` or `..` segment, or a
 *   character outside letters, digits, `.`, `_` and `-`). Nothing was requested or written;
 * - `AccessDenied`: the storage refused the credentials or the operation;
 * - `NotFound`: the bucket (or container) does not exist;
 * - `Unavailable`: the storage did not answer, or answered with a transient error;
 * - `Failed`: any other refusal.
 *
 * @since 0.1.0
 * @category errors
 */
export class OutputStorageError extends Schema.TaggedError<OutputStorageError>(
  "@effect-skytells/client/OutputStorage/OutputStorageError"
)("OutputStorageError", {
  /** Where the output was going: `s3://bucket/key`, or the prefix for `InvalidKey`. */
  location: Schema.String,
  /** What was attempted, as a verb phrase: `upload`, `abort the upload of`. */
  operation: Schema.String,
  reason: Schema.Literal("InvalidKey", "AccessDenied", "NotFound", "Unavailable", "Failed"),
  description: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {
  override get message(): string {
    const what = `Could not ${this.operation} ${this.location}`
    switch (this.reason) {
      case "InvalidKey":
        return `Cannot store outputs under "${this.location}": ${this.description}. Use "/"-separated segments of letters, digits, ".", "_" and "-", without empty, "." or ".." segments.`
      case "AccessDenied":
        return `${what}: access denied (${this.description}). Check the storage credentials, and that they allow PutObject, CreateMultipartUpload, UploadPart, CompleteMultipartUpload and AbortMultipartUpload on this bucket and prefix. Nothing was stored.`
      case "NotFound":
        return `${what}: ${this.description}. Check that the bucket exists and that its name and the region or endpoint are right. Nothing was stored.`
      case "Unavailable":
        return `${what}: the storage did not answer or failed transiently (${this.description}). Nothing was stored; try again later.`
      case "Failed":
        return `${what}: ${this.description}. Nothing was stored under that name.`
    }
  }
}
