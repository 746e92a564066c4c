/**
 * Handling a call's typed errors: every tag of `Predictions.GetError` with one `Effect.catchTags`
 * (the compiler rejects the program if a tag is missing), then whole groups at once with
 * `SkytellsError.isRetryable` and `Match` over the billing tags. Runs against the in-process fake.
 *
 *   pnpm --filter @effect-skytells/examples exec tsx errors-exhaustive.ts
 */
import { Predictions, Retry, SkytellsClient, SkytellsError } from "@effect-skytells/client"
import { FakeSkytells, Fault } from "@effect-skytells/testing"
import { Console, Effect, Layer, Match, Redacted } from "effect"

// 1. Exhaustive: one handler per tag. The annotation's `never` error channel is the proof.
const fix = (e: SkytellsError.SkytellsError) => Effect.succeed(`fix and resend: ${SkytellsError.describe(e)}`)
const later = (e: SkytellsError.RetryableError) => Effect.succeed(`${e._tag}: transient, try again later`)
const report = (e: SkytellsError.SkytellsError) => Effect.succeed(`report this: ${SkytellsError.describe(e)}`)

const status = (id: string): Effect.Effect<string, never, SkytellsClient.SkytellsClient> =>
  Predictions.get(id).pipe(
    Effect.map((p) => `${p.id} is ${p.status}`),
    Effect.catchTags({
      PredictionNotFound: (e) => Effect.succeed(`no prediction ${id}. What to do: ${e.resolution}`),
      PredictionFailed: fix,
      // A 504 TIMEOUT: the prediction ran past its time limit.
      Timeout: fix,
      Unauthorized: fix,
      AccountSuspended: fix,
      Forbidden: fix,
      RateLimitExceeded: later,
      InternalError: later,
      ModelUnavailable: later,
      ServiceUnavailable: later,
      GatewayError: later,
      TransportError: later,
      RequestTimeout: later,
      UnknownApiError: report,
      MalformedResponse: report
    })
  )

// 2. Groups: every retryable error at once, then the billing group with Match; the rest stays typed.
const advice = Match.type<Predictions.CreateError>().pipe(
  Match.tag(
    "PaymentRequired",
    "InsufficientCredits",
    (e) => `billing (${e._tag}): ${e.resolution}`
  ),
  Match.orElse((e) => SkytellsError.describe(e))
)

const submit = (model: string) =>
  Predictions.create({ model, input: { prompt: "a red fox" } }).pipe(
    Effect.map((p) => `created ${p.id}`),
    Effect.catchIf(SkytellsError.isRetryable, (e) => Effect.succeed(`retryable ${e._tag}: queue it for later`)),
    Effect.catchAll((e) => Effect.succeed(advice(e)))
  )

const program = Effect.gen(function*() {
  const fake = yield* FakeSkytells.FakeSkytells
  const outcomes = [
    yield* status("pred_does_not_exist"),
    yield* fake.script("predictions.get", [Fault.serverError(503)]).pipe(Effect.zipRight(status("pred_x"))),
    yield* submit("fake/error-RATE_LIMIT_EXCEEDED"),
    yield* fake.setCredits(0).pipe(Effect.zipRight(submit("truefusion")))
  ]
  yield* Effect.forEach(outcomes, (line) => Console.log(`- ${line}`))
  const expected = [
    "no prediction",
    "ServiceUnavailable: transient",
    "retryable RateLimitExceeded",
    "billing (InsufficientCredits)"
  ]
  const wrong = expected.filter((prefix, i) => !outcomes[i]!.startsWith(prefix))
  if (wrong.length > 0) yield* Effect.fail(new Error(`unexpected outcome for: ${wrong.join(", ")}`))
})

const Skytells = SkytellsClient.layer({
  apiKey: Redacted.make(FakeSkytells.defaultApiKey),
  baseUrl: FakeSkytells.defaultBaseUrl,
  retry: { policy: Retry.none } // show each failure at once instead of retrying it
}).pipe(Layer.provideMerge(FakeSkytells.layer()))

Effect.runPromise(Effect.provide(program, Skytells)).catch((error) => {
  console.error(String(error))
  process.exit(1)
})
