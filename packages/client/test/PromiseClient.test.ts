/**
 * The Promise facade over scripted in-process servers: values, rejections that are the typed errors
 * themselves, AbortSignal, async iterables stopped early, dispose, and no unhandled rejection.
 */
import { PromiseClient, SkytellsClient, SkytellsError } from "@effect-skytells/client"
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Runtime, Stream } from "effect"
import { readFileSync } from "node:fs"
import { clientLayer, type Reply, scripted } from "./utils/scripted.js"

const queued = JSON.parse(readFileSync(new URL("./fixtures/predictions/queued-minimal.json", import.meta.url), "utf8"))

const encoder = new TextEncoder()

const chunk = (content: string) =>
  `data: ${
    JSON.stringify({
      id: "chatcmpl-1",
      object: "chat.completion.chunk",
      created: 1,
      model: "deepbrain-router",
      choices: [{ index: 0, delta: { content }, finish_reason: null }]
    })
  }\n\n`

const chat = { model: "deepbrain-router", messages: [{ role: "user" as const, content: "Hi" }] }

/** A scripted server and a client over it; the server's records read synchronously. */
const serve = (replies: ReadonlyArray<Reply>) => {
  const server = Effect.runSync(scripted(replies))
  return {
    client: PromiseClient.make(clientLayer(server.app)),
    requests: () => Effect.runSync(server.seen).length,
    aborted: () => Effect.runSync(server.aborted)
  }
}

/** A server streaming chat chunks, then `[DONE]` or nothing ever again; it counts bodies closed before their end. */
const sse = (frames: ReadonlyArray<string>, end: "done" | "stall") => {
  const state = { requests: 0, closedEarly: 0 }
  const app = Effect.gen(function*() {
    yield* Effect.orDie((yield* HttpServerRequest.HttpServerRequest).text)
    state.requests++
    let finished = false
    const body = Stream.make(...frames, ...(end === "done" ? ["data: [DONE]\n\n"] : [])).pipe(
      Stream.map((frame) => encoder.encode(frame)),
      Stream.concat(end === "stall" ? Stream.never : Stream.empty),
      Stream.onEnd(Effect.sync(() => {
        finished = true
      })),
      Stream.ensuring(Effect.sync(() => {
        if (!finished) state.closedEarly++
      }))
    )
    return HttpServerResponse.stream(body, { contentType: "text/event-stream" })
  })
  return { app, state }
}

/** Resolves once `condition` holds (polled on the event loop), fails the test after 2 seconds. */
const until = async (condition: () => boolean, what: string) => {
  for (const started = Date.now(); !condition(); await new Promise((r) => setTimeout(r, 1))) {
    if (Date.now() - started > 10_000) assert.fail(`timed out waiting until ${what}`)
  }
}

const rejection = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(() => assert.fail("expected a rejection"), (error: unknown) => error)

