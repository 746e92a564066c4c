/**
 * Using the toolkit from plain `async` code, for code bases new to Effect: `PromiseClient.make`
 * builds the client once, every call returns a Promise (streams are `for await` loops), a failure
 * rejects with the typed error itself (`instanceof SkytellsError.PredictionNotFound`), and an
 * `AbortSignal` stops a call. Runs against the in-process fake (with SKYTELLS_API_KEY set, against
 * api.skytells.ai).
 *
 *   pnpm --filter @effect-skytells/examples exec tsx plain-async.ts
 */
import { Prediction, PromiseClient, SkytellsClient, SkytellsError } from "@effect-skytells/client"
import * as NodeSkytellsClient from "@effect-skytells/client/NodeSkytellsClient"
import { FakeSkytells } from "@effect-skytells/testing"
import { Layer, Redacted } from "effect"

const layer = (process.env.SKYTELLS_API_KEY ?? "").trim() !== ""
  ? NodeSkytellsClient.layerConfig()
  : SkytellsClient.layer({ apiKey: Redacted.make(FakeSkytells.defaultApiKey), baseUrl: FakeSkytells.defaultBaseUrl })
    .pipe(
      Layer.provide(FakeSkytells.layer({ scenario: { lifecycle: { queued: 0, starting: 0, processing: "1 second" } } }))
    )

// Once per process: the client, its connection pool and its limiter live until dispose().
const skytells = PromiseClient.make(layer)

/** Resolves with the output URLs; rejects with the typed error when the prediction fails. */
export async function generateImage(prompt: string): Promise<ReadonlyArray<string>> {
  const prediction = await skytells.predictions.run({ model: "truefusion", input: { prompt } })
  return Prediction.outputs(prediction)
}

/** `null` when there is no such prediction; any other failure is rethrown as it is. */
export async function findPrediction(id: string): Promise<Prediction.Prediction | null> {
  try {
    return await skytells.predictions.get(id)
  } catch (error) {
    if (error instanceof SkytellsError.PredictionNotFound) return null
    throw error
  }
}

/** The answer as it streams; leaving the loop early would close the connection. */
export async function chat(question: string): Promise<string> {
  let text = ""
  const messages = [{ role: "user" as const, content: question }]
  for await (const chunk of skytells.inference.chatCompletionStream({ model: "deepbrain-router", messages })) {
    text += chunk.choices[0]?.delta?.content ?? ""
  }
  return text
}

async function main() {
  const urls = await generateImage("a lighthouse at dawn")
  console.log("outputs:", urls)
  const missing = await findPrediction("pred_does_not_exist")
  console.log("findPrediction of an unknown id:", missing)
  const answer = await chat("Say hello to the lighthouse keeper")
  console.log("chat:", answer)

  // Give up waiting after 100 ms: polling stops and the call rejects with the signal's reason, as fetch does.
  const slow = await skytells.predictions.create({ model: "truefusion", input: { prompt: "a slow one" } })
  const gaveUp = await skytells.predictions.wait(slow, { signal: AbortSignal.timeout(100) }).catch((e: unknown) => e)
  console.log("wait with AbortSignal.timeout(100):", String(gaveUp))

  if (urls.length === 0 || missing !== null || answer === "" || !(gaveUp instanceof DOMException)) {
    throw new Error("unexpected results")
  }
}

main()
  .catch((error) => {
    console.error(error)
    process.exitCode = 1
  })
  .finally(() => skytells.dispose())
