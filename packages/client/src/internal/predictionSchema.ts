/**
 * How the Prediction schema is built: lenient fields (a value of the wrong type is dropped), the
 * fields defined once and built twice (lenient, and a strict twin tried first because it decodes a
 * clean payload faster), and the declared schema that joins the two.
 *
 * @internal
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as SchemaAST from "effect/SchemaAST"
import type { Prediction, PredictionEncoded, Status } from "../Prediction.js"
import { JsonObject } from "./jsonObject.js"

/** Any value, read as `undefined`: the fallback of a lenient field. */
const Dropped = Schema.transform(Schema.Unknown, Schema.Undefined, {
  strict: true,
  decode: () => undefined,
  encode: () => undefined
})

/** An optional field whose value is dropped (read as absent) when it does not match `schema`. @internal */
export const lenient = <S extends Schema.Schema.Any>(schema: S) => Schema.optional(Schema.Union(schema, Dropped))

/** A number, also accepted as a numeric string (some payloads send `"0.03"`). @internal */
export const LenientNumber = Schema.Union(Schema.Number, Schema.NumberFromString)
const LenientBoolean = Schema.Boolean
const Timestamp = Schema.NullOr(Schema.String)

// The schema accepts any string; the type keeps the documented values visible to the editor.
const StatusSchema: Schema.Schema<Status, string> = Schema.String

/** How an optional field is wrapped: {@link lenient}, or an exact optional for the strict twin. */
type Field = typeof lenient

// The fields are defined once and built twice: leniently (the public schema) and strictly, without
// the per-field fallback and `| undefined` unions. The strict build is tried first and decodes a clean
// payload in ~40 % less time. It accepts a subset of the lenient inputs and decodes them to the same
// values (JSON has no `undefined`; an explicit one falls back), so it is typed as the lenient build.
const make = (field: Field) => {
  const ModelRef = Schema.Struct({
    name: field(Schema.String),
    type: field(Schema.String)
  }).annotations({ identifier: "ModelRef" })

  const Metrics = Schema.Struct({
    progress: field(LenientNumber),
    predict_time: field(LenientNumber),
    total_time: field(LenientNumber),
    image_count: field(LenientNumber),
    asset_count: field(LenientNumber)
  }).annotations({ identifier: "Metrics" })

  const StoredFile = Schema.Struct({
    name: field(Schema.String),
    type: field(Schema.String),
    size: field(LenientNumber),
    url: field(Schema.String)
  }).annotations({ identifier: "StoredFile" })

  const Metadata = Schema.Struct({
    billing: field(Schema.Struct({ credits_used: field(LenientNumber) })),
    storage: field(Schema.Struct({ files: field(Schema.Array(StoredFile)) })),
    data_available: field(LenientBoolean)
  }).annotations({ identifier: "Metadata" })

  const Urls = Schema.Struct({
    get: field(Schema.String),
    cancel: field(Schema.String),
    stream: field(Schema.String),
    delete: field(Schema.String)
  }).annotations({ identifier: "Urls" })

  const WebhookConfig = Schema.Union(
    Schema.String,
    Schema.Struct({
      url: field(Schema.NullOr(Schema.String)),
      events: field(Schema.Array(Schema.String))
    })
  ).annotations({ identifier: "WebhookConfig" })

  const Prediction = Schema.Struct({
    id: Schema.optional(Schema.String),
    status: StatusSchema,
    model: field(Schema.Union(Schema.String, ModelRef)),
    type: field(Schema.String),
    stream: field(LenientBoolean),
    privacy: field(Schema.String),
    source: field(Schema.String),
    input: field(JsonObject),
    output: Schema.optional(Schema.NullOr(Schema.Union(Schema.String, Schema.Array(Schema.String)))),
    error: field(Schema.NullOr(Schema.String)),
    error_id: field(Schema.NullOr(Schema.String)),
    error_message: field(Schema.NullOr(Schema.String)),
    response: field(Schema.NullOr(Schema.String)),
    data_removed: field(LenientBoolean),
    metrics: field(Schema.NullOr(Metrics)),
    metadata: field(Schema.NullOr(Metadata)),
    urls: field(Schema.NullOr(Urls)),
    webhook: field(Schema.NullOr(WebhookConfig)),
    created_at: field(Timestamp),
    started_at: field(Timestamp),
    completed_at: field(Timestamp),
    updated_at: field(Timestamp)
  }).annotations({ identifier: "Prediction" })

  return { ModelRef, Metrics, StoredFile, Metadata, Urls, WebhookConfig, Prediction }
}

/** @internal */
export const Lenient = make(lenient)
const Strict = make(((schema: Schema.Schema.Any) => Schema.optionalWith(schema, { exact: true })) as Field)

/** @internal */
export const prediction: Schema.Schema<Prediction, PredictionEncoded> = Schema.declare(
  [Strict.Prediction, Lenient.Prediction],
  {
    // Not a `Schema.Union`: when both fail, the error is the lenient schema's alone, as before.
    decode: (strictSchema, lenientSchema) => {
      const decodeStrict = ParseResult.decodeUnknownEither(strictSchema)
      const decodeLenient = ParseResult.decodeUnknownEither(lenientSchema)
      return (input, options) => {
        const result = decodeStrict(input, options)
        return Either.isRight(result) ? result : decodeLenient(input, options)
      }
    },
    encode: (_, lenientSchema) => ParseResult.encodeUnknown(lenientSchema)
  },
  {
    identifier: "Prediction",
    // Everything else (JSON Schema, keyof, pick, arbitrary, pretty, equivalence) sees the lenient schema.
    [SchemaAST.SurrogateAnnotationId]: Lenient.Prediction.ast,
    arbitrary: (_, lenientArbitrary) => lenientArbitrary,
    pretty: (_, lenientPretty) => lenientPretty,
    equivalence: (_, lenientEquivalence) => lenientEquivalence
  }
)
