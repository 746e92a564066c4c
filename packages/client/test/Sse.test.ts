import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import * as FastCheck from "effect/FastCheck"
import * as Sse from "../src/internal/sse.js"

const encoder = new TextEncoder()

const toBytes = (input: string | ReadonlyArray<number>): Uint8Array =>
  typeof input === "string" ? encoder.encode(input) : Uint8Array.from(input)

const ev = (
  data: string,
  options: { readonly event?: string; readonly id?: string; readonly retry?: number } = {}
): Sse.SseEvent => ({ event: options.event ?? "message", data, id: options.id, retry: options.retry })

const parseChunks = (chunks: ReadonlyArray<Uint8Array>): Array<Sse.SseEvent> => {
  const parser = Sse.makeParser()
  const out: Array<Sse.SseEvent> = []
  for (const chunk of chunks) {
    for (const event of parser.feed(chunk)) out.push(event)
  }
  return out.concat(parser.end())
}

/**
 * Every way of cutting `bytes` that the suite checks: one chunk; two chunks at every split point
 * (including empty first and last chunks); three chunks at every pair of split points (for inputs up
 * to 96 bytes); one chunk per byte.
 */
const chunkings = function*(
  bytes: Uint8Array
): Generator<{ readonly label: string; readonly chunks: ReadonlyArray<Uint8Array> }> {
  const n = bytes.length
  yield { label: "whole", chunks: [bytes] }
  for (let i = 0; i <= n; i++) {
    yield { label: `split at ${i}`, chunks: [bytes.subarray(0, i), bytes.subarray(i)] }
  }
  if (n <= 96) {
    for (let i = 1; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        yield {
          label: `split at ${i} and ${j}`,
          chunks: [bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]
        }
      }
    }
  }
  yield { label: "byte by byte", chunks: Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)) }
}

interface Vector {
  readonly name: string
  readonly input: string | ReadonlyArray<number>
  readonly expected: ReadonlyArray<Sse.SseEvent>
}

