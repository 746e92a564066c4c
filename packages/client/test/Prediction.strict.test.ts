import * as Prediction from "@effect-skytells/client/Prediction"
import { assert, describe, it } from "@effect/vitest"
import { Either, JSONSchema, ParseResult, Schema, SchemaAST } from "effect"
import { readdirSync, readFileSync } from "node:fs"

// The schema as it was before the strict twin: one struct of the public lenient pieces. It is the
// reference the strict-first `Prediction` must agree with, input for input.
const Timestamp = Schema.NullOr(Schema.String)
const Reference = Schema.Struct({
  id: Schema.optional(Schema.String),
  status: Schema.String,
  model: Prediction.lenient(Schema.Union(Schema.String, Prediction.ModelRef)),
  type: Prediction.lenient(Schema.String),
  stream: Prediction.lenient(Schema.Boolean),
  privacy: Prediction.lenient(Schema.String),
  source: Prediction.lenient(Schema.String),
  input: Prediction.lenient(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  output: Schema.optional(Schema.NullOr(Schema.Union(Schema.String, Schema.Array(Schema.String)))),
  error: Prediction.lenient(Schema.NullOr(Schema.String)),
  error_id: Prediction.lenient(Schema.NullOr(Schema.String)),
  error_message: Prediction.lenient(Schema.NullOr(Schema.String)),
  response: Prediction.lenient(Schema.NullOr(Schema.String)),
  data_removed: Prediction.lenient(Schema.Boolean),
  metrics: Prediction.lenient(Schema.NullOr(Prediction.Metrics)),
  metadata: Prediction.lenient(Schema.NullOr(Prediction.Metadata)),
  urls: Prediction.lenient(Schema.NullOr(Prediction.Urls)),
  webhook: Prediction.lenient(Schema.NullOr(Prediction.WebhookConfig)),
  created_at: Prediction.lenient(Timestamp),
  started_at: Prediction.lenient(Timestamp),
  completed_at: Prediction.lenient(Timestamp),
  updated_at: Prediction.lenient(Timestamp)
}).annotations({ identifier: "Prediction" })

// The strict twin `Prediction` tries first (white box: the declaration's first type parameter).
const strictTwin = (): Schema.Schema<unknown> => {
  const ast = Prediction.Prediction.ast
  assert.isTrue(SchemaAST.isDeclaration(ast))
  return Schema.make((ast as SchemaAST.Declaration).typeParameters[0])
}

const IGNORE = { onExcessProperty: "ignore" } as const
const OPTIONS: ReadonlyArray<SchemaAST.ParseOptions> = [
  IGNORE,
  { onExcessProperty: "ignore", errors: "all" },
  {},
  { onExcessProperty: "error" }
]

/** The error message a caller would see (`MalformedResponse.issue`), or `"decoded"`. */
const issueOf = (result: Either.Either<unknown, ParseResult.ParseError>) =>
  Either.isLeft(result) ? ParseResult.TreeFormatter.formatErrorSync(result.left) : "decoded"

const fixtureDir = new URL("./fixtures/predictions/", import.meta.url)
const fixture = (file: string): unknown => JSON.parse(readFileSync(new URL(file, fixtureDir), "utf8"))

// A seeded generator of prediction-like JSON -------------------------------------------------------

// mulberry32: small, seeded and good enough to spread the cases.
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

interface Gen {
  readonly random: () => number
  /** The chance that a field gets a value of the wrong type. */
  readonly noise: number
  /** Set once a value the strict twin rejects was generated. */
  dirty: boolean
}

type Value = (g: Gen) => unknown

const pick = <A>(g: Gen, values: ReadonlyArray<A>): A => values[Math.floor(g.random() * values.length)]!

const str: Value = (g) => pick(g, ["", "a", "truefusion", "https://api.skytells.ai/v1/p/1", "0", "ü ✓"])
const num: Value = (g) => {
  const n = pick(g, [0, 1, 42, 3.412, -1, 1e21, 100])
  return g.random() < 0.3 ? String(n) : n
}
const bool: Value = (g) => g.random() < 0.5
const nullable = (value: Value): Value => (g) => g.random() < 0.2 ? null : value(g)
const arrayOf = (value: Value): Value => (g) => Array.from({ length: Math.floor(g.random() * 3) }, () => value(g))
const oneOf = (...values: ReadonlyArray<Value>): Value => (g) => pick(g, values)(g)

/** Values of the wrong type for a field read as `kind` (`undefined` is an explicit one). */
const junk = {
  string: [5, true, null, {}, [], undefined],
  nullableString: [5, false, {}, ["x"], undefined],
  number: ["fast", "", true, null, {}, [], undefined],
  boolean: ["no", 1, null, {}, undefined],
  object: ["n/a", 5, true, [1], undefined],
  array: ["x", 5, {}, [1, "a"], undefined]
} as const

/** An optional field: absent, a valid value or (with the generator's noise) a wrong-typed one. */
const field = (value: Value, wrong: ReadonlyArray<unknown>) => (g: Gen, out: Record<string, unknown>, key: string) => {
  const roll = g.random()
  if (roll < 0.3) return
  if (roll < 0.3 + g.noise) {
    g.dirty = true
    out[key] = pick(g, wrong)
  } else {
    out[key] = value(g)
  }
}

const struct = (fields: Record<string, ReturnType<typeof field>>): Value => (g) => {
  const out: Record<string, unknown> = {}
  for (const [key, f] of Object.entries(fields)) f(g, out, key)
  if (g.random() < 0.2) out.extra_field = pick(g, [1, "x", { nested: [1] }])
  return out
}

const stringField = field(str, junk.string)
const numberField = field(num, junk.number)
const nullableStringField = field(nullable(str), junk.nullableString)

const modelRef = struct({ name: stringField, type: stringField })
const metrics = struct({
  progress: numberField,
  predict_time: numberField,
  total_time: numberField,
  image_count: numberField,
  asset_count: numberField
})
const storedFile = struct({ name: stringField, type: stringField, size: numberField, url: stringField })
const metadata = struct({
  billing: field(struct({ credits_used: numberField }), junk.object),
  storage: field(struct({ files: field(arrayOf(storedFile), junk.array) }), junk.object),
  data_available: field(bool, junk.boolean)
})
const urls = struct({ get: stringField, cancel: stringField, stream: stringField, delete: stringField })
const webhook = oneOf(str, struct({ url: nullableStringField, events: field(arrayOf(str), junk.array) }))

const statuses = ["pending", "queued", "started", "processing", "succeeded", "failed", "canceled", "cancelled"]

/** A prediction-like value; rarely one that must be rejected (bad `id`, `status` or `output`). */
const prediction = (g: Gen): unknown => {
  if (g.random() < 0.03) return pick(g, ["nope", null, 5, [], [{ status: "queued" }]])
  const out = struct({
    model: field(oneOf(str, modelRef), junk.string),
    type: stringField,
    stream: field(bool, junk.boolean),
    privacy: stringField,
    source: stringField,
    input: field((g) => ({ prompt: str(g), n: num(g) }), ["x", 5, true, undefined]),
    error: nullableStringField,
    error_id: nullableStringField,
    error_message: nullableStringField,
    response: nullableStringField,
    data_removed: field(bool, junk.boolean),
    metrics: field(nullable(metrics), junk.object),
    metadata: field(nullable(metadata), junk.object),
    urls: field(nullable(urls), junk.object),
    webhook: field(nullable(webhook), junk.object),
    created_at: nullableStringField,
    started_at: nullableStringField,
    completed_at: nullableStringField,
    updated_at: nullableStringField
  })(g) as Record<string, unknown>
  const roll = g.random()
  if (roll < 0.9) out.status = pick(g, [...statuses, " CANCELLED ", "Succeeded", "aborted"])
  else if (roll < 0.95) out.status = pick(g, [5, null, undefined])
  if (g.random() < 0.7) out.id = g.random() < 0.97 ? "a1b2c3d4" : 7
  const outputRoll = g.random()
  if (outputRoll < 0.6) out.output = pick(g, [null, "https://x/0.png", ["https://x/0.png", "https://x/1.png"], []])
  else if (outputRoll < 0.63) out.output = pick(g, [{ a: 1 }, [1], 5])
  return out
}

// Tests --------------------------------------------------------------------------------------------

describe("Prediction strict-first decoding", () => {
  it("the strict twin accepts every clean fixture, with the same result", () => {
    const strict = Schema.decodeUnknownEither(strictTwin(), IGNORE)
    const decode = Schema.decodeUnknownEither(Prediction.Prediction, IGNORE)
    // api-drift is the lenient-only fixture; the envelopes are not predictions.
    const clean = readdirSync(fixtureDir).filter((file) => file !== "api-drift.json" && !file.startsWith("envelope-"))
    assert.isAbove(clean.length, 5)
    for (const file of clean) {
      const result = strict(fixture(file))
      assert.isTrue(Either.isRight(result), file)
      assert.deepStrictEqual(result, decode(fixture(file)), file)
    }
  })

  it("falls back to the lenient schema for API drift", () => {
    const input = fixture("api-drift.json")
    assert.isTrue(Either.isLeft(Schema.decodeUnknownEither(strictTwin(), IGNORE)(input)))
    const result = Schema.decodeUnknownEither(Prediction.Prediction, IGNORE)(input)
    assert.isTrue(Either.isRight(result))
    assert.deepStrictEqual(result, Schema.decodeUnknownEither(Reference, IGNORE)(input))
  })

  it("agrees with the lenient-only reference on seeded random predictions", () => {
    const strict = Schema.decodeUnknownEither(strictTwin(), IGNORE)
    const decoders = OPTIONS.map((options) => ({
      actual: Schema.decodeUnknownEither(Prediction.Prediction, options),
      expected: Schema.decodeUnknownEither(Reference, options)
    }))
    const List = Schema.Struct({ data: Schema.Array(Prediction.Prediction) })
    const ReferenceList = Schema.Struct({ data: Schema.Array(Reference) })
    const encode = Schema.encodeEither(Prediction.Prediction)
    const encodeReference = Schema.encodeEither(Reference)
    const counts = { strict: 0, fallback: 0, rejected: 0 }

    for (const seed of [1, 2, 3, 0x5eed]) {
      const random = prng(seed)
      for (let i = 0; i < 1_000; i++) {
        const g: Gen = { random, noise: random() < 0.5 ? 0 : 0.15, dirty: false }
        const input = prediction(g)
        const label = `seed ${seed} #${i}: ${JSON.stringify(input)}`
        // Under any options: the same value, or the same message as the lenient schema's (no second
        // branch, as a union would add).
        const { actual, expected } = pick(g, decoders)
        const result = actual(input)
        const reference = expected(input)
        assert.strictEqual(issueOf(result), issueOf(reference), label)
        if (Either.isRight(reference)) assert.deepStrictEqual(result, reference, label)
        // The rest with the client's options.
        const clientReference = decoders[0]!.expected(input)
        if (Either.isLeft(clientReference)) {
          counts.rejected++
          continue
        }
        const value = clientReference.right
        if (Either.isRight(strict(input))) counts.strict++
        else counts.fallback++
        if (!g.dirty) assert.deepStrictEqual(strict(input), Either.right(value), `strict twin: ${label}`)
        // Encoding what was decoded still works, and decodes back to it.
        const encoded = encode(value)
        assert.deepStrictEqual(encoded, encodeReference(value), label)
        assert.deepStrictEqual(decoders[0]!.actual(Either.getOrThrow(encoded)), Either.right(value), label)
        if (i % 10 === 0) {
          const list = { data: [input, input] }
          assert.deepStrictEqual(
            Schema.decodeUnknownEither(List, IGNORE)(list),
            Schema.decodeUnknownEither(ReferenceList, IGNORE)(list),
            label
          )
        }
      }
    }
    // Both paths and rejections were exercised.
    assert.isAbove(counts.strict, 1_000)
    assert.isAbove(counts.fallback, 500)
    assert.isAbove(counts.rejected, 100)
  })

  it("nested errors read as the lenient schema's", () => {
    const List = Schema.Array(Prediction.Prediction)
    const ReferenceList = Schema.Array(Reference)
    for (const input of [[{ status: 5 }], [{ status: "x", output: { a: 1 } }], ["nope"], [{ id: 1, status: "x" }]]) {
      const reference = issueOf(Schema.decodeUnknownEither(ReferenceList, IGNORE)(input))
      assert.notStrictEqual(reference, "decoded")
      assert.strictEqual(issueOf(Schema.decodeUnknownEither(List, IGNORE)(input)), reference)
    }
  })

  it("introspection sees the lenient schema", () => {
    assert.deepStrictEqual(JSONSchema.make(Prediction.Prediction), JSONSchema.make(Reference))
    assert.strictEqual(
      String(SchemaAST.keyof(Prediction.Prediction.ast)),
      String(SchemaAST.keyof(Reference.ast))
    )
    assert.strictEqual(String(Prediction.Prediction.ast), "Prediction")
  })
})
