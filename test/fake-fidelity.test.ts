/**
 * Fidelity of the fake against third-party clients: the official `skytells` SDK (1.0.0, the version
 * on npm) and the `openai` client, both talking HTTP to the fake on loopback. If the fake drifted from
 * the wire format these clients expect, these tests would fail.
 */
import { FakeSkytells, Fault } from "@effect-skytells/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import OpenAI from "openai"
import { createClient, SkytellsError } from "skytells"

const rejection = <A>(promise: () => Promise<A>) =>
  Effect.promise(() => promise().then(() => undefined, (e: unknown) => e))

describe("official skytells SDK 1.0.0 against the loopback fake", () => {
  it.scoped("predict, get, stream, list models, cancel and delete (the SDK's own paths)", () =>
    Effect.gen(function*() {
      const served = yield* FakeSkytells.serve()
      const sdk = createClient(served.apiKey, { baseUrl: served.url })
      const models = yield* Effect.promise(() => sdk.listModels())
      assert.include(models.map((m) => m.namespace), "truefusion")
      const created = yield* Effect.promise(() => sdk.predict({ model: "truefusion", input: { prompt: "sdk" } }))
      assert.strictEqual(created.status, "queued")
      yield* TestClock.adjust("10 seconds")
      const done = yield* Effect.promise(() => sdk.getPrediction(created.id))
      assert.strictEqual(done.status, "succeeded")
      assert.strictEqual(done.output?.[0], `${served.url}/files/${created.id}/output-0.png`)
      const streamed = yield* Effect.promise(() => sdk.streamPrediction(created.id))
      assert.strictEqual(streamed.id, created.id)
      const running = yield* Effect.promise(() => sdk.predict({ model: "truefusion-video", input: { prompt: "v" } }))
      // the SDK types cancel/delete as a Prediction; the documented answer is {success: true}
      assert.deepStrictEqual(yield* Effect.promise(() => sdk.cancelPrediction(running.id)), { success: true } as any)
      assert.deepStrictEqual(yield* Effect.promise(() => sdk.deletePrediction(created.id)), { success: true } as any)
      const requests = yield* served.fake.requests
      assert.deepStrictEqual(requests.map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}/, ":id")}`), [
        "GET /v1/models",
        "POST /v1/predict",
        "GET /v1/predictions/:id",
        "GET /v1/predictions/:id/stream",
        "POST /v1/predict",
        "POST /v1/predictions/:id/cancel",
        "DELETE /v1/predictions/:id/delete"
      ])
      assert.isTrue(requests.every((r) => r.headers["x-api-key"] === "<redacted>" && r.status === 200))
    }))

  it.scoped("errors as the SDK parses them: envelope ids survive, flat ids are lost (SDK weakness #2)", () =>
    Effect.gen(function*() {
      const served = yield* FakeSkytells.serve()
      const sdk = createClient(served.apiKey, { baseUrl: served.url })
      const predict = (model: string) => rejection(() => sdk.predict({ model, input: { prompt: "x" } }))
      const envelope = (yield* predict("fake/error-INSUFFICIENT_CREDITS")) as SkytellsError
      assert.instanceOf(envelope, SkytellsError)
      assert.strictEqual(envelope.errorId, "INSUFFICIENT_CREDITS")
      assert.strictEqual(envelope.httpStatus, 402)
      const invalid = (yield* rejection(() =>
        sdk.predict({ model: "truefusion", input: { width: 1 } })
      )) as SkytellsError
      assert.strictEqual(invalid.errorId, "INVALID_INPUT")
      const unauthorized = (yield* rejection(() =>
        createClient("sk-wrong", { baseUrl: served.url }).listModels()
      )) as SkytellsError
      assert.strictEqual(unauthorized.errorId, "UNAUTHORIZED")
      assert.strictEqual(unauthorized.httpStatus, 401)
      yield* served.fake.setScenario({ errorShape: "flat" })
      const flat = (yield* predict("fake/error-RATE_LIMIT_EXCEEDED")) as SkytellsError
      assert.strictEqual(flat.errorId, "HTTP_ERROR")
      assert.strictEqual(flat.httpStatus, 429)
      yield* served.fake.script("predictions.get", [Fault.gatewayPage(502), Fault.truncate()])
      const gateway = (yield* rejection(() => sdk.getPrediction("x"))) as SkytellsError
      assert.strictEqual(gateway.errorId, "SERVER_ERROR")
      const truncated = (yield* rejection(() => sdk.getPrediction("x"))) as SkytellsError
      assert.strictEqual(truncated.errorId, "INVALID_JSON")
      yield* served.fake.script("models.list", [Fault.resetBeforeBody])
      const reset = (yield* rejection(() => sdk.listModels())) as SkytellsError
      assert.strictEqual(reset.errorId, "NETWORK_ERROR")
    }))
})

describe("openai client against the loopback fake's Inference API", () => {
  const client = (served: FakeSkytells.Served) =>
    new OpenAI({ apiKey: served.apiKey, baseURL: served.url, maxRetries: 0 })

  it.scoped("chat completions, plain and streamed", () =>
    Effect.gen(function*() {
      const served = yield* FakeSkytells.serve()
      const openai = client(served)
      const messages = [{ role: "user" as const, content: "hello from openai" }]
      const plain = yield* Effect.promise(() => openai.chat.completions.create({ model: "deepbrain-router", messages }))
      const content = plain.choices[0]!.message.content!
      assert.include(content, "hello from openai")
      assert.strictEqual(plain.usage?.prompt_tokens, 3)
      const streamed = yield* Effect.promise(async () => {
        const stream = await openai.chat.completions.create({
          model: "deepbrain-router",
          messages,
          stream: true,
          stream_options: { include_usage: true }
        })
        const parts: Array<string> = []
        let usage: number | undefined
        let finish: string | null | undefined
        for await (const chunk of stream) {
          parts.push(chunk.choices[0]?.delta?.content ?? "")
          finish = chunk.choices[0]?.finish_reason ?? finish
          usage = chunk.usage?.total_tokens ?? usage
        }
        return { text: parts.join(""), chunks: parts.length, usage, finish }
      })
      assert.strictEqual(streamed.text, content)
      assert.isAbove(streamed.chunks, 3)
      assert.strictEqual(streamed.finish, "stop")
      assert.strictEqual(streamed.usage, plain.usage?.total_tokens)
      const recorded = (yield* served.fake.requests).map((r) => r.headers.authorization)
      assert.deepStrictEqual(recorded, ["Bearer <redacted>", "Bearer <redacted>"])
    }))

  it.scoped("embeddings: the client's default base64 decodes to the fake's float vectors", () =>
    Effect.gen(function*() {
      const served = yield* FakeSkytells.serve()
      const openai = client(served)
      const viaBase64 = yield* Effect.promise(() =>
        openai.embeddings.create({ model: "skytells-embed-3-small", input: ["one", "two"] })
      )
      const asFloats = yield* Effect.promise(() =>
        openai.embeddings.create({ model: "skytells-embed-3-small", input: ["one", "two"], encoding_format: "float" })
      )
      assert.strictEqual(viaBase64.data.length, 2)
      assert.strictEqual(viaBase64.data[0]!.embedding.length, 1536)
      assert.deepStrictEqual(viaBase64.data[1]!.embedding, asFloats.data[1]!.embedding)
      assert.notDeepEqual(viaBase64.data[0]!.embedding, viaBase64.data[1]!.embedding)
      const bodies = (yield* served.fake.requests).map((r) => JSON.parse(r.body!).encoding_format)
      assert.deepStrictEqual(bodies, ["base64", "float"])
    }))

  it.scoped("responses (plain and streamed) and errors as OpenAI error classes", () =>
    Effect.gen(function*() {
      const served = yield* FakeSkytells.serve()
      const openai = client(served)
      const response = yield* Effect.promise(() =>
        openai.responses.create({ model: "deepbrain-router", input: "respond" })
      )
      assert.include(response.output_text, "respond")
      const events = yield* Effect.promise(async () => {
        const stream = await openai.responses.create({ model: "deepbrain-router", input: "respond", stream: true })
        const types: Array<string> = []
        for await (const event of stream) types.push(event.type)
        return types
      })
      assert.strictEqual(events[0], "response.created")
      assert.strictEqual(events[events.length - 1], "response.completed")
      const notFound = yield* rejection(() =>
        openai.chat.completions.create({ model: "nope", messages: [{ role: "user", content: "x" }] })
      )
      assert.instanceOf(notFound, OpenAI.NotFoundError)
      assert.strictEqual((notFound as InstanceType<typeof OpenAI.NotFoundError>).code, "model_not_found")
      yield* served.fake.script("chat.completions", [Fault.rateLimit(3)])
      const limited = yield* rejection(() =>
        openai.chat.completions.create({ model: "deepbrain-router", messages: [{ role: "user", content: "x" }] })
      )
      assert.instanceOf(limited, OpenAI.RateLimitError)
      assert.strictEqual((limited as InstanceType<typeof OpenAI.RateLimitError>).headers.get("retry-after"), "3")
    }))
})
