/**
 * Every failure of the provider is an AiError that carries its Skytells class: each documented
 * inference error (triggered with the fake's `fake/error-<ID>` models), transport failures, timeouts,
 * malformed and truncated answers, a stalled stream. `SkytellsAiError.unwrap` gives the Skytells
 * errors back, so `catchTags` on Skytells tags works.
 */
import { SkytellsAiError, SkytellsLanguageModel } from "@effect-skytells/ai"
import { Inference, SkytellsError } from "@effect-skytells/client"
import { FakeSkytells, Fault } from "@effect-skytells/testing"
import { AiError, LanguageModel } from "@effect/ai"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Option, Stream, TestClock } from "effect"
import { layerFake, layerSkytellsClient, type Transport, transports } from "./utils/layers.js"
import * as Scenario from "./utils/scenarios.js"

const layer = (transport: Transport, config?: SkytellsLanguageModel.Options["config"]) =>
  SkytellsLanguageModel.layer({ model: "deepbrain-router", config }).pipe(
    Layer.provideMerge(layerSkytellsClient()),
    Layer.provideMerge(layerFake(transport))
  )

/** The documented errors of the Inference API, and the others its calls declare. */
const documented: ReadonlyArray<typeof SkytellsError.SkytellsApiError.members[number]> = [
  ...SkytellsError.inferenceApiErrors,
  SkytellsError.InsufficientCredits,
  SkytellsError.ModelNotSupported,
  SkytellsError.InternalError
]

const skytellsOf = (error: AiError.AiError) =>
  Option.getOrThrowWith(SkytellsAiError.skytellsError(error), () => new Error(`no Skytells cause in ${error._tag}`))

const generateWith = (model: string) =>
  Effect.flip(Scenario.generate("hello").pipe(SkytellsLanguageModel.withConfigOverride({ model })))

const streamWith = (model: string) =>
  Effect.flip(Scenario.stream("hello").pipe(SkytellsLanguageModel.withConfigOverride({ model })))

for (const transport of transports) {
  describe(`documented inference errors (${transport})`, () => {
    for (const ErrorClass of documented) {
      const id = ErrorClass.entry.ids[0]
      it.effect(`${id} is an HttpResponseError carrying ${ErrorClass._tag} and its resolution`, () =>
        Effect.gen(function*() {
          for (const call of [generateWith, streamWith]) {
            const error = yield* call(`fake/error-${id}`)
            assert.isTrue(AiError.isAiError(error))
            assert.strictEqual(error._tag, "HttpResponseError")
            const cause = skytellsOf(error)
            assert.strictEqual(cause._tag, ErrorClass._tag)
            assert.isTrue(cause instanceof ErrorClass)
            assert.include(error.message, ErrorClass.entry.resolution)
            if (error._tag === "HttpResponseError" && "httpStatus" in cause) {
              assert.strictEqual(error.response.status, cause.httpStatus)
            }
          }
        }).pipe(Effect.provide(layer(transport))))
    }
  })
}

