import type { InferenceSchema, SkytellsClient, SkytellsError } from "@effect-skytells/client"
import type * as Inference from "@effect-skytells/client/Inference"
import { Effect } from "effect"
import type { Stream } from "effect"
import { describe, expectTypeOf, it } from "vitest"

declare const chatCompletion: typeof Inference.chatCompletion
declare const chatCompletionStream: typeof Inference.chatCompletionStream
declare const response: typeof Inference.response
declare const responseStream: typeof Inference.responseStream
declare const embeddings: typeof Inference.embeddings
declare const embed: typeof Inference.embed

/** Accepts only effects whose error channel is empty: a compile error proves a tag was left out. */
const exhaustive = <A, R>(self: Effect.Effect<A, never, R>) => self

// Only what the Inference API documents: none of the Prediction API's own ids (AccountSuspended,
// ModelUnavailable, InvalidInput, the list's date errors, PaymentRequired, ...).
type InferenceTags =
  // authentication
  | "Unauthorized"
  | "InvalidApiKey"
  // refusals
  | "Forbidden"
  // rate limits
  | "RateLimitExceeded"
  | "RateLimited"
  | "InferenceRateLimited"
  // server side
  | "InternalError"
  | "InferenceError"
  | "ServerError"
  | "ServiceUnavailable"
  | "InferenceTimeout"
  | "GatewayError"
  // outside the documentation, no answer
  | "UnknownApiError"
  | "MalformedResponse"
  | "TransportError"
  | "RequestTimeout"
  // the request
  | "InvalidParameter"
  | "ContextLengthExceeded"
  | "InvalidRequestError"
  | "InvalidRequest"
  | "ModelNotSupported"
  // billing
  | "InsufficientCredits"
  | "InsufficientQuota"
  // not found
  | "ModelNotFound"
  | "EndpointNotFound"

describe("operations", () => {
  it("have precise signatures", () => {
    expectTypeOf(chatCompletion({ model: "m", messages: [] })).toEqualTypeOf<
      Effect.Effect<InferenceSchema.ChatCompletion, Inference.ChatCompletionError, SkytellsClient.SkytellsClient>
    >()
    expectTypeOf(chatCompletionStream({ model: "m", messages: [] })).toEqualTypeOf<
      Stream.Stream<
        InferenceSchema.ChatCompletionChunk,
        Inference.ChatCompletionError | Inference.StreamIdleTimeout,
        SkytellsClient.SkytellsClient
      >
    >()
    expectTypeOf(response({ model: "m", input: "x" })).toEqualTypeOf<
      Effect.Effect<InferenceSchema.Response, Inference.CreateResponseError, SkytellsClient.SkytellsClient>
    >()
    expectTypeOf(responseStream({ model: "m", input: "x" })).toEqualTypeOf<
      Stream.Stream<Inference.ResponseStreamEvent, Inference.ResponseStreamError, SkytellsClient.SkytellsClient>
    >()
    expectTypeOf(embeddings({ model: "m", input: ["a"] })).toEqualTypeOf<
      Effect.Effect<Inference.Embeddings, Inference.EmbeddingsError, SkytellsClient.SkytellsClient>
    >()
    expectTypeOf(embed("m", "a")).toEqualTypeOf<
      Effect.Effect<Float32Array, Inference.EmbeddingsError, Inference.EmbedBatcher>
    >()
  })

  it("the request types leave `stream` to the operation", () => {
    // @ts-expect-error stream is set by chatCompletion / chatCompletionStream
    chatCompletion({ model: "m", messages: [], stream: true })
  })

  it("the streamed Responses events exclude `error`, which fails the stream instead", () => {
    expectTypeOf<Extract<Inference.ResponseStreamEvent, { type: "error" }>>().toBeNever()
    expectTypeOf<Extract<Inference.ResponseStreamEvent, { type: "response.output_text.delta" }>>()
      .toEqualTypeOf<InferenceSchema.ResponseOutputTextDeltaEvent>()
  })
})

