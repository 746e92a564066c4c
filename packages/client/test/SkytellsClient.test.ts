import { InProcessHttpClient, Predictions, Retry, SkytellsClient, SkytellsError } from "@effect-skytells/client"
import { assert, describe, it } from "@effect/vitest"
import {
  Clock,
  ConfigProvider,
  Duration,
  Effect,
  Exit,
  Fiber,
  Layer,
  Option,
  Random,
  Schedule,
  Schema,
  TestClock
} from "effect"
import { API_KEY, clientLayer, type Reply, scripted } from "./utils/scripted.js"

const Thing = Schema.Struct({ id: Schema.String, count: Schema.Number })

const getThing = Effect.flatMap(
  SkytellsClient.SkytellsClient,
  (client) => client.execute({ method: "GET", path: "/things/1", route: "/things/{id}", schema: Thing })
)

const createThing = Effect.flatMap(
  SkytellsClient.SkytellsClient,
  (client) => client.execute({ method: "POST", path: "/things", route: "/things", body: { name: "x" }, schema: Thing })
)

const ok = { status: 200, body: { id: "t1", count: 1 } } as const
const noJitter = (maxAttempts = 4) => Retry.exponential({ jitter: 0, maxAttempts })

/** Runs `call` against a script, moving the TestClock far enough for every wait. */
const runScript = <A, E>(
  replies: ReadonlyArray<Reply>,
  call: Effect.Effect<A, E, SkytellsClient.SkytellsClient>,
  options: Partial<SkytellsClient.Options> = {},
  advance: Duration.DurationInput = "10 minutes"
) =>
  Effect.gen(function*() {
    const server = yield* scripted(replies)
    const start = yield* Clock.currentTimeMillis
    const fiber = yield* Effect.fork(Effect.provide(call, clientLayer(server.app, options)))
    yield* TestClock.adjust(advance)
    const exit = yield* Fiber.await(fiber)
    const seen = yield* server.seen
    return { exit, seen, times: seen.map((s) => s.at - start), aborted: yield* server.aborted }
  })

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (failure === undefined) throw new Error(`expected a typed failure, got ${exit.cause._tag}`)
  return failure
}

