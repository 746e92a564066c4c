import * as Model from "@effect-skytells/client/Model"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"

// A catalogue entry as documented (SDK model.types.ts, learn get-model), with schemas requested.
const truefusion = {
  name: "TrueFusion Pro",
  description: "Photorealistic text-to-image model",
  namespace: "truefusion-pro",
  type: "image",
  privacy: "public",
  img_url: "https://cdn.skytells.ai/models/truefusion-pro.png",
  vendor: {
    name: "Skytells",
    description: "Skytells AI",
    image_url: "https://cdn.skytells.ai/vendors/skytells.png",
    verified: true,
    slug: "skytells",
    metadata: { website: "https://skytells.ai" }
  },
  billable: true,
  pricing: {
    amount: 0.04,
    currency: "USD",
    unit: "image",
    criterias: [
      {
        field: "resolution",
        description: "4K output",
        operator: "equals",
        value: "4k",
        billable_price: 0.08,
        unit: "image"
      },
      { field: "num_outputs", operator: "==", value: 4, billable_price: 0.16, unit: "image" }
    ],
    formula: "amount * num_outputs"
  },
  capabilities: ["text-to-image", "image-to-image"],
  metadata: {
    edge_compatible: false,
    openai_compatible: false,
    cold_boot: true,
    deployment_hardware: { type: "gpu", slug: "a100-80gb" }
  },
  status: "operational",
  service: { type: "prediction", inference_party: "skytells" },
  input_schema: {
    type: "object",
    title: "Input",
    required: ["prompt"],
    properties: {
      prompt: { type: "string", title: "Prompt", "x-order": 0 },
      aspect_ratio: { type: "string", enum: ["1:1", "16:9"], default: "1:1", "x-order": 1 },
      num_outputs: { type: "integer", minimum: 1, maximum: 4, default: 1, "x-order": 2 }
    }
  },
  output_schema: { type: "array", items: { type: "string", format: "uri" } }
}

describe("Model schema", () => {
  it.effect("decodes a full catalogue entry", () =>
    Effect.gen(function*() {
      const m = yield* Model.decodeUnknown(truefusion)
      assert.strictEqual(m.namespace, "truefusion-pro")
      assert.strictEqual(m.name, "TrueFusion Pro")
      assert.strictEqual(m.type, "image")
      assert.strictEqual(m.vendor?.verified, true)
      assert.strictEqual(m.vendor?.slug, "skytells")
      assert.strictEqual(m.pricing?.amount, 0.04)
      assert.strictEqual(m.pricing?.criterias?.length, 2)
      assert.strictEqual(m.pricing?.criterias?.[0]?.operator, "equals")
      assert.strictEqual(m.pricing?.criterias?.[1]?.value, 4)
      assert.strictEqual(m.pricing?.criterias?.[1]?.billable_price, 0.16)
      assert.strictEqual(m.pricing?.formula, "amount * num_outputs")
      assert.deepStrictEqual(m.capabilities, ["text-to-image", "image-to-image"])
      assert.strictEqual(m.metadata?.cold_boot, true)
      assert.strictEqual(m.metadata?.edge_compatible, false)
      assert.strictEqual(m.metadata?.deployment_hardware?.slug, "a100-80gb")
      assert.strictEqual(m.service?.inference_party, "skytells")
      assert.deepStrictEqual(m.input_schema?.required, ["prompt"])
      assert.strictEqual(m.output_schema?.type, "array")
      assert.isFalse(Model.isOpenAiCompatible(m))
      assert.isTrue(Model.isOperational(m))
    }))

  it.effect("decodes a list entry without schemas and an OpenAI-compatible chat model", () =>
    Effect.gen(function*() {
      const m = yield* Model.decodeUnknown({
        name: "DeepBrain Router",
        namespace: "deepbrain-router",
        type: "text",
        privacy: "public",
        vendor: { name: "Skytells", verified: true, slug: "skytells" },
        pricing: { amount: 0.5, currency: "USD", unit: "token" },
        capabilities: ["chat"],
        metadata: { edge_compatible: true, openai_compatible: true, cold_boot: false },
        status: "offline"
      })
      assert.strictEqual(m.input_schema, undefined)
      assert.isTrue(Model.isOpenAiCompatible(m))
      assert.isFalse(Model.isOperational(m))
    }))

  it.effect("is lenient: wrong-typed fields are dropped, unknown fields ignored, numeric strings accepted", () =>
    Effect.gen(function*() {
      const m = yield* Model.decodeUnknown({
        namespace: "flux-pro",
        billable: "yes",
        pricing: { amount: "0.05", currency: "USD", unit: "5 seconds", criterias: "none" },
        capabilities: "text-to-image",
        metadata: { openai_compatible: "false", cold_boot: true },
        vendor: null,
        something_new: 1
      })
      assert.strictEqual(m.billable, undefined)
      assert.strictEqual(m.pricing?.amount, 0.05)
      assert.strictEqual(m.pricing?.criterias, undefined)
      assert.strictEqual(m.capabilities, undefined)
      assert.strictEqual(m.metadata?.openai_compatible, undefined)
      assert.strictEqual(m.vendor, null)
      assert.isFalse("something_new" in m)
      assert.isFalse(Model.isOpenAiCompatible(m))
    }))

  it.effect("requires the slug (namespace)", () =>
    Effect.gen(function*() {
      const r = yield* Effect.either(Model.decodeUnknown({ name: "No slug" }))
      assert.isTrue(Either.isLeft(r))
    }))

  it.effect("a `__proto__` key in a JSON object field stays an own data key: no prototype change", () =>
    Effect.gen(function*() {
      const m = yield* Model.decodeUnknown(JSON.parse(`{
        "namespace": "flux-pro",
        "vendor": {"slug": "skytells", "metadata": {"__proto__": {"polluted": true}, "site": "x"}},
        "input_schema": {"__proto__": {"polluted": true}, "type": "object"}
      }`))
      for (const record of [m.vendor?.metadata, m.input_schema]) {
        assert.isDefined(record)
        if (record === null || record === undefined) continue
        assert.strictEqual(Object.getPrototypeOf(record), Object.prototype)
        assert.isTrue(Object.prototype.hasOwnProperty.call(record, "__proto__"))
        assert.strictEqual((record as { polluted?: unknown }).polluted, undefined)
      }
      assert.strictEqual(m.input_schema?.type, "object")
      assert.strictEqual(({} as { polluted?: unknown }).polluted, undefined)
    }))
})
