import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { spawn } from "node:child_process"
import { createHmac } from "node:crypto"
import * as Http from "node:http"
import { fileURLToPath } from "node:url"
import { FakeSkytells, Fault } from "../src/index.js"

const request = (url: string, init: RequestInit = {}) =>
  Effect.promise(async () => {
    const res = await fetch(url, init)
    const text = await res.text()
    let body: any
    try {
      body = JSON.parse(text)
    } catch {
      body = undefined
    }
    return { status: res.status, headers: res.headers, text, body }
  })

/** The rejection of a fetch, as a value. */
const rejection = (url: string, init: RequestInit = {}) =>
  Effect.promise(() => fetch(url, init).then(() => undefined, (e: unknown) => e as Error & { cause?: any }))

const post = (served: FakeSkytells.Served, path: string, body: unknown): RequestInit => ({
  method: "POST",
  headers: { "x-api-key": served.apiKey, "content-type": "application/json" },
  body: JSON.stringify(body)
})

describe("serve on loopback", () => {
  it.scoped("serves the same API over real HTTP on 127.0.0.1, with absolute URLs of the server", () =>
    Effect.gen(function*() {
      const served = yield* FakeSkytells.serve()
      assert.match(served.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/)
      assert.strictEqual(served.fake.baseUrl, served.url)
      const models = yield* request(`${served.url}/models`, { headers: { "x-api-key": served.apiKey } })
      assert.strictEqual(models.status, 200)
      assert.isTrue(Array.isArray(models.body))
      assert.match(models.headers.get("x-request-id")!, /^req_/)
      const created = yield* request(
        `${served.url}/predictions`,
        post(served, "/predictions", {
          model: "truefusion",
          input: { prompt: "over the wire" }
        })
      )
      assert.strictEqual(created.status, 200)
      assert.strictEqual(created.body.urls.get, `${served.url}/predictions/${created.body.id}`)
      yield* TestClock.adjust("10 seconds")
      const done = yield* request(created.body.urls.get, { headers: { "x-api-key": served.apiKey } })
      assert.strictEqual(done.body.status, "succeeded")
      const png = yield* Effect.promise(() => fetch(done.body.output[0]).then((r) => r.arrayBuffer()))
      assert.deepStrictEqual([...new Uint8Array(png).slice(1, 4)], [0x50, 0x4e, 0x47])
      const unauthorized = yield* request(`${served.url}/predictions`)
      assert.strictEqual(unauthorized.status, 401)
    }))

  it.scoped("connection faults destroy the socket: before the body (nothing done) and after acting", () =>
    Effect.gen(function*() {
      const served = yield* FakeSkytells.serve()
      yield* served.fake.script("predictions.create", [
        Fault.resetBeforeBody,
        Fault.resetAfterAction,
        Fault.connectionRefused
      ])
      const init = post(served, "/predictions", { model: "truefusion", input: { prompt: "x" } })
      const before = yield* rejection(`${served.url}/predictions`, init)
      assert.isDefined(before)
      assert.strictEqual(before!.message, "fetch failed")
      assert.strictEqual((yield* served.fake.predictions).length, 0)
      const after = yield* rejection(`${served.url}/predictions`, init)
      assert.isDefined(after)
      assert.strictEqual((yield* served.fake.predictions).length, 1)
      assert.isDefined(yield* rejection(`${served.url}/predictions`, init))
      const ok = yield* request(`${served.url}/predictions`, init)
      assert.strictEqual(ok.status, 200)
      const faults = (yield* served.fake.requests).map((r) => [r.fault, r.acted])
      assert.deepStrictEqual(faults, [
        ["ResetBeforeBody", false],
        ["ResetAfterAction", true],
        ["ConnectionRefused", false],
        [undefined, true]
      ])
    }))

  it.scoped("a stalled answer holds the connection until the client aborts", () =>
    Effect.gen(function*() {
      const served = yield* FakeSkytells.serve()
      yield* served.fake.script("models.list", [Fault.stall])
      const controller = new AbortController()
      const pending = fetch(`${served.url}/models`, {
        headers: { "x-api-key": served.apiKey },
        signal: controller.signal
      })
        .then(() => "answered", (e: Error) => e.name)
      // wait (on the event loop, not the clock) until the fake has recorded the request
      while ((yield* served.fake.requests).length === 0) {
        yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
      }
      controller.abort()
      assert.strictEqual(yield* Effect.promise(() => pending), "AbortError")
      const next = yield* request(`${served.url}/models`, { headers: { "x-api-key": served.apiKey } })
      assert.strictEqual(next.status, 200)
    }))

  it.scoped("streams chat completions as SSE, chunk by chunk, ending with [DONE]", () =>
    Effect.gen(function*() {
      const served = yield* FakeSkytells.serve()
      const body = { model: "deepbrain-router", messages: [{ role: "user", content: "stream me" }] }
      const plain = yield* request(`${served.url}/chat/completions`, post(served, "/chat/completions", body))
      const chunks = yield* Effect.promise(async () => {
        const res = await fetch(
          `${served.url}/chat/completions`,
          post(served, "/chat/completions", { ...body, stream: true })
        )
        assert.strictEqual(res.headers.get("content-type"), "text/event-stream")
        return await res.text()
      })
      const events = chunks.split("\n\n").filter((e) => e.length > 0)
      assert.strictEqual(events[events.length - 1], "data: [DONE]")
      const content = events.slice(0, -1)
        .map((e) => JSON.parse(e.slice("data: ".length)))
        .map((c) => c.choices[0]?.delta?.content ?? "")
        .join("")
      assert.strictEqual(content, plain.body.choices[0].message.content)
      assert.include(content, "stream me")
    }))
})

