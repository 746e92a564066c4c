/**
 * The building blocks shared by the Inference API schemas (`ChatCompletionSchema`, `ResponseSchema`,
 * `EmbeddingSchema`, ...): nullable optional fields, open enumerations, and the `unknown` fallback
 * member of open unions.
 *
 * @internal
 */
import * as Schema from "effect/Schema"
import { JsonObject, jsonObjectWith } from "./jsonObject.js"

/**
 * An optional response field that the server may also send as `null`: `field?: A | null`, as on the
 * wire. (Mapping `null` to an absent field with `optionalWith({ nullable: true })` would make every
 * struct a transformation, which decodes several times slower; chunks are decoded once per token.)
 */
export const nullable = <S extends Schema.Schema.All>(schema: S) =>
  Schema.optionalWith(Schema.NullOr(schema), { exact: true })

/**
 * A string whose documented values are listed in the Type (for completion and narrowing) but which
 * accepts any other string, so a value added by the server does not fail the whole decode.
 */
export const openLiteral = <const Known extends ReadonlyArray<string>>(
  ...known: Known
): Schema.Schema<Known[number] | (string & {})> =>
  Schema.String.annotations({
    description: `One of ${known.map((k) => JSON.stringify(k)).join(", ")}; other values are accepted.`
  }) as unknown as Schema.Schema<Known[number] | (string & {})>

export const PositiveInt = Schema.Int.pipe(Schema.positive())

/** An object with a string `type` whose other fields are kept as they are. */
export const TypedObject = jsonObjectWith({ type: Schema.String })

/** An object whose `type` is none of the `known` ones; all its fields are kept. */
export const undocumented = (known: ReadonlyArray<string>) => {
  const knownTypes = new Set(known)
  return jsonObjectWith({
    type: Schema.String.pipe(
      Schema.filter((type) => !knownTypes.has(type) || `"${type}" is a documented type; its own schema applies`)
    )
  })
}

/**
 * The fallback member of an open union: an object whose `type` is none of the `known` ones becomes
 * `{ type: "unknown", originalType, payload }` (and encodes back to the payload). A known `type`
 * whose fields do not decode is an error (reported by its own member), never this.
 */
export const unknownVariant = (identifier: string, known: ReadonlyArray<string>) =>
  Schema.transform(
    undocumented(known),
    Schema.Struct({ type: Schema.Literal("unknown"), originalType: Schema.String, payload: JsonObject }),
    {
      strict: true,
      decode: (payload) => ({ type: "unknown" as const, originalType: payload.type, payload }),
      encode: (variant) => ({ ...variant.payload, type: variant.originalType })
    }
  ).annotations({ identifier })