const vectors: ReadonlyArray<Vector> = [
  { name: "one event", input: "data: hello\n\n", expected: [ev("hello")] },
  {
    name: "multi-line data is joined with LF",
    input: "data: first\ndata: second\ndata:third\n\n",
    expected: [ev("first\nsecond\nthird")]
  },
  {
    name: "event, id and retry fields",
    input: "event: add\nid: 42\nretry: 1500\ndata: {\"x\":1}\n\n",
    expected: [ev("{\"x\":1}", { event: "add", id: "42", retry: 1500 })]
  },
  {
    name: "id and retry carry over to later events; an empty id resets; ids with NUL are ignored",
    input: "id: 1\nretry: 10\ndata: a\n\ndata: b\n\nid\ndata: c\n\nid: 7\nid: 2\u0000x\ndata: d\n\nid:\ndata: e\n\n",
    expected: [
      ev("a", { id: "1", retry: 10 }),
      ev("b", { id: "1", retry: 10 }),
      ev("c", { retry: 10 }),
      ev("d", { id: "7", retry: 10 }),
      ev("e", { retry: 10 })
    ]
  },
  {
    name: "retry only accepts ASCII digits",
    input: "retry: 12a\ndata: a\n\nretry:\ndata: b\n\nretry: 300\ndata: c\n\nretry:  400\ndata: d\n\n" +
      "retry: -5\nretry: 1.5\nretry: 0\ndata: e\n\n",
    expected: [ev("a"), ev("b"), ev("c", { retry: 300 }), ev("d", { retry: 300 }), ev("e", { retry: 0 })]
  },
  {
    name: "comments are ignored, including between data lines",
    input: ": keep-alive\n\n:\n:another comment\ndata: x\n: in the middle\ndata: y\n\n",
    expected: [ev("x\ny")]
  },
  {
    name: "CRLF, CR and LF line ends mixed",
    input: "data: a\r\ndata: b\rdata: c\n\r\nevent: e\rdata: d\r\r" + "data: x\r\r\ndata: y\n\n",
    expected: [ev("a\nb\nc"), ev("d", { event: "e" }), ev("x"), ev("y")]
  },
  { name: "CRLF everywhere", input: "event: t\r\ndata: 1\r\ndata: 2\r\n\r\n", expected: [ev("1\n2", { event: "t" })] },
  { name: "CR everywhere", input: "event: t\rdata: 1\rdata: 2\r\r", expected: [ev("1\n2", { event: "t" })] },
  { name: "a CR at the very end still ends the blank line", input: "data: z\n\r", expected: [ev("z")] },
  { name: "leading BOM is dropped", input: "\uFEFFdata: bom\n\n", expected: [ev("bom")] },
  {
    name: "only one BOM is dropped (a second one is part of the first field name)",
    input: "\uFEFF\uFEFFdata: x\n\ndata: y\n\n",
    expected: [ev("y")]
  },
  {
    name: "[DONE] is plain data",
    input: "data: {\"a\":1}\n\ndata: [DONE]\n\n",
    expected: [ev("{\"a\":1}"), ev("[DONE]")]
  },
  {
    name: "empty data lines",
    input: "data\n\ndata:\n\ndata: \n\ndata:\ndata:\n\ndata: a\ndata:\n\n",
    expected: [ev(""), ev(""), ev(""), ev("\n"), ev("a\n")]
  },
  {
    name: "fields without a value or colon",
    input: "event\ndata: x\n\nevent:\ndata: y\n\nid\nretry\ndata: z\n\n",
    expected: [ev("x"), ev("y"), ev("z")]
  },
  {
    name: "unknown and misspelled fields are ignored; names are case-sensitive",
    input: "foo: bar\nDATA: no\ndataa: no\n data: no\ndat: no\ndata: yes\n\n",
    expected: [ev("yes")]
  },
  {
    name: "only one space after the colon is removed; other colons are part of the value",
    input: "data:  two\ndata:none\ndata:\ttab\ndata: a:b: c\n\n",
    expected: [ev(" two\nnone\n\ttab\na:b: c")]
  },
  {
    name: "an event without data is not dispatched, and its type does not leak",
    input: "event: ping\n\nid: 9\n\ndata: x\n\n",
    expected: [ev("x", { id: "9" })]
  },
  {
    name: "unterminated final event (no blank line) is discarded",
    input: "data: a\n\ndata: b\n",
    expected: [ev("a")]
  },
  { name: "unterminated final line is discarded", input: "data: a\n\ndata: b", expected: [ev("a")] },
  { name: "final event ended by one CR only is discarded", input: "data: a\n\ndata: c\r", expected: [ev("a")] },
  {
    name: "multi-byte UTF-8 (2, 3 and 4 bytes) in names and values",
    input: "event: ñandú\ndata: héllo 世界 🎉\nid: ключ\n\n",
    expected: [ev("héllo 世界 🎉", { event: "ñandú", id: "ключ" })]
  },
  {
    name: "invalid UTF-8 becomes U+FFFD without breaking lines",
    input: [...encoder.encode("data: "), 0xff, 0xc3, 0x0a, ...encoder.encode("data: "), 0xf0, 0x9f, 0x0a, 0x0a],
    expected: [ev("\uFFFD\uFFFD\n\uFFFD")]
  },
  {
    name: "a realistic OpenAI-style stream",
    input: ": OPENROUTER PROCESSING\n\n" +
      "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n" +
      "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\" there\"}}]}\n\n" +
      "data: [DONE]\n\n",
    expected: [
      ev("{\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}"),
      ev("{\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\" there\"}}]}"),
      ev("[DONE]")
    ]
  },
  { name: "empty input", input: "", expected: [] },
  { name: "only blank lines", input: "\n\r\n\r\r\n", expected: [] }
]

