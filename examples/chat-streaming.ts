/**
 * Chat completions from the OpenAI-compatible Inference API, streamed token by token as a typed
 * `Stream`: print each delta as it arrives, stop early with `Stream.take` (the connection is closed),
 * and catch a server that goes quiet mid-answer as a typed `StreamIdleTimeout`. Runs against the
 * in-process fake (its model echoes your words back).
 *
 *   pnpm --filter @effect-skytells/examples exec tsx chat-streaming.ts
 */
import { Inference, SkytellsClient } from "@effect-skytells/client"
import { FakeSkytells, Fault } from "@effect-skytells/testing"
import { Console, Effect, Layer, Redacted, Stream } from "effect"

const request: Inference.ChatCompletionRequest = {
  model: "deepbrain-router",
  messages: [{ role: "user", content: "Write one sentence about lighthouses and the sea at night" }]
}

const program = Effect.gen(function*() {
  const fake = yield* FakeSkytells.FakeSkytells

  // 1. The whole answer, printed as it arrives.
  const text = yield* Inference.chatCompletionStream(request).pipe(
    Stream.map((chunk) => chunk.choices[0]?.delta?.content ?? ""),
    Stream.tap((delta) => Effect.sync(() => process.stdout.write(delta))),
    Stream.runFold("", (all, delta) => all + delta)
  )
  yield* Console.log(`\n(${text.split(" ").length} words)`)

  // 2. Only the first three chunks: the rest is never read.
  const firstThree = yield* Inference.chatCompletionStream(request).pipe(Stream.take(3), Stream.runCollect)
  yield* Console.log(`took ${firstThree.length} chunks and closed the stream`)

  // 3. The server stalls after two chunks: a typed failure after 300 ms of silence, not a hang.
  yield* fake.script("chat.completions", [Fault.stallBody(2)])
  const stalled = yield* Inference.chatCompletionStream(request, { idleTimeout: "300 millis" }).pipe(
    Stream.runDrain,
    Effect.as("no timeout"),
    Effect.catchTag("StreamIdleTimeout", (e) => Effect.succeed(`StreamIdleTimeout after ${e.received} chunks`))
  )
  yield* Console.log(stalled)

  // The same request without streaming, for comparison.
  const completion = yield* Inference.chatCompletion(request)
  const whole = completion.choices[0]?.message.content ?? ""
  yield* Console.log(`chatCompletion: ${whole}`)

  if (text === "" || text !== whole || firstThree.length !== 3 || !stalled.startsWith("StreamIdleTimeout")) {
    yield* Effect.fail(new Error("the stream did not behave as shown"))
  }
})

const Skytells = SkytellsClient.layer({
  apiKey: Redacted.make(FakeSkytells.defaultApiKey),
  baseUrl: FakeSkytells.defaultBaseUrl
}).pipe(Layer.provideMerge(FakeSkytells.layer()))

Effect.runPromise(Effect.provide(program, Skytells)).catch((error) => {
  console.error(String(error))
  process.exit(1)
})