describe("PromiseClient", () => {
  it("resolves with the operation's value, with undefined where the Effect API has Option.none", async () => {
    const { client } = serve([
      { status: 200, body: queued },
      { status: 200, body: { success: true } },
      { status: 200, body: { data: [queued], pagination: { current_page: 1, last_page: 3, total: 41 } } }
    ])
    const prediction = await client.predictions.get(queued.id)
    assert.strictEqual(prediction.id, queued.id)
    assert.isUndefined(await client.predictions.cancel(prediction))
    const page = await client.predictions.listPage({ perPage: 1 })
    assert.deepStrictEqual([page.items.length, page.next, page.total], [1, 2, 41])
    await client.dispose()
  })

  it("rejects with the typed error itself: instanceof, _tag and isSkytellsError work", async () => {
    const { client } = serve([{ status: 402, body: { error_id: "INSUFFICIENT_CREDITS", message: "top up" } }])
    const error = await rejection(client.predictions.create({ model: "truefusion", input: { prompt: "x" } }))
    assert.instanceOf(error, SkytellsError.InsufficientCredits)
    assert.instanceOf(error, Error)
    assert.strictEqual((error as SkytellsError.InsufficientCredits)._tag, "InsufficientCredits")
    assert.isTrue(SkytellsError.isSkytellsError(error))
    assert.isFalse(Runtime.isFiberFailure(error))
    await client.dispose()
  })

  it("rejects with a defect as it is, and with the layer's error when it fails to build", async () => {
    const boom = new Error("boom")
    const broken = Layer.succeed(
      SkytellsClient.SkytellsClient,
      { execute: () => Effect.die(boom) } as unknown as SkytellsClient.Service
    )
    const client = PromiseClient.make(broken)
    assert.strictEqual(await rejection(client.predictions.get("p1")), boom)
    await client.dispose()

    const noKey = new Error("no key")
    const unbuilt = PromiseClient.make(Layer.fail(noKey))
    assert.strictEqual(await rejection(unbuilt.models.list()), noKey)
    assert.strictEqual(await rejection(unbuilt.predictions.get("p1")), noKey)
    await unbuilt.dispose()
  })

  it("an AbortSignal stops the call in flight, closes its request and rejects with the signal's reason", async () => {
    const { aborted, client, requests } = serve([{ stall: true }])
    const controller = new AbortController()
    const pending = rejection(client.predictions.get("p1", { signal: controller.signal }))
    await until(() => requests() === 1, "the server has the request")
    controller.abort()
    const error = await pending
    assert.instanceOf(error, DOMException)
    assert.strictEqual((error as DOMException).name, "AbortError")
    assert.strictEqual(error, controller.signal.reason)
    await until(() => aborted() === 1, "the server sees the request closed")

    // A reason of your own is what the call rejects with; an aborted signal sends nothing.
    const custom = new AbortController()
    const waiting = rejection(client.predictions.wait("p1", { signal: custom.signal }))
    await until(() => requests() === 2, "the second request arrives")
    const reason = new Error("the user left")
    custom.abort(reason)
    assert.strictEqual(await waiting, reason)
    assert.strictEqual(await rejection(client.models.get("truefusion", { signal: custom.signal })), reason)
    assert.strictEqual(requests(), 2)
    await client.dispose()
  })

  it("streams as an async iterable; a typed error frame is thrown by the loop", async () => {
    const whole = sse([chunk("Hel"), chunk("lo")], "done")
    const client = PromiseClient.make(clientLayer(whole.app))
    let text = ""
    for await (const c of client.inference.chatCompletionStream(chat)) text += c.choices[0]?.delta?.content ?? ""
    assert.strictEqual(text, "Hello")
    await client.dispose()

    const { client: refused } = serve([{
      status: 400,
      body: { error: { message: "too long", type: "invalid_request_error", code: "context_length_exceeded" } }
    }])
    const error = await rejection((async () => {
      for await (const _ of refused.inference.chatCompletionStream(chat)) assert.fail("no chunk expected")
    })())
    assert.instanceOf(error, SkytellsError.ContextLengthExceeded)
    await refused.dispose()
  })

  it("leaving a for await loop early closes the connection", async () => {
    const server = sse([chunk("a"), chunk("b")], "stall")
    const client = PromiseClient.make(clientLayer(server.app))
    for await (const c of client.inference.chatCompletionStream(chat)) {
      assert.strictEqual(c.choices[0]?.delta?.content, "a")
      break
    }
    await until(() => server.state.closedEarly === 1, "the server sees the body closed")
    await client.dispose()
  })

  it("an AbortSignal stops an iteration waiting for the next chunk", async () => {
    const server = sse([chunk("a")], "stall")
    const client = PromiseClient.make(clientLayer(server.app))
    const controller = new AbortController()
    const seen: Array<string> = []
    const error = await rejection((async () => {
      for await (const c of client.inference.chatCompletionStream(chat, { signal: controller.signal })) {
        seen.push(c.choices[0]?.delta?.content ?? "")
        setTimeout(() => controller.abort(), 5)
      }
    })())
    assert.deepStrictEqual(seen, ["a"])
    assert.strictEqual((error as DOMException).name, "AbortError")
    await until(() => server.state.closedEarly === 1, "the server sees the body closed")
    await client.dispose()
  })

  it("lists lazily: a page is requested only when the loop needs it", async () => {
    const { client, requests } = serve([
      { status: 200, body: { data: [queued, queued], pagination: { current_page: 1, last_page: 5 } } }
    ])
    for await (const prediction of client.predictions.list({ perPage: 2 })) {
      assert.strictEqual(prediction.id, queued.id)
      break
    }
    assert.strictEqual(requests(), 1)
    await client.dispose()
  })

  it("dispose stops calls and pulls in flight, idle iterations, the layer, and refuses later calls", async () => {
    const server = sse([chunk("a")], "stall")
    const stalled = Effect.runSync(scripted([{ stall: true }]))
    let layerClosed = false
    const client = PromiseClient.make(
      Layer.mergeAll(
        clientLayer(
          Effect.flatMap(
            HttpServerRequest.HttpServerRequest,
            (request) => request.url.endsWith("/chat/completions") ? server.app : stalled.app
          )
        ),
        Layer.scopedDiscard(Effect.addFinalizer(() =>
          Effect.sync(() => {
            layerClosed = true
          })
        ))
      )
    )
    const inFlight = rejection(client.predictions.get("p1"))
    const idle = client.inference.chatCompletionStream(chat)[Symbol.asyncIterator]()
    assert.strictEqual((await idle.next()).value?.choices[0]?.delta?.content, "a")
    const pulling = client.inference.chatCompletionStream(chat)[Symbol.asyncIterator]()
    await pulling.next()
    const pull = rejection(pulling.next())
    await until(() => Effect.runSync(stalled.seen).length === 1, "the call reaches the server")

    const disposing = client.dispose()
    assert.strictEqual(client.dispose(), disposing)
    assert.strictEqual(client[Symbol.asyncDispose], client.dispose)
    await disposing

    const stopped = await inFlight
    assert.instanceOf(stopped, PromiseClient.ClientDisposed)
    assert.isTrue((stopped as PromiseClient.ClientDisposed).inFlight)
    assert.strictEqual(Effect.runSync(stalled.aborted), 1)
    const stoppedPull = await pull
    assert.instanceOf(stoppedPull, PromiseClient.ClientDisposed)
    assert.isTrue((stoppedPull as PromiseClient.ClientDisposed).inFlight)
    assert.strictEqual(server.state.closedEarly, 2)
    assert.isTrue(layerClosed)

    const afterwards = await rejection(idle.next())
    assert.instanceOf(afterwards, PromiseClient.ClientDisposed)
    const later = await rejection(client.models.list())
    assert.instanceOf(later, PromiseClient.ClientDisposed)
    assert.isFalse((later as PromiseClient.ClientDisposed).inFlight)
    assert.include((later as Error).message, "models.list was called after dispose()")
    assert.strictEqual(Effect.runSync(stalled.seen).length, 1)
  })

  it("leaves no unhandled rejection behind: aborts, early breaks, failures and dispose", async () => {
    const unhandled: Array<unknown> = []
    const record = (reason: unknown) => unhandled.push(reason)
    process.on("unhandledRejection", record)
    try {
      const { client } = serve([{ stall: true }])
      const controller = new AbortController()
      const calls = [
        client.predictions.get("p1", { signal: controller.signal }),
        client.predictions.wait("p2"),
        client.models.list()
      ].map(rejection)
      controller.abort()
      const server = sse([chunk("a")], "stall")
      const streaming = PromiseClient.make(clientLayer(server.app))
      for await (const _ of streaming.inference.chatCompletionStream(chat)) break
      await Promise.all([client.dispose(), streaming.dispose(), streaming.dispose()])
      await Promise.all(calls)
      await new Promise((r) => setTimeout(r, 20))
      assert.deepStrictEqual(unhandled, [])
    } finally {
      process.off("unhandledRejection", record)
    }
  })
})
