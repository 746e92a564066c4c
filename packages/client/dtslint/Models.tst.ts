import type { Model, Predictions, SkytellsClient, SkytellsError } from "@effect-skytells/client"
import * as Models from "@effect-skytells/client/Models"
import * as Outputs from "@effect-skytells/client/Outputs"
import type { FileSystem } from "@effect/platform/FileSystem"
import type { HttpClient } from "@effect/platform/HttpClient"
import type { Path } from "@effect/platform/Path"
import type { Layer } from "effect"
import { Effect } from "effect"
import { describe, expectTypeOf, it } from "vitest"

/** Accepts only effects whose error channel is empty: a compile error proves a tag was left out. */
const exhaustive = <A, R>(self: Effect.Effect<A, never, R>) => self

type Client = SkytellsClient.SkytellsClient

describe("Models error unions", () => {
  it("list: the Prediction API's common failures only", () => {
    expectTypeOf(Models.list()).toEqualTypeOf<Effect.Effect<ReadonlyArray<Model.Model>, Models.ListError, Client>>()
    expectTypeOf<Models.ListError>().toEqualTypeOf<Predictions.CommonError>()
  })

  it("get: the common failures | ModelNotFound", () => {
    expectTypeOf(Models.get("truefusion")).toEqualTypeOf<Effect.Effect<Model.Model, Models.GetError, Client>>()
    expectTypeOf<Models.GetError>().toEqualTypeOf<Predictions.CommonError | SkytellsError.ModelNotFound>()
    expectTypeOf<Extract<Models.GetError, { _tag: "InvalidInput" | "InsufficientCredits" }>>().toBeNever()
  })

  it("handling ModelNotFound leaves exactly the common failures", () => {
    const handled = Models.get("x").pipe(Effect.catchTag("ModelNotFound", () => Effect.succeed(null)))
    expectTypeOf(handled).toEqualTypeOf<Effect.Effect<Model.Model | null, Predictions.CommonError, Client>>()
  })

  it("validateInput fails with InvalidInput only and needs nothing", () => {
    const checked = Models.validateInput({ namespace: "m" }, {})
    expectTypeOf(checked).toEqualTypeOf<Effect.Effect<void, SkytellsError.InvalidInput, never>>()
    exhaustive(checked.pipe(Effect.catchTag("InvalidInput", () => Effect.void)))
  })

  it("inputValidator: GetError to fetch, InvalidInput per input", () => {
    expectTypeOf(Models.inputValidator("truefusion")).toEqualTypeOf<
      Effect.Effect<(input: unknown) => Effect.Effect<void, SkytellsError.InvalidInput>, Models.GetError, Client>
    >()
  })

  it("layerCache needs the client and provides the cache", () => {
    expectTypeOf(Models.layerCache({ timeToLive: "1 minute", capacity: 10 })).toEqualTypeOf<
      Layer.Layer<Models.ModelCache, never, Client>
    >()
  })
})

describe("Outputs", () => {
  it("download: DownloadError, needs HttpClient | FileSystem | Path (never SkytellsClient)", () => {
    const saved = Outputs.download({ status: "succeeded", output: ["https://cdn.example/a.png"] }, "out")
    expectTypeOf(saved).toEqualTypeOf<
      Effect.Effect<ReadonlyArray<string>, Outputs.DownloadError, HttpClient | FileSystem | Path>
    >()
    expectTypeOf<Outputs.DownloadError["_tag"]>().toEqualTypeOf<
      | "OutputsRemoved"
      | "NoOutputs"
      | "OutputExpired"
      | "OutputUnavailable"
      | "OutputIncomplete"
      | "OutputWriteFailed"
      | "TransportError"
    >()
    const handled = saved.pipe(Effect.catchTags({
      OutputsRemoved: () => Effect.succeed([]),
      NoOutputs: () => Effect.succeed([]),
      OutputExpired: () => Effect.succeed([]),
      OutputUnavailable: () => Effect.succeed([]),
      OutputIncomplete: () => Effect.succeed([]),
      OutputWriteFailed: () => Effect.succeed([]),
      TransportError: () => Effect.succeed([])
    }))
    exhaustive(handled)
  })

  it("retry policies see only retryable failures", () => {
    expectTypeOf<Outputs.RetryableError["_tag"]>().toEqualTypeOf<
      "OutputUnavailable" | "OutputIncomplete" | "TransportError"
    >()
  })
})
