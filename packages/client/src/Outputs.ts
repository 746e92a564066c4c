/**
 * Saving a prediction's outputs: {@link download} streams every output URL to a file in a
 * directory, in constant memory, with retries and an atomic rename, through `@effect/platform`'s
 * `FileSystem`, `Path` and `HttpClient` (so it runs wherever those are provided: Node, Bun, Deno).
 * {@link save} does the same through the `OutputStorage` of the context: the file system, or
 * S3-compatible object storage with `@effect-skytells/s3`, with the same naming and atomicity.
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
import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Path from "@effect/platform/Path"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import type { Context, Item } from "./internal/outputDownload.js"
import { downloadOne, expectedSizes, outputUrlsOf } from "./internal/outputDownload.js"
import {
  NoOutputs,
  OutputExpired,
  OutputIncomplete,
  OutputsRemoved,
  OutputUnavailable,
  OutputWriteFailed
} from "./internal/outputErrors.js"
import { writeFailed } from "./internal/outputFile.js"
import * as names from "./internal/outputName.js"
import type { Storage } from "./internal/outputStorage.js"
import { checkPrefix, fileStorage, keyOf } from "./internal/outputStorage.js"
import * as OutputStorage from "./OutputStorage.js"
import type * as P from "./Prediction.js"
import * as Retry from "./Retry.js"
import type * as SkytellsError from "./SkytellsError.js"

// Errors ----------------------------------------------------------------------------------------

// Declared in `internal/outputErrors.ts`, so that the download internals construct them without
// importing this module; re-exported as they are, so they are the same classes.
export {
  /**
   * There is nothing to download: the prediction has not succeeded (yet), its output is empty, or its
   * outputs are values (text, numbers) rather than file URLs.
   *
   * @since 0.1.0
   * @category errors
   */
  NoOutputs,
  /**
   * An output link answered 403, 404 or 410: it expired, or the file was removed. Not retried.
   *
   * @since 0.1.0
   * @category errors
   */
  OutputExpired,
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
  OutputIncomplete,
  /**
   * The prediction's outputs were purged by Skytells (`data_removed: true`, or
   * `metadata.data_available: false`). They cannot be downloaded any more.
   *
   * @since 0.1.0
   * @category errors
   */
  OutputsRemoved,
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
  OutputUnavailable,
  /**
   * The file system refused an operation (creating the directory, writing, renaming).
   *
   * @since 0.1.0
   * @category errors
   */
  OutputWriteFailed
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
export const defaultMaxBytes: number = 2 * 1024 * 1024 * 1024

/**
 * The default {@link DownloadOptions.timeout}: 10 minutes per output, every attempt included. At
 * that rate 2 GiB needs about 3.6 MB/s; raise it for larger files or slower links.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultTimeout: Duration.Duration = Duration.minutes(10)

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
   * `idleTimeout`; this bounds it. Per output, not per call. Default {@link defaultTimeout} (10
   * minutes); `Duration.infinity` for none.
   */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * Largest file saved, in bytes as written to disk (`OutputIncomplete` of reason `TooLarge`, not
   * retried). Default {@link defaultMaxBytes} (2 GiB); `Infinity` for none.
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

/**
 * Downloads every output of a prediction ({@link Prediction.outputs}) into `targetDirectory` (created
 * if missing) and returns the saved paths, in output order. The same as {@link save} with
 * `OutputStorage.layerFileSystem(targetDirectory)` and no prefix.
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
    const urls = yield* outputUrlsOf(prediction)
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const directory = path.resolve(targetDirectory)
    yield* fs.makeDirectory(directory, { recursive: true }).pipe(
      Effect.mapError(writeFailed(directory, "create the directory"))
    )
    return yield* saveUrls(prediction, urls, fileStorage(fs, path, directory), "", options)
  }).pipe(Effect.withSpan("Outputs.download", { attributes: { predictionId: prediction.id ?? "" } }))

/**
 * @since 0.1.0
 * @category models
 */
