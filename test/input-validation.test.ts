/**
 * Local input validation (`Models.validateInput`): every violation listed with its path, the JSON
 * form checked, drafts, formats, unusable schemas, and no secrets echoed.
 */
import * as Models from "@effect-skytells/client/Models"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Logger, LogLevel } from "effect"

const schema = {
  type: "object",
  title: "Input",
  required: ["prompt", "size"],
  additionalProperties: false,
  $defs: { seed: { type: "integer", minimum: 0 } },
  properties: {
    prompt: { type: "string", minLength: 1, "x-order": 0 },
    size: {
      type: "object",
      required: ["width"],
      properties: {
        width: { type: "integer", minimum: 256, maximum: 2048 },
        height: { type: "integer", minimum: 256, maximum: 2048 }
      }
    },
    output_format: { type: "string", enum: ["png", "jpg", "webp"], default: "png" },
    tags: { type: "array", maxItems: 3, items: { type: "string", maxLength: 8 } },
    seed: { $ref: "#/$defs/seed" },
    strength: { anyOf: [{ type: "number", maximum: 1 }, { type: "string", enum: ["low", "high"] }] },
    api_token: { type: "string", format: "password", minLength: 40 },
    "odd key": { type: "boolean" },
    image: { type: "string", format: "uri" }
  }
}

const model = { namespace: "acme/painter", input_schema: schema }

const violationsOf = (input: unknown, options?: Models.ValidateOptions) =>
  Effect.map(
    Effect.flip(Models.validateInput(model, input, options)),
    (e) => ({ error: e, violations: (e.details as Models.InputValidationDetails).violations })
  )

