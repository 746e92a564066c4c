/**
 * How `Outputs.download` writes a file atomically: the body goes to a temporary sibling, which is
 * renamed to the final name only once it is complete, and removed whenever the write does not
 * succeed. Nothing ever appears under the final name unless it is whole.
 *
 * @internal
 */
import type * as PlatformError from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Sink from "effect/Sink"
import { OutputWriteFailed } from "./outputErrors.js"
import { temporaryPathOf } from "./outputName.js"

/** @internal */
export const writeFailed = (path: string, operation: string) => (error: PlatformError.PlatformError) =>
  new OutputWriteFailed({
    path,
    operation,
    description: error.message,
    cause: error
  })

/**
 * A sink that writes every chunk to `path`, replacing what was there.
 *
 * @internal
 */
export const fileSink = (
  fs: FileSystem.FileSystem,
  path: string
): Sink.Sink<void, Uint8Array, never, OutputWriteFailed> =>
  Sink.mapError(fs.sink(path, { flag: "w" }), writeFailed(path, "write"))

/**
 * Runs `write` on a fresh temporary path next to `target`, then renames the temporary file to
 * `target`. Whatever ends it other than success (a failure of `write` or of the rename, a defect,
 * an interruption such as the overall timeout) removes the temporary file; after a success it was
 * renamed away.
 *
 * @internal
 */
export const writeAtomically = <E, R>(
  fs: FileSystem.FileSystem,
  target: string,
  write: (temporary: string) => Effect.Effect<void, E, R>
): Effect.Effect<void, E | OutputWriteFailed, R> => {
  const temporary = temporaryPathOf(target)
  return Effect.onExit(
    Effect.zipRight(
      write(temporary),
      fs.rename(temporary, target).pipe(Effect.mapError(writeFailed(target, "rename to")))
    ),
    (exit) => Exit.isSuccess(exit) ? Effect.void : Effect.ignore(fs.remove(temporary, { force: true }))
  )
}
