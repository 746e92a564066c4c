/**
 * JSON objects kept whole decode to plain data: a `"__proto__"` key (an own data property after
 * `JSON.parse`) stays an own key instead of becoming the decoded object's prototype. Everything else
 * behaves as the `Schema.Struct(fields, Schema.Record(...))` the schemas replace.
 */
import * as InferenceSchema from "@effect-skytells/client/InferenceSchema"
import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, Effect, Either, FastCheck, JSONSchema, ParseResult, Pretty, Schema } from "effect"
import { JsonObject, jsonObjectWith } from "../src/internal/jsonObject.js"

const POLLUTED = `{"__proto__": {"polluted": true}, "prompt": "x"}`

/** The object is plain: own `__proto__` key, `Object.prototype`, nothing inherited. */
const assertPlain = (value: unknown) => {
  assert.isTrue(typeof value === "object" && value !== null)
  const record = value as Record<string, unknown>
  assert.strictEqual(Object.getPrototypeOf(record), Object.prototype)
  assert.isTrue(Object.prototype.hasOwnProperty.call(record, "__proto__"))
  assert.deepStrictEqual(Object.getOwnPropertyDescriptor(record, "__proto__")?.value, { polluted: true })
  assert.strictEqual(record.polluted, undefined)
  assert.strictEqual(({} as Record<string, unknown>).polluted, undefined)
}

const Record = Schema.Record({ key: Schema.String, value: Schema.Unknown })
const Typed = jsonObjectWith({ type: Schema.String })
const TypedStruct = Schema.Struct({ type: Schema.String }, Record)

const issueOf = (result: Either.Either<unknown, ParseResult.ParseError>) =>
  Either.isLeft(result) ? ParseResult.TreeFormatter.formatErrorSync(result.left) : "decoded"

describe("JsonObject", () => {
  it.effect("Schema.Record turns a `__proto__` key into a prototype (the defect these schemas avoid)", () =>
    Effect.sync(() => {
      const decoded = Schema.decodeUnknownSync(Record)(JSON.parse(POLLUTED)) as Record<string, unknown>
      assert.strictEqual(decoded.polluted, true)
      // A struct of known fields is not affected: unknown keys are not copied.
      const struct = Schema.decodeUnknownSync(Schema.Struct({ prompt: Schema.Unknown }))(JSON.parse(POLLUTED))
      assert.deepStrictEqual(Object.keys(struct), ["prompt"])
      assert.strictEqual(Object.getPrototypeOf(struct), Object.prototype)
    }))

  it.effect("decodes and encodes to a fresh plain object with every key, `__proto__` included", () =>
    Effect.sync(() => {
      const input = JSON.parse(POLLUTED)
      for (const options of [undefined, { onExcessProperty: "error" }, { onExcessProperty: "preserve" }] as const) {
        const decoded = Schema.decodeUnknownSync(JsonObject)(input, options)
        assertPlain(decoded)
        assert.notStrictEqual(decoded, input)
        assert.deepStrictEqual(Object.keys(decoded), ["__proto__", "prompt"])
        assertPlain(Schema.encodeSync(JsonObject)(decoded, options))
        const typed = Schema.decodeUnknownSync(Typed)(JSON.parse(`{"type": "t", ${POLLUTED.slice(1)}`), options)
        assertPlain(typed)
        assert.strictEqual(typed.type, "t")
      }
    }))

  it.effect("an object with another prototype is copied to a plain one (own enumerable string keys)", () =>
    Effect.sync(() => {
      const input = Object.assign(Object.create({ inherited: 1 }), { own: 2 })
      const decoded = Schema.decodeUnknownSync(JsonObject)(input)
      assert.strictEqual(Object.getPrototypeOf(decoded), Object.prototype)
      assert.deepStrictEqual({ ...decoded }, { own: 2 })
      assert.strictEqual(decoded.inherited, undefined)
    }))

  it.effect("reports the same errors and JSON Schema as the struct it replaces", () =>
    Effect.sync(() => {
      const pairs: ReadonlyArray<readonly [Schema.Schema<any>, Schema.Schema<any>]> = [
        [JsonObject, Record],
        [Typed, TypedStruct]
      ]
      for (const [schema, reference] of pairs) {
        assert.deepStrictEqual(JSONSchema.make(schema), JSONSchema.make(reference))
        for (const input of [null, 5, "x", [], [1], {}, { type: 1 }, { type: "t", other: [1] }]) {
          for (const options of [undefined, { errors: "all" }, { onExcessProperty: "error" }] as const) {
            assert.strictEqual(
              issueOf(Schema.decodeUnknownEither(schema)(input, options)),
              issueOf(Schema.decodeUnknownEither(reference)(input, options)),
              JSON.stringify(input)
            )
          }
        }
      }
      const Named = Typed.annotations({ identifier: "Named" })
      const NamedStruct = TypedStruct.annotations({ identifier: "Named" })
      assert.deepStrictEqual(JSONSchema.make(Named), JSONSchema.make(NamedStruct))
      assert.strictEqual(
        issueOf(Schema.decodeUnknownEither(Schema.Array(Named))([{ type: 5 }])),
        issueOf(Schema.decodeUnknownEither(Schema.Array(NamedStruct))([{ type: 5 }]))
      )
    }))

  it.effect("arbitrary, pretty and equivalence are the struct's", () =>
    Effect.sync(() => {
      const pretty = Pretty.make(Typed)
      const equivalence = Schema.equivalence(Typed)
      FastCheck.assert(
        FastCheck.property(Arbitrary.make(Typed), (value) => {
          assert.strictEqual(typeof value.type, "string")
          assert.strictEqual(pretty(value), Pretty.make(TypedStruct)(value))
          assert.isTrue(equivalence(value, { ...value }))
          assert.isTrue(Either.isRight(Schema.decodeUnknownEither(Typed)(value)))
        }),
        { numRuns: 50 }
      )
      assert.isFalse(equivalence({ type: "t", a: 1 }, { type: "t", a: 2 }))
    }))
})

