/**
 * A Server-Sent Events parser following the WHATWG HTML "event stream interpretation" algorithm
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation):
 *
 * - the bytes are UTF-8 decoded as one stream (a character may be split across chunks; invalid
 *   sequences become U+FFFD; one leading BOM is dropped);
 * - lines end with CRLF, LF or CR, and a CR that ends one chunk followed by an LF that starts the
 *   next is a single line end;
 * - `data` lines are joined with "\n"; `event` sets the type (default `"message"`); `id` sets the
 *   last event id unless the value contains U+0000; `retry` sets the reconnection time when the
 *   value is ASCII digits only; lines starting with `:` are comments; a line without a colon is a
 *   field with an empty value; one space after the colon is removed; other fields are ignored;
 * - a blank line dispatches the event, unless no `data` line was seen since the previous blank line;
 * - at end of input, an event without its terminating blank line is discarded.
 *
 * The parser never throws, whatever the input bytes. It holds at most one unfinished line and the
 * `data` of one event; with `maxEventBytes`, a line or an event's `data` (its lines joined) longer
 * than that many bytes stops the parser with an {@link Overflow} instead of growing without bound
 * (a server sending bytes without a line end would otherwise exhaust memory, and no idle timeout
 * fires while bytes keep coming).
 *
 * @internal
 */
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Stream from "effect/Stream"

/**
 * One dispatched event.
 *
 * - `event`: the `event` field, or `"message"` when absent or empty.
 * - `data`: the `data` lines joined with `"\n"`.
 * - `id`: the stream's last event id when the event was dispatched (as the spec says, it carries
 *   over to later events until another `id` line changes it); `undefined` when never set or reset
 *   with an empty `id` line. This is the value to send as `Last-Event-ID` on reconnection.
 * - `retry`: the stream's reconnection time in milliseconds, as last set by a valid `retry` line
 *   (it also carries over); `undefined` when never set.
 *
 * @internal
 */
export interface SseEvent {
  readonly event: string
  readonly data: string
  readonly id: string | undefined
  readonly retry: number | undefined
}

/**
 * Why a parser stopped: one line, or the `data` of one event, is longer than `limit` bytes.
 * `excerpt` is its start, as far as it had arrived (at most 300 characters, then "…").
 *
 * @internal
 */
export interface Overflow {
  readonly what: "line" | "event"
  readonly limit: number
  readonly excerpt: string
}

/**
 * An incremental parser. `feed` takes the next bytes and returns the events they complete; `end`
 * marks the end of the input, discards any incomplete event (so it returns no events: the spec never
 * dispatches an unterminated event) and resets the parser to its initial state.
 *
 * `feedInto` is `feed` without the result array: it pushes the completed events onto `out`, and
 * returns the {@link Overflow} that stopped the parser, if any. A stopped parser drops what it held
 * and ignores its input (`feed` returns no events) until `end`.
 *
 * @internal
 */
export interface Parser {
  readonly feed: (bytes: Uint8Array) => Array<SseEvent>
  readonly feedInto: (bytes: Uint8Array, out: Array<SseEvent>) => Overflow | undefined
  readonly end: () => Array<SseEvent>
}

const LF = 10
const CR = 13
const COLON = 58
const SPACE = 32
const STREAMING: TextDecodeOptions = { stream: true }
const EXCERPT = 300

/**
 * The UTF-8 size of s[start, end). The text comes from a `TextDecoder`, so surrogates come in pairs
 * (4 bytes for 2 code units).
 */
const utf8Length = (s: string, start: number, end: number): number => {
  let n = end - start
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x80) n += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2
  }
  return n
}

/**
 * `maxEventBytes`: the largest line, and the largest `data` of one event (its lines joined with
 * "\n"), in UTF-8 bytes of the decoded text (the bytes received, for valid UTF-8). No limit when
 * absent.
 *
 * @internal
 */
