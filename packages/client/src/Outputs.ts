/**
 * Saving a prediction's outputs to files: {@link download} streams every output URL to a file in a
 * directory, in constant memory, with retries and an atomic rename, through `@effect/platform`'s
 * `FileSystem`, `Path` and `HttpClient` (so it runs wherever those are provided: Node, Bun, Deno).
 *
 * **The API key is never sent to output hosts.** Output URLs are CDN links on other hosts
 * (`delivery.skytells.cloud`, `cdn.skytells.ai`, ...). Downloads go through the plain
 * `HttpClient.HttpClient` of the context, not through `SkytellsClient`, and carry no `x-api-key` or
 * `Authorization` header, whatever host the URL names.
 *
 * **Outputs expire.** Skytells keeps outputs only briefly after a prediction completes: 5 minutes
 * according to the current documentation (24 hours according to an older guide), after which the
 * prediction says `data_removed: true` and the links answer 403/404/410. Download outputs as soon as
 * the prediction completes; for long jobs use a webhook (the `completed` event) rather than polling
 * later. Removed outputs fail with {@link OutputsRemoved}, dead links with {@link OutputExpired}.
 *
 * How a file is written: the body is streamed chunk by chunk to `<name>.partial-<random>` in the
 * target directory, then renamed to `<name>`. A download that is cut, times out, goes over
 * `maxBytes`, fails or is interrupted removes its temporary file, so nothing ever appears under the
 * final name unless it is complete. Files already present under a final name are replaced.
 *
 * **Bounds.** Every output is bounded in size (`maxBytes`, default 2 GiB), in total time
 * (`timeout`, default 10 minutes, every attempt included), in silence (`idleTimeout`, default 30
 * seconds) and in redirects (`maxRedirects`, default 5), so a misbehaving host can neither fill the
 * disk nor hold a download forever.
 *
 * @example
 * ```ts
 * import { NodeContext, NodeHttpClient } from "@effect/platform-node"
 * import { Effect, Layer } from "effect"
 * import { Outputs, Predictions } from "@effect-skytells/client"
 *
 * const program = Effect.gen(function*() {
 *   const prediction = yield* Predictions.run({ model: "truefusion", input: { prompt: "a lighthouse" } })
 *   const paths = yield* Outputs.download(prediction, "./out")
 *   yield* Effect.log(`saved ${paths.join(", ")}`)
 * })
 * ```
 *
 * @since 0.1.0
 */
import type * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Path from "@effect/platform/Path"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import type * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Sink from "effect/Sink"
import * as Stream from "effect/Stream"
import * as names from "./internal/outputName.js"
import { fromHttpClientError } from "./internal/transport.js"
import * as P from "./Prediction.js"
import * as Retry from "./Retry.js"
import * as SkytellsError from "./SkytellsError.js"

const identifier = (tag: string) => `@effect-skytells/client/Outputs/${tag}`

const RETENTION_ADVICE =
  "Skytells keeps outputs only briefly after completion (5 minutes per the current docs, 24 hours per an older guide): download outputs as soon as the prediction completes, and use a webhook (the completed event) for long jobs instead of polling later."

// Errors ----------------------------------------------------------------------------------------

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
 * Failures of one attempt that another attempt may fix.
 *
 * @since 0.1.0
 * @category errors
 */
export type RetryableError = OutputUnavailable | OutputIncomplete | SkytellsError.TransportError

/**
 * Everything {@link download} can fail with. A transport failure (no answer, connection reset) is
 * `SkytellsError.TransportError`, with the URL's query string removed.
 *
 * @since 0.1.0
 * @category errors
 */
export type DownloadError =
  | OutputsRemoved
  | NoOutputs
  | OutputExpired
  | OutputUnavailable
  | OutputIncomplete
  | OutputWriteFailed
  | SkytellsError.TransportError

