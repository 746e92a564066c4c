/**
 * `pnpm fuzz`: seeded fuzzing of the parsers that see bytes from the network, with random and
 * mutated inputs. None may throw or die.
 *
 * - `SkytellsError.fromResponse`: any status, headers and body give an error value (and its
 *   `message`, `String()` and inspection do not throw); `SkytellsError.fromFailedPrediction` and the
 *   `Prediction` schema never throw either;
 * - the SSE parser (`internal/sse.ts`): never throws, and gives the same events however the bytes
 *   are split into chunks;
 * - `Webhooks.verify`: never dies; a body signed with the secret never fails with a signature
 *   error, and a tampered body or signature never verifies.
 *
 * Options: --runs N (per target, default 3000) --seed S (default: time-based, printed) --target
 * fromResponse|sse|webhooks (default all). A failure prints the seed and the case index to replay it:
 * `pnpm fuzz --seed S --runs N`.
 */
import * as Prediction from "@effect-skytells/client/Prediction"
import * as SkytellsError from "@effect-skytells/client/SkytellsError"
import * as Webhooks from "@effect-skytells/client/Webhooks"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { inspect } from "node:util"
import * as Sse from "../../packages/client/src/internal/sse.js"
import { prng } from "../../test/soak/engine.js"

const argv = process.argv.slice(2)
const opt = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback
}
const runs = Number(opt("runs", "3000"))
const seed = Number(opt("seed", String(Date.now() % 1_000_000_007)))
const only = opt("target", "")

// Generators ----------------------------------------------------------------------------------

type Rng = () => number

const int = (r: Rng, n: number) => Math.floor(r() * n)
const pickOne = <A>(r: Rng, xs: ReadonlyArray<A>): A => xs[int(r, xs.length)]!

const nasty = [
  "",
  " ",
  "\u0000",
  "\uFEFF",
  "\uD800",
  "\uDC00",
  "é",
  "💥",
  "\r",
  "\n",
  "\r\n",
  ":",
  "data:",
  "event:",
  "id:",
  "retry:",
  "null",
  "true",
  "-",
  "NaN",
  "Infinity",
  "-1",
  "1e309",
  "0x10",
  "__proto__",
  "constructor",
  "toString",
  "{",
  "}",
  "[",
  "]",
  "\"",
  "\\",
  "sha256=",
  "Sun, 06 Nov 1994 08:49:37 GMT",
  "Thu, 01 Jan 2099 00:00:00 GMT",
  "999999999999",
  "1.5",
  "2"
]

const randomString = (r: Rng, max = 40): string => {
  const n = int(r, max)
  let s = ""
  for (let i = 0; i < n; i++) {
    const k = r()
    s += k < 0.3
      ? pickOne(r, nasty)
      : k < 0.8
      ? String.fromCharCode(32 + int(r, 95))
      : String.fromCharCode(int(r, 0xffff))
  }
  return s
}

const randomJson = (r: Rng, depth = 0): unknown => {
  const k = int(r, depth > 4 ? 5 : 8)
  switch (k) {
    case 0:
      return null
    case 1:
      return r() < 0.5
    case 2:
      return pickOne(r, [0, -1, 1.5, 1e308, -0, 429, 500, Number.MAX_SAFE_INTEGER, 2 ** 53 + 1])
    case 3:
    case 4:
      return r() < 0.5 ? randomString(r) : pickOne(r, nasty)
    case 5:
      return Array.from({ length: int(r, 4) }, () => randomJson(r, depth + 1))
    default: {
      const o: Record<string, unknown> = {}
      const keys = [
        "error",
        "error_id",
        "code",
        "message",
        "status",
        "response",
        "details",
        "id",
        "type",
        "param",
        "http_status",
        "retry_after",
        "__proto__",
        "constructor"
      ]
      for (let i = int(r, 5); i > 0; i--) {
        o[r() < 0.7 ? pickOne(r, keys) : randomString(r, 8)] = randomJson(r, depth + 1)
      }
      return o
    }
  }
}

/** Realistic error bodies, the seeds of the mutations. */
const errorIds = SkytellsError.SkytellsApiError.members.flatMap((c) => c.entry.ids)
const seedBody = (r: Rng): unknown => {
  const id = r() < 0.9 ? pickOne(r, errorIds) : randomString(r, 12)
  const message = "Something went wrong"
  switch (int(r, 5)) {
    case 0:
      return { status: false, response: message, error: { error_id: id, message, details: "d", http_status: 400 } }
    case 1:
      return { error_id: id, message }
    case 2:
      return { error: { message, type: "invalid_request_error", param: "model", code: id.toLowerCase() } }
    case 3:
      return { id: "p1", status: "failed", error: message, error_id: id }
    default:
      return { error: { error_id: id, message } }
  }
}

