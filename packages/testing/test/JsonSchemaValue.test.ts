/**
 * The values the fake model generates from JSON Schemas. The oracle is `effect/Schema`: each JSON
 * Schema is `JSONSchema.make` of a Schema, and the value must decode with that Schema; the exact
 * values follow the documented rules (strings are the prompt, numbers its word count).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as JSONSchema from "effect/JSONSchema"
import * as Schema from "effect/Schema"
import { generate } from "../src/internal/jsonSchemaValue.js"

const prompt = "a poem about the sea"

class Author extends Schema.Class<Author>("Author")({ name: Schema.String, born: Schema.Int }) {}

interface Category {
  readonly name: string
  readonly children: ReadonlyArray<Category>
}
const Category = Schema.Struct({
  name: Schema.String,
  children: Schema.Array(Schema.suspend((): Schema.Schema<Category> => Category))
}).annotations({ identifier: "Category" })

/** What structured output is asked for, one keyword family per field. */
const Everything = Schema.Struct({
  title: Schema.String,
  short: Schema.String.pipe(Schema.maxLength(6)),
  long: Schema.String.pipe(Schema.minLength(30)),
  nonEmpty: Schema.NonEmptyString,
  id: Schema.UUID,
  code: Schema.String.pipe(Schema.pattern(/^[a-z]+$/)),
  words: Schema.Int,
  score: Schema.Number.pipe(Schema.greaterThan(2), Schema.lessThan(3)),
  rating: Schema.Int.pipe(Schema.between(10, 20)),
  small: Schema.Int.pipe(Schema.lessThanOrEqualTo(-3)),
  even: Schema.Int.pipe(Schema.multipleOf(4), Schema.greaterThan(5)),
  published: Schema.Boolean,
  mood: Schema.Literal("calm", "stormy"),
  tags: Schema.Array(Schema.String),
  pair: Schema.Tuple(Schema.String, Schema.Number),
  many: Schema.Array(Schema.Int).pipe(Schema.minItems(3)),
  author: Author,
  coauthor: Schema.NullOr(Author),
  note: Schema.optional(Schema.String),
  extra: Schema.Record({ key: Schema.String, value: Schema.Number }),
  category: Category
})

describe("values generated from a JSON Schema", () => {
  it.effect("decode with the effect Schema the JSON Schema was made from", () =>
    Effect.sync(() => {
      const value = generate(JSONSchema.make(Everything), prompt)
      const decoded = Schema.decodeUnknownSync(Everything, { onExcessProperty: "error" })(value)
      assert.deepStrictEqual(decoded.title, prompt)
      assert.deepStrictEqual(decoded.short, "a poem")
      assert.isAtLeast(decoded.long.length, 30)
      assert.strictEqual(decoded.long, `${prompt} ${prompt}`)
      assert.strictEqual(decoded.code, "apoemaboutthesea")
      assert.strictEqual(decoded.words, 5)
      assert.strictEqual(decoded.score, 2.5)
      assert.strictEqual(decoded.rating, 10)
      assert.strictEqual(decoded.small, -3)
      assert.strictEqual(decoded.even, 8)
      assert.isTrue(decoded.published)
      assert.strictEqual(decoded.mood, "calm")
      assert.deepStrictEqual(decoded.tags, [prompt])
      assert.deepStrictEqual(decoded.pair, [prompt, 5])
      assert.deepStrictEqual(decoded.many, [5, 5, 5])
      assert.deepStrictEqual(decoded.author, new Author({ name: prompt, born: 5 }))
      assert.deepStrictEqual(decoded.coauthor, new Author({ name: prompt, born: 5 }))
      assert.notProperty(decoded, "note", "only the required properties")
      assert.deepStrictEqual(decoded.extra, {})
      // A recursive schema ends: arrays nested deep enough take their minItems (none).
      let depth = 0
      for (let node: Category = decoded.category; node.children.length > 0; node = node.children[0]!) depth++
      assert.isAbove(depth, 0)
    }))

  it.effect("deterministic, and built from the prompt", () =>
    Effect.sync(() => {
      const schema = JSONSchema.make(Everything)
      assert.deepStrictEqual(generate(schema, prompt), generate(schema, prompt))
      assert.notDeepEqual(generate(schema, prompt), generate(schema, "another prompt"))
    }))

  it.effect("hand-written schemas: draft-4 bounds, prefixItems, allOf, type lists, formats, no schema", () =>
    Effect.sync(() => {
      assert.strictEqual(generate({ type: "integer", minimum: 5, exclusiveMinimum: true }, prompt), 6)
      assert.strictEqual(generate({ type: "number", maximum: 1, exclusiveMaximum: true }, prompt), 0)
      assert.strictEqual(generate({ type: "number", multipleOf: 0.5, minimum: 7.2 }, prompt), 7.5)
      assert.deepStrictEqual(
        generate({ type: "array", prefixItems: [{ type: "boolean" }, { const: "x" }], items: false }, prompt),
        [true, "x"]
      )
      assert.deepStrictEqual(generate({ type: "array", items: { type: "null" }, maxItems: 0 }, prompt), [])
      assert.deepStrictEqual(
        generate({
          allOf: [
            { type: "object", properties: { a: { type: "string" } }, required: ["a"] },
            { properties: { b: { type: ["null", "integer"] } }, required: ["b"] }
          ]
        }, prompt),
        { a: prompt, b: 5 }
      )
      assert.strictEqual(generate({ type: "string", format: "date-time" }, prompt), "2024-01-01T00:00:00.000Z")
      assert.strictEqual(generate({ type: "string", format: "email" }, prompt), "fake@skytells.fake")
      assert.strictEqual(generate({ oneOf: [{ type: "null" }, { type: "string", maxLength: 1 }] }, prompt), "a")
      assert.strictEqual(generate({ type: "string", minLength: 3 }, ""), "x x")
      assert.strictEqual(generate(undefined, prompt), prompt)
      assert.deepStrictEqual(generate({ $ref: "#/definitions/A", definitions: { A: { enum: [3, 4] } } }, prompt), 3)
    }))
})
