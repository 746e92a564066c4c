/**
 * One object put through `@aws-sdk/lib-storage`'s `Upload`: the Effect stream fed to it as a web
 * `ReadableStream` (pulled, so at most `queueSize + 1` parts are in memory), the multipart upload
 * aborted whenever the put does not succeed, and AWS errors turned into `OutputStorageError`.
 *
 * @internal
 */
import type { S3Client } from "@aws-sdk/client-s3"
import { Upload } from "@aws-sdk/lib-storage"
import { OutputStorageError } from "@effect-skytells/client/OutputStorage"
import type * as OutputStorage from "@effect-skytells/client/OutputStorage"
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

/** @internal */
export interface Settings {
  readonly client: S3Client
  readonly bucket: string
  /** Already normalised: empty, or ending with `/`. */
  readonly prefix: string
  readonly partSize: number
  readonly queueSize: number
  readonly abortTimeout: Duration.Duration
}

/** S3 accepts at most 10,000 parts per upload. */
const MAX_PARTS = 10_000

/** What ends the body when the put is given up: lib-storage then aborts the multipart upload. */
class Stopped extends Error {
  override readonly name = "Stopped"
}

type Outcome = { readonly _tag: "Done" } | { readonly _tag: "Failed"; readonly error: unknown }

const ACCESS = new Set([
  "AccessDenied",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "InvalidToken",
  "AllAccessDisabled"
])
const TRANSIENT = new Set(["TimeoutError", "RequestTimeout", "SlowDown", "ServiceUnavailable", "InternalError"])
const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "ETIMEDOUT", "EPIPE", "EAI_AGAIN"])

const field = (u: unknown, key: string): unknown =>
  typeof u === "object" && u !== null && key in u ? (u as Record<string, unknown>)[key] : undefined

/** @internal */
export const storageError = (location: string, operation: string, error: unknown): OutputStorageError => {
  const name = String(field(error, "name") ?? "Error")
  const status = Number(field(field(error, "$metadata"), "httpStatusCode"))
  const code = String(field(error, "code") ?? "")
  const reason = ACCESS.has(name) || status === 401 || status === 403
    ? "AccessDenied"
    : name === "NoSuchBucket"
    ? "NotFound"
    : TRANSIENT.has(name) || NETWORK.has(code) || status === 429 || status >= 500
    ? "Unavailable"
    : "Failed"
  const message = String(field(error, "message") ?? error)
  return new OutputStorageError({
    location,
    operation,
    reason,
    description: `${name}${Number.isFinite(status) ? ` (HTTP ${status})` : ""}: ${message}`,
    cause: error
  })
}

/**
 * Stores `body` at `s3://<bucket>/<prefix><key>`. A body that fits in one part is one PutObject;
 * a larger one is a multipart upload, which S3 shows only once CompleteMultipartUpload succeeds.
 *
 * @internal
 */
export const put = (settings: Settings) =>
<E>(
  object: OutputStorage.PutObject,
  body: Stream.Stream<Uint8Array, E>
): Effect.Effect<string, E | OutputStorageError> =>
  Effect.gen(function*() {
    const key = settings.prefix + object.key
    const location = `s3://${settings.bucket}/${key}`
    const stop = yield* Deferred.make<never, Stopped>()
    const stopped = new Stopped("the upload was given up")
    // The body's own failure, kept as it is: the web stream lib-storage reads only carries it along.
    let bodyFailure: Option.Option<E> = Option.none()
    const readable = Stream.toReadableStreamRuntime(
      body.pipe(
        Stream.tapError((error) =>
          Effect.sync(() => {
            bodyFailure = Option.some(error)
          })
        ),
        Stream.interruptWhen(Deferred.await(stop))
      ),
      yield* Effect.runtime<never>()
    )
    // Parts big enough that an announced size fits in S3's 10,000 parts.
    const partSize = Math.max(settings.partSize, Math.ceil((object.sizeHint ?? 0) / MAX_PARTS))
    const upload = yield* Effect.try({
      try: () =>
        new Upload({
          client: settings.client,
          params: {
            Bucket: settings.bucket,
            Key: key,
            Body: readable,
            ...(object.contentType !== undefined ? { ContentType: object.contentType } : {})
          },
          partSize,
          queueSize: settings.queueSize,
          // lib-storage then aborts the multipart upload itself when a part or the body fails.
          leavePartsOnError: false
        }),
      catch: (error) => storageError(location, "start the upload of", error)
    })

    const isOurs = (error: unknown) => error === stopped || (Option.isSome(bodyFailure) && error === bodyFailure.value)

    // Ending the body (rather than `upload.abort()` first) makes lib-storage finish the parts in
    // flight and send AbortMultipartUpload before `done()` settles, so that once this returns no
    // upload is left open. `upload.abort()` is the fallback when that takes too long.
    const giveUp = (settled: Promise<Outcome>) =>
      Deferred.fail(stop, stopped).pipe(
        Effect.zipRight(Effect.promise(() => settled)),
        Effect.timeoutTo({
          duration: settings.abortTimeout,
          onSuccess: Option.some,
          onTimeout: () => Option.none<Outcome>()
        }),
        Effect.flatMap((outcome) => {
          if (Option.isNone(outcome)) {
            return Effect.promise(() => upload.abort()).pipe(
              Effect.zipRight(abortWarning(location, upload.uploadId, "it did not end in time"))
            )
          }
          const o = outcome.value
          return o._tag === "Failed" && !isOurs(o.error) && upload.uploadId !== undefined
            ? abortWarning(location, upload.uploadId, String(field(o.error, "message") ?? o.error))
            : Effect.void
        })
      )

    const outcome = yield* Effect.uninterruptibleMask((restore) => {
      const settled: Promise<Outcome> = upload.done().then(
        (): Outcome => ({ _tag: "Done" }),
        (error: unknown): Outcome => ({ _tag: "Failed", error })
      )
      return restore(Effect.promise(() => settled)).pipe(Effect.onInterrupt(() => giveUp(settled)))
    })
    // Whatever happened, the body's fiber ends with the put.
    yield* Deferred.fail(stop, stopped)
    if (outcome._tag === "Done") return location
    if (Option.isSome(bodyFailure)) {
      if (outcome.error !== bodyFailure.value && upload.uploadId !== undefined) {
        yield* abortWarning(location, upload.uploadId, String(field(outcome.error, "message") ?? outcome.error))
      }
      return yield* Effect.fail(bodyFailure.value)
    }
    return yield* Effect.fail(storageError(location, "upload", outcome.error))
  }).pipe(Effect.withSpan("S3OutputStorage.put", { attributes: { bucket: settings.bucket, key: object.key } }))

const abortWarning = (location: string, uploadId: string | undefined, why: string) =>
  uploadId === undefined ? Effect.void : Effect.logWarning(
    `The multipart upload ${uploadId} of ${location} may still be open (${why}): nothing is visible under the key, but its parts may be stored and billed until it is aborted. Abort it (AbortMultipartUpload), and add a lifecycle rule with AbortIncompleteMultipartUpload to the bucket.`
  )
