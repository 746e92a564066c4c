/**
 * A custom retry policy composed from the default with effect's Schedule combinators, run against
 * the fake Skytells API (no key, no network): the fake answers 429 twice, then succeeds.
 *
 *   pnpm --filter @effect-skytells/examples exec tsx custom-retry-policy.ts
 */
import { Models, Retry, SkytellsClient } from "@effect-skytells/client"
import { FakeSkytells, Fault } from "@effect-skytells/testing"
import { Console, Duration, Effect, Layer, Redacted, Schedule } from "effect"

// The default shape (exponential, ±25 % jitter) but faster, at most 5 attempts, and never more than
// 10 seconds of waiting in all. The client still raises each wait to the server's Retry-After and
// never retries what must not be retried (credits, auth, validation, an ambiguous create).
const policy: Retry.Policy = Retry.exponential({ base: "200 millis", maxAttempts: 5 }).pipe(
  Schedule.upTo(Duration.seconds(10)),
  Schedule.tapInput((error: unknown) => Console.log(`  retrying after ${(error as { _tag: string })._tag}`))
)

const program = Effect.gen(function*() {
  const fake = yield* FakeSkytells.FakeSkytells
  yield* fake.script("models.list", [Fault.rateLimit(1), Fault.rateLimit(1)])
  const started = Date.now()
  const models = yield* Retry.withPolicy(Models.list(), policy)
  const gets = (yield* fake.requests).filter((r) => r.route === "models.list").length
  yield* Console.log(`${models.length} models after ${gets} requests and ${Date.now() - started} ms`)
})

const Skytells = SkytellsClient.layer({
  apiKey: Redacted.make(FakeSkytells.defaultApiKey),
  baseUrl: FakeSkytells.defaultBaseUrl
}).pipe(Layer.provideMerge(FakeSkytells.layer()))

Effect.runPromise(Effect.provide(program, Skytells)).catch((error) => {
  console.error(String(error))
  process.exit(1)
})
