/**
 * The Models API over the fake Skytells API in process: list, get, fields, ModelNotFound, the
 * opt-in cache under TestClock, and local input validation against the fake's own schemas.
 */
import { Predictions, SkytellsClient } from "@effect-skytells/client"
import * as Models from "@effect-skytells/client/Models"
import { FakeSkytells, Fault } from "@effect-skytells/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Redacted, TestClock } from "effect"

const fakeLayer = (options: FakeSkytells.Options = {}) =>
  SkytellsClient.layer({
    apiKey: Redacted.make(FakeSkytells.defaultApiKey),
    baseUrl: FakeSkytells.defaultBaseUrl
  }).pipe(Layer.provideMerge(FakeSkytells.layer(options)))

const cachedLayer = (options: Models.CacheOptions = {}) =>
  Models.layerCache(options).pipe(Layer.provideMerge(fakeLayer()))

const requests = Effect.flatMap(FakeSkytells.FakeSkytells, (f) => f.requests)
const modelRequests = Effect.map(requests, (all) => all.filter((r) => r.route.startsWith("models.")))

describe("list", () => {
  it.effect("GET /models returns the catalogue (a bare array), without schemas by default", () =>
    Effect.gen(function*() {
      const models = yield* Models.list()
      const slugs = models.map((m) => m.namespace)
      assert.include(slugs, "truefusion")
      assert.include(slugs, "truefusion-video")
      assert.isFalse(slugs.some((s) => s.startsWith("fake/")), "test-only models are not listed")
      assert.isTrue(models.every((m) => m.input_schema === undefined && m.output_schema === undefined))
      const [request] = yield* requests
      assert.strictEqual(request.method, "GET")
      assert.strictEqual(request.path, "/v1/models")
      assert.deepStrictEqual(request.query, {})
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("fields are sent comma-separated, deduplicated and sorted, and the schemas come back", () =>
    Effect.gen(function*() {
      const models = yield* Models.list({ fields: ["output_schema", "input_schema", "input_schema"] })
      assert.isTrue(models.every((m) => m.input_schema !== undefined && m.output_schema !== undefined))
      const [request] = yield* requests
      assert.strictEqual(request.query.fields, "input_schema,output_schema")
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("failures are typed (CommonError), e.g. a 401 with a wrong key", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(Models.list())
      assert.strictEqual(e._tag, "Unauthorized")
    }).pipe(
      Effect.provide(
        SkytellsClient.layer({ apiKey: Redacted.make("sk-wrong"), baseUrl: FakeSkytells.defaultBaseUrl }).pipe(
          Layer.provide(FakeSkytells.layer())
        )
      )
    ))
})

describe("get", () => {
  it.effect("GET /models/{slug} with fields=input_schema,output_schema", () =>
    Effect.gen(function*() {
      const model = yield* Models.get("truefusion", { fields: ["input_schema", "output_schema"] })
      assert.strictEqual(model.namespace, "truefusion")
      assert.strictEqual(model.type, "image")
      assert.deepStrictEqual(model.input_schema?.required, ["prompt"])
      assert.isDefined(model.output_schema)
      const [request] = yield* requests
      assert.strictEqual(request.path, "/v1/models/truefusion")
      assert.strictEqual(request.query.fields, "input_schema,output_schema")
      const plain = yield* Models.get("truefusion")
      assert.isUndefined(plain.input_schema)
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("slugs with a slash keep it as a path separator", () =>
    Effect.gen(function*() {
      const model = yield* Models.get("fake/fail")
      assert.strictEqual(model.namespace, "fake/fail")
      const [request] = yield* requests
      assert.strictEqual(request.path, "/v1/models/fake/fail")
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("an unknown slug is ModelNotFound (404)", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(Models.get("no-such-model"))
      assert.strictEqual(e._tag, "ModelNotFound")
      if (e._tag === "ModelNotFound") {
        assert.strictEqual(e.httpStatus, 404)
        assert.strictEqual(e.errorId, "MODEL_NOT_FOUND")
      }
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("any 404 on this route is ModelNotFound, even with an undocumented id", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.script("models.get", [Fault.unknownErrorId(404, "NOT_THERE")])
      const e = yield* Effect.flip(Models.get("truefusion"))
      assert.strictEqual(e._tag, "ModelNotFound")
      assert.include(e.message, "NOT_THERE")
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("an empty slug fails without a request", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(Models.get(" "))
      assert.strictEqual(e._tag, "ModelNotFound")
      assert.lengthOf(yield* requests, 0)
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("without the cache layer every call sends a request", () =>
    Effect.gen(function*() {
      yield* Models.get("truefusion")
      yield* Models.get("truefusion")
      yield* Models.list()
      yield* Models.list()
      assert.lengthOf(yield* modelRequests, 4)
    }).pipe(Effect.provide(fakeLayer())))
})

describe("layerCache", () => {
  it.effect("a second call within the time-to-live sends no request; after it, one is sent", () =>
    Effect.gen(function*() {
      const first = yield* Models.get("truefusion", { fields: ["input_schema"] })
      yield* TestClock.adjust("59 seconds")
      const second = yield* Models.get("truefusion", { fields: ["input_schema"] })
      assert.strictEqual(second, first, "the same decoded model is served from the cache")
      assert.lengthOf(yield* modelRequests, 1)
      yield* TestClock.adjust("2 seconds")
      yield* Models.get("truefusion", { fields: ["input_schema"] })
      assert.lengthOf(yield* modelRequests, 2)
    }).pipe(Effect.provide(cachedLayer({ timeToLive: "1 minute" }))))

  it.effect("the key includes fields (in canonical form) and the slug; list is cached too", () =>
    Effect.gen(function*() {
      yield* Models.get("truefusion")
      yield* Models.get("truefusion", { fields: ["input_schema"] })
      yield* Models.get("truefusion", { fields: [" input_schema", "input_schema"] })
      yield* Models.get("truefusion-video", { fields: ["input_schema"] })
      assert.lengthOf(yield* modelRequests, 3)
      yield* Models.list({ fields: ["output_schema", "input_schema"] })
      yield* Models.list({ fields: ["input_schema", "output_schema"] })
      yield* Models.list()
      const all = yield* modelRequests
      assert.lengthOf(all, 5)
      assert.deepStrictEqual(all.map((r) => r.query.fields ?? ""), [
        "",
        "input_schema",
        "input_schema",
        "input_schema,output_schema",
        ""
      ])
    }).pipe(Effect.provide(cachedLayer())))

  it.effect("failures are not cached", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.script("models.get", [Fault.apiError("MODEL_NOT_FOUND")])
      const e = yield* Effect.flip(Models.get("truefusion"))
      assert.strictEqual(e._tag, "ModelNotFound")
      const model = yield* Models.get("truefusion")
      assert.strictEqual(model.namespace, "truefusion")
      yield* Models.get("truefusion")
      assert.lengthOf(yield* modelRequests, 2)
    }).pipe(Effect.provide(cachedLayer())))

  it.effect("concurrent calls for one key share one request", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.script("models.list", [Fault.latency("1 second")])
      const fiber = yield* Effect.fork(Effect.all([Models.list(), Models.list(), Models.list()], { concurrency: 3 }))
      yield* TestClock.adjust("1 second")
      const exit = yield* fiber.await
      assert.isTrue(Exit.isSuccess(exit))
      assert.lengthOf(yield* modelRequests, 1)
    }).pipe(Effect.provide(cachedLayer())))

  it.effect("invalidateCache empties it", () =>
    Effect.gen(function*() {
      yield* Models.get("truefusion")
      yield* Models.invalidateCache
      yield* Models.get("truefusion")
      assert.lengthOf(yield* modelRequests, 2)
    }).pipe(Effect.provide(cachedLayer())))
})

// Input validation against the fake's catalogue ---------------------------------------------------

/** A valid input built from a schema: every required string gets a value, everything else its default. */
const validInputFor = (schema: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>
  const input: Record<string, unknown> = {}
  for (const [name, property] of Object.entries(properties)) {
    if (property.default !== undefined) input[name] = property.default
  }
  for (const name of (schema.required ?? []) as Array<string>) {
    if (input[name] === undefined) input[name] = properties[name]?.type === "string" ? "a lighthouse at dawn" : 1
  }
  return input
}

describe("validateInput with the fake's models", () => {
  it.effect("every listed model: its defaults pass, an empty input and wrong types fail", () =>
    Effect.gen(function*() {
      const models = yield* Models.list({ fields: ["input_schema"] })
      assert.isAbove(models.length, 3)
      for (const model of models) {
        const schema = model.input_schema!
        yield* Models.validateInput(model, validInputFor(schema))
        const missing = yield* Effect.flip(Models.validateInput(model, {}))
        assert.strictEqual(missing._tag, "InvalidInput")
        assert.strictEqual(missing.errorId, "INVALID_INPUT")
        const wrong = Object.fromEntries(Object.keys(schema.properties as object).map((k) => [k, { nested: true }]))
        const e = yield* Effect.flip(Models.validateInput(model, wrong))
        const details = e.details as Models.InputValidationDetails
        assert.strictEqual(details.model, model.namespace)
        // one type violation per property, each named in the message
        for (const name of Object.keys(schema.properties as object)) {
          assert.isTrue(details.violations.some((v) => v.pointer === `/${name}` && v.keyword === "type"), name)
          assert.include(e.message, `input.${name} must be`)
        }
      }
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("agrees with the fake server: what fails locally fails there with INVALID_INPUT", () =>
    Effect.gen(function*() {
      const model = yield* Models.get("truefusion", { fields: ["input_schema"] })
      const bad = { width: 4096, num_outputs: 0, output_format: "gif" }
      const local = yield* Effect.flip(Models.validateInput(model, bad))
      assert.deepStrictEqual(
        (local.details as Models.InputValidationDetails).violations.map((v) => `${v.path}:${v.keyword}`),
        ["input.prompt:required", "input.width:maximum", "input.num_outputs:minimum", "input.output_format:enum"]
      )
      const remote = yield* Effect.flip(Predictions.create({ model: "truefusion", input: bad }))
      assert.strictEqual(remote._tag, "InvalidInput")
      const good = { prompt: "a lighthouse", width: 512, output_format: "webp" }
      yield* Models.validateInput(model, good)
      const created = yield* Predictions.create({ model: "truefusion", input: good })
      assert.isString(created.id)
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("inputValidator fetches the schema once (fields=input_schema) and checks many inputs", () =>
    Effect.gen(function*() {
      const check = yield* Models.inputValidator("truefusion-video")
      yield* check({ prompt: "waves", duration: 10 })
      const e = yield* Effect.flip(check({ prompt: "waves", duration: 7, aspect_ratio: "4:3" }))
      assert.include(e.message, "input.duration must be one of [5,10] (got 7)")
      assert.include(e.message, `input.aspect_ratio must be one of ["16:9","9:16","1:1"] (got "4:3")`)
      const again = yield* Models.inputValidator("truefusion-video")
      yield* again({ prompt: "waves" })
      const all = yield* modelRequests
      assert.lengthOf(all, 1, "the second validator came from the cache")
      assert.strictEqual(all[0].query.fields, "input_schema")
    }).pipe(Effect.provide(cachedLayer())))

  it.effect("inputValidator of an unknown model fails with ModelNotFound", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(Models.inputValidator("nope"))
      assert.strictEqual(e._tag, "ModelNotFound")
    }).pipe(Effect.provide(fakeLayer())))
})
