/**
 * Reading a request body under a size limit, and cutting it down for the request log.
 *
 * The limit is enforced twice: on the declared `Content-Length` before anything is read, and on the
 * bytes counted while reading (a chunked body declares no length).
 *
 * @internal
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

/** @internal */
export type BodyRead =
  | { readonly _tag: "Read"; readonly bytes: Uint8Array }
  /** `size`: the declared length when refused unread, else every byte counted. */
  | { readonly _tag: "TooLarge"; readonly size: number }

const empty = new Uint8Array(0)

const declaredLength = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  return /^\d{1,16}$/.test(trimmed) ? Number(trimmed) : undefined
}

const concat = (chunks: ReadonlyArray<Uint8Array>, size: number): Uint8Array => {
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}

/**
 * Reads the body, keeping at most `limit` bytes in memory. A body that fails to arrive (the client
 * went away) reads as empty, as the fake always treated it.
 *
 * @internal
 */
export const read = (request: HttpServerRequest.HttpServerRequest, limit: number): Effect.Effect<BodyRead> => {
  const declared = declaredLength(request.headers["content-length"])
  // Answered without touching the stream: the Node server then discards the unread bytes itself.
  if (declared !== undefined && declared > limit) return Effect.succeed({ _tag: "TooLarge", size: declared })
  return request.stream.pipe(
    Stream.runFold({ chunks: [] as Array<Uint8Array>, size: 0 }, (acc, chunk) => {
      acc.size += chunk.byteLength
      // Past the limit nothing is kept, but the rest is still read and dropped: stopping the stream
      // would destroy the socket, and a client still sending would see a reset instead of the 413.
      if (acc.size <= limit) acc.chunks.push(chunk)
      else acc.chunks.length = 0
      return acc
    }),
    Effect.map(({ chunks, size }): BodyRead =>
      size > limit ? { _tag: "TooLarge", size } : { _tag: "Read", bytes: concat(chunks, size) }
    ),
    Effect.orElseSucceed((): BodyRead => ({ _tag: "Read", bytes: empty }))
  )
}

/**
 * The text of at most the first `max` bytes. A UTF-8 sequence cut at the end is dropped rather than
 * shown as a replacement character.
 *
 * @internal
 */
export const head = (bytes: Uint8Array, max: number): string =>
  new TextDecoder().decode(bytes.subarray(0, max), { stream: true })