describe("executing a request", () => {
  it.effect("sends x-api-key (and no Authorization), decodes the body", () =>
    Effect.gen(function*() {
      const { exit, seen } = yield* runScript([ok], getThing)
      assert.deepStrictEqual(exit, Exit.succeed({ id: "t1", count: 1 }))
      assert.strictEqual(seen[0].headers["x-api-key"], API_KEY)
      assert.isUndefined(seen[0].headers["authorization"])
      assert.strictEqual(seen[0].url, "/v1/things/1")
    }))

  it.effect("a body that does not match the schema is MalformedResponse naming the field", () =>
    Effect.gen(function*() {
      const { exit } = yield* runScript([{ status: 200, body: { id: "t1", count: "many" } }], getThing)
      const e = failureOf(exit) as SkytellsError.MalformedResponse
      assert.strictEqual(e._tag, "MalformedResponse")
      assert.strictEqual(e.reason, "UnexpectedShape")
      assert.include(e.issue, "count")
    }))

  it.effect("an HTML page on 200 is MalformedResponse, never a defect", () =>
    Effect.gen(function*() {
      const { exit } = yield* runScript([{ status: 200, body: "<html>captive portal</html>" }], getThing)
      assert.strictEqual((failureOf(exit) as SkytellsError.MalformedResponse).reason, "NotJson")
    }))

  it.effect("the unified envelope with status:false on a 200 is an error; with an id it is a success", () =>
    Effect.gen(function*() {
      const envelope = {
        status: false,
        response: "Payment required",
        error: { http_status: 402, message: "No credits", error_id: "INSUFFICIENT_CREDITS" }
      }
      const failed = yield* runScript([{ status: 200, body: envelope }], getThing)
      assert.strictEqual(failureOf(failed.exit)._tag, "InsufficientCredits")
      const queued = yield* runScript([{ status: 200, body: { ...envelope, id: "t9", count: 0 } }], getThing)
      assert.deepStrictEqual(queued.exit, Exit.succeed({ id: "t9", count: 0 }))
    }))

  it.effect("refuses to send the key to another origin", () =>
    Effect.gen(function*() {
      const call = Effect.flatMap(SkytellsClient.SkytellsClient, (client) =>
        client.execute({ method: "GET", path: "https://evil.example/v1/things", route: "/things", schema: Thing }))
      const { exit, seen } = yield* runScript([ok], call)
      const e = failureOf(exit) as SkytellsError.TransportError
      assert.strictEqual(e.reason, "InvalidUrl")
      assert.strictEqual(seen.length, 0)
    }))

  it.effect("records rate-limit headers of both generations", () =>
    Effect.gen(function*() {
      const headers = {
        "x-skytells-ratelimit-limit-requests": "60",
        "x-skytells-ratelimit-remaining-requests": "59",
        "x-skytells-ratelimit-window": "60",
        "X-RateLimit-Limit-Concurrent": "5",
        "X-RateLimit-Remaining-Concurrent": "4",
        "X-RateLimit-Reset": "1700000000"
      }
      const call = Effect.zipRight(
        getThing,
        Effect.flatMap(SkytellsClient.SkytellsClient, (c) => c.rateLimit)
      )
      const { exit } = yield* runScript([{ ...ok, headers }], call)
      assert.deepStrictEqual(
        exit,
        Exit.succeed(Option.some({
          limitRequests: 60,
          remainingRequests: 59,
          limitConcurrent: 5,
          remainingConcurrent: 4,
          window: Duration.seconds(60),
          resetAt: 1_700_000_000_000
        }))
      )
    }))
})

