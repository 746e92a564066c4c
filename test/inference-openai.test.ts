/**
 * Reference test: the `openai` npm client and this toolkit read the same recorded responses
 * (test/fixtures/inference) from a loopback server, and must decode them to the same values, field by
 * field: content, tool calls, usage, finish reasons, safety fields, streamed deltas, embeddings
 * (base64 and float) and the inference error. A second part points both at the fake Skytells API
 * served on loopback.
 */
import { SkytellsClient } from "@effect-skytells/client"
import * as Inference from "@effect-skytells/client/Inference"
import { FakeSkytells } from "@effect-skytells/testing"
import { FetchHttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Layer, Redacted, Stream } from "effect"
import { readFileSync } from "node:fs"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import OpenAI from "openai"

const fixture = (name: string) => readFileSync(new URL(`./fixtures/inference/${name}`, import.meta.url), "utf8")

interface Recorded {
  readonly path: string
  readonly headers: Http.IncomingHttpHeaders
  readonly body: Record<string, unknown>
}

/**
 * Serves the fixtures: the model of the request picks the fixture (`tools` → tool calls, `error` →
 * the 400 error), `stream: true` picks the SSE recording, `encoding_format` the embedding encoding.
 */
const loopback = Effect.acquireRelease(
  Effect.async<{ readonly url: string; readonly recorded: Array<Recorded>; readonly server: Http.Server }>(
    (resume) => {
      const recorded: Array<Recorded> = []
      const server = Http.createServer((req, res) => {
        let text = ""
        req.setEncoding("utf8")
        req.on("data", (part: string) => (text += part))
        req.on("end", () => {
          const body = text === "" ? {} : JSON.parse(text) as Record<string, unknown>
          const path = req.url ?? ""
          recorded.push({ path, headers: req.headers, body })
          const json = (status: number, payload: string) => {
            res.writeHead(status, { "content-type": "application/json", "x-request-id": "req_8f2c1d0e9b7a" })
            res.end(payload)
          }
          const sse = (payload: string) => {
            res.writeHead(200, { "content-type": "text/event-stream", "x-request-id": "req_stream" })
            // Written in small pieces, as a real server flushes: frames and characters split across reads.
            const bytes = Buffer.from(payload, "utf8")
            for (let i = 0; i < bytes.length; i += 97) res.write(bytes.subarray(i, i + 97))
            res.end()
          }
          if (body.model === "error") return json(400, fixture("error-context-length.json"))
          if (path === "/v1/chat/completions") {
            if (body.stream === true) {
              return sse(
                fixture(body.model === "tools" ? "chat-completion-stream.sse" : "chat-completion-text-stream.sse")
              )
            }
            return json(
              200,
              fixture(body.model === "tools" ? "chat-completion-tool-calls.json" : "chat-completion.json")
            )
          }
          if (path === "/v1/responses") {
            return body.stream === true ? sse(fixture("response-stream.sse")) : json(200, fixture("response.json"))
          }
          if (path === "/v1/embeddings") {
            return json(
              200,
              fixture(body.encoding_format === "float" ? "embeddings-float.json" : "embeddings-base64.json")
            )
          }
          json(404, JSON.stringify({ error: { code: "not_found", message: `no fixture for ${path}` } }))
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}/v1`, recorded, server }))
      })
    }
  ),
  ({ server }) =>
    Effect.async<void>((resume) => {
      server.close(() => resume(Effect.void))
    })
)

const clients = (url: string, apiKey = "sk-reference-test") => ({
  openai: new OpenAI({ apiKey, baseURL: url, maxRetries: 0 }),
  layer: SkytellsClient.layer({ apiKey: Redacted.make(apiKey), baseUrl: url }).pipe(
    Layer.provide(FetchHttpClient.layer)
  )
})

const promise = <A>(f: () => Promise<A>) => Effect.promise(f)

const messages = [{ role: "user" as const, content: "What is the capital of France?" }]

describe("recorded responses: openai and effect-skytells decode the same values", () => {
  it.scopedLive("chat completion with tool calls and safety fields", () =>
    Effect.gen(function*() {
      const { url } = yield* loopback
      const { layer, openai } = clients(url)
      for (const model of ["plain", "tools"]) {
        const theirs = yield* promise(() => openai.chat.completions.create({ model, messages }))
        const ours = yield* Effect.provide(Inference.chatCompletion({ model, messages }), layer)
        assert.strictEqual(ours.id, theirs.id)
        assert.strictEqual(ours.model, theirs.model)
        assert.strictEqual(ours.created, theirs.created)
        assert.strictEqual(ours.choices.length, theirs.choices.length)
        ours.choices.forEach((choice, i) => {
          const other = theirs.choices[i]
          assert.strictEqual(choice.message.content, other.message.content)
          assert.strictEqual(choice.message.role, other.message.role)
          assert.strictEqual(choice.message.refusal ?? null, other.message.refusal ?? null)
          assert.strictEqual(choice.finish_reason, other.finish_reason)
          assert.deepStrictEqual(
            choice.message.tool_calls?.map((c) => ({ id: c.id, type: c.type, function: c.function })),
            other.message.tool_calls?.map((c) =>
              c.type === "function" ? { id: c.id, type: c.type, function: c.function } : { id: c.id, type: c.type }
            )
          )
          assert.deepStrictEqual(choice.content_filter_results, (other as any).content_filter_results)
        })
        assert.strictEqual(ours.usage?.prompt_tokens, theirs.usage?.prompt_tokens)
        assert.strictEqual(ours.usage?.completion_tokens, theirs.usage?.completion_tokens)
        assert.strictEqual(ours.usage?.total_tokens, theirs.usage?.total_tokens)
        assert.strictEqual(
          ours.usage?.prompt_tokens_details?.cached_tokens,
          theirs.usage?.prompt_tokens_details?.cached_tokens
        )
        assert.deepStrictEqual(ours.prompt_filter_results, (theirs as any).prompt_filter_results)
      }
    }))

  it.scopedLive("streamed chunks: same chunks, same deltas, same tool-call arguments, same usage", () =>
    Effect.gen(function*() {
      const { url } = yield* loopback
      const { layer, openai } = clients(url)
      for (const model of ["plain", "tools"]) {
        const theirs = yield* promise(async () => {
          const out: Array<OpenAI.Chat.Completions.ChatCompletionChunk> = []
          for await (const chunk of await openai.chat.completions.create({ model, messages, stream: true })) {
            out.push(chunk)
          }
          return out
        })
        const ours = Chunk.toReadonlyArray(
          yield* Effect.provide(Stream.runCollect(Inference.chatCompletionStream({ model, messages })), layer)
        )
        assert.strictEqual(ours.length, theirs.length)
        ours.forEach((chunk, i) => {
          const other = theirs[i]
          assert.strictEqual(chunk.id, other.id)
          assert.strictEqual(chunk.choices.length, other.choices.length)
          chunk.choices.forEach((choice, j) => {
            const o = other.choices[j]
            assert.strictEqual(choice.index, o.index)
            assert.strictEqual(choice.delta?.content ?? null, o.delta?.content ?? null)
            assert.strictEqual(choice.delta?.role ?? null, o.delta?.role ?? null)
            assert.strictEqual(choice.finish_reason ?? null, o.finish_reason ?? null)
            assert.deepStrictEqual(
              choice.delta?.tool_calls?.map((
                t
              ) => [t.index, t.id ?? null, t.function?.name ?? null, t.function?.arguments ?? null]),
              o.delta?.tool_calls?.map((
                t
              ) => [t.index, t.id ?? null, t.function?.name ?? null, t.function?.arguments ?? null])
            )
          })
          assert.deepStrictEqual(chunk.usage ?? null, other.usage ?? null)
        })
      }
    }))

  it.scopedLive("Responses, plain and streamed: same output text, usage and event sequence", () =>
    Effect.gen(function*() {
      const { url } = yield* loopback
      const { layer, openai } = clients(url)
      const theirs = yield* promise(() => openai.responses.create({ model: "skytells-3", input: "Capital of France?" }))
      const ours = yield* Effect.provide(
        Inference.response({ model: "skytells-3", input: "Capital of France?" }),
        layer
      )
      const outputText = ours.output.flatMap((item) =>
        item.type === "message" ? item.content.map((c) => c.type === "output_text" ? c.text : "") : []
      ).join("")
      assert.strictEqual(outputText, theirs.output_text)
      assert.strictEqual(ours.id, theirs.id)
      assert.strictEqual(ours.status, theirs.status)
      assert.deepStrictEqual(ours.usage, theirs.usage as unknown)
      const theirEvents = yield* promise(async () => {
        const out: Array<{ type: string; sequence_number: number }> = []
        for await (
          const event of await openai.responses.create({
            model: "skytells-3",
            input: "Capital of France?",
            stream: true
          })
        ) out.push(event)
        return out
      })
      const ourEvents = Chunk.toReadonlyArray(
        yield* Effect.provide(
          Stream.runCollect(Inference.responseStream({ model: "skytells-3", input: "Capital of France?" })),
          layer
        )
      )
      assert.deepStrictEqual(
        ourEvents.map((e) => e.type === "unknown" ? e.originalType : e.type),
        theirEvents.map((e) => e.type)
      )
      assert.deepStrictEqual(
        ourEvents.map((e) => e.sequence_number),
        theirEvents.map((e) => e.sequence_number)
      )
    }))

  it.scopedLive("embeddings: base64 (both clients' default) and float decode to the same numbers", () =>
    Effect.gen(function*() {
      const { recorded, url } = yield* loopback
      const { layer, openai } = clients(url)
      const input = ["one", "two"]
      const theirs = yield* promise(() => openai.embeddings.create({ model: "skytells-embed-3-large", input }))
      const ours = yield* Effect.provide(Inference.embeddings({ model: "skytells-embed-3-large", input }), layer)
      assert.deepStrictEqual(recorded.map((r) => r.body.encoding_format), ["base64", "base64"])
      assert.strictEqual(ours.model, theirs.model)
      assert.deepStrictEqual(ours.usage, theirs.usage)
      assert.deepStrictEqual(ours.embeddings.map((v) => Array.from(v)), theirs.data.map((d) => d.embedding))
      // Float: the JSON numbers are float32 values printed in decimal; ours are their float32 value.
      const theirsFloat = yield* promise(() =>
        openai.embeddings.create({ model: "skytells-embed-3-small", input, encoding_format: "float" })
      )
      const oursFloat = yield* Effect.provide(
        Inference.embeddings({ model: "skytells-embed-3-small", input, encoding_format: "float" }),
        layer
      )
      assert.deepStrictEqual(
        oursFloat.embeddings.map((v) => Array.from(v)),
        theirsFloat.data.map((d) => d.embedding.map(Math.fround))
      )
    }))

  it.scopedLive("the inference error: same status, type, code, param and request id", () =>
    Effect.gen(function*() {
      const { url } = yield* loopback
      const { layer, openai } = clients(url)
      const theirs = yield* promise(() =>
        openai.chat.completions.create({ model: "error", messages }).then(
          () => undefined,
          (e: unknown) => e
        )
      )
      assert.instanceOf(theirs, OpenAI.BadRequestError)
      const other = theirs as InstanceType<typeof OpenAI.BadRequestError>
      const ours = yield* Effect.flip(Effect.provide(Inference.chatCompletion({ model: "error", messages }), layer))
      assert.strictEqual(ours._tag, "ContextLengthExceeded")
      if (ours._tag !== "ContextLengthExceeded") return
      assert.strictEqual(ours.httpStatus, other.status)
      assert.strictEqual(ours.type, other.type)
      assert.strictEqual(ours.code, other.code)
      assert.strictEqual(ours.param, other.param)
      assert.strictEqual(ours.requestId, (other.error as { request_id?: string }).request_id)
      assert.strictEqual(ours.message, (other.error as { message?: string }).message)
    }))
})

describe("the fake served on loopback: openai and effect-skytells agree", () => {
  it.scopedLive("chat completion, streamed text and embeddings", () =>
    Effect.gen(function*() {
      const served = yield* Effect.orDie(FakeSkytells.serve())
      const { layer, openai } = clients(served.url, served.apiKey)
      const request = { model: "deepbrain-router", messages: [{ role: "user" as const, content: "Hello there" }] }
      const theirs = yield* promise(() => openai.chat.completions.create(request))
      const ours = yield* Effect.provide(Inference.chatCompletion(request), layer)
      assert.strictEqual(ours.choices[0].message.content, theirs.choices[0].message.content)
      assert.deepStrictEqual(ours.usage, theirs.usage as unknown)
      const theirText = yield* promise(async () => {
        let text = ""
        for await (const chunk of await openai.chat.completions.create({ ...request, stream: true })) {
          text += chunk.choices[0]?.delta.content ?? ""
        }
        return text
      })
      const ourText = yield* Effect.provide(
        Inference.chatCompletionStream(request).pipe(
          Stream.map((chunk) => chunk.choices[0]?.delta?.content ?? ""),
          Stream.mkString
        ),
        layer
      )
      assert.strictEqual(ourText, theirText)
      assert.strictEqual(ourText, theirs.choices[0].message.content)
      const input = ["alpha", "beta", "gamma"]
      const theirVectors = yield* promise(() => openai.embeddings.create({ model: "skytells-embed-3-small", input }))
      const ourVectors = yield* Effect.provide(Inference.embeddings({ model: "skytells-embed-3-small", input }), layer)
      assert.deepStrictEqual(ourVectors.embeddings.map((v) => Array.from(v)), theirVectors.data.map((d) => d.embedding))
    }))
})