describe("Sse parser", () => {
  for (const vector of vectors) {
    it.effect(`${vector.name}: identical events for every chunking`, () =>
      Effect.sync(() => {
        const bytes = toBytes(vector.input)
        for (const { chunks, label } of chunkings(bytes)) {
          assert.deepStrictEqual(parseChunks(chunks), vector.expected, label)
        }
      }))
  }

  it.effect("a split multi-byte character yields no text until it is complete", () =>
    Effect.sync(() => {
      const bytes = encoder.encode("data: 🎉\n\n")
      const parser = Sse.makeParser()
      // "data: " is 6 bytes, the emoji 4: cut inside it twice.
      assert.deepStrictEqual(parser.feed(bytes.subarray(0, 7)), [])
      assert.deepStrictEqual(parser.feed(bytes.subarray(7, 9)), [])
      assert.deepStrictEqual(parser.feed(bytes.subarray(9)), [ev("🎉")])
    }))

  it.effect("events are returned by the feed that completes them", () =>
    Effect.sync(() => {
      const parser = Sse.makeParser()
      assert.deepStrictEqual(parser.feed(toBytes("data: a\n")), [])
      assert.deepStrictEqual(parser.feed(toBytes("\ndata: b\n\ndata: c\n\nda")), [ev("a"), ev("b"), ev("c")])
      assert.deepStrictEqual(parser.feed(toBytes("ta: d\r")), [])
      assert.deepStrictEqual(parser.feed(toBytes("\r")), [ev("d")])
    }))

  it.effect("end() discards the pending event and resets the parser", () =>
    Effect.sync(() => {
      const parser = Sse.makeParser()
      assert.deepStrictEqual(parser.feed(toBytes("id: 5\nretry: 9\ndata: a\n\ndata: pending\r")), [
        ev("a", { id: "5", retry: 9 })
      ])
      assert.deepStrictEqual(parser.end(), [])
      // A new stream: its BOM is dropped again, and id/retry start over.
      assert.deepStrictEqual(parser.feed(toBytes("\uFEFFdata: b\n\n")), [ev("b")])
    }))

  it.effect("feedInto appends to the given array", () =>
    Effect.sync(() => {
      const parser = Sse.makeParser()
      const out: Array<Sse.SseEvent> = [ev("before")]
      parser.feedInto(toBytes("data: a\n\ndata: b\n\n"), out)
      assert.deepStrictEqual(out, [ev("before"), ev("a"), ev("b")])
    }))
})

/** Feeds `chunks` to a parser with `maxEventBytes`: the events, and the overflow that stopped it. */
const parseWithLimit = (chunks: ReadonlyArray<Uint8Array>, maxEventBytes: number) => {
  const parser = Sse.makeParser({ maxEventBytes })
  const events: Array<Sse.SseEvent> = []
  let overflow: Sse.Overflow | undefined
  for (const chunk of chunks) {
    overflow = parser.feedInto(chunk, events)
    if (overflow !== undefined) break
  }
  return { events, overflow }
}

const KiB = 1024

