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
 * The parser never throws, whatever the input bytes.
 *
 * @internal
 */
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
 * An incremental parser. `feed` takes the next bytes and returns the events they complete; `end`
 * marks the end of the input, discards any incomplete event (so it returns no events: the spec never
 * dispatches an unterminated event) and resets the parser to its initial state.
 *
 * `feedInto` is `feed` without the result array: it pushes the completed events onto `out`.
 *
 * @internal
 */
export interface Parser {
  readonly feed: (bytes: Uint8Array) => Array<SseEvent>
  readonly feedInto: (bytes: Uint8Array, out: Array<SseEvent>) => void
  readonly end: () => Array<SseEvent>
}

const LF = 10
const CR = 13
const COLON = 58
const SPACE = 32
const STREAMING: TextDecodeOptions = { stream: true }

/**
 * @internal
 */
export const makeParser = (): Parser => {
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

  const dispatch = (out: Array<SseEvent>): void => {
    if (hasData) {
      out.push({
        event: eventType === "" ? "message" : eventType,
        data,
        id: lastEventId === "" ? undefined : lastEventId,
        retry
      })
      data = ""
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
        processLine(line, 0, line.length, out)
      } else {
        processLine(s, pos, eol, out)
      }
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
    if (pos < len) carry = carry.length > 0 ? carry + s.slice(pos) : s.slice(pos)
  }

  const feedInto = (bytes: Uint8Array, out: Array<SseEvent>): void => {
    scan(decoder.decode(bytes, STREAMING), out)
  }

  const feed = (bytes: Uint8Array): Array<SseEvent> => {
    const out: Array<SseEvent> = []
    scan(decoder.decode(bytes, STREAMING), out)
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
    return []
  }

  return { feed, feedInto, end }
}

/**
 * Parses a byte stream as Server-Sent Events. Each run of the resulting stream uses a fresh parser,
 * and each input chunk becomes at most one output chunk (possibly empty). Failures of `self` pass
 * through unchanged; an event left incomplete when `self` ends is discarded, as the spec says.
 *
 * @internal
 */
export const decode = <E, R>(self: Stream.Stream<Uint8Array, E, R>): Stream.Stream<SseEvent, E, R> =>
  Stream.suspend(() => {
    const parser = makeParser()
    return Stream.mapChunks(self, (chunk) => {
      const out: Array<SseEvent> = []
      for (const bytes of chunk) parser.feedInto(bytes, out)
      return Chunk.unsafeFromArray(out)
    })
  })
