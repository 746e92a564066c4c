/**
 * The file-system implementation of `OutputStorage` (what `Outputs.download` has always done) and
 * the rules for the keys outputs are stored under.
 *
 * @internal
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { OutputWriteFailed } from "./outputErrors.js"
import { OutputStorageError } from "./outputErrors.js"
import { fileSink, writeAtomically, writeFailed } from "./outputFile.js"
import { MAX_NAME_BYTES, utf8Length } from "./outputName.js"

/**
 * What `OutputStorage.Service` is, with the storage's own errors as a parameter, so that the file
 * version keeps `OutputWriteFailed` as its only error.
 *
 * @internal
 */
export interface Storage<SE> {
  readonly put: <E>(
    object: { readonly key: string; readonly contentType: string | undefined; readonly sizeHint: number | undefined },
    body: Stream.Stream<Uint8Array, E>
  ) => Effect.Effect<string, E | SE>
}

/**
 * Stores each key as a file under `root` (an absolute path): `a/b.png` is `<root>/a/b.png`, its
 * directories created when missing, written through a temporary sibling and a rename.
 *
 * @internal
 */
export const fileStorage = (fs: FileSystem.FileSystem, path: Path.Path, root: string): Storage<OutputWriteFailed> => ({
  put: (object, body) => {
    const target = path.join(root, ...object.key.split("/"))
    const directory = path.dirname(target)
    return fs.makeDirectory(directory, { recursive: true }).pipe(
      Effect.mapError(writeFailed(directory, "create the directory")),
      Effect.zipRight(writeAtomically(fs, target, (temporary) => Stream.run(body, fileSink(fs, temporary)))),
      Effect.as(target)
    )
  }
})

const SEGMENT = /^[\p{L}\p{N}._-]+$/u

/**
 * `prefix` checked and normalised: segments separated by `/` (leading, trailing and doubled slashes
 * dropped), each a safe file name (the characters `Outputs.fileNameOf` keeps, not `.` or `..`,
 * within the same byte limit), so that a key stays inside the storage's root whatever the storage.
 *
 * @internal
 */
export const checkPrefix = (prefix: string): Effect.Effect<string, OutputStorageError> => {
  const segments = prefix.split("/").filter((s) => s.length > 0)
  const bad = segments.find((s) => !SEGMENT.test(s) || s === "." || s === ".." || utf8Length(s) > MAX_NAME_BYTES)
  return bad === undefined ? Effect.succeed(segments.join("/")) : Effect.fail(
    new OutputStorageError({
      location: prefix,
      operation: "store outputs under",
      reason: "InvalidKey",
      description: `the segment "${bad.slice(0, 200)}" is not a safe name`
    })
  )
}

/** @internal */
export const keyOf = (prefix: string, name: string): string => prefix.length > 0 ? `${prefix}/${name}` : name