describe("InferenceSchema objects kept whole", () => {
  it.effect("a function's `parameters`, an annotation and an undocumented stream event stay plain", () =>
    Effect.sync(() => {
      const tool = Schema.decodeUnknownSync(InferenceSchema.FunctionDefinition)(
        JSON.parse(`{"name": "f", "parameters": ${POLLUTED}}`)
      )
      assertPlain(tool.parameters)
      const annotation = Schema.decodeUnknownSync(InferenceSchema.Annotation)(
        JSON.parse(`{"type": "url_citation", "__proto__": {"polluted": true}}`)
      )
      assertPlain(annotation)
      assert.strictEqual(annotation.type, "url_citation")
      const event = Schema.decodeUnknownSync(InferenceSchema.ResponseStreamEvent)(
        JSON.parse(`{"type": "response.new_thing", "sequence_number": 4, "__proto__": {"polluted": true}}`)
      )
      assert.strictEqual(event.type, "unknown")
      if (event.type !== "unknown") return
      assert.strictEqual(event.originalType, "response.new_thing")
      assert.strictEqual(event.sequence_number, 4)
      assertPlain(event.payload)
    }))

  it.effect("a hosted tool keeps its fields, `__proto__` as an own key, and still rejects `function`", () =>
    Effect.sync(() => {
      const tool = Schema.decodeUnknownSync(InferenceSchema.ResponsesHostedTool)(
        JSON.parse(`{"type": "web_search", "__proto__": {"polluted": true}}`)
      )
      assertPlain(tool)
      assertPlain(Schema.encodeSync(InferenceSchema.ResponsesHostedTool)(tool))
      const rejected = Schema.decodeUnknownEither(InferenceSchema.ResponsesHostedTool)({ type: "function" })
      assert.include(issueOf(rejected), "a function tool needs `name`")
    }))
})
