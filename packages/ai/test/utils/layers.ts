/**
 * The fake Skytells API (with the model of `fakeModel.ts`) in process or on a loopback server, and
 * the two providers' clients pointed at it: the Skytells client and `@effect/ai-openai`'s.
 */
import { InProcessHttpClient, Retry, SkytellsClient } from "@effect-skytells/client"
import { FakeSkytells } from "@effect-skytells/testing"
import { OpenAiClient } from "@effect/ai-openai"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { Context, Duration, Effect, Layer, Redacted } from "effect"
import * as Http from "node:http"
import { withModel } from "./fakeModel.js"

export type Transport = "in-process" | "loopback"

export const transports: ReadonlyArray<Transport> = ["in-process", "loopback"]

const inProcess = (options: FakeSkytells.Options) =>
  Layer.scopedContext(Effect.gen(function*() {
    const fake = yield* FakeSkytells.make(options)
    const client = yield* InProcessHttpClient.make(withModel(fake.app))
    return Context.make(FakeSkytells.FakeSkytells, fake).pipe(Context.add(HttpClient.HttpClient, client))
  }))

// As FakeSkytells.serve does: a broken-connection fault destroys the socket.
const loopback = (options: FakeSkytells.Options) =>
  Layer.scopedContext(Effect.gen(function*() {
    const server = yield* NodeHttpServer.make(() => Http.createServer(), { port: 0, host: "127.0.0.1" })
    const port = server.address._tag === "TcpAddress" ? server.address.port : 0
    const fake = yield* FakeSkytells.make({ ...options, baseUrl: `http://127.0.0.1:${port}/v1` })
    yield* server.serve(Effect.catchTag(withModel(fake.app), "FakeConnectionError", () =>
      Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
        NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()
        return Effect.never
      })))
    return Context.make(FakeSkytells.FakeSkytells, fake)
  })).pipe(Layer.merge(FetchHttpClient.layer), Layer.orDie)

/** A fresh fake and an `HttpClient` that reaches it. */
export const layerFake = (
  transport: Transport,
  options: FakeSkytells.Options = {}
): Layer.Layer<FakeSkytells.FakeSkytells | HttpClient.HttpClient> =>
  transport === "in-process" ? inProcess(options) : loopback(options)

// As FakeSkytells.layerTest: the client's attempts without the waits between them.
const instantRetry: Retry.Options = { policy: Retry.fixed(Duration.zero), maxRetryAfter: Duration.zero }

/** The Skytells client pointed at the fake, with the fake's key. */
export const layerSkytellsClient = (
  options: Omit<SkytellsClient.Options, "apiKey" | "baseUrl"> = {}
): Layer.Layer<SkytellsClient.SkytellsClient, never, FakeSkytells.FakeSkytells | HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(FakeSkytells.FakeSkytells, (fake) =>
    SkytellsClient.layer({
      retry: instantRetry,
      ...options,
      apiKey: Redacted.make(fake.apiKey),
      baseUrl: fake.baseUrl
    }))).pipe(Layer.orDie)

/** `@effect/ai-openai`'s client pointed at the fake, with the fake's key (sent as a Bearer token). */
export const layerOpenAiClient: Layer.Layer<
  OpenAiClient.OpenAiClient,
  never,
  FakeSkytells.FakeSkytells | HttpClient.HttpClient
> = Layer.unwrapEffect(
  Effect.map(
    FakeSkytells.FakeSkytells,
    (fake) => OpenAiClient.layer({ apiKey: Redacted.make(fake.apiKey), apiUrl: fake.baseUrl })
  )
)
