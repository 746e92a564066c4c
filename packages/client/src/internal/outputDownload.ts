/**
 * One output of `Outputs.download`: each attempt fetches the body and writes it atomically, the
 * transient failures are retried, and the whole is bounded by the overall timeout.
 *
 * @internal
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import type { DownloadError, RetryableError } from "../Outputs.js"
import type * as P from "../Prediction.js"
import { OutputIncomplete } from "./outputErrors.js"
import type { Common, FetchContext, Progress } from "./outputFetch.js"
import { open } from "./outputFetch.js"
import { fileSink, writeAtomically } from "./outputFile.js"

/** @internal */
export interface Context extends FetchContext {
  readonly predictionId: string | undefined
  readonly fs: FileSystem.FileSystem
  readonly timeout: Duration.Duration
}

/** @internal */
export interface Item {
  readonly index: number
  readonly url: string
  readonly shownUrl: string
  readonly target: string
  /** `metadata.storage.files[].size` for this URL, when the prediction states it. */
  readonly expectedBytes: number | undefined
}

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

type FatalError = Exclude<DownloadError, RetryableError>

const isFatal = (error: DownloadError): error is FatalError => !isRetryable(error)

const attempt = (ctx: Context, item: Item, progress: Progress): Effect.Effect<void, DownloadError> => {
  const common: Common = {
    index: item.index,
    url: item.shownUrl,
    ...(ctx.predictionId ? { predictionId: ctx.predictionId } : {})
  }
  return writeAtomically(ctx.fs, item.target, (temporary) =>
    Effect.scoped(Effect.gen(function*() {
      progress.received = 0
      const body = yield* open(ctx, item.url, common, progress)
      yield* Stream.run(body.stream, fileSink(ctx.fs, temporary))
      const received = progress.received
      // The size the prediction states is only trusted as a lower bound (the unit is not documented).
      const short = body.expectedBytes !== undefined && received !== body.expectedBytes
        ? body.expectedBytes
        : item.expectedBytes !== undefined && received < item.expectedBytes
        ? item.expectedBytes
        : undefined
      if (short !== undefined) {
        return yield* Effect.fail(
          new OutputIncomplete({ ...common, reason: "Truncated", receivedBytes: received, expectedBytes: short })
        )
      }
    })))
}

/**
 * Saves one output to `item.target` and returns that path, retrying the transient failures with
 * `retry`, all within `ctx.timeout`.
 *
 * @internal
 */
export const downloadOne = (
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

/**
 * The sizes `metadata.storage.files` states, by URL; only positive whole numbers are kept.
 *
 * @internal
 */
export const expectedSizes = (prediction: P.Prediction): Map<string, number> => {
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