describe("retry policies under TestClock", () => {
  const unavailable: Reply = { status: 503, body: { error: { code: "service_unavailable", message: "busy" } } }

  it.effect("exponential without jitter: attempts at 0, 1, 3, 7 s, then fails with the last error", () =>
    Effect.gen(function*() {
      const { exit, times } = yield* runScript([unavailable], getThing, { retry: { policy: noJitter() } })
      assert.deepStrictEqual(times, [0, 1000, 3000, 7000])
      assert.strictEqual(failureOf(exit)._tag, "ServiceUnavailable")
    }))

  it.effect("fixed and none", () =>
    Effect.gen(function*() {
      const fixed = yield* runScript([unavailable], getThing, {
        retry: { policy: Retry.fixed("500 millis", { maxAttempts: 3 }) }
      })
      assert.deepStrictEqual(fixed.times, [0, 500, 1000])
      const none = yield* runScript([unavailable], getThing, { retry: { policy: Retry.none } })
      assert.deepStrictEqual(none.times, [0])
    }))

  it.effect("the default policy: 4 attempts, delays 1 s, 2 s, 4 s within ±25 %", () =>
    Effect.gen(function*() {
      const { times } = yield* runScript([unavailable], getThing)
      assert.strictEqual(times.length, 4)
      const gaps = times.slice(1).map((t, i) => t - times[i])
      ;[1000, 2000, 4000].forEach((expected, i) => {
        assert.isAtLeast(gaps[i], expected * 0.75)
        assert.isAtMost(gaps[i], expected * 1.25)
      })
    }).pipe(Effect.withRandom(Random.make(42))))

  it.effect("policies compose with effect's Schedule combinators", () =>
    Effect.gen(function*() {
      // The exponential shape, but at most 2 retries.
      const capped = noJitter(10).pipe(Schedule.intersect(Schedule.recurs(2)))
      const a = yield* runScript([unavailable], getThing, { retry: { policy: capped } })
      assert.deepStrictEqual(a.times, [0, 1000, 3000])
      // Either schedule may continue, with the shorter delay.
      const either = Schedule.union(noJitter(3), Retry.fixed("300 millis", { maxAttempts: 3 }))
      const b = yield* runScript([unavailable], getThing, { retry: { policy: either } })
      assert.deepStrictEqual(b.times, [0, 300, 600])
    }))

  it.effect("Retry-After wins over a shorter backoff, and is capped", () =>
    Effect.gen(function*() {
      const limited = (seconds: string): Reply => ({
        status: 429,
        body: { error_id: "RATE_LIMIT_EXCEEDED", message: "slow down" },
        headers: { "retry-after": seconds }
      })
      const honoured = yield* runScript([limited("5"), ok], getThing, { retry: { policy: noJitter() } })
      assert.deepStrictEqual(honoured.times, [0, 5000])
      assert.isTrue(Exit.isSuccess(honoured.exit))
      const capped = yield* runScript([limited("3600"), ok], getThing, {
        retry: { policy: noJitter(), maxRetryAfter: "20 seconds" }
      })
      assert.deepStrictEqual(capped.times, [0, 20_000])
      // A shorter Retry-After does not shorten the backoff.
      const shorter = yield* runScript([{ ...limited("0"), headers: { "retry-after-ms": "10" } }, ok], getThing, {
        retry: { policy: noJitter() }
      })
      assert.deepStrictEqual(shorter.times, [0, 1000])
    }))

  it.effect("x-should-retry: true allows a retry of a failure that may be transient; false vetoes one", () =>
    Effect.gen(function*() {
      const yes = yield* runScript(
        [{ status: 418, body: { error_id: "TEAPOT_BUSY", message: "m" }, headers: { "x-should-retry": "true" } }, ok],
        getThing,
        { retry: { policy: noJitter() } }
      )
      assert.deepStrictEqual(yes.times, [0, 1000])
      const no = yield* runScript(
        [{ ...unavailable, headers: { "x-should-retry": "false" } }, ok],
        getThing,
        { retry: { policy: noJitter() } }
      )
      assert.deepStrictEqual(no.times, [0])
    }))

  it.effect("Retry.withPolicy sets the policy for one region of a program", () =>
    Effect.gen(function*() {
      const { times } = yield* runScript(
        [unavailable],
        Retry.withPolicy(getThing, Retry.fixed("100 millis", { maxAttempts: 2 })),
        { retry: { policy: noJitter() } }
      )
      assert.deepStrictEqual(times, [0, 100])
    }))
})

describe("x-should-retry: true never makes a permanent failure retried (the seed documents)", () => {
  const cases: ReadonlyArray<[string, number, string]> = [
    ["InsufficientCredits", 402, "INSUFFICIENT_CREDITS"],
    ["Unauthorized", 401, "UNAUTHORIZED"],
    ["SecurityViolation", 403, "SECURITY_VIOLATION"],
    ["InvalidInput", 400, "INVALID_INPUT"],
    ["PredictionNotFound", 404, "PREDICTION_NOT_FOUND"],
    ["ContentPolicyViolation", 400, "CONTENT_POLICY_VIOLATION"]
  ]
  for (const [tag, status, id] of cases) {
    it.effect(`${tag} with x-should-retry: true is sent once, on a GET and on a create`, () =>
      Effect.gen(function*() {
        const reply: Reply = { status, body: { error_id: id, message: "m" }, headers: { "x-should-retry": "true" } }
        for (const call of [getThing, createThing]) {
          const { exit, seen } = yield* runScript([reply, ok], call, { retry: { policy: noJitter() } })
          assert.strictEqual(failureOf(exit)._tag, tag)
          assert.strictEqual(seen.length, 1)
        }
      }))
  }
})

