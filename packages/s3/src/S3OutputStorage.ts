/**
 * An `OutputStorage` in S3 or any S3-compatible object storage (MinIO, Cloudflare R2, Backblaze B2,
 * Wasabi, Ceph, ...), through `@aws-sdk/client-s3` and `@aws-sdk/lib-storage`. Provide it to
 * `Outputs.save`: each output is streamed from the output host to `<prefix><key>` in the bucket.
 *
 * - **Constant memory.** The body is read as S3 takes it: one part of `partSize` being filled and
 *   at most `queueSize` parts being sent, so about `(queueSize + 1) × partSize` bytes (25 MiB with
 *   the defaults) whatever the size of the output.
 * - **Atomic.** A body that fits in one part is a single PutObject. A larger one is a multipart
 *   upload, which S3 shows under its key only once CompleteMultipartUpload succeeds. A body that
 *   fails (cut, too large, stalled), a part refused, or an interruption (a timeout, a cancelled
 *   fiber) aborts the multipart upload (AbortMultipartUpload) before the put returns, so nothing is
 *   visible and no parts are left stored. If the abort itself fails, a warning is logged with the
 *   upload id; a bucket lifecycle rule with `AbortIncompleteMultipartUpload` cleans up after that.
 * - **Idempotent per key.** S3 replaces an object put again under the same key: saving a
 *   prediction twice leaves one object per output (keys are `<prediction id>/<name>` by default).
 * - **Content type kept.** The output host's `Content-Type` becomes the object's.
 * - **No Skytells credentials.** Only the S3 client's own credentials are sent to the storage; the
 *   Skytells API key never reaches this module.
 *
 * Failures are `OutputStorageError` (from `@effect-skytells/client/OutputStorage`), by reason:
 * `AccessDenied`, `NotFound` (no such bucket), `Unavailable` (no answer, 5xx, throttled), `Failed`.
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Outputs, Predictions, SkytellsClient } from "@effect-skytells/client"
 * import { S3OutputStorage } from "@effect-skytells/s3"
 * import { Effect, Layer } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const prediction = yield* Predictions.run({ model: "truefusion", input: { prompt: "a lighthouse" } })
 *   // [ "s3://my-bucket/skytells/<prediction id>/output-0.png" ]
 *   return yield* Outputs.save(prediction)
 * })
 *
 * const Storage = S3OutputStorage.layer({
 *   client: { region: "eu-west-1" },
 *   bucket: "my-bucket",
 *   prefix: "skytells/"
 * })
 *
 * const main = program.pipe(
 *   Effect.provide(Layer.mergeAll(SkytellsClient.layerConfig(), Storage)),
 *   Effect.provide(NodeHttpClient.layerUndici)
 * )
 * ```
 *
 * @since 0.1.0
 */
import { S3Client } from "@aws-sdk/client-s3"
import type { S3ClientConfig } from "@aws-sdk/client-s3"
import * as OutputStorage from "@effect-skytells/client/OutputStorage"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { put } from "./internal/upload.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * An `S3Client` (left open: it is yours), or the configuration of one, which is created with the
   * layer and destroyed when its scope closes. For S3-compatible storages set `endpoint` (and
   * usually `forcePathStyle: true`).
   */
  readonly client: S3Client | S3ClientConfig
  readonly bucket: string
  /**
   * Prepended to every key, as is: `skytells/` puts `<prediction id>/output-0.png` at
   * `skytells/<prediction id>/output-0.png`. Leading slashes are dropped. Default none.
   */
  readonly prefix?: string | undefined
  /**
   * Bytes per part of a multipart upload, and the size above which an output is uploaded in parts.
   * At least 5 MiB (S3's minimum for every part but the last); default {@link defaultPartSize}.
   * Raised for an output whose announced size would need more than S3's 10,000 parts.
   */
  readonly partSize?: number | undefined
  /** Parts sent at once, per output. Default 4. Memory per output is about `(queueSize + 1) × partSize`. */
  readonly queueSize?: number | undefined
  /**
   * How long an interrupted or failed upload may take to abort (parts in flight finish first)
   * before the put returns anyway, with a warning. Default 30 seconds.
   */
  readonly abortTimeout?: Duration.DurationInput | undefined
}

/**
 * 5 MiB: S3's minimum part size.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPartSize: number = 5 * 1024 * 1024

const isClient = (client: S3Client | S3ClientConfig): client is S3Client =>
  client instanceof S3Client || typeof (client as { readonly send?: unknown }).send === "function"

/**
 * The storage, on the client given or on one created for the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<OutputStorage.Service, never, Scope.Scope> =>
  Effect.gen(function*() {
    const given = options.client
    const client = isClient(given)
      ? given
      : yield* Effect.acquireRelease(Effect.sync(() => new S3Client(given)), (c) => Effect.sync(() => c.destroy()))
    const prefix = (options.prefix ?? "").replace(/^\/+/, "")
    return OutputStorage.OutputStorage.of({
      put: put({
        client,
        bucket: options.bucket,
        prefix,
        partSize: Math.max(defaultPartSize, Math.floor(options.partSize ?? defaultPartSize)),
        queueSize: Math.max(1, Math.floor(options.queueSize ?? 4)),
        abortTimeout: Duration.decode(options.abortTimeout ?? Duration.seconds(30))
      })
    })
  })

/**
 * `OutputStorage` in the bucket, for `Outputs.save`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<OutputStorage.OutputStorage> =>
  Layer.scoped(OutputStorage.OutputStorage, make(options))