describe("Sse parser limit (maxEventBytes)", () => {
  it.effect("a line without a line end fails once it is over the limit, not a byte before", () =>
    Effect.sync(() => {
      const parser = Sse.makeParser({ maxEventBytes: 4 * KiB })
      const out: Array<Sse.SseEvent> = []
      assert.isUndefined(parser.feedInto(toBytes("data: "), out))
      for (let sent = 6; sent + KiB <= 4 * KiB; sent += KiB) {
        assert.isUndefined(parser.feedInto(toBytes("x".repeat(KiB)), out))
      }
      assert.isUndefined(parser.feedInto(toBytes("x".repeat(KiB - 6)), out)) // exactly 4 KiB so far
      const overflow = parser.feedInto(toBytes("x"), out)
      assert.deepStrictEqual(overflow, { what: "line", limit: 4 * KiB, excerpt: `data: ${"x".repeat(294)}…` })
      assert.deepStrictEqual(out, [])
      // Stopped: later input is ignored until end(), which starts a new stream.
      assert.deepStrictEqual(parser.feedInto(toBytes("\n\ndata: a\n\n"), out), overflow)
      assert.deepStrictEqual(parser.feed(toBytes("data: a\n\n")), [])
      assert.deepStrictEqual(parser.end(), [])
      assert.deepStrictEqual(parser.feed(toBytes("data: a\n\n")), [ev("a")])
    }))

  it.effect("an endless flood of 1 MiB chunks without a line end stops at the first chunk past the limit", () =>
    Effect.sync(() => {
      const parser = Sse.makeParser({ maxEventBytes: 4 * 1024 * KiB })
      const flood = toBytes("x".repeat(1024 * KiB))
      const out: Array<Sse.SseEvent> = []
      assert.isUndefined(parser.feedInto(toBytes("data: "), out))
      let chunks = 0
      let overflow: Sse.Overflow | undefined
      while (overflow === undefined && chunks < 100) {
        overflow = parser.feedInto(flood, out)
        chunks++
      }
      assert.strictEqual(chunks, 4)
      assert.strictEqual(overflow?.what, "line")
    }))

  it.effect("the limit counts UTF-8 bytes, whether the line is complete or not", () =>
    Effect.sync(() => {
      // "data: " is 6 bytes and "é" 2: 12 of them make a 30-byte line.
      const line = `data: ${"é".repeat(12)}`
      for (const end of ["\n\n", ""]) {
        const within = parseWithLimit([toBytes(line + end)], 30)
        assert.isUndefined(within.overflow)
        const over = parseWithLimit([toBytes(`${line}é${end}`)], 30)
        assert.strictEqual(over.overflow?.what, "line")
        assert.strictEqual(over.overflow?.excerpt, `${line}é`)
      }
      assert.deepStrictEqual(parseWithLimit([toBytes(`${line}\n\n`)], 30).events, [ev("é".repeat(12))])
    }))

  it.effect("an event whose data lines together are over the limit fails; the events before it are kept", () =>
    Effect.sync(() => {
      const line = `data: ${"y".repeat(100)}\n`
      const { events, overflow } = parseWithLimit([toBytes(`data: first\n\n${line.repeat(11)}\n`)], KiB)
      assert.deepStrictEqual(events, [ev("first")])
      assert.strictEqual(overflow?.what, "event")
      assert.strictEqual(overflow?.excerpt, `${"y".repeat(100)}\n${"y".repeat(100)}\n${"y".repeat(98)}…`)
      // Ten lines: 10 * 100 bytes plus 9 line feeds is within 1 KiB.
      const ten = parseWithLimit([toBytes(`${line.repeat(10)}\n`)], KiB)
      assert.isUndefined(ten.overflow)
      assert.strictEqual(ten.events[0].data.length, 1_009)
    }))

  it.effect("a big event under the limit parses, in any chunking; many small events never add up", () =>
    Effect.sync(() => {
      const big = "z".repeat(60 * KiB)
      const bytes = toBytes(`event: big\ndata: ${big}\ndata: ${big}\n\n`)
      const expected = [ev(`${big}\n${big}`, { event: "big" })]
      for (const size of [1_000, 4 * KiB, bytes.length]) {
        const chunks = Array.from(
          { length: Math.ceil(bytes.length / size) },
          (_, i) => bytes.subarray(i * size, (i + 1) * size)
        )
        assert.deepStrictEqual(parseWithLimit(chunks, 128 * KiB), { events: expected, overflow: undefined })
      }
      const small = toBytes(`data: ${"s".repeat(100)}\n\n`.repeat(10_000))
      const many = parseWithLimit([small.subarray(0, 500_000), small.subarray(500_000)], KiB)
      assert.isUndefined(many.overflow)
      assert.strictEqual(many.events.length, 10_000)
    }))
})