/** Mutates a JSON value in place-ish: replace, delete or add at a random node. */
const mutateJson = (r: Rng, v: unknown, depth = 0): unknown => {
  if (r() < 0.25 || depth > 5) return randomJson(r)
  if (Array.isArray(v)) return v.map((x) => (r() < 0.3 ? mutateJson(r, x, depth + 1) : x))
  if (typeof v === "object" && v !== null) {
    const o: Record<string, unknown> = { ...(v as Record<string, unknown>) }
    const keys = Object.keys(o)
    const k = r()
    if (k < 0.3 && keys.length > 0) delete o[pickOne(r, keys)]
    else if (k < 0.6 && keys.length > 0) {
      const key = pickOne(r, keys)
      o[key] = mutateJson(r, o[key], depth + 1)
    } else o[randomString(r, 10)] = randomJson(r)
    return o
  }
  return randomJson(r)
}

const encoder = new TextEncoder()

/** Byte-level mutations: flips, truncation, insertion, duplication. */
const mutateBytes = (r: Rng, bytes: Uint8Array): Uint8Array => {
  let b = Array.from(bytes)
  for (let i = int(r, 4) + 1; i > 0; i--) {
    const k = int(r, 5)
    const at = int(r, b.length + 1)
    if (k === 0 && b.length > 0) b[Math.min(at, b.length - 1)] = int(r, 256)
    else if (k === 1) b = b.slice(0, at)
    else if (k === 2) b.splice(at, 0, ...Array.from({ length: int(r, 8) }, () => int(r, 256)))
    else if (k === 3) b.splice(at, 0, ...b.slice(at, at + int(r, 16)))
    else b.splice(at, int(r, 8))
  }
  return Uint8Array.from(b)
}

const randomBody = (r: Rng): Uint8Array | string => {
  const k = int(r, 6)
  if (k === 0) return Uint8Array.from({ length: int(r, 200) }, () => int(r, 256))
  if (k === 1) return randomString(r, 200)
  if (k === 2) return encoder.encode(JSON.stringify(randomJson(r)))
  if (k === 3) return mutateBytes(r, encoder.encode(JSON.stringify(seedBody(r))))
  if (k === 4) return JSON.stringify(mutateJson(r, seedBody(r)))
  return r() < 0.5 ? "<html><body><h1>502 Bad Gateway</h1></body></html>" : JSON.stringify(seedBody(r))
}

const randomHeaders = (r: Rng): Record<string, string | ReadonlyArray<string> | undefined> => {
  const names = [
    "retry-after",
    "Retry-After",
    "retry-after-ms",
    "x-should-retry",
    "x-request-id",
    "content-type",
    "x-skytells-ratelimit-remaining-requests",
    "x-ratelimit-reset",
    "__proto__"
  ]
  const h: Record<string, string | ReadonlyArray<string> | undefined> = {}
  for (let i = int(r, 5); i > 0; i--) {
    const v = r() < 0.2
      ? [randomString(r, 10), randomString(r, 10)]
      : r() < 0.1
      ? undefined
      : r() < 0.5
      ? pickOne(r, nasty)
      : randomString(r, 20)
    h[r() < 0.85 ? pickOne(r, names) : randomString(r, 10)] = v
  }
  return h
}

// Targets --------------------------------------------------------------------------------------

interface Failure {
  readonly target: string
  readonly index: number
  readonly input: string
  readonly problem: string
}

const show = (u: unknown) => inspect(u, { depth: 4, maxStringLength: 300, breakLength: 160 })

const decodePrediction = Schema.decodeUnknownEither(Prediction.Prediction)