describe("failures outside the documentation", () => {
  it.effect("a refused connection is an HttpRequestError carrying TransportError", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.injectFaults({ route: "responses.create", fault: Fault.connectionRefused })
      const error = yield* Effect.flip(Scenario.generate("hello"))
      assert.strictEqual(error._tag, "HttpRequestError")
      assert.strictEqual(error._tag === "HttpRequestError" ? error.reason : undefined, "Transport")
      assert.strictEqual(skytellsOf(error)._tag, "TransportError")
    }).pipe(Effect.provide(layer("in-process"))))

  it.effect("a gateway's HTML page is an HttpResponseError carrying GatewayError", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.injectFaults({ route: "responses.create", fault: Fault.gatewayPage(502) })
      const error = yield* Effect.flip(Scenario.generate("hello"))
      assert.strictEqual(error._tag === "HttpResponseError" ? error.response.status : 0, 502)
      assert.strictEqual(skytellsOf(error)._tag, "GatewayError")
    }).pipe(Effect.provide(layer("in-process"))))

  it.effect("an empty 200 is a MalformedOutput carrying MalformedResponse", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.script("responses.create", [Fault.emptyBody(200)])
      const error = yield* Effect.flip(Scenario.generate("hello"))
      assert.strictEqual(error._tag, "MalformedOutput")
      assert.strictEqual(skytellsOf(error)._tag, "MalformedResponse")
    }).pipe(Effect.provide(layer("in-process"))))

  for (const transport of transports) {
    it.effect(`a stream cut before its last event is an HttpRequestError carrying TransportError (${transport})`, () =>
      Effect.gen(function*() {
        const fake = yield* FakeSkytells.FakeSkytells
        yield* fake.script("responses.create", [Fault.truncate(4)])
        const error = yield* Effect.flip(Scenario.stream("hello"))
        const cause = skytellsOf(error)
        assert.strictEqual(cause._tag === "TransportError" ? cause.reason : undefined, "ConnectionReset")
      }).pipe(Effect.provide(layer(transport))))
  }

  it.effect("a stalled stream fails after the idle timeout with StreamIdleTimeout, on the TestClock", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.script("responses.create", [Fault.stallBody(3)])
      const fiber = yield* Effect.fork(
        LanguageModel.streamText({ prompt: "hello" }).pipe(Stream.runCollect, Effect.flip)
      )
      yield* TestClock.adjust("4 seconds")
      assert.isNull(fiber.unsafePoll(), "still waiting before the idle timeout")
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "HttpRequestError")
      const cause = skytellsOf(error)
      assert.instanceOf(cause, Inference.StreamIdleTimeout)
      assert.strictEqual(cause._tag === "StreamIdleTimeout" ? cause.received : -1, 3)
      assert.include(error.message, "Raise `idleTimeout`")
    }).pipe(Effect.provide(layer("in-process", { idleTimeout: "5 seconds" }))))

  it.effect("no answer within the timeout is an HttpRequestError carrying RequestTimeout", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.script("responses.create", [Fault.stall])
      const fiber = yield* Effect.fork(Effect.flip(Scenario.generate("hello")))
      yield* TestClock.adjust("10 seconds")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(skytellsOf(error)._tag, "RequestTimeout")
    }).pipe(Effect.provide(layer("in-process", { timeout: "10 seconds" }))))
})

describe("SkytellsAiError.unwrap", () => {
  it.effect("gives the Skytells errors back: catchTags on Skytells tags, with the resolution", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.setCredits(0)
      const answer = yield* Scenario.generate("hello").pipe(
        Effect.map((response) => response.text),
        SkytellsAiError.unwrap,
        Effect.catchTags({
          InsufficientCredits: (e) => Effect.succeed(`top up: ${e.resolution}`),
          ModelNotFound: () => Effect.succeed("no such model")
        })
      )
      assert.strictEqual(answer, `top up: ${SkytellsError.InsufficientCredits.entry.resolution}`)
      const unknown = yield* Scenario.generate("hello").pipe(
        SkytellsLanguageModel.withConfigOverride({ model: "no-such-model" }),
        SkytellsAiError.unwrap,
        Effect.flip
      )
      assert.strictEqual(unknown._tag, "ModelNotFound")
    }).pipe(Effect.provide(layer("in-process"))))

  it.effect("keeps AiErrors that did not come from Skytells, and works on streams", () =>
    Effect.gen(function*() {
      const malformed = yield* LanguageModel.generateText({
        prompt: [{ role: "user", content: [{ type: "file", mediaType: "audio/wav", data: new Uint8Array([1]) }] }]
      }).pipe(SkytellsAiError.unwrap, Effect.flip)
      assert.strictEqual(malformed._tag, "MalformedInput")
      const streamed = yield* LanguageModel.streamText({ prompt: "hello" }).pipe(
        SkytellsAiError.unwrapStream,
        Stream.runDrain,
        SkytellsLanguageModel.withConfigOverride({ model: "fake/error-INSUFFICIENT_QUOTA" }),
        Effect.flip
      )
      assert.strictEqual(streamed._tag, "InsufficientQuota")
    }).pipe(Effect.provide(layer("in-process"))))
})