describe("what is never retried", () => {
  const nonRetryable: ReadonlyArray<[string, Reply]> = [
    ["InsufficientCredits", { status: 402, body: { error_id: "INSUFFICIENT_CREDITS", message: "m" } }],
    ["PaymentRequired", { status: 402, body: { error_id: "PAYMENT_REQUIRED", message: "m" } }],
    ["Unauthorized", { status: 401, body: { error_id: "UNAUTHORIZED", message: "m" } }],
    ["InvalidInput", { status: 422, body: { error_id: "INVALID_INPUT", message: "m" } }],
    ["ModelNotFound", { status: 404, body: { error: { code: "model_not_found", message: "m" } } }],
    ["InsufficientQuota", { status: 402, body: { error: { code: "insufficient_quota", message: "m" } } }],
    ["UnknownApiError", { status: 503, body: { error_id: "SOMETHING_NEW", message: "m" } }]
  ]
  for (const [tag, reply] of nonRetryable) {
    it.effect(`${tag}: exactly one request`, () =>
      Effect.gen(function*() {
        const { exit, seen } = yield* runScript([reply, ok], getThing)
        assert.strictEqual(failureOf(exit)._tag, tag)
        assert.strictEqual(seen.length, 1)
      }))
  }
})

describe("non-idempotent requests", () => {
  const ambiguous: ReadonlyArray<[string, Reply]> = [
    ["a 500", { status: 500, body: { error_id: "INTERNAL_ERROR", message: "m" } }],
    ["a 502 page", { status: 502, body: "<html>bad gateway</html>" }],
    ["a reset after the request was sent", { fail: { code: "ECONNRESET" } }]
  ]
  for (const [name, reply] of ambiguous) {
    it.effect(`a create is not retried after ${name}`, () =>
      Effect.gen(function*() {
        const { seen } = yield* runScript([reply, ok], createThing)
        assert.strictEqual(seen.length, 1)
        // The same failure on a GET is retried.
        const get = yield* runScript([reply, ok], getThing)
        assert.strictEqual(get.seen.length, 2)
      }))
  }

  it.effect("a create is retried after a 429, a 503 or a refused connection", () =>
    Effect.gen(function*() {
      for (
        const reply of [
          { status: 429, body: { error_id: "RATE_LIMIT_EXCEEDED", message: "m" } },
          { status: 503, body: "" },
          { fail: { code: "ECONNREFUSED" } }
        ] satisfies ReadonlyArray<Reply>
      ) {
        const { exit, seen } = yield* runScript([reply, ok], createThing)
        assert.isTrue(Exit.isSuccess(exit))
        assert.strictEqual(seen.filter((s) => s.method === "POST").length, 2)
      }
    }))

  it.effect("a timeout waiting for the answer to a create is not retried", () =>
    Effect.gen(function*() {
      const { exit, seen, aborted } = yield* runScript([{ stall: true }, ok], createThing, { timeout: "5 seconds" })
      const e = failureOf(exit) as SkytellsError.RequestTimeout
      assert.strictEqual(e._tag, "RequestTimeout")
      assert.strictEqual(e.scope, "attempt")
      assert.strictEqual(seen.length, 1)
      assert.strictEqual(aborted, 1)
    }))

  it.effect("Retry.retryAmbiguous opts in", () =>
    Effect.gen(function*() {
      const { exit, seen } = yield* runScript(
        [{ status: 500, body: { error_id: "INTERNAL_ERROR", message: "m" } }, ok],
        Retry.retryAmbiguous(createThing)
      )
      assert.isTrue(Exit.isSuccess(exit))
      assert.strictEqual(seen.length, 2)
    }))
})