describe("webhooks from the served fake", () => {
  it.scoped("are POSTed with fetch to a loopback receiver, signed", () =>
    Effect.gen(function*() {
      const received: Array<{ headers: Http.IncomingHttpHeaders; body: string }> = []
      const server = yield* Effect.acquireRelease(
        Effect.async<Http.Server>((resume) => {
          const s = Http.createServer((req, res) => {
            let body = ""
            req.on("data", (d: Buffer) => (body += d.toString()))
            req.on("end", () => {
              received.push({ headers: req.headers, body })
              res.end()
            })
          })
          s.listen(0, "127.0.0.1", () => resume(Effect.succeed(s)))
        }),
        (s) =>
          Effect.async<void>((resume) => {
            s.close(() => resume(Effect.void))
          })
      )
      const port = (server.address() as { port: number }).port
      const served = yield* FakeSkytells.serve()
      yield* Effect.promise(() =>
        fetch(
          `${served.url}/predictions`,
          post(served, "/predictions", {
            model: "truefusion",
            input: { prompt: "x" },
            webhook: { url: `http://127.0.0.1:${port}/hook`, events: ["prediction.succeeded"] }
          })
        )
      )
      yield* TestClock.adjust("10 seconds")
      while (received.length === 0) yield* Effect.promise(() => new Promise((r) => setImmediate(r)))
      const [delivery] = received
      assert.strictEqual(JSON.parse(delivery!.body).type, "prediction.succeeded")
      const expected = createHmac("sha256", served.fake.webhookSecret).update(delivery!.body).digest("hex")
      assert.strictEqual(delivery!.headers["x-skytells-signature"], `sha256=${expected}`)
    }))
})

describe("the fake-skytells command", () => {
  it.live("prints its URL and a test key, and serves until killed", () =>
    Effect.gen(function*() {
      const bin = fileURLToPath(new URL("../bin/fake-skytells.mjs", import.meta.url))
      const child = yield* Effect.acquireRelease(
        Effect.sync(() =>
          spawn(process.execPath, [bin, "--port", "0", "--credits", "0.4"], { stdio: ["ignore", "pipe", "pipe"] })
        ),
        (child) => Effect.sync(() => child.kill("SIGTERM"))
      )
      const env = yield* Effect.promise(() =>
        new Promise<Record<string, string>>((resolve, reject) => {
          let out = ""
          child.stdout.on("data", (d: Buffer) => {
            out += d.toString()
            if (out.includes("SKYTELLS_WEBHOOK_SECRET=")) {
              resolve(Object.fromEntries(out.trim().split("\n").map((l) => l.split("=") as [string, string])))
            }
          })
          child.on("exit", (code) => reject(new Error(`exited with ${code}`)))
        })
      )
      assert.match(env.SKYTELLS_BASE_URL!, /^http:\/\/127\.0\.0\.1:\d+\/v1$/)
      assert.strictEqual(env.SKYTELLS_API_KEY, FakeSkytells.defaultApiKey)
      const models = yield* request(`${env.SKYTELLS_BASE_URL}/models/truefusion`, {
        headers: { "x-api-key": env.SKYTELLS_API_KEY! }
      })
      assert.strictEqual(models.body.namespace, "truefusion")
      const tooExpensive = yield* request(`${env.SKYTELLS_BASE_URL}/predictions`, {
        method: "POST",
        headers: { "x-api-key": env.SKYTELLS_API_KEY!, "content-type": "application/json" },
        body: JSON.stringify({ model: "truefusion-video", input: { prompt: "x" } })
      })
      assert.strictEqual(tooExpensive.status, 402)
      assert.strictEqual(tooExpensive.body.error.error_id, "INSUFFICIENT_CREDITS")
    }).pipe(Effect.scoped), 60_000)
})