const isRetryable = (error: DownloadError): error is RetryableError => {
  switch (error._tag) {
    case "OutputIncomplete":
      return error.reason === "Truncated" || error.reason === "Stalled"
    case "OutputUnavailable":
      return error.retryable
    case "TransportError":
      return error.reason !== "Encode" && error.reason !== "InvalidUrl"
    default:
      return false
  }
}

// Options ---------------------------------------------------------------------------------------

/**
 * The default retry policy for one output: the client's (`Retry.exponential()`: 1 s, 2 s, 4 s with
 * ±25 % jitter, at most 4 attempts). Output URLs are plain GETs, so every transient failure is safe
 * to retry.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultRetry: Schedule.Schedule<unknown, RetryableError> = Retry.exponential()

/**
 * The default {@link DownloadOptions.maxBytes}: 2 GiB, well above the images, audio and short videos
 * models produce, and still a bound on what a misbehaving host can write to disk.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_MAX_BYTES: number = 2 * 1024 * 1024 * 1024

/**
 * The default {@link DownloadOptions.timeout}: 10 minutes per output, every attempt included. At
 * that rate 2 GiB needs about 3.6 MB/s; raise it for larger files or slower links.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_TIMEOUT: Duration.Duration = Duration.minutes(10)

/**
 * @since 0.1.0
 * @category models
 */
export interface DownloadOptions {
  /** When to try an output again after a transient failure. Default {@link defaultRetry}; `Schedule.stop` for none. */
  readonly retry?: Schedule.Schedule<unknown, RetryableError> | undefined
  /** Give up on an attempt when no data arrives for this long. Default 30 seconds. */
  readonly idleTimeout?: Duration.DurationInput | undefined
  /**
   * Give up on an output that is not saved within this long, every attempt and every retry delay
   * included (`OutputIncomplete` of reason `TimedOut`). A body that keeps trickling in never trips
   * `idleTimeout`; this bounds it. Per output, not per call. Default {@link DEFAULT_TIMEOUT} (10
   * minutes); `Duration.infinity` for none.
   */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * Largest file saved, in bytes as written to disk (`OutputIncomplete` of reason `TooLarge`, not
   * retried). Default {@link DEFAULT_MAX_BYTES} (2 GiB); `Infinity` for none.
   */
  readonly maxBytes?: number | undefined
  /** Outputs downloaded at once. Default 4. */
  readonly concurrency?: number | undefined
  /** Redirects followed per output. Default 5. */
  readonly maxRedirects?: number | undefined
}

// File names ------------------------------------------------------------------------------------

/**
 * A safe file name from an output URL: the last segment of its path, percent-decoded, with every
 * character outside letters, digits, `.`, `_` and `-` replaced by `_`, no leading dots or dashes (no
 * hidden files, no `..`), no trailing dots, no Windows device names, at most 150 bytes of UTF-8 (the
 * extension kept, no character cut in half), so that the temporary name used while downloading stays
 * under the 255-byte limit of common file systems. `output` when nothing usable is left. The result
 * never contains a path separator, so joined to a directory it stays inside it.
 *
 * @since 0.1.0
 * @category file names
 */
export const fileNameOf: (url: string) => string = names.fileNameOf

/**
 * File names for a list of output URLs: {@link fileNameOf} each, and when two would collide
 * (case-insensitively, for case-insensitive file systems) every name is prefixed with its index
 * (`0-output.png`, `1-output.png`), still within 150 bytes.
 *
 * @since 0.1.0
 * @category file names
 */
export const fileNamesOf: (urls: ReadonlyArray<string>) => ReadonlyArray<string> = names.fileNamesOf

// Downloading -----------------------------------------------------------------------------------

interface Item {
  readonly index: number
  readonly url: string
  readonly shownUrl: string
  readonly target: string
  /** `metadata.storage.files[].size` for this URL, when the prediction states it. */
  readonly expectedBytes: number | undefined
}

interface Context {
  readonly predictionId: string | undefined
  readonly client: HttpClient.HttpClient.With<HttpClientError.HttpClientError, Scope.Scope>
  readonly fs: FileSystem.FileSystem
  readonly idleTimeout: Duration.Duration
  readonly timeout: Duration.Duration
  readonly maxBytes: number
  readonly maxRedirects: number
}