describe("error unions", () => {
  it("are pinned", () => {
    expectTypeOf<Inference.ChatCompletionError["_tag"]>().toEqualTypeOf<InferenceTags>()
    expectTypeOf<Inference.CreateResponseError["_tag"]>().toEqualTypeOf<InferenceTags>()
    expectTypeOf<Inference.EmbeddingsError["_tag"]>().toEqualTypeOf<InferenceTags>()
    expectTypeOf<Inference.ChatCompletionStreamError["_tag"]>().toEqualTypeOf<InferenceTags | "StreamIdleTimeout">()
    expectTypeOf<Inference.ResponseStreamError["_tag"]>().toEqualTypeOf<InferenceTags | "StreamIdleTimeout">()
    expectTypeOf<Extract<Inference.ChatCompletionError, { _tag: "PredictionFailed" }>>().toBeNever()
    expectTypeOf<Extract<Inference.ChatCompletionError, { _tag: "ContextLengthExceeded" }>>()
      .toEqualTypeOf<SkytellsError.ContextLengthExceeded>()
  })

  it("keep the inference fields", () => {
    expectTypeOf<SkytellsError.ContextLengthExceeded["param"]>().toEqualTypeOf<string | undefined>()
    expectTypeOf<SkytellsError.ContextLengthExceeded["requestId"]>().toEqualTypeOf<string | undefined>()
    expectTypeOf<Inference.StreamIdleTimeout["received"]>().toEqualTypeOf<number>()
  })
})

describe("catchTags over an operation's union is exhaustive", () => {
  const groups = {
    Unauthorized: () => Effect.succeed("auth"),
    InvalidApiKey: () => Effect.succeed("auth"),
    Forbidden: () => Effect.succeed("forbidden"),
    RateLimitExceeded: () => Effect.succeed("wait"),
    RateLimited: () => Effect.succeed("wait"),
    InferenceRateLimited: () => Effect.succeed("wait"),
    InternalError: () => Effect.succeed("server"),
    InferenceError: () => Effect.succeed("server"),
    ServerError: () => Effect.succeed("server"),
    ServiceUnavailable: () => Effect.succeed("server"),
    InferenceTimeout: () => Effect.succeed("server"),
    GatewayError: () => Effect.succeed("server"),
    UnknownApiError: () => Effect.succeed("unknown"),
    MalformedResponse: () => Effect.succeed("unknown"),
    TransportError: () => Effect.succeed("network"),
    RequestTimeout: () => Effect.succeed("network"),
    InvalidParameter: () => Effect.succeed("fix"),
    ModelNotSupported: () => Effect.succeed("fix"),
    ContextLengthExceeded: () => Effect.succeed("shorten"),
    InvalidRequestError: () => Effect.succeed("fix"),
    InvalidRequest: () => Effect.succeed("fix"),
    InsufficientCredits: () => Effect.succeed("pay"),
    InsufficientQuota: () => Effect.succeed("pay"),
    ModelNotFound: () => Effect.succeed("model"),
    EndpointNotFound: () => Effect.succeed("model")
  }

  it("handling every tag leaves never", () => {
    const handled = chatCompletion({ model: "m", messages: [] }).pipe(
      Effect.map(() => "ok"),
      Effect.catchTags(groups)
    )
    expectTypeOf(handled).toEqualTypeOf<Effect.Effect<string, never, SkytellsClient.SkytellsClient>>()
    exhaustive(handled)
    exhaustive(embed("m", "a").pipe(Effect.map(() => "ok"), Effect.catchTags(groups)))
  })

  it("leaving one out is a compile error", () => {
    const { ContextLengthExceeded: _, ...rest } = groups
    const partial = chatCompletion({ model: "m", messages: [] }).pipe(Effect.map(() => "ok"), Effect.catchTags(rest))
    expectTypeOf(partial).toEqualTypeOf<
      Effect.Effect<string, SkytellsError.ContextLengthExceeded, SkytellsClient.SkytellsClient>
    >()
    // @ts-expect-error ContextLengthExceeded is not handled
    exhaustive(partial)
  })
})
