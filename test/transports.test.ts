/**
 * One suite, four transports: the same client code over the in-process test transport, over Node
 * undici and over fetch (generic `HttpClient`s), and over the client's own undici fast path, against
 * a loopback server started here. Real sockets mean real time, so the
 * waits are kept to milliseconds.
 */
import type { SkytellsError } from "@effect-skytells/client"
import { InProcessHttpClient, Retry, SkytellsClient } from "@effect-skytells/client"
import * as NodeSkytellsClient from "@effect-skytells/client/NodeSkytellsClient"
import {
  FetchHttpClient,
  HttpClient,
  HttpClientRequest,
  HttpRouter,
  HttpServer,
  HttpServerRequest,
  HttpServerResponse
} from "@effect/platform"
import { NodeHttpClient, NodeHttpServer, NodeHttpServerRequest } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import {
  Cause,
  Chunk,
  type ConfigError,
  Effect,
  Exit,
  Fiber,
  Layer,
  Option,
  Redacted,
  Ref,
  Schema,
  type Scope,
  Stream,
  TestClock
} from "effect"
import * as Http from "node:http"

const KEY = "sk-transport-test-key"
const hugeJson = JSON.stringify({ id: "h", n: 1, pad: "x".repeat(3 * 1024 * 1024) })
const Thing = Schema.Struct({ id: Schema.String, n: Schema.Number })

/** The server side, written once: an HttpApp whose behaviour is chosen by the path. */
const makeApp = (mode: "in-process" | "socket") =>
  Effect.gen(function*() {
    const hits = yield* Ref.make(new Map<string, number>())
    const aborted = yield* Ref.make(0)
    const count = (path: string) =>
      Ref.modify(hits, (m) => {
        const n = (m.get(path) ?? 0) + 1
        return [n, new Map(m).set(path, n)]
      })
    const cut = (request: HttpServerRequest.HttpServerRequest) =>
      mode === "socket"
        ? Effect.sync(() => NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()).pipe(
          Effect.zipRight(Effect.never)
        )
        : Effect.fail(Object.assign(new Error("reset"), { code: "ECONNRESET" }))
    const app = HttpRouter.empty.pipe(
      HttpRouter.get(
        "/v1/ok",
        Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          if (request.headers["x-api-key"] !== KEY) {
            return HttpServerResponse.unsafeJson({ error_id: "UNAUTHORIZED", message: "bad key" }, { status: 401 })
          }
          return HttpServerResponse.unsafeJson({ id: "a", n: yield* count("/ok") })
        })
      ),
      HttpRouter.get(
        "/v1/limited",
        Effect.gen(function*() {
          const n = yield* count("/limited")
          return n === 1
            ? HttpServerResponse.unsafeJson(
              { error_id: "RATE_LIMIT_EXCEEDED", message: "slow down" },
              { status: 429, headers: { "retry-after-ms": "30" } }
            )
            : HttpServerResponse.unsafeJson({ id: "b", n })
        })
      ),
      HttpRouter.get(
        "/v1/missing",
        Effect.as(
          count("/missing"),
          HttpServerResponse.unsafeJson({ error: { code: "model_not_found", message: "no such model" } }, {
            status: 404
          })
        )
      ),
      HttpRouter.get(
        "/v1/gateway",
        Effect.as(
          count("/gateway"),
          HttpServerResponse.text("<html><body>502 Bad Gateway</body></html>", {
            status: 502,
            contentType: "text/html"
          })
        )
      ),
      HttpRouter.post(
        "/v1/reset",
        Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          yield* request.text
          yield* count("/reset")
          return yield* cut(request)
        })
      ),
      HttpRouter.get(
        "/v1/stall",
        Effect.zipRight(count("/stall"), Effect.never).pipe(Effect.onInterrupt(() => Ref.update(aborted, (n) => n + 1)))
      ),
      HttpRouter.get(
        "/v1/through",
        Effect.map(HttpServerRequest.HttpServerRequest, (request) =>
          HttpServerResponse.unsafeJson({ id: request.headers["x-through"] ?? "direct", n: 0 }))
      ),
      // A redirect to another origin (same server, reached as `localhost`), with a secret-looking query.
      HttpRouter.all(
        "/v1/redirect/:code",
        Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          const { code } = yield* HttpRouter.params
          // Read the body first: a server that answers before reading it may close the connection.
          if (request.method !== "GET") {
            yield* request.text
          }
          yield* count(`/redirect/${code}`)
          const port = /:(\d+)$/.exec(request.headers.host ?? "")?.[1]
          const location = `http://localhost${port ? `:${port}` : ""}/v1/stolen?token=s3cr3t`
          return HttpServerResponse.empty({ status: Number(code), headers: { location } })
        })
      ),
      HttpRouter.all(
        "/v1/stolen",
        Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          yield* count(request.headers["x-api-key"] === KEY ? "/stolen-with-key" : "/stolen")
          return HttpServerResponse.unsafeJson({ id: "stolen", n: 0 })
        })
      ),
      // 3 MiB of JSON, with and without a Content-Length.
      HttpRouter.get(
        "/v1/huge-declared",
        Effect.succeed(HttpServerResponse.text(hugeJson, { contentType: "application/json" }))
      ),
      HttpRouter.get(
        "/v1/huge-chunked",
        Effect.succeed(HttpServerResponse.stream(
          Stream.make(hugeJson).pipe(Stream.encodeText),
          { contentType: "application/json" }
        ))
      ),
      HttpRouter.get(
        "/v1/stream",
        Effect.succeed(
          HttpServerResponse.stream(
            Stream.make("data: one\n\n", "data: two\n\n").pipe(Stream.encodeText),
            { contentType: "text/event-stream" }
          )
        )
      )
    )
    return { app, hits: Ref.get(hits), aborted: Ref.get(aborted) }
  })

