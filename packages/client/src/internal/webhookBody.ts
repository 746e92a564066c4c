/**
 * Reads a request body once, with a size limit enforced twice: on the declared `Content-Length`
 * before reading anything, and on the bytes actually received while reading (a sender can lie about
 * or omit the length, or use chunked encoding).
 *
 * @internal
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { concat } from "./bytes.js"

/** @internal */
export type ReadFailure =
  | { readonly _tag: "TooLarge"; readonly declared: number | undefined; readonly received: number | undefined }
  | { readonly _tag: "ReadFailed"; readonly cause: unknown }

/** @internal */
export const declaredLength = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  return /^\d{1,16}$/.test(trimmed) ? Number(trimmed) : undefined
}

/** @internal */
export const readBody = (
  request: HttpServerRequest.HttpServerRequest,
  limit: number
): Effect.Effect<Uint8Array, ReadFailure> => {
  const declared = declaredLength(request.headers["content-length"])
  if (declared !== undefined && declared > limit) {
    return Effect.fail({ _tag: "TooLarge", declared, received: undefined })
  }
  return request.stream.pipe(
    Stream.mapError((cause): ReadFailure => ({ _tag: "ReadFailed", cause })),
    Stream.runFoldEffect(
      { chunks: [] as Array<Uint8Array>, size: 0 },
      (acc, chunk): Effect.Effect<{ chunks: Array<Uint8Array>; size: number }, ReadFailure> => {
        const size = acc.size + chunk.byteLength
        if (size > limit) return Effect.fail({ _tag: "TooLarge", declared, received: size })
        acc.chunks.push(chunk)
        acc.size = size
        return Effect.succeed(acc)
      }
    ),
    Effect.map(({ chunks, size }) => concat(chunks, size))
  )
}
