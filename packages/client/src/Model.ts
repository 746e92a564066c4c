/**
 * The Skytells Model object (`GET /v1/models`, `GET /v1/models/{slug}`), decoded leniently: only
 * `namespace` (the slug every other endpoint uses) is required; every other field is dropped (read
 * as absent) when it has an unexpected type, and unknown fields are ignored.
 *
 * `input_schema` / `output_schema` are only present when requested with
 * `fields=input_schema,output_schema`; they are JSON Schema objects and are kept as plain records.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { JsonObject } from "./internal/jsonObject.js"
import { lenient, LenientNumber } from "./Prediction.js"

/**
 * The model's publisher.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Vendor = Schema.Struct({
  name: lenient(Schema.String),
  description: lenient(Schema.NullOr(Schema.String)),
  image_url: lenient(Schema.NullOr(Schema.String)),
  verified: lenient(Schema.Boolean),
  slug: lenient(Schema.String),
  metadata: lenient(Schema.NullOr(JsonObject))
}).annotations({ identifier: "Vendor" })

/**
 * @since 0.1.0
 * @category models
 */
export interface Vendor extends Schema.Schema.Type<typeof Vendor> {}

/**
 * A pricing rule: when `field` `operator` (`equals` or `==`) `value`, the price is `billable_price`
 * per `unit`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PricingCriteria = Schema.Struct({
  field: lenient(Schema.String),
  description: lenient(Schema.NullOr(Schema.String)),
  operator: lenient(Schema.String),
  value: Schema.optional(Schema.Unknown),
  billable_price: lenient(LenientNumber),
  unit: lenient(Schema.String)
}).annotations({ identifier: "PricingCriteria" })

/**
 * @since 0.1.0
 * @category models
 */
export interface PricingCriteria extends Schema.Schema.Type<typeof PricingCriteria> {}

/**
 * Price per `unit` (`image`, `second`, `prediction`, `token`, `5 seconds`, ...), with optional
 * criteria and formula.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Pricing = Schema.Struct({
  amount: lenient(LenientNumber),
  currency: lenient(Schema.String),
  unit: lenient(Schema.String),
  criterias: lenient(Schema.Array(PricingCriteria)),
  formula: lenient(Schema.NullOr(Schema.String))
}).annotations({ identifier: "Pricing" })

/**
 * @since 0.1.0
 * @category models
 */
export interface Pricing extends Schema.Schema.Type<typeof Pricing> {}

/**
 * Deployment facts. `openai_compatible: true` marks chat-style models that belong on
 * `/v1/chat/completions`, not on the Prediction API.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ModelMetadata = Schema.Struct({
  edge_compatible: lenient(Schema.Boolean),
  openai_compatible: lenient(Schema.Boolean),
  cold_boot: lenient(Schema.Boolean),
  deployment_hardware: lenient(Schema.NullOr(Schema.Struct({
    type: lenient(Schema.String),
    slug: lenient(Schema.String)
  })))
}).annotations({ identifier: "ModelMetadata" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ModelMetadata extends Schema.Schema.Type<typeof ModelMetadata> {}

/**
 * @since 0.1.0
 * @category schemas
 */
export const Service = Schema.Struct({
  type: lenient(Schema.String),
  inference_party: lenient(Schema.String)
}).annotations({ identifier: "ModelService" })

/**
 * @since 0.1.0
 * @category models
 */
export interface Service extends Schema.Schema.Type<typeof Service> {}

const ModelSchema = Schema.Struct({
  namespace: Schema.String,
  name: lenient(Schema.String),
  description: lenient(Schema.NullOr(Schema.String)),
  type: lenient(Schema.String),
  privacy: lenient(Schema.String),
  img_url: lenient(Schema.NullOr(Schema.String)),
  vendor: lenient(Schema.NullOr(Vendor)),
  billable: lenient(Schema.Boolean),
  pricing: lenient(Schema.NullOr(Pricing)),
  capabilities: lenient(Schema.Array(Schema.String)),
  metadata: lenient(Schema.NullOr(ModelMetadata)),
  status: lenient(Schema.String),
  service: lenient(Schema.NullOr(Service)),
  input_schema: lenient(Schema.NullOr(JsonObject)),
  output_schema: lenient(Schema.NullOr(JsonObject))
}).annotations({ identifier: "Model" })

/**
 * A model from the catalogue. `namespace` is its slug (what `model` means in a create request).
 *
 * @since 0.1.0
 * @category models
 */
export interface Model extends Schema.Schema.Type<typeof ModelSchema> {}

/**
 * @since 0.1.0
 * @category models
 */
export interface ModelEncoded extends Schema.Schema.Encoded<typeof ModelSchema> {}

/**
 * The lenient schema of {@link Model}.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Model: Schema.Schema<Model, ModelEncoded> = ModelSchema

/**
 * Decodes unknown JSON into a {@link Model}.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeUnknown: (u: unknown) => Effect.Effect<Model, ParseResult.ParseError> = Schema.decodeUnknown(Model)

/**
 * `true` when the model is served through the OpenAI-compatible Inference API
 * (`metadata.openai_compatible`), so it should not be used with predictions.
 *
 * @since 0.1.0
 * @category getters
 */
export const isOpenAiCompatible = (model: Pick<Model, "metadata">): boolean =>
  model.metadata?.openai_compatible === true

/**
 * `true` unless the catalogue reports the model as not `operational` (an absent status counts as
 * operational).
 *
 * @since 0.1.0
 * @category getters
 */
export const isOperational = (model: Pick<Model, "status">): boolean =>
  model.status === undefined || model.status.toLowerCase() === "operational"