describe("a 2xx whose body was lost", () => {
  const malformed = (reason: SkytellsError.MalformedResponse["reason"], httpStatus = 200) =>
    new SkytellsError.MalformedResponse({ reason, httpStatus, excerpt: "", bodyLength: 0 })
  const get = { idempotent: true, retryAmbiguous: false }
  const create = { idempotent: false, retryAmbiguous: false }
  const createOptedIn = { idempotent: false, retryAmbiguous: true }

  it("verdict: an empty or cut 2xx is retried when idempotent, never for a create", () => {
    for (const reason of ["EmptyBody", "NotJson"] as const) {
      assert.deepStrictEqual(Retry.verdict(malformed(reason), get), { retry: true, reason: "incomplete-body" })
      assert.deepStrictEqual(Retry.verdict(malformed(reason, 201), get), { retry: true, reason: "incomplete-body" })
      for (const request of [create, createOptedIn]) {
        assert.deepStrictEqual(Retry.verdict(malformed(reason), request), {
          retry: false,
          reason: "acted-not-idempotent"
        })
      }
    }
  })

  it("verdict: wrong-shaped JSON, a 204's empty body and an unreadable error status are not retried", () => {
    for (const request of [get, create, createOptedIn]) {
      assert.deepStrictEqual(Retry.verdict(malformed("EmptyBody", 204), request), {
        retry: false,
        reason: "not-retryable"
      })
      assert.deepStrictEqual(Retry.verdict(malformed("UnexpectedShape"), request), {
        retry: false,
        reason: "not-retryable"
      })
      assert.deepStrictEqual(Retry.verdict(malformed("NotJson", 404), request), {
        retry: false,
        reason: "not-retryable"
      })
      assert.deepStrictEqual(Retry.verdict(malformed("EmptyBody", 400), request), {
        retry: false,
        reason: "not-retryable"
      })
    }
  })

  it("verdict: the server's x-should-retry: false still wins", () => {
    const said = new SkytellsError.MalformedResponse({
      reason: "EmptyBody",
      httpStatus: 200,
      excerpt: "",
      bodyLength: 0,
      shouldRetry: false
    })
    assert.deepStrictEqual(Retry.verdict(said, get), { retry: false, reason: "server-says-no" })
    const saidYes = new SkytellsError.MalformedResponse({
      reason: "NotJson",
      httpStatus: 200,
      excerpt: "{",
      bodyLength: 1,
      shouldRetry: true
    })
    assert.deepStrictEqual(Retry.verdict(saidYes, createOptedIn), { retry: false, reason: "acted-not-idempotent" })
  })

  const truncated: Reply = { status: 200, body: "{\"id\":\"t1\",\"cou" }
  const empty: Reply = { status: 200 }

  for (const [name, reply] of [["an empty", empty], ["a truncated", truncated]] as const) {
    it.effect(`a GET after ${name} 200 body is retried on the policy and succeeds`, () =>
      Effect.gen(function*() {
        const { exit, times } = yield* runScript([reply, ok], getThing, { retry: { policy: noJitter() } })
        assert.deepStrictEqual(exit, Exit.succeed({ id: "t1", count: 1 }))
        assert.deepStrictEqual(times, [0, 1000])
      }))

    it.effect(`a create after ${name} 200 body is not retried, even with retryAmbiguous`, () =>
      Effect.gen(function*() {
        for (
          const [call, options] of [
            [createThing, {}],
            [Retry.retryAmbiguous(createThing), {}],
            [createThing, { retry: { retryAmbiguous: true } }]
          ] as const
        ) {
          const { exit, seen } = yield* runScript([reply, ok], call, options)
          assert.strictEqual(failureOf(exit)._tag, "MalformedResponse")
          assert.strictEqual(seen.length, 1)
        }
      }))
  }

  it.effect("the server's x-should-retry: false on a lost 200 body stops the retry", () =>
    Effect.gen(function*() {
      const { exit, seen } = yield* runScript([{ status: 200, headers: { "x-should-retry": "false" } }, ok], getThing)
      const error = failureOf(exit) as SkytellsError.MalformedResponse
      assert.strictEqual(error.reason, "EmptyBody")
      assert.strictEqual(error.shouldRetry, false)
      assert.strictEqual(seen.length, 1)
    }))

  it.effect("an unreadable error page is retried when the server says x-should-retry: true", () =>
    Effect.gen(function*() {
      const { exit, seen } = yield* runScript([{ status: 418, headers: { "x-should-retry": "true" } }, ok], getThing, {
        retry: { policy: noJitter() }
      })
      assert.deepStrictEqual(exit, Exit.succeed({ id: "t1", count: 1 }))
      assert.strictEqual(seen.length, 2)
    }))

  it.effect("204 No Content is an answer: null to the schema, never retried", () =>
    Effect.gen(function*() {
      const noContent: Reply = { status: 204 }
      const { exit, seen } = yield* runScript([noContent, ok], getThing)
      assert.strictEqual((failureOf(exit) as SkytellsError.MalformedResponse).reason, "UnexpectedShape")
      assert.strictEqual(seen.length, 1)
      const nullable = Effect.flatMap(SkytellsClient.SkytellsClient, (client) =>
        client.execute({ method: "DELETE", path: "/things/1", route: "/things/{id}", schema: Schema.NullOr(Thing) }))
      const removed = yield* runScript([noContent, ok], nullable)
      assert.deepStrictEqual(removed.exit, Exit.succeed(null))
      assert.strictEqual(removed.seen.length, 1)
      const viaRemove = yield* runScript([noContent, ok], Predictions.remove("p1"))
      assert.deepStrictEqual(viaRemove.exit, Exit.void)
      assert.strictEqual(viaRemove.seen.length, 1)
    }))

  it.effect("a 200 with JSON of the wrong shape is not retried, even on a GET", () =>
    Effect.gen(function*() {
      const { exit, seen } = yield* runScript([{ status: 200, body: { id: 1 } }, ok], getThing)
      assert.strictEqual((failureOf(exit) as SkytellsError.MalformedResponse).reason, "UnexpectedShape")
      assert.strictEqual(seen.length, 1)
    }))
})