const fuzzFromResponse = (r: Rng, i: number): Failure | undefined => {
  const input = {
    status: r() < 0.8
      ? pickOne(r, [400, 401, 402, 403, 404, 409, 422, 429, 500, 502, 503, 504, 200])
      : int(r, 1000) - 10,
    headers: randomHeaders(r),
    body: randomBody(r),
    now: r() < 0.5 ? undefined : pickOne(r, [0, Date.now(), -1, NaN, 8.64e15])
  }
  try {
    const error = SkytellsError.fromResponse(input)
    if (typeof error !== "object" || error === null || typeof error._tag !== "string") {
      return { target: "fromResponse", index: i, input: show(input), problem: `not an error value: ${show(error)}` }
    }
    void error.message
    void String(error)
    void inspect(error)
    void JSON.stringify(error)
    // The same body read as a failed prediction, and as a prediction.
    let json: unknown = undefined
    try {
      json = JSON.parse(typeof input.body === "string" ? input.body : new TextDecoder().decode(input.body))
    } catch {
      json = mutateJson(r, { id: "p", status: "failed", error: "x" })
    }
    const failed = SkytellsError.fromFailedPrediction(json)
    if (failed !== undefined) void failed.message
    void decodePrediction(json)
    return undefined
  } catch (e) {
    return {
      target: "fromResponse",
      index: i,
      input: show(input),
      problem: `threw: ${e instanceof Error ? e.stack : show(e)}`
    }
  }
}

const sseSeed = [
  "data: hello\n\n",
  "event: message\ndata: {\"a\":1}\nid: 7\n\n",
  "data: first\ndata: second\n\n",
  ": comment\nretry: 1000\ndata: x\r\n\r\n",
  "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: [DONE]\n\n",
  "event: response.completed\ndata: {\"type\":\"response.completed\"}\n\n",
  "\uFEFFdata: bom\n\n",
  "data:no-space\rdata: cr\r\r"
]

const split = (r: Rng, bytes: Uint8Array): Array<Uint8Array> => {
  const chunks: Array<Uint8Array> = []
  let at = 0
  while (at < bytes.length) {
    const n = r() < 0.3 ? 1 : 1 + int(r, 12)
    chunks.push(bytes.slice(at, at + n))
    at += n
  }
  return chunks
}

const fuzzSse = (r: Rng, i: number): Failure | undefined => {
  const k = int(r, 3)
  const text = Array.from({ length: 1 + int(r, 5) }, () => pickOne(r, sseSeed)).join("")
  const bytes = k === 0
    ? Uint8Array.from(
      { length: int(r, 300) },
      () => (r() < 0.3 ? pickOne(r, [10, 13, 58, 32, 0xef, 0xbb, 0xbf]) : int(r, 256))
    )
    : k === 1
    ? mutateBytes(r, encoder.encode(text))
    : encoder.encode(text + randomString(r, 50) + (r() < 0.5 ? "\n\n" : ""))
  try {
    const whole = Sse.makeParser()
    const a = [...whole.feed(bytes), ...whole.end()]
    const parts = Sse.makeParser()
    const b: Array<Sse.SseEvent> = []
    for (const c of split(r, bytes)) parts.feedInto(c, b)
    for (const e of parts.end()) b.push(e)
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      return {
        target: "sse",
        index: i,
        input: show(Buffer.from(bytes).toString("base64")),
        problem: `chunking changed the events:\n${show(a)}\nvs\n${show(b)}`
      }
    }
    return undefined
  } catch (e) {
    return {
      target: "sse",
      index: i,
      input: show(Buffer.from(bytes).toString("base64")),
      problem: `threw: ${e instanceof Error ? e.stack : show(e)}`
    }
  }
}

const secret = Redacted.make("whsec_fuzz_0123456789")
const otherSecret = Redacted.make("whsec_other")
const eventSeed = {
  type: "prediction.succeeded",
  created_at: "2026-03-20T08:15:12.000000Z",
  data: {
    id: "0f3e5c1a",
    status: "succeeded",
    model: { name: "flux-pro", type: "image" },
    output: ["https://x/0.webp"]
  }
}