describe("validateInput", () => {
  it.effect("a valid input passes", () =>
    Models.validateInput(model, {
      prompt: "a lighthouse",
      size: { width: 1024, height: 512 },
      output_format: "jpg",
      tags: ["sea", "dawn"],
      seed: 7,
      strength: "low",
      "odd key": true,
      image: "https://example.com/a.png"
    }))

  it.effect("lists every violation with its path, in the message and in details", () =>
    Effect.gen(function*() {
      const { error, violations } = yield* violationsOf({
        size: { width: 4096.5, height: 10 },
        output_format: "gif",
        tags: ["sea", "a-very-long-tag", 3, "x"],
        seed: -1,
        strength: true,
        "odd key": "yes",
        extra: 1
      })
      assert.strictEqual(error._tag, "InvalidInput")
      assert.strictEqual(error.errorId, "INVALID_INPUT")
      assert.strictEqual(error.param, "input.prompt")
      const seen = violations.map((v) => `${v.path} | ${v.keyword} | ${v.message}`)
      assert.deepStrictEqual(seen, [
        "input.prompt | required | is required",
        "input.size.width | type | must be an integer (got number)",
        "input.size.width | maximum | must be at most 2048 (got 4096.5)",
        "input.size.height | minimum | must be at least 256 (got 10)",
        `input.output_format | enum | must be one of ["png","jpg","webp"] (got "gif")`,
        "input.tags | maxItems | Array has too many items (4 > 3).",
        "input.tags[1] | maxLength | String is too long (15 > 8).",
        "input.tags[2] | type | must be a string (got integer)",
        "input.seed | minimum | must be at least 0 (got -1)",
        "input.strength | anyOf | does not match any of the allowed forms (anyOf)",
        `input["odd key"] | type | must be a boolean (got string)`,
        "input.extra | additionalProperties | is not an input of this model"
      ])
      assert.deepStrictEqual(violations.map((v) => v.pointer), [
        "/prompt",
        "/size/width",
        "/size/width",
        "/size/height",
        "/output_format",
        "/tags",
        "/tags/1",
        "/tags/2",
        "/seed",
        "/strength",
        "/odd key",
        "/extra"
      ])
      for (const v of violations) assert.include(error.message, `${v.path} ${v.message}`)
      assert.include(error.message, `model "acme/painter"`)
      assert.include(error.message, "12 problems")
      assert.include(error.message, "Nothing was sent")
      assert.include(error.resolution, "input schema")
    }))

  it.effect("the input itself must be an object", () =>
    Effect.gen(function*() {
      const { violations } = yield* violationsOf(["not", "an", "object"])
      assert.deepStrictEqual(violations[0], {
        path: "input",
        pointer: "",
        keyword: "type",
        message: "must be an object (got array)",
        schemaPath: "#/type"
      })
    }))

  it.effect("checks the JSON the server would receive: undefined fields dropped, Dates as strings", () =>
    Effect.gen(function*() {
      yield* Models.validateInput(model, { prompt: "p", size: { width: 300 }, seed: undefined })
      yield* Models.validateInput(model, { prompt: new Date(0), size: { width: 300 } })
      // NaN is sent as null
      const { violations } = yield* violationsOf({ prompt: "p", size: { width: 300 }, seed: Number.NaN })
      assert.deepStrictEqual(violations.map((v) => `${v.path}: ${v.message}`), [
        "input.seed: must be an integer (got null)"
      ])
    }))

  it.effect("an input that cannot be sent as JSON is a violation, not a defect", () =>
    Effect.gen(function*() {
      const { violations } = yield* violationsOf({ prompt: "p", size: { width: 300 }, seed: 10n })
      assert.strictEqual(violations[0].keyword, "json")
      assert.include(violations[0].message, "cannot be sent as JSON")
      const cyclic: Record<string, unknown> = { prompt: "p" }
      cyclic.self = cyclic
      const again = yield* violationsOf(cyclic)
      assert.strictEqual(again.violations[0].keyword, "json")
    }))

  it.effect("free-text values are never echoed (they may be secrets); enum values are", () =>
    Effect.gen(function*() {
      const secret = "sk-live-THIS-IS-A-SECRET"
      const { error } = yield* violationsOf({ prompt: "p", size: { width: 300 }, api_token: secret })
      assert.notInclude(error.message, secret)
      assert.notInclude(JSON.stringify(error.details), secret)
      assert.include(error.message, "input.api_token String is too short (24 < 40).")
    }))

  it.effect("format is an annotation by default, an assertion with formats: true", () =>
    Effect.gen(function*() {
      const input = { prompt: "p", size: { width: 300 }, image: "not a uri" }
      yield* Models.validateInput(model, input)
      const { violations } = yield* violationsOf(input, { formats: true })
      assert.deepStrictEqual(violations.map((v) => `${v.path}: ${v.message}`), [`input.image: must be a valid "uri"`])
    }))

  it.effect("draft-04 schemas (boolean exclusiveMinimum) follow draft-04 rules", () =>
    Effect.gen(function*() {
      const draft4 = {
        namespace: "old",
        input_schema: {
          type: "object",
          properties: { guidance: { type: "number", minimum: 0, exclusiveMinimum: true, maximum: 1 } }
        }
      }
      yield* Models.validateInput(draft4, { guidance: 1 })
      const e = yield* Effect.flip(Models.validateInput(draft4, { guidance: 0 }))
      const [v] = (e.details as Models.InputValidationDetails).violations
      assert.strictEqual(v.message, "must be greater than 0 (got 0)")
    }))

  it.effect("oneOf and not are reported once, without the branches' errors", () =>
    Effect.gen(function*() {
      const m = {
        namespace: "m",
        input_schema: {
          type: "object",
          properties: {
            a: { oneOf: [{ type: "integer" }, { type: "number" }] },
            b: { not: { type: "string" } }
          }
        }
      }
      const e = yield* Effect.flip(Models.validateInput(m, { a: 3, b: "x" }))
      const vs = (e.details as Models.InputValidationDetails).violations
      assert.deepStrictEqual(vs.map((v) => `${v.path}:${v.keyword}`), ["input.a:oneOf", "input.b:not"])
    }))

  it.effect("without input_schema, or with an unusable one, the input passes and a warning is logged", () =>
    Effect.gen(function*() {
      const logs: Array<string> = []
      const logger = Logger.make(({ message }) => {
        logs.push(String(message))
      })
      const run = <A, E>(effect: Effect.Effect<A, E>) =>
        effect.pipe(
          Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
          Logger.withMinimumLogLevel(LogLevel.All)
        )
      yield* run(Models.validateInput({ namespace: "bare" }, { anything: 1 }))
      yield* run(Models.validateInput({ namespace: "bare", input_schema: null }, { anything: 1 }))
      yield* run(
        Models.validateInput({ namespace: "broken", input_schema: { properties: { a: { $ref: "#/nowhere" } } } }, {
          a: 1
        })
      )
      yield* run(
        Models.validateInput({ namespace: "regex", input_schema: { properties: { a: { pattern: "([" } } } }, { a: "x" })
      )
      assert.lengthOf(logs, 4)
      assert.include(logs[0], `fields: ["input_schema"]`)
      assert.include(logs[2], "not validated locally")
    }))

  it.effect("the model's schema object is left untouched", () =>
    Effect.gen(function*() {
      const before = JSON.stringify(schema)
      const keys = Object.getOwnPropertyNames(schema.properties.seed)
      yield* Effect.ignore(Models.validateInput(model, { seed: "x" }))
      assert.strictEqual(JSON.stringify(schema), before)
      assert.deepStrictEqual(Object.getOwnPropertyNames(schema.properties.seed), keys)
      const frozen = Object.freeze({ namespace: "f", input_schema: Object.freeze({ type: "object", required: ["a"] }) })
      const e = yield* Effect.flip(Models.validateInput(frozen, {}))
      assert.strictEqual(e._tag, "InvalidInput")
    }))
})