export const makeParser = (options?: { readonly maxEventBytes?: number | undefined }): Parser => {
  const limit = options?.maxEventBytes ?? Infinity
  // A UTF-16 code unit comes from at most 3 UTF-8 bytes: text of at most `limit / 3` code units is
  // within the limit without being measured, so ordinary events cost one comparison, never a scan.
  const unmeasured = Math.floor(limit / 3)
  // `ignoreBOM: false` (the default) makes the decoder drop one BOM at the start of the stream only.
  let decoder = new TextDecoder("utf-8")
  // The start of a line whose end has not been seen yet.
  let carry = ""
  // The previous text ended with CR: an LF at the start of the next text belongs to that line end.
  let skipLF = false
  let data = ""
  let hasData = false
  let eventType = ""
  let lastEventId = ""
  let retry: number | undefined = undefined
  // The UTF-8 sizes of `carry` and `data` once they are past `unmeasured` (-1 before): kept up to
  // date piece by piece, so a long line arriving in small chunks is not measured again and again.
  let carryBytes = -1
  let dataBytes = -1
  let overflow: Overflow | undefined = undefined

  const stop = (what: Overflow["what"], text: string): void => {
    overflow = {
      what,
      limit,
      excerpt: text.length > EXCERPT ? `${text.slice(0, EXCERPT)}…` : text
    }
    carry = ""
    data = ""
    hasData = false
  }

  const dispatch = (out: Array<SseEvent>): void => {
    if (hasData) {
      out.push({
        event: eventType === "" ? "message" : eventType,
        data,
        id: lastEventId === "" ? undefined : lastEventId,
        retry
      })
      data = ""
      dataBytes = -1
      hasData = false
    }
    eventType = ""
  }

  // Processes the line s[start, end) without its line end.
  const processLine = (s: string, start: number, end: number, out: Array<SseEvent>): void => {
    if (start === end) {
      dispatch(out)
      return
    }
    if (end - start > unmeasured && (end - start > limit || utf8Length(s, start, end) > limit)) {
      stop("line", s.slice(start, Math.min(end, start + EXCERPT + 1)))
      return
    }
    if (s.charCodeAt(start) === COLON) return
    let colon = start
    while (colon < end && s.charCodeAt(colon) !== COLON) colon++
    let valueStart = colon < end ? colon + 1 : end
    if (valueStart < end && s.charCodeAt(valueStart) === SPACE) valueStart++
    switch (colon - start) {
      case 4: {
        if (s.startsWith("data", start)) {
          const value = s.slice(valueStart, end)
          if (hasData) {
            data = data + "\n" + value
          } else {
            data = value
            hasData = true
          }
          if (data.length > unmeasured) {
            dataBytes = dataBytes < 0
              ? utf8Length(data, 0, data.length)
              : dataBytes + 1 + utf8Length(value, 0, value.length)
            if (dataBytes > limit) stop("event", data)
          }
        }
        return
      }
      case 5: {
        if (s.startsWith("event", start)) {
          eventType = s.slice(valueStart, end)
        } else if (s.startsWith("retry", start) && valueStart < end) {
          let n = 0
          for (let i = valueStart; i < end; i++) {
            const c = s.charCodeAt(i) - 48
            if (c < 0 || c > 9) return
            n = n * 10 + c
          }
          retry = n
        }
        return
      }
      case 2: {
        if (s.startsWith("id", start)) {
          const value = s.slice(valueStart, end)
          if (value.indexOf("\u0000") === -1) lastEventId = value
        }
        return
      }
    }
  }

  const scan = (s: string, out: Array<SseEvent>): void => {
    const len = s.length
    if (len === 0) return
    let pos = 0
    if (skipLF) {
      skipLF = false
      if (s.charCodeAt(0) === LF) pos = 1
    }
    // Positions of the next LF and CR at or after `pos`; -1 once there are no more.
    let nextLF = s.indexOf("\n", pos)
    let nextCR = s.indexOf("\r", pos)
    while (pos < len) {
      if (nextLF !== -1 && nextLF < pos) nextLF = s.indexOf("\n", pos)
      if (nextCR !== -1 && nextCR < pos) nextCR = s.indexOf("\r", pos)
      const eol = nextLF === -1 ? nextCR : nextCR === -1 ? nextLF : nextLF < nextCR ? nextLF : nextCR
      if (eol === -1) break
      if (carry.length > 0) {
        const line = carry + s.slice(pos, eol)
        carry = ""
        carryBytes = -1
        processLine(line, 0, line.length, out)
      } else {
        processLine(s, pos, eol, out)
      }
      if (overflow !== undefined) return
      if (s.charCodeAt(eol) === CR) {
        if (eol + 1 < len) {
          pos = s.charCodeAt(eol + 1) === LF ? eol + 2 : eol + 1
        } else {
          pos = len
          skipLF = true
        }
      } else {
        pos = eol + 1
      }
    }
    if (pos < len) {
      carry = carry.length > 0 ? carry + s.slice(pos) : s.slice(pos)
      if (carry.length > unmeasured) {
        carryBytes = carryBytes < 0 ? utf8Length(carry, 0, carry.length) : carryBytes + utf8Length(s, pos, len)
        if (carryBytes > limit) stop("line", carry.slice(0, EXCERPT + 1))
      }
    }
  }

  const feedInto = (bytes: Uint8Array, out: Array<SseEvent>): Overflow | undefined => {
    if (overflow === undefined) scan(decoder.decode(bytes, STREAMING), out)
    return overflow
  }

  const feed = (bytes: Uint8Array): Array<SseEvent> => {
    const out: Array<SseEvent> = []
    feedInto(bytes, out)
    return out
  }

  const end = (): Array<SseEvent> => {
    decoder = new TextDecoder("utf-8")
    carry = ""
    skipLF = false
    data = ""
    hasData = false
    eventType = ""
    lastEventId = ""
    retry = undefined
    carryBytes = -1
    dataBytes = -1
    overflow = undefined
    return []
  }

  return { feed, feedInto, end }
}