/**
 * Bytes the current attempt of one output has written: its errors report them, the overall timeout
 * (which fires outside the attempt) included.
 */
interface Progress {
  received: number
}

type Common = Pick<OutputIncomplete, "index" | "url" | "predictionId">

const writeFailed = (path: string, operation: string) => (error: PlatformError.PlatformError) =>
  new OutputWriteFailed({
    path,
    operation,
    description: error.message,
    cause: error
  })

const transportError = (shownUrl: string) => (error: HttpClientError.HttpClientError) => {
  const mapped = fromHttpClientError(error)
  return new SkytellsError.TransportError({
    reason: mapped.reason,
    mayHaveReachedServer: mapped.mayHaveReachedServer,
    method: mapped.method,
    url: shownUrl,
    description: mapped.description.split(error.request.url).join(shownUrl)
  })
}

const isRetryableStatus = (status: number) => status === 408 || status === 425 || status === 429 || status >= 500

/**
 * GET with redirects followed here rather than by `HttpClient.followRedirects`, which throws a
 * defect (`TypeError: Invalid URL`) on a malformed `Location` and would follow one to any scheme.
 */
const getFollowing = (
  ctx: Context,
  item: Item,
  common: Common
): Effect.Effect<HttpClientResponse.HttpClientResponse, DownloadError, Scope.Scope> => {
  const loop = (
    url: string,
    redirects: number
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, DownloadError, Scope.Scope> =>
    Effect.flatMap(ctx.client.get(url).pipe(Effect.mapError(transportError(item.shownUrl))), (response) => {
      const location = response.headers["location"]
      if (response.status < 300 || response.status >= 400 || !location) return Effect.succeed(response)
      // Redirect targets may be signed links too: errors show them without their query.
      const shown = names.redactUrl(location).slice(0, 200)
      const unavailable = (reason: "InvalidRedirect" | "TooManyRedirects") =>
        new OutputUnavailable({ ...common, httpStatus: response.status, retryable: false, reason, location: shown })
      if (redirects >= ctx.maxRedirects) return Effect.fail(unavailable("TooManyRedirects"))
      const next = names.parseHttpUrl(location, url)
      return next === undefined ? Effect.fail(unavailable("InvalidRedirect")) : loop(next.href, redirects + 1)
    })
  return loop(item.url, 0)
}

const attempt = (ctx: Context, item: Item, progress: Progress): Effect.Effect<void, DownloadError> => {
  const common: Common = {
    index: item.index,
    url: item.shownUrl,
    ...(ctx.predictionId ? { predictionId: ctx.predictionId } : {})
  }
  const temporary = names.temporaryPathOf(item.target)
  const write = Effect.scoped(Effect.gen(function*() {
    progress.received = 0
    const stalled = () =>
      new OutputIncomplete({
        ...common,
        reason: "Stalled",
        receivedBytes: progress.received,
        idleTimeout: ctx.idleTimeout
      })
    const tooLarge = (expectedBytes?: number) =>
      new OutputIncomplete({
        ...common,
        reason: "TooLarge",
        receivedBytes: progress.received,
        maxBytes: ctx.maxBytes,
        ...(expectedBytes !== undefined ? { expectedBytes } : {})
      })
    // The idle timeout bounds the wait for the headers, then the wait for each chunk of the body.
    const response = yield* getFollowing(ctx, item, common).pipe(
      Effect.timeoutFail({ duration: ctx.idleTimeout, onTimeout: stalled })
    )
    const status = response.status
    if (status === 403 || status === 404 || status === 410) {
      return yield* Effect.fail(new OutputExpired({ ...common, httpStatus: status }))
    }
    if (status < 200 || status >= 300) {
      return yield* Effect.fail(
        new OutputUnavailable({ ...common, httpStatus: status, retryable: isRetryableStatus(status) })
      )
    }
    // Content-Length counts encoded bytes: trust it only when the body was not content-encoded.
    const encoding = (response.headers["content-encoding"] ?? "identity").toLowerCase()
    const declared = Number(response.headers["content-length"])
    const expected = encoding === "identity" && response.headers["content-length"] !== undefined &&
        Number.isSafeInteger(declared)
      ? declared
      : undefined
    // An announced size over the cap fails before a byte is written; the count below catches the rest.
    if (expected !== undefined && expected > ctx.maxBytes) return yield* Effect.fail(tooLarge(expected))
    yield* response.stream.pipe(
      Stream.mapError(transportError(item.shownUrl)),
      Stream.timeoutFail(stalled, ctx.idleTimeout),
      // Failing here ends the pull from the response (its scope aborts the request): the chunk over
      // the cap is never written and the rest of the body is never read.
      Stream.mapEffect((chunk) =>
        progress.received + chunk.byteLength > ctx.maxBytes ? Effect.fail(tooLarge()) : Effect.sync(() => {
          progress.received += chunk.byteLength
          return chunk
        })
      ),
      Stream.run(Sink.mapError(ctx.fs.sink(temporary, { flag: "w" }), writeFailed(temporary, "write")))
    )
    const received = progress.received
    // The size the prediction states is only trusted as a lower bound (the unit is not documented).
    const short = expected !== undefined && received !== expected
      ? expected
      : item.expectedBytes !== undefined && received < item.expectedBytes
      ? item.expectedBytes
      : undefined
    if (short !== undefined) {
      return yield* Effect.fail(
        new OutputIncomplete({ ...common, reason: "Truncated", receivedBytes: received, expectedBytes: short })
      )
    }
    yield* ctx.fs.rename(temporary, item.target).pipe(Effect.mapError(writeFailed(item.target, "rename to")))
  }))
  // Whatever ends the attempt other than success (a failure, a defect, an interruption such as the
  // overall timeout) removes the temporary file; after a success it was renamed away.
  return Effect.onExit(
    write,
    (exit) => Exit.isSuccess(exit) ? Effect.void : Effect.ignore(ctx.fs.remove(temporary, { force: true }))
  )
}

type FatalError = Exclude<DownloadError, RetryableError>

const isFatal = (error: DownloadError): error is FatalError => !isRetryable(error)

const downloadOne = (
  ctx: Context,
  item: Item,
  retry: Schedule.Schedule<unknown, RetryableError>
): Effect.Effect<string, DownloadError> => {
  const progress: Progress = { received: 0 }
  // Only retryable failures reach the schedule; the others are carried past it as values.
  const carried: Effect.Effect<Either.Either<string, FatalError>, RetryableError> = attempt(ctx, item, progress).pipe(
    Effect.as(Either.right(item.target)),
    Effect.catchIf(isFatal, (error) => Effect.succeed(Either.left(error)))
  )
  return carried.pipe(
    Effect.retry(retry),
    // Around the retries, so it bounds the whole output. Timing out interrupts the running attempt,
    // whose finaliser removes its temporary file before the failure is returned.
    Effect.timeoutFail({
      duration: ctx.timeout,
      onTimeout: () =>
        new OutputIncomplete({
          index: item.index,
          url: item.shownUrl,
          ...(ctx.predictionId ? { predictionId: ctx.predictionId } : {}),
          reason: "TimedOut",
          receivedBytes: progress.received,
          timeout: ctx.timeout
        })
    }),
    Effect.flatMap((result): Effect.Effect<string, DownloadError> =>
      Either.isRight(result) ? Effect.succeed(result.right) : Effect.fail(result.left)
    ),
    Effect.withSpan("Outputs.downloadOne", { attributes: { index: item.index, url: item.shownUrl } })
  )
}

const expectedSizes = (prediction: P.Prediction): Map<string, number> => {
  const sizes = new Map<string, number>()
  for (const file of prediction.metadata?.storage?.files ?? []) {
    if (
      typeof file.url === "string" && typeof file.size === "number" && Number.isSafeInteger(file.size) && file.size > 0
    ) {
      sizes.set(file.url, file.size)
    }
  }
  return sizes
}

/**
 * Downloads every output of a prediction ({@link Prediction.outputs}) into `targetDirectory` (created
 * if missing) and returns the saved paths, in output order.
 *
 * - File names come from the URLs ({@link fileNamesOf}): sanitised, never outside the directory.
 * - Each body is streamed to a temporary file and renamed into place when complete (see the module
 *   docs), so memory use does not depend on file sizes and no partial file keeps a final name.
 * - Transient failures (transport errors, 408/425/429/5xx, cut or stalled bodies) are retried with
 *   `options.retry`; expired links (403/404/410), invalid redirects, bodies over `maxBytes` and the
 *   overall `timeout` are not.
 * - Requests go through the plain `HttpClient` of the context: no API key is sent to output hosts.
 *
 * On failure, outputs already saved stay (each one complete); the others leave nothing behind.
 *
 * @since 0.1.0
 * @category operations
 */
export const download = (
  prediction: P.Prediction,
  targetDirectory: string,
  options: DownloadOptions = {}
): Effect.Effect<ReadonlyArray<string>, DownloadError, HttpClient.HttpClient | FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const predictionId = prediction.id
    const id = predictionId !== undefined ? { predictionId } : {}
    if (prediction.data_removed === true || prediction.metadata?.data_available === false) {
      return yield* Effect.fail(
        new OutputsRemoved({ ...id, ...(prediction.completed_at ? { completedAt: prediction.completed_at } : {}) })
      )
    }
    const urls = P.outputs(prediction)
    if (urls.length === 0) {
      return yield* Effect.fail(
        new NoOutputs({
          ...id,
          status: prediction.status,
          reason: P.isSucceeded(prediction) ? "Empty" : "NotSucceeded"
        })
      )
    }
    if (!urls.every((url) => names.parseHttpUrl(url) !== undefined)) {
      return yield* Effect.fail(new NoOutputs({ ...id, status: prediction.status, reason: "NotFiles" }))
    }
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    // The plain client of the context, never SkytellsClient's: it adds no credentials. `withScope`
    // ties each request to its attempt's scope, so a failed or interrupted attempt aborts it.
    // Redirects are followed by `getFollowing`.
    const client = HttpClient.withScope(yield* HttpClient.HttpClient)
    const directory = path.resolve(targetDirectory)
    yield* fs.makeDirectory(directory, { recursive: true }).pipe(
      Effect.mapError(writeFailed(directory, "create the directory"))
    )
    const ctx: Context = {
      predictionId,
      client,
      fs,
      idleTimeout: Duration.decode(options.idleTimeout ?? Duration.seconds(30)),
      timeout: options.timeout !== undefined ? Duration.decode(options.timeout) : DEFAULT_TIMEOUT,
      // NaN would disable every comparison, hence the cap: it means the default, as undefined does.
      maxBytes: options.maxBytes === undefined || Number.isNaN(options.maxBytes)
        ? DEFAULT_MAX_BYTES
        : Math.max(0, options.maxBytes),
      maxRedirects: Math.max(0, Math.floor(options.maxRedirects ?? 5))
    }
    const sizes = expectedSizes(prediction)
    const fileNames = fileNamesOf(urls)
    const items = urls.map((url, index): Item => ({
      index,
      url,
      shownUrl: names.redactUrl(url),
      target: path.join(directory, path.basename(fileNames[index]!)),
      expectedBytes: sizes.get(url)
    }))
    return yield* Effect.forEach(items, (item) => downloadOne(ctx, item, options.retry ?? defaultRetry), {
      concurrency: Math.max(1, Math.floor(options.concurrency ?? 4))
    })
  }).pipe(Effect.withSpan("Outputs.download", { attributes: { predictionId: prediction.id ?? "" } }))