type Server = Effect.Effect.Success<ReturnType<typeof makeApp>>

type ClientLayer = Layer.Layer<SkytellsClient.SkytellsClient, ConfigError.ConfigError>

interface Setup {
  readonly server: Server
  readonly client: ClientLayer
  readonly refusing: ClientLayer
  readonly withKey: (key: string) => ClientLayer
}

const options = {
  apiKey: Redacted.make(KEY),
  responseLimits: { maxBodyBytes: 1024 * 1024 },
  retry: { policy: Retry.fixed("20 millis", { maxAttempts: 3 }) },
  timeout: "300 millis"
} as const

/** A port nothing listens on. */
const closedPort = Effect.promise(() =>
  new Promise<number>((resolve) => {
    const s = Http.createServer()
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
)

const socketSetup = (
  clientLayer: (options: SkytellsClient.Options) => ClientLayer
) =>
  Effect.gen(function*() {
    const server = yield* makeApp("socket")
    const served = yield* Layer.build(
      HttpServer.serve(server.app).pipe(
        Layer.provideMerge(NodeHttpServer.layer(() => Http.createServer(), { port: 0, host: "127.0.0.1" }))
      )
    )
    const address = (served.unsafeMap.get(HttpServer.HttpServer.key) as HttpServer.HttpServer).address
    const port = address._tag === "TcpAddress" ? address.port : 0
    const dead = yield* closedPort
    const layerAt = (p: number, key = KEY) =>
      clientLayer({ ...options, apiKey: Redacted.make(key), baseUrl: `http://127.0.0.1:${p}/v1` })
    return {
      server,
      client: layerAt(port),
      refusing: layerAt(dead),
      withKey: (key) => layerAt(port, key)
    } satisfies Setup
  })

const inProcessSetup = Effect.gen(function*() {
  const server = yield* makeApp("in-process")
  const refusingApp = Effect.fail(Object.assign(new Error("refused"), { code: "ECONNREFUSED" }))
  const layerWith = (app: typeof server.app | typeof refusingApp, key = KEY) =>
    SkytellsClient.layer({ ...options, apiKey: Redacted.make(key), baseUrl: "http://fake.local/v1" }).pipe(
      Layer.provide(InProcessHttpClient.layer(app))
    )
  return {
    server,
    client: layerWith(server.app),
    refusing: layerWith(refusingApp),
    withKey: (key) => layerWith(server.app, key)
  } satisfies Setup
})

/** The client over a generic `HttpClient` layer. */
const over = (transport: Layer.Layer<HttpClient.HttpClient>) => (clientOptions: SkytellsClient.Options) =>
  SkytellsClient.layer(clientOptions).pipe(Layer.provide(transport))

const transports: ReadonlyArray<[string, Effect.Effect<Setup, never, Scope.Scope>]> = [
  ["in-process", inProcessSetup],
  ["node undici", socketSetup(over(NodeHttpClient.layerUndici)).pipe(Effect.orDie)],
  ["fetch", socketSetup(over(FetchHttpClient.layer)).pipe(Effect.orDie)],
  ["the undici fast path", socketSetup(NodeSkytellsClient.layer).pipe(Effect.orDie)]
]

const call = <A, I>(request: SkytellsClient.Request<A, I>) =>
  Effect.flatMap(SkytellsClient.SkytellsClient, (client) => client.execute(request))

const get = (path: string) => call({ method: "GET", path, route: path, schema: Thing })

for (const [name, setup] of transports) {
  describe(`over ${name}`, () => {
    it.scopedLive("decodes a success", () =>
      Effect.gen(function*() {
        const { client } = yield* setup
        const thing = yield* Effect.provide(get("/ok"), client)
        assert.deepStrictEqual(thing, { id: "a", n: 1 })
      }))

    it.scopedLive("honours Retry-After and succeeds", () =>
      Effect.gen(function*() {
        const { client, server } = yield* setup
        const thing = yield* Effect.provide(get("/limited"), client)
        assert.strictEqual(thing.id, "b")
        assert.strictEqual((yield* server.hits).get("/limited"), 2)
      }))

    it.scopedLive("a documented error is its class, sent once", () =>
      Effect.gen(function*() {
        const { client, server } = yield* setup
        const e = yield* Effect.flip(Effect.provide(get("/missing"), client))
        assert.strictEqual(e._tag, "ModelNotFound")
        assert.strictEqual((yield* server.hits).get("/missing"), 1)
      }))

    it.scopedLive("an HTML 502 is a GatewayError, retried on a GET", () =>
      Effect.gen(function*() {
        const { client, server } = yield* setup
        const e = yield* Effect.flip(Effect.provide(get("/gateway"), client))
        assert.strictEqual(e._tag, "GatewayError")
        assert.strictEqual((yield* server.hits).get("/gateway"), 3)
      }))

    it.scopedLive("a refused connection: TransportError that did not reach the server", () =>
      Effect.gen(function*() {
        const { refusing } = yield* setup
        const e = yield* Effect.flip(Effect.provide(get("/ok"), refusing))
        assert.strictEqual(e._tag, "TransportError")
        const t = e as SkytellsError.TransportError
        assert.isFalse(t.mayHaveReachedServer, t.description)
        assert.strictEqual(t.reason, "ConnectionRefused")
      }))

    it.scopedLive("a reset after a create was sent: not retried, may have reached the server", () =>
      Effect.gen(function*() {
        const { client, server } = yield* setup
        const e = yield* Effect.flip(Effect.provide(
          call({ method: "POST", path: "/reset", route: "/reset", body: { a: 1 }, schema: Thing }),
          client
        ))
        assert.strictEqual(e._tag, "TransportError")
        assert.isTrue((e as SkytellsError.TransportError).mayHaveReachedServer)
        assert.strictEqual((yield* server.hits).get("/reset"), 1)
      }))

    it.scopedLive("a stalled answer times out per attempt; the server sees the abort", () =>
      Effect.gen(function*() {
        const { client, server } = yield* setup
        const e = yield* Effect.flip(Effect.provide(get("/stall"), client))
        assert.strictEqual(e._tag, "RequestTimeout")
        assert.strictEqual((yield* server.hits).get("/stall"), 3)
        yield* Effect.sleep("50 millis")
        assert.strictEqual(yield* server.aborted, 3)
      }))

    it.scopedLive("streams a body", () =>
      Effect.gen(function*() {
        const { client } = yield* setup
        const text = yield* Effect.gen(function*() {
          const skytells = yield* SkytellsClient.SkytellsClient
          const response = yield* skytells.executeRaw({
            method: "GET",
            path: "/stream",
            route: "/stream",
            accept: "text/event-stream"
          })
          return yield* skytells.streamBody(response).pipe(Stream.decodeText(), Stream.runCollect)
        }).pipe(Effect.provide(client))
        assert.strictEqual(Chunk.join(text, ""), "data: one\n\ndata: two\n\n")
      }))

    it.scopedLive("a redirect is never followed: MalformedResponse Redirect, sent once, the key stays home", () =>
      Effect.gen(function*() {
        const { client, server } = yield* setup
        const methods = ["GET", "POST", "DELETE"] as const
        for (const code of [301, 302, 303, 307, 308]) {
          for (const method of methods) {
            const e = yield* Effect.flip(Effect.provide(
              call({
                method,
                path: `/redirect/${code}`,
                route: "/redirect/{code}",
                ...(method === "POST" ? { body: { a: 1 }, idempotent: true } : {}),
                schema: Thing
              }),
              client
            ))
            assert.strictEqual(e._tag, "MalformedResponse", `${method} ${code}: ${e.message}`)
            const redirect = e as SkytellsError.MalformedResponse
            assert.strictEqual(redirect.reason, "Redirect")
            assert.strictEqual(redirect.httpStatus, code)
            assert.match(redirect.location ?? "", /^http:\/\/localhost(:\d+)?\/v1\/stolen$/)
            assert.include(redirect.message, "never follows a redirect")
            assert.notInclude(`${redirect.message} ${JSON.stringify(redirect)}`, "s3cr3t")
            assert.notInclude(`${redirect.message} ${JSON.stringify(redirect)}`, KEY)
          }
          assert.strictEqual((yield* server.hits).get(`/redirect/${code}`), methods.length)
        }
        const hits = yield* server.hits
        assert.isUndefined(hits.get("/stolen-with-key"))
        assert.isUndefined(hits.get("/stolen"))
      }))

    it.scopedLive("a JSON body over maxBodyBytes is TooLarge, with or without a Content-Length", () =>
      Effect.gen(function*() {
        const { client } = yield* setup
        for (const path of ["/huge-declared", "/huge-chunked"]) {
          const e = yield* Effect.flip(Effect.provide(get(path), client))
          assert.strictEqual(e._tag, "MalformedResponse", path)
          assert.strictEqual((e as SkytellsError.MalformedResponse).reason, "TooLarge", path)
        }
        // The connection is still usable afterwards.
        assert.strictEqual((yield* Effect.provide(get("/ok"), client)).id, "a")
      }))

    it.scopedLive("a key that cannot go in a header fails the layer, never reaching the server or any message", () =>
      Effect.gen(function*() {
        const { server, withKey } = yield* setup
        const before = (yield* server.hits).get("/ok") ?? 0
        const exit = yield* Effect.exit(Effect.provide(get("/ok"), withKey(`${KEY}\nsecond-line`)))
        assert.isTrue(Exit.isFailure(exit))
        const text = Exit.isFailure(exit) ? Cause.pretty(exit.cause) : ""
        assert.include(text, "line break")
        assert.notInclude(text, KEY)
        assert.strictEqual((yield* server.hits).get("/ok") ?? 0, before)
        const trimmed = yield* Effect.provide(get("/ok"), withKey(`${KEY}\n`))
        assert.strictEqual(trimmed.id, "a")
      }))

    it.scopedLive("withHeaders adds headers to a region's requests, never replacing the key", () =>
      Effect.gen(function*() {
        const { client } = yield* setup
        const tagged = yield* Effect.provide(
          get("/through").pipe(SkytellsClient.withHeaders({ "x-through": "tagged" })),
          client
        )
        assert.strictEqual(tagged.id, "tagged")
        // The key cannot be replaced: with another x-api-key the call still authenticates with the configured one.
        const ok = yield* Effect.provide(
          get("/ok").pipe(SkytellsClient.withHeaders({ "x-api-key": "sk-other" })),
          client
        )
        assert.strictEqual(ok.id, "a")
        const bad = yield* Effect.flip(
          Effect.provide(get("/through").pipe(SkytellsClient.withHeaders({ "x-through": "line\nbreak" })), client)
        )
        assert.strictEqual(bad._tag, "TransportError")
        assert.strictEqual((bad as SkytellsError.TransportError).reason, "Encode")
        assert.isFalse((bad as SkytellsError.TransportError).mayHaveReachedServer)
        assert.notInclude(bad.message, "line")
      }))

    it.scopedLive("only the configured key authenticates", () =>
      Effect.gen(function*() {
        const { withKey } = yield* setup
        const e = yield* Effect.flip(Effect.provide(get("/ok"), withKey("sk-wrong")))
        assert.strictEqual(e._tag, "Unauthorized")
      }))
  })
}

/** Waits (real time, bounded) for the other side of a socket to see something: I/O, not a timed behaviour. */
const eventually = (check: Effect.Effect<boolean>) =>
  Effect.gen(function*() {
    for (let i = 0; i < 500; i++) {
      if (yield* check) return true
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
    }
    return false
  })

describe("the undici fast path", () => {
  it.scoped("keeps the per-attempt timeout on effect's Clock: TestClock ends a stalled request and closes it", () =>
    Effect.gen(function*() {
      const { client, server } = yield* socketSetup((clientOptions) =>
        NodeSkytellsClient.layer({ ...clientOptions, timeout: "30 seconds", retry: { policy: Retry.none } })
      ).pipe(Effect.orDie)
      const fiber = yield* Effect.fork(Effect.provide(Effect.flip(get("/stall")), client))
      assert.isTrue(yield* eventually(Effect.map(server.hits, (hits) => hits.get("/stall") === 1)))
      yield* TestClock.adjust("29 seconds")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "RequestTimeout")
      assert.strictEqual((error as SkytellsError.RequestTimeout).scope, "attempt")
      assert.isTrue(yield* eventually(Effect.map(server.aborted, (n) => n === 1)))
    }))

  it.scopedLive("steps aside for transformClient: the decorated HttpClient sees every request", () =>
    Effect.gen(function*() {
      const decorated = (clientOptions: SkytellsClient.Options) =>
        NodeSkytellsClient.layer({
          ...clientOptions,
          transformClient: HttpClient.mapRequest(HttpClientRequest.setHeader("x-through", "transformed"))
        })
      const { client } = yield* socketSetup(decorated).pipe(Effect.orDie)
      const thing = yield* Effect.provide(get("/through"), client)
      assert.strictEqual(thing.id, "transformed")
      const { client: plain } = yield* socketSetup(NodeSkytellsClient.layer).pipe(Effect.orDie)
      assert.strictEqual((yield* Effect.provide(get("/through"), plain)).id, "direct")
    }))
})
