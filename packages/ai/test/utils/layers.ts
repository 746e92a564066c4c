/**
 * The fake Skytells API in process or on a loopback server, and the two providers' clients pointed
 * at it: the Skytells client and `@effect/ai-openai`'s. The fake is the plain one: it calls the tools
 * offered and answers in JSON when asked, as a real model would.
 */
import { Retry, SkytellsClient } from "@effect-skytells/client"
import { FakeSkytells } from "@effect-skytells/testing"
import { OpenAiClient } from "@effect/ai-openai"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import { Duration, Effect, Layer, Redacted } from "effect"

export type Transport = "in-process" | "loopback"

export const transports: ReadonlyArray<Transport> = ["in-process", "loopback"]

/** A fresh fake and an `HttpClient` that reaches it. */
export const layerFake = (
  transport: Transport,
  options: FakeSkytells.Options = {}
): Layer.Layer<FakeSkytells.FakeSkytells | HttpClient.HttpClient> =>
  transport === "in-process"
    ? FakeSkytells.layer(options)
    : FakeSkytells.layerServer(options).pipe(Layer.merge(FetchHttpClient.layer), Layer.orDie)

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