describe("Sse.decode", () => {
  const collect = <A, E>(stream: Stream.Stream<A, E>) =>
    Stream.runCollect(stream).pipe(Effect.map(Chunk.toReadonlyArray))

  it.effect("parses a chunked byte stream", () =>
    Effect.gen(function*() {
      for (const vector of vectors) {
        const bytes = toBytes(vector.input)
        const perByte = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1))
        assert.deepStrictEqual(yield* collect(Sse.decode(Stream.fromIterable(perByte))), vector.expected, vector.name)
        assert.deepStrictEqual(yield* collect(Sse.decode(Stream.make(bytes))), vector.expected, vector.name)
      }
    }))

  it.effect("uses a fresh parser for every run", () =>
    Effect.gen(function*() {
      const stream = Sse.decode(Stream.make(toBytes("id: 1\ndata: x\n\ndata: partial\r")))
      const first = yield* collect(stream)
      const second = yield* collect(stream)
      assert.deepStrictEqual(first, [ev("x", { id: "1" })])
      assert.deepStrictEqual(second, first)
    }))

  it.effect("passes upstream failures through after the events before them", () =>
    Effect.gen(function*() {
      const upstream = Stream.make(toBytes("data: a\n\n"), toBytes("data: b\n")).pipe(
        Stream.concat(Stream.fail("connection reset" as const))
      )
      const result = yield* collect(Sse.decode(upstream).pipe(Stream.either))
      assert.deepStrictEqual(result, [Either.right(ev("a")), Either.left("connection reset" as const)])
    }))

  it.effect("with maxEventBytes: the events before an overflow, then onOverflow's error; the upstream is released", () =>
    Effect.gen(function*() {
      let pulled = 0
      let released = false
      // An endless line after one event: only the limit ends this stream.
      const upstream = Stream.make(toBytes("data: a\n\ndata: ")).pipe(
        Stream.concat(Stream.repeatEffect(Effect.sync(() => {
          pulled++
          return toBytes("x".repeat(100))
        }))),
        Stream.ensuring(Effect.sync(() => {
          released = true
        }))
      )
      const result = yield* collect(
        Sse.decode(upstream, { maxEventBytes: KiB, onOverflow: (overflow) => overflow }).pipe(Stream.either)
      )
      assert.deepStrictEqual(result.slice(0, 1), [Either.right(ev("a"))])
      assert.strictEqual(result.length, 2)
      const failure = result[1]
      assert.isTrue(Either.isLeft(failure) && failure.left.what === "line" && failure.left.limit === KiB)
      assert.strictEqual(pulled, 11)
      assert.isTrue(released)
    }))

  it.effect("is lazy: events are emitted before the upstream ends", () =>
    Effect.gen(function*() {
      const first = yield* Sse.decode(
        Stream.make(toBytes("data: first\n\n")).pipe(Stream.concat(Stream.never))
      ).pipe(Stream.take(1), collect)
      assert.deepStrictEqual(first, [ev("first")])
    }))
})

// =============================================================================
// Properties
// =============================================================================

const special = FastCheck.constantFrom("a", " ", ":", "é", "€", "😀", "\u0000", "\uFEFF", "data", "id:", "\t", "\n")
const anyCodePoint = FastCheck.string({ unit: "binary", minLength: 1, maxLength: 1 })
const unit = FastCheck.oneof({ weight: 2, arbitrary: special }, { weight: 3, arbitrary: anyCodePoint })
const text = FastCheck.string({ unit, maxLength: 12 })
const withoutLineBreaks = text.map((s) => s.replace(/[\r\n]/g, ""))

interface GeneratedEvent {
  readonly comment: string | undefined
  readonly event: string | undefined
  readonly id: string | undefined
  readonly retry: number | undefined
  readonly data: string
}

const generatedEvent: FastCheck.Arbitrary<GeneratedEvent> = FastCheck.record({
  comment: FastCheck.option(withoutLineBreaks, { nil: undefined }),
  event: FastCheck.option(withoutLineBreaks, { nil: undefined }),
  id: FastCheck.option(withoutLineBreaks.map((s) => s.replaceAll("\u0000", "")), { nil: undefined }),
  retry: FastCheck.option(FastCheck.nat(), { nil: undefined }),
  data: text.map((s) => s.replace(/\r/g, ""))
})

const lineEnd = FastCheck.constantFrom("\n", "\r", "\r\n")

const wire = FastCheck.record({
  bom: FastCheck.boolean(),
  events: FastCheck.array(generatedEvent, { maxLength: 8 }),
  lineEnds: FastCheck.array(lineEnd, { minLength: 1, maxLength: 16 }),
  cuts: FastCheck.array(FastCheck.nat(), { maxLength: 12 })
})