describe("deadlines and interruption", () => {
  it.effect("the total deadline bounds every attempt and every wait", () =>
    Effect.gen(function*() {
      const { exit, times } = yield* runScript(
        [{ status: 503, body: "" }],
        getThing,
        { deadline: "2500 millis", retry: { policy: noJitter(10) } }
      )
      const e = failureOf(exit) as SkytellsError.RequestTimeout
      assert.strictEqual(e._tag, "RequestTimeout")
      assert.strictEqual(e.scope, "deadline")
      assert.deepStrictEqual(times, [0, 1000])
    }))

  it.effect("interrupting the caller aborts the in-flight request", () =>
    Effect.gen(function*() {
      const server = yield* scripted([{ stall: true }])
      const fiber = yield* Effect.fork(Effect.provide(getThing, clientLayer(server.app)))
      yield* TestClock.adjust("1 second")
      yield* Fiber.interrupt(fiber)
      assert.strictEqual(yield* server.aborted, 1)
      assert.strictEqual((yield* server.seen).length, 1)
    }))
})

describe("configuration", () => {
  it.effect("layerConfig reads SKYTELLS_API_KEY and SKYTELLS_BASE_URL", () =>
    Effect.gen(function*() {
      const server = yield* scripted([ok])
      const layer = SkytellsClient.layerConfig().pipe(
        Layer.provide(InProcessHttpClient.layer(server.app)),
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(
          new Map([
            ["SKYTELLS_API_KEY", "sk-from-env"],
            ["SKYTELLS_BASE_URL", "https://api.other/v2"]
          ])
        )))
      )
      const baseUrl = yield* Effect.provide(Effect.map(SkytellsClient.SkytellsClient, (c) => c.baseUrl), layer)
      assert.strictEqual(baseUrl, "https://api.other/v2")
    }))

  it.effect("a missing key is a ConfigError that names the variable", () =>
    Effect.gen(function*() {
      const server = yield* scripted([ok])
      const layer = SkytellsClient.layerConfig().pipe(
        Layer.provide(InProcessHttpClient.layer(server.app)),
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map())))
      )
      const exit = yield* Effect.exit(Effect.provide(SkytellsClient.SkytellsClient, layer))
      assert.isTrue(Exit.isFailure(exit))
      assert.include(String(failureOf(exit)), "SKYTELLS_API_KEY")
    }))
})
