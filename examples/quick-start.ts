/**
 * The quick start: create an image prediction, wait until it is done, print its outputs.
 *
 * By default it runs against the fake Skytells API in process (no key, no network). With
 * SKYTELLS_API_KEY set, the same program runs against api.skytells.ai over undici.
 *
 *   pnpm --filter @effect-skytells/examples exec tsx quick-start.ts
 */
import { Prediction, Predictions, SkytellsClient } from "@effect-skytells/client"
import { FakeSkytells } from "@effect-skytells/testing"
import { NodeHttpClient } from "@effect/platform-node"
import { Console, Effect, Layer, Redacted } from "effect"

// The quick start (the README shows these lines) -----------------------------------------------

const Skytells = SkytellsClient.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici)) // reads SKYTELLS_API_KEY

const program = Effect.gen(function*() {
  const created = yield* Predictions.create({ model: "truefusion", input: { prompt: "a lighthouse at dawn" } })
  const done = yield* Predictions.wait(created)
  yield* Console.log(Prediction.outputs(done))
})

// Without a key: the same program against the fake, in process ---------------------------------

const Fake = SkytellsClient.layer({
  apiKey: Redacted.make(FakeSkytells.defaultApiKey),
  baseUrl: FakeSkytells.defaultBaseUrl
}).pipe(
  // Finish predictions in half a second instead of truefusion's six.
  Layer.provideMerge(
    FakeSkytells.layer({ scenario: { lifecycle: { queued: 0, starting: 0, processing: "500 millis" } } })
  )
)

// The fake records every prediction: check that the program's succeeded and has outputs.
const checked = Effect.gen(function*() {
  yield* program
  const [prediction] = yield* Effect.flatMap(FakeSkytells.FakeSkytells, (fake) => fake.predictions)
  if (prediction?.status !== "succeeded" || !Array.isArray(prediction.output) || prediction.output.length === 0) {
    return yield* Effect.fail(new Error(`expected a succeeded prediction with outputs, got ${prediction?.status}`))
  }
})

// With SKYTELLS_API_KEY set: `Effect.runPromise(Effect.provide(program, Skytells))`; otherwise the fake.
const useRealApi = (process.env.SKYTELLS_API_KEY ?? "").trim() !== ""

const main: Effect.Effect<void, unknown> = useRealApi
  ? Effect.provide(program, Skytells)
  : Effect.provide(checked, Fake)

Effect.runPromise(main).then(
  () => process.exit(0),
  (error) => {
    console.error(String(error))
    process.exit(1)
  }
)
