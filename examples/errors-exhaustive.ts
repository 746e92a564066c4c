/**
 * Handling a call's typed errors: every tag of `Predictions.GetError` with one `Effect.catchTags`,
 * then whole groups at once with `SkytellsError.isRetryable` and `SkytellsError.catchGroup`. Each
 * pipeline ends in `SkytellsError.assertHandled`: drop a handler and the program no longer compiles,
 * with an error that names every tag left. Runs against the in-process fake.
 *
 *   pnpm --filter @effect-skytells/examples exec tsx errors-exhaustive.ts
 */
import { Predictions, Retry, SkytellsClient, SkytellsError } from "@effect-skytells/client"
import { FakeSkytells, Fault } from "@effect-skytells/testing"
import { Console, Effect, Layer, Redacted } from "effect"

const fix = (e: SkytellsError.SkytellsError) => Effect.succeed(`fix and resend: ${SkytellsError.describe(e)}`)
const later = (e: SkytellsError.RetryableError) => Effect.succeed(`${e._tag}: transient, try again later`)
const report = (e: SkytellsError.SkytellsError) => Effect.succeed(`report this: ${SkytellsError.describe(e)}`)

// 1. One handler per tag.
const status = (id: string) =>
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
    }),
    SkytellsError.assertHandled
  )

// 2. One handler per group. A group's members the call cannot fail with are simply absent: a
// create can fail with two of the three billing errors, and the handler sees exactly those two.
const submit = (model: string) =>
  Predictions.create({ model, input: { prompt: "a red fox" } }).pipe(
    Effect.map((p) => `created ${p.id}`),
    Effect.catchIf(SkytellsError.isRetryable, (e) => Effect.succeed(`retryable ${e._tag}: queue it for later`)),
    SkytellsError.catchGroup(
      SkytellsError.billingErrors,
      (e) => Effect.succeed(`billing (${e._tag}): ${e.resolution}`)
    ),
    SkytellsError.catchGroup(
      [
        ...SkytellsError.authenticationErrors,
        ...SkytellsError.permissionErrors,
        ...SkytellsError.validationErrors,
        ...SkytellsError.contentPolicyErrors,
        ...SkytellsError.notFoundErrors
      ],
      fix
    ),
    SkytellsError.catchGroup(SkytellsError.predictionLevelErrors, report),
    Effect.catchTags({ UnknownApiError: report, MalformedResponse: report }),
    SkytellsError.assertHandled
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