const fuzzWebhooks = (r: Rng, i: number): Effect.Effect<Failure | undefined> =>
  Effect.gen(function*() {
    const k = int(r, 4)
    const body: Uint8Array | string = k === 0
      ? JSON.stringify(mutateJson(r, eventSeed))
      : k === 1
      ? mutateBytes(r, encoder.encode(JSON.stringify(eventSeed)))
      : k === 2
      ? randomBody(r)
      : JSON.stringify(eventSeed)
    const mode = int(r, 5)
    // 0: signed correctly; 1: signed with another secret; 2: random signature; 3: signed, then body tampered; 4: no header
    const signed = yield* Webhooks.sign(body, mode === 1 ? otherSecret : secret, {
      format: r() < 0.5 ? "bare" : "prefixed"
    })
    const signature = mode === 2 ? (r() < 0.5 ? `sha256=${randomString(r, 70)}` : randomString(r, 70)) : signed
    let sent: Uint8Array | string = body
    if (mode === 3) {
      const bytes = typeof body === "string" ? encoder.encode(body) : body
      const tampered = mutateBytes(r, bytes)
      // A mutation may give back the same bytes; only a real change must fail.
      if (Buffer.compare(Buffer.from(tampered), Buffer.from(bytes)) === 0) sent = body
      else sent = tampered
    }
    const headers: Record<string, string | ReadonlyArray<string> | undefined> = mode === 4
      ? randomHeaders(r)
      : { "x-skytells-signature": signature, ...(r() < 0.3 ? randomHeaders(r) : {}) }
    if (mode !== 4 && r() < 0.1) headers["X-Skytells-Signature"] = signature
    const rotated = r() < 0.2
    const exit = yield* Effect.exit(
      Webhooks.verify({ body: sent, headers, secret: rotated ? [otherSecret, secret] : secret })
    )
    const input = show({ body: typeof sent === "string" ? sent : Buffer.from(sent).toString("base64"), headers, mode })
    if (Exit.isFailure(exit)) {
      if (!Cause.isFailType(exit.cause) && Cause.isDie(exit.cause)) {
        return { target: "webhooks", index: i, input, problem: `died: ${Cause.pretty(exit.cause)}` }
      }
      const error = Cause.failureOption(exit.cause)
      if (error._tag === "None") {
        return { target: "webhooks", index: i, input, problem: `no typed failure: ${Cause.pretty(exit.cause)}` }
      }
      const tag = (error.value as { _tag: string })._tag
      void String(error.value)
      const correctlySigned = mode === 0 || (mode === 1 && rotated) || (mode === 3 && sent === body)
      if (correctlySigned && tag !== "WebhookPayloadInvalid") {
        return { target: "webhooks", index: i, input, problem: `a correctly signed body failed with ${tag}` }
      }
    } else {
      const shouldFail = (mode === 1 && !rotated) || mode === 2 || (mode === 3 && sent !== body) || mode === 4
      // A random header set (mode 4) may carry no signature; a random signature cannot match.
      if (shouldFail) {
        return { target: "webhooks", index: i, input, problem: "a body that is not signed with the secret verified" }
      }
    }
    return undefined
  }).pipe(
    Effect.catchAllDefect((d) =>
      Effect.succeed<Failure>({ target: "webhooks", index: i, input: "?", problem: `defect: ${show(d)}` })
    )
  )

// Main ------------------------------------------------------------------------------------------

const main = async () => {
  console.error(`fuzz: seed ${seed}, ${runs} runs per target`)
  const failures: Array<Failure> = []
  const t0 = performance.now()
  const counts: Record<string, number> = {}
  const run = async (name: string, f: (r: Rng, i: number) => Failure | undefined | Promise<Failure | undefined>) => {
    if (only !== "" && only !== name) return
    // Each case has its own stream of randomness: case i of seed s is reproducible on its own.
    const t = performance.now()
    for (let i = 0; i < runs; i++) {
      const r = prng((seed ^ Math.imul(i + 1, 0x9e3779b1) ^ name.length * 7919) >>> 0)
      const failure = await f(r, i)
      if (failure) failures.push(failure)
    }
    counts[name] = runs
    console.error(
      `  ${name}: ${runs} cases in ${((performance.now() - t) / 1000).toFixed(1)} s, ${
        failures.filter((f) => f.target === name).length
      } failures`
    )
  }
  await run("fromResponse", fuzzFromResponse)
  await run("sse", fuzzSse)
  await run("webhooks", (r, i) => Effect.runPromise(fuzzWebhooks(r, i)))
  const seconds = (performance.now() - t0) / 1000
  console.log(
    `fuzz seed ${seed}: ${Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(", ")} cases in ${
      seconds.toFixed(1)
    } s; ${failures.length} failures`
  )
  for (const f of failures.slice(0, 10)) {
    console.log(
      `\n[${f.target} #${f.index}] ${f.problem}\ninput: ${f.input}\nreplay: pnpm fuzz --seed ${seed} --runs ${
        f.index + 1
      } --target ${f.target}`
    )
  }
  process.exit(failures.length === 0 ? 0 : 1)
}

main().catch((e) => {
  console.error(e)
  process.exit(2)
})
