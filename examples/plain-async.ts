/**
 * Using the toolkit from plain `async` functions, for code bases new to Effect: build a
 * `ManagedRuntime` once from the layers, then `await runtime.runPromise(...)` any call. Failures:
 * `runPromiseExit` gives an `Exit` (inspect its `Cause`), `Effect.either` gives an `Either` of the
 * typed error; `runPromise` rejects. Runs against the in-process fake (with SKYTELLS_API_KEY set,
 * against api.skytells.ai).
 *
 *   pnpm --filter @effect-skytells/examples exec tsx plain-async.ts
 */
import { Prediction, Predictions, SkytellsClient } from "@effect-skytells/client"
import { FakeSkytells } from "@effect-skytells/testing"
import { NodeHttpClient } from "@effect/platform-node"
import { Cause, Effect, Either, Exit, Layer, ManagedRuntime, Option, Redacted } from "effect"

const Skytells = (process.env.SKYTELLS_API_KEY ?? "").trim() !== ""
  ? SkytellsClient.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))
  : SkytellsClient.layer({ apiKey: Redacted.make(FakeSkytells.defaultApiKey), baseUrl: FakeSkytells.defaultBaseUrl })
    .pipe(
      Layer.provide(
        FakeSkytells.layer({ scenario: { lifecycle: { queued: 0, starting: 0, processing: "500 millis" } } })
      )
    )

// Once per process: the client, its connection pool and its limiter live as long as the runtime.
// (`Effect.runPromise(Effect.provide(call, Skytells))` works too, but builds the layers on every call.)
const runtime = ManagedRuntime.make(Skytells)

/** An ordinary async function: resolves with the output URLs, rejects when the prediction fails. */
export async function generateImage(prompt: string): Promise<ReadonlyArray<string>> {
  const prediction = await runtime.runPromise(Predictions.run({ model: "truefusion", input: { prompt } }))
  return Prediction.outputs(prediction)
}

/** `null` when there is no such prediction; any other failure is thrown with a readable report. */
export async function findPrediction(id: string): Promise<Prediction.Prediction | null> {
  const exit = await runtime.runPromiseExit(Predictions.get(id))
  if (Exit.isSuccess(exit)) return exit.value
  const failure = Cause.failureOption(exit.cause) // the typed error, when the call failed (not died or interrupted)
  if (Option.isSome(failure) && failure.value._tag === "PredictionNotFound") return null
  throw new Error(Cause.pretty(exit.cause))
}

/** The same with `Effect.either`: a value to switch on, never a rejection for a typed error. */
export async function status(id: string): Promise<string> {
  const result = await runtime.runPromise(Effect.either(Predictions.get(id)))
  return Either.match(result, {
    onLeft: (error) => `${error._tag}: ${error.message}`,
    onRight: (prediction) => prediction.status
  })
}

async function main() {
  const urls = await generateImage("a lighthouse at dawn")
  console.log("outputs:", urls)
  const missing = await findPrediction("pred_does_not_exist")
  console.log("findPrediction of an unknown id:", missing)
  const line = await status("pred_does_not_exist")
  console.log("status of an unknown id:", line)
  if (urls.length === 0 || missing !== null || !line.startsWith("PredictionNotFound")) {
    throw new Error("unexpected results")
  }
}

main().then(
  () => runtime.dispose(),
  async (error) => {
    console.error(error)
    await runtime.dispose()
    process.exitCode = 1
  }
)