export interface SaveOptions extends DownloadOptions {
  /**
   * The key prefix the outputs go under, `/`-separated (`users/42/renders`): `<prefix>/<name>`.
   * Default: the prediction's id, so that each prediction has its own place and saving it again
   * replaces its outputs rather than adding to them. `""` for none. Segments are checked, not
   * rewritten: an unsafe one (`..`, a space, a backslash) fails with `OutputStorageError`
   * (`InvalidKey`) before anything is requested.
   */
  readonly prefix?: string | undefined
}

/**
 * Everything {@link save} can fail with: {@link DownloadError}, and `OutputStorageError` from the
 * storage (an invalid prefix included).
 *
 * @since 0.1.0
 * @category errors
 */
export type SaveError = DownloadError | OutputStorage.OutputStorageError

/**
 * Saves every output of a prediction to the `OutputStorage` of the context (files with
 * `OutputStorage.layerFileSystem`, S3-compatible object storage with `@effect-skytells/s3`) under
 * `<prefix>/<name>` (the prefix defaults to the prediction id; names as {@link fileNamesOf}), and
 * returns where each one lives (paths, `s3://` URIs), in output order.
 *
 * Fetching, bounds and retries are those of {@link download}. The storage stores each output
 * atomically (nothing visible before it is complete, nothing left by a failure or an interruption)
 * and replaces an object already under its key: saving the same prediction twice leaves one object
 * per output. The API key reaches neither the output hosts nor the storage.
 *
 * @since 0.1.0
 * @category operations
 */
export const save = (
  prediction: P.Prediction,
  options: SaveOptions = {}
): Effect.Effect<ReadonlyArray<string>, SaveError, HttpClient.HttpClient | OutputStorage.OutputStorage> =>
  Effect.gen(function*() {
    const urls = yield* outputUrlsOf(prediction)
    const prefix = yield* checkPrefix(options.prefix ?? prediction.id ?? "")
    return yield* saveUrls(prediction, urls, yield* OutputStorage.OutputStorage, prefix, options)
  }).pipe(Effect.withSpan("Outputs.save", { attributes: { predictionId: prediction.id ?? "" } }))

const saveUrls = <SE extends OutputStorage.StoreError>(
  prediction: P.Prediction,
  urls: ReadonlyArray<string>,
  storage: Storage<SE>,
  prefix: string,
  options: DownloadOptions
): Effect.Effect<ReadonlyArray<string>, DownloadError | SE, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const ctx: Context<SE> = {
      predictionId: prediction.id,
      // The plain client of the context, never SkytellsClient's: it adds no credentials. `withScope`
      // ties each request to its attempt's scope, so a failed or interrupted attempt aborts it.
      // Redirects are followed by `internal/outputFetch`, not by the client.
      client: HttpClient.withScope(yield* HttpClient.HttpClient),
      storage,
      idleTimeout: Duration.decode(options.idleTimeout ?? Duration.seconds(30)),
      timeout: options.timeout !== undefined ? Duration.decode(options.timeout) : defaultTimeout,
      // NaN would disable every comparison, hence the cap: it means the default, as undefined does.
      maxBytes: options.maxBytes === undefined || Number.isNaN(options.maxBytes)
        ? defaultMaxBytes
        : Math.max(0, options.maxBytes),
      maxRedirects: Math.max(0, Math.floor(options.maxRedirects ?? 5))
    }
    const sizes = expectedSizes(prediction)
    const fileNames = fileNamesOf(urls)
    const items = urls.map((url, index): Item => ({
      index,
      url,
      shownUrl: names.redactUrl(url),
      key: keyOf(prefix, fileNames[index]!),
      expectedBytes: sizes.get(url)
    }))
    return yield* Effect.forEach(items, (item) => downloadOne(ctx, item, options.retry ?? defaultRetry), {
      concurrency: Math.max(1, Math.floor(options.concurrency ?? 4))
    })
  })