/** Serialises the events, picking line ends in turn; a blank line never follows a CR with a bare LF. */
const serialise = (
  input: {
    readonly bom: boolean
    readonly events: ReadonlyArray<GeneratedEvent>
    readonly lineEnds: ReadonlyArray<string>
  }
): string => {
  let out = input.bom ? "\uFEFF" : ""
  let turn = 0
  let previous = ""
  const line = (content: string) => {
    let end = input.lineEnds[turn++ % input.lineEnds.length]
    if (content === "" && previous === "\r" && end === "\n") end = "\r\n"
    out += content + end
    previous = end
  }
  for (const e of input.events) {
    if (e.comment !== undefined) line(":" + e.comment)
    if (e.event !== undefined) line("event: " + e.event)
    if (e.id !== undefined) line("id: " + e.id)
    if (e.retry !== undefined) line("retry: " + e.retry)
    for (const data of e.data.split("\n")) line("data: " + data)
    line("")
  }
  return out
}

const expectedEvents = (events: ReadonlyArray<GeneratedEvent>): Array<Sse.SseEvent> => {
  let id = ""
  let retry: number | undefined = undefined
  return events.map((e) => {
    if (e.id !== undefined) id = e.id
    if (e.retry !== undefined) retry = e.retry
    return {
      event: e.event === undefined || e.event === "" ? "message" : e.event,
      data: e.data,
      id: id === "" ? undefined : id,
      retry
    }
  })
}

const cut = (bytes: Uint8Array, cuts: ReadonlyArray<number>): Array<Uint8Array> => {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const chunks: Array<Uint8Array> = []
  let from = 0
  for (const point of points) {
    chunks.push(bytes.subarray(from, point))
    from = point
  }
  chunks.push(bytes.subarray(from))
  return chunks
}

const sseLikeByte = FastCheck.oneof(
  FastCheck.constantFrom(0x0a, 0x0d, 0x3a, 0x20, 0x64, 0x61, 0x74, 0x69, 0xef, 0xbb, 0xbf, 0xf0, 0x9f, 0xc3, 0x00),
  FastCheck.integer({ min: 0, max: 255 })
)

describe("Sse properties", () => {
  it.effect("serialised events parse back to the same events, however the bytes are chunked", () =>
    Effect.sync(() => {
      FastCheck.assert(
        FastCheck.property(wire, (input) => {
          const bytes = encoder.encode(serialise(input))
          const expected = expectedEvents(input.events)
          assert.deepStrictEqual(parseChunks(cut(bytes, input.cuts)), expected)
          assert.deepStrictEqual(parseChunks([bytes]), expected)
        }),
        { numRuns: 500 }
      )
    }))

  it.effect("arbitrary bytes never throw, and the result does not depend on the chunking", () =>
    Effect.sync(() => {
      FastCheck.assert(
        FastCheck.property(
          FastCheck.array(sseLikeByte, { maxLength: 200 }),
          FastCheck.array(FastCheck.nat(), { maxLength: 20 }),
          (values, cuts) => {
            const bytes = Uint8Array.from(values)
            assert.deepStrictEqual(parseChunks(cut(bytes, cuts)), parseChunks([bytes]))
          }
        ),
        { numRuns: 1000 }
      )
    }))

  it.effect("with a limit, the events and the overflow do not depend on the chunking either", () =>
    Effect.sync(() => {
      const excerptOf = (overflow: Sse.Overflow | undefined) => overflow?.excerpt.replace(/…$/, "") ?? ""
      FastCheck.assert(
        FastCheck.property(
          FastCheck.array(sseLikeByte, { maxLength: 200 }),
          FastCheck.array(FastCheck.nat(), { maxLength: 20 }),
          FastCheck.integer({ min: 1, max: 40 }),
          (values, cuts, limit) => {
            const bytes = Uint8Array.from(values)
            const chunked = parseWithLimit(cut(bytes, cuts), limit)
            const whole = parseWithLimit([bytes], limit)
            assert.deepStrictEqual(chunked.events, whole.events)
            assert.deepStrictEqual([chunked.overflow?.what, chunked.overflow?.limit], [
              whole.overflow?.what,
              whole.overflow?.limit
            ])
            // The excerpt is the line (or data) as far as it had arrived: one is the start of the other.
            const [a, b] = [excerptOf(chunked.overflow), excerptOf(whole.overflow)]
            assert.isTrue(a.startsWith(b) || b.startsWith(a))
          }
        ),
        { numRuns: 1000 }
      )
    }))
})
