/**
 * Where `Outputs.save` puts a prediction's outputs: a service that stores a byte stream under a key
 * and says where it now lives. The file system is built in ({@link layerFileSystem}, what
 * `Outputs.download` does); `@effect-skytells/s3` provides S3-compatible object storage. Any other
 * storage is a {@link Service} provided under the {@link OutputStorage} tag.
 *
 * Every implementation keeps the same guarantees, which `Outputs` relies on:
 *
 * - **Atomic.** Nothing is visible under the key until the whole body is stored. A body that fails,
 *   or a put that is interrupted, leaves nothing behind (a temporary file removed, a multipart upload
 *   aborted), and fails with the body's error or a typed storage error, never a defect.
 * - **Idempotent per key.** Storing the same key again replaces the object; it is never duplicated.
 *   `Outputs.save` derives keys from the prediction id and the output names, so saving a prediction
 *   twice leaves one object per output, the last one saved.
 * - **No Skytells credentials.** A storage receives bytes, a key, a content type and a size; it
 *   never sees the API key.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Outputs, OutputStorage, Predictions } from "@effect-skytells/client"
 *
 * const program = Effect.gen(function*() {
 *   const prediction = yield* Predictions.run({ model: "truefusion", input: { prompt: "a lighthouse" } })
 *   // ./outputs/<prediction id>/<name>
 *   return yield* Outputs.save(prediction)
 * }).pipe(Effect.provide(OutputStorage.layerFileSystem("./outputs")))
 * ```
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Stream from "effect/Stream"
import type { OutputWriteFailed } from "./internal/outputErrors.js"
import { OutputStorageError } from "./internal/outputErrors.js"
import { fileStorage } from "./internal/outputStorage.js"

export {
  /**
   * A storage refused or failed to store an output; nothing was stored under that name. `reason`:
   * `InvalidKey` (an unsafe prefix), `AccessDenied`, `NotFound` (no such bucket), `Unavailable`
   * (no answer, or a transient failure), `Failed`.
   *
   * @since 0.1.0
   * @category errors
   */
  OutputStorageError
}

/**
 * What a storage can fail with: `Outputs.OutputWriteFailed` from the file system,
 * {@link OutputStorageError} from any other storage.
 *
 * @since 0.1.0
 * @category errors
 */
export type StoreError = OutputWriteFailed | OutputStorageError

/**
 * What is being stored, besides its bytes.
 *
 * @since 0.1.0
 * @category models
 */
export interface PutObject {
  /**
   * `/`-separated, relative, every segment a safe file name (`Outputs.save` guarantees it):
   * `<prefix>/<name>`.
   */
  readonly key: string
  /** The `Content-Type` the output host sent, when it sent one. */
  readonly contentType: string | undefined
  /** The size announced (`Content-Length`, or the prediction's metadata), when known: a hint only. */
  readonly sizeHint: number | undefined
}

/**
 * A place to store outputs.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * Stores `body` under `object.key` and returns where it lives (a path, an `s3://` URI). Atomic and
   * idempotent per key (see the module docs). A failure of `body` fails the put with that error,
   * and nothing is stored.
   */
  readonly put: <E>(object: PutObject, body: Stream.Stream<Uint8Array, E>) => Effect.Effect<string, E | StoreError>
}

/**
 * The storage `Outputs.save` writes to.
 *
 * @since 0.1.0
 * @category tags
 */
export class OutputStorage extends Context.Tag("@effect-skytells/client/OutputStorage")<OutputStorage, Service>() {}

/**
 * Files under `root` (resolved against the working directory): key `a/b.png` is `<root>/a/b.png`.
 * Directories are created when missing; each body is streamed to `<name>.partial-<random>` and
 * renamed into place when complete, so a file under its final name is always whole. Exactly what
 * `Outputs.download` does; a file already there is replaced.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeFileSystem = (root: string): Effect.Effect<Service, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    return fileStorage(yield* FileSystem.FileSystem, path, path.resolve(root))
  })

/**
 * The file-system storage ({@link makeFileSystem}) as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFileSystem = (root: string): Layer.Layer<OutputStorage, never, FileSystem.FileSystem | Path.Path> =>
  Layer.effect(OutputStorage, makeFileSystem(root))
