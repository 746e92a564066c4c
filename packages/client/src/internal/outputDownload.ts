/**
 * One output of `Outputs.download` and `Outputs.save`: each attempt fetches the body and hands it to
 * the storage, which stores it atomically; the transient failures are retried, and the whole is
 * bounded by the overall timeout.
 *
 * @internal
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import type { DownloadError, RetryableError } from "../Outputs.js"
import * as P from "../Prediction.js"
import type { OutputStorageError, OutputWriteFailed } from "./outputErrors.js"
import { NoOutputs, OutputIncomplete, OutputsRemoved } from "./outputErrors.js"
import type { Common, FetchContext, Progress } from "./outputFetch.js"
import { open } from "./outputFetch.js"
import { parseHttpUrl } from "./outputName.js"
import type { Storage } from "./outputStorage.js"

/** @internal */
export interface Context<SE> extends FetchContext {
  readonly predictionId: string | undefined
  readonly storage: Storage<SE>
  readonly timeout: Duration.Duration
}

/** @internal */
export interface Item {
  readonly index: number
  readonly url: string
  readonly shownUrl: string
  /** Where the storage puts it: `<prefix>/<name>`. */
  readonly key: string
  /** `metadata.storage.files[].size` for this URL, when the prediction states it. */
  readonly expectedBytes: number | undefined
}

type Failure = DownloadError | OutputStorageError

const isRetryable = (error: Failure): error is RetryableError => {
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

const attempt = <SE>(ctx: Context<SE>, item: Item, progress: Progress): Effect.Effect<string, DownloadError | SE> => {
  const common: Common = {
    index: item.index,
    url: item.shownUrl,
    ...(ctx.predictionId ? { predictionId: ctx.predictionId } : {})
  }
  return Effect.scoped(Effect.gen(function*() {
    progress.received = 0
    const body = yield* open(ctx, item.url, common, progress)
    // Checked as the last element of the body, so that a short body fails inside the storage's put,
    // which then stores nothing, rather than after it has already committed.
    const complete = Effect.suspend(() => {
      const received = progress.received
      // The size the prediction states is only trusted as a lower bound (the unit is not documented).
      const short = body.expectedBytes !== undefined && received !== body.expectedBytes
        ? body.expectedBytes
        : item.expectedBytes !== undefined && received < item.expectedBytes
        ? item.expectedBytes
        : undefined
      return short === undefined ? Effect.void : Effect.fail(
        new OutputIncomplete({ ...common, reason: "Truncated", receivedBytes: received, expectedBytes: short })
      )
    })
    return yield* ctx.storage.put(
      { key: item.key, contentType: body.contentType, sizeHint: body.expectedBytes ?? item.expectedBytes },
      Stream.concat(body.stream, Stream.drain(Stream.fromEffect(complete)))
    )
  }))
}

/**
 * Stores one output under `item.key` and returns where it lives, retrying the transient failures
 * with `retry`, all within `ctx.timeout`.
 *
 * @internal
 */
export const downloadOne = <SE extends OutputWriteFailed | OutputStorageError>(
  ctx: Context<SE>,
  item: Item,
  retry: Schedule.Schedule<unknown, RetryableError>
): Effect.Effect<string, DownloadError | SE> => {
  const progress: Progress = { received: 0 }
  // Only retryable failures reach the schedule; the others are carried past it as values.
  const carried: Effect.Effect<Either.Either<string, DownloadError | SE>, RetryableError> = attempt(
    ctx,
    item,
    progress
  ).pipe(
    Effect.map((location) => Either.right(location)),
    Effect.catchAll((error) => isRetryable(error) ? Effect.fail(error) : Effect.succeed(Either.left(error)))
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
    Effect.flatMap((result): Effect.Effect<string, DownloadError | SE> =>
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

/**
 * The output URLs of `prediction`, or why it has none to save: removed by Skytells, not succeeded,
 * empty, or values rather than URLs.
 *
 * @internal
 */
export const outputUrlsOf = (
  prediction: P.Prediction
): Effect.Effect<ReadonlyArray<string>, OutputsRemoved | NoOutputs> => {
  const predictionId = prediction.id
  const id = predictionId !== undefined ? { predictionId } : {}
  if (prediction.data_removed === true || prediction.metadata?.data_available === false) {
    return Effect.fail(
      new OutputsRemoved({ ...id, ...(prediction.completed_at ? { completedAt: prediction.completed_at } : {}) })
    )
  }
  const urls = P.outputs(prediction)
  if (urls.length === 0) {
    return Effect.fail(
      new NoOutputs({ ...id, status: prediction.status, reason: P.isSucceeded(prediction) ? "Empty" : "NotSucceeded" })
    )
  }
  if (!urls.every((url) => parseHttpUrl(url) !== undefined)) {
    return Effect.fail(new NoOutputs({ ...id, status: prediction.status, reason: "NotFiles" }))
  }
  return Effect.succeed(urls)
}