/**
 * Parses a byte stream as Server-Sent Events. Each run of the resulting stream uses a fresh parser,
 * and each input chunk becomes at most one output chunk (possibly empty). Failures of `self` pass
 * through unchanged; an event left incomplete when `self` ends is discarded, as the spec says.
 *
 * With `maxEventBytes` (see {@link makeParser}), a line or event over the limit ends the stream with
 * `onOverflow`'s error, after the events completed before it: `self` is not read any further (it is
 * interrupted, which releases an HTTP body).
 *
 * @internal
 */
export const decode = <E, R, E2 = never>(
  self: Stream.Stream<Uint8Array, E, R>,
  options?: {
    readonly maxEventBytes: number
    readonly onOverflow: (overflow: Overflow) => E2
  }
): Stream.Stream<SseEvent, E | E2, R> =>
  Stream.suspend(() => {
    const parser = makeParser(options)
    const loop: Channel.Channel<Chunk.Chunk<SseEvent>, Chunk.Chunk<Uint8Array>, E | E2, E, unknown, unknown> = Channel
      .readWithCause({
        onInput: (chunk: Chunk.Chunk<Uint8Array>) => {
          const out: Array<SseEvent> = []
          for (const bytes of chunk) {
            const overflow = parser.feedInto(bytes, out)
            // Only a parser with a limit overflows: `options` is set.
            if (overflow !== undefined) {
              return Channel.zipRight(
                Channel.write(Chunk.unsafeFromArray(out)),
                Channel.fail(options!.onOverflow(overflow))
              )
            }
          }
          return Channel.zipRight(Channel.write(Chunk.unsafeFromArray(out)), loop)
        },
        onFailure: Channel.failCause,
        onDone: () => Channel.void
      })
    return Stream.pipeThroughChannel(self, loop)
  })
