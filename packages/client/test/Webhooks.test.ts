import * as Webhooks from "@effect-skytells/client/Webhooks"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Either, Exit, Inspectable, Redacted } from "effect"
import * as FastCheck from "effect/FastCheck"
import { createHmac } from "node:crypto"
import { readFileSync } from "node:fs"
import { inspect } from "node:util"

const SECRET_TEXT = "whsec_test_5f2b9c0e7d4a41f8b3c6e9a2d1f0c8b7"
const secret = Redacted.make(SECRET_TEXT)

const fixtureText = (name: string): string =>
  readFileSync(new URL(`./fixtures/predictions/${name}.json`, import.meta.url), "utf8")
const fixture = (name: string): Record<string, unknown> => JSON.parse(fixtureText(name))

/** An independent HMAC (node:crypto) to check `sign` and `verify` against. */
const nodeHmac = (body: string | Uint8Array, key = SECRET_TEXT) => createHmac("sha256", key).update(body).digest("hex")

const verify = (body: string | Uint8Array, signature: string | undefined, s: Webhooks.Secret = secret) =>
  Webhooks.verify({
    body,
    headers: signature === undefined ? { "content-type": "application/json" } : { "x-skytells-signature": signature },
    secret: s
  })

const signed = (json: unknown) =>
  Effect.gen(function*() {
    const body = JSON.stringify(json)
    return { body, signature: yield* Webhooks.sign(body, secret) }
  })

const deliver = (json: unknown) =>
  Effect.gen(function*() {
    const { body, signature } = yield* signed(json)
    return yield* verify(body, signature)
  })

const envelope = (type: string, data: unknown, created_at = "2026-03-20T08:15:12.000000Z") => ({
  type,
  created_at,
  data
})

describe("Webhooks.sign", () => {
  it.effect("produces sha256=<hex> (and bare hex on request), equal to a reference HMAC-SHA256", () =>
    Effect.gen(function*() {
      const body = fixtureText("envelope-succeeded")
      assert.strictEqual(yield* Webhooks.sign(body, secret), `sha256=${nodeHmac(body)}`)
      assert.strictEqual(yield* Webhooks.sign(body, secret, { format: "bare" }), nodeHmac(body))
      const bytes = new TextEncoder().encode("héllo ✓")
      assert.strictEqual(yield* Webhooks.sign(bytes, secret, { format: "bare" }), nodeHmac(bytes))
      assert.strictEqual(yield* Webhooks.sign("héllo ✓", secret, { format: "bare" }), nodeHmac(bytes))
    }))

  it.effect("refuses an empty secret (a missing env var) as a defect", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Webhooks.sign("{}", Redacted.make("")))
      assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
      const none = yield* Effect.exit(verify("{}", `sha256=${nodeHmac("{}")}`, []))
      assert.isTrue(Exit.isFailure(none) && Cause.isDie(none.cause))
    }))
})

describe("Webhooks.verify: accepted signatures", () => {
  it.effect("accepts sha256=<hex>, bare hex, upper-case hex, SHA256= prefix and surrounding spaces", () =>
    Effect.gen(function*() {
      const body = fixtureText("envelope-succeeded")
      const hex = nodeHmac(body)
      for (const signature of [`sha256=${hex}`, hex, hex.toUpperCase(), `SHA256=${hex}`, `  sha256=${hex}  `]) {
        const event = yield* verify(body, signature)
        assert.strictEqual(event._tag, "Succeeded", signature)
      }
    }))

  it.effect("accepts raw bytes, any header case, repeated header arrays and Fetch Headers", () =>
    Effect.gen(function*() {
      const body = fixtureText("s2-failed")
      const bytes = new TextEncoder().encode(body)
      const signature = `sha256=${nodeHmac(body)}`
      const variants: ReadonlyArray<Webhooks.HeadersInput> = [
        { "X-Skytells-Signature": signature },
        { "x-skytells-signature": [signature] },
        new Headers({ "X-SKYTELLS-SIGNATURE": signature })
      ]
      for (const headers of variants) {
        const event = yield* Webhooks.verify({ body: bytes, headers, secret })
        assert.strictEqual(event._tag, "Failed")
      }
    }))

  it.effect("rotation: a signature under any configured secret is accepted", () =>
    Effect.gen(function*() {
      const body = fixtureText("envelope-failed")
      const oldSecret = Redacted.make("whsec_old_0000")
      const newSecret = Redacted.make("whsec_new_1111")
      for (const key of ["whsec_old_0000", "whsec_new_1111"]) {
        const event = yield* verify(body, `sha256=${nodeHmac(body, key)}`, [oldSecret, newSecret])
        assert.strictEqual(event._tag, "Failed")
      }
      const other = yield* Effect.flip(verify(body, `sha256=${nodeHmac(body, "whsec_other")}`, [oldSecret, newSecret]))
      assert.strictEqual(other._tag, "WebhookSignatureMismatch")
      assert.strictEqual((other as Webhooks.WebhookSignatureMismatch).secretsTried, 2)
    }))
})

describe("Webhooks.verify: every body shape and event spelling", () => {
  const prediction = fixture("sdk-succeeded-array")
  const spellings: ReadonlyArray<readonly [string, Webhooks.WebhookEvent["_tag"]]> = [
    ["prediction.succeeded", "Succeeded"],
    ["prediction.completed", "Succeeded"],
    ["completed", "Succeeded"],
    ["succeeded", "Succeeded"],
    ["prediction.failed", "Failed"],
    ["failed", "Failed"],
    ["prediction.cancelled", "Canceled"],
    ["prediction.canceled", "Canceled"],
    ["cancelled", "Canceled"],
    ["canceled", "Canceled"],
    ["prediction.started", "Started"],
    ["started", "Started"],
    ["starting", "Started"],
    ["prediction.processing", "Updated"],
    ["prediction.logs", "Updated"],
    ["output", "Updated"]
  ]

  it.effect("envelope { type, created_at, data } with every documented type", () =>
    Effect.gen(function*() {
      for (const [type, tag] of spellings) {
        const event = yield* deliver(envelope(type, prediction))
        assert.strictEqual(event._tag, tag, type)
        assert.strictEqual(event.event, type)
        assert.strictEqual(event.shape, "envelope")
        assert.strictEqual(event.createdAt, "2026-03-20T08:15:12.000000Z")
        assert.strictEqual(event.prediction.id, prediction.id)
        assert.deepStrictEqual(event.json, envelope(type, prediction))
      }
    }))

  it.effect("bare prediction: the event comes from its status", () =>
    Effect.gen(function*() {
      const statuses: ReadonlyArray<readonly [string, Webhooks.WebhookEvent["_tag"]]> = [
        ["succeeded", "Succeeded"],
        ["failed", "Failed"],
        ["canceled", "Canceled"],
        ["cancelled", "Canceled"],
        ["starting", "Started"],
        ["started", "Started"],
        ["pending", "Updated"],
        ["queued", "Updated"],
        ["processing", "Updated"],
        ["aborted", "Updated"]
      ]
      for (const [status, tag] of statuses) {
        const event = yield* deliver({ ...prediction, status })
        assert.strictEqual(event._tag, tag, status)
        assert.strictEqual(event.shape, "bare")
        assert.strictEqual(event.event, status)
        assert.strictEqual(event.createdAt, undefined)
      }
    }))

  it.effect("an envelope without type takes the event from data.status", () =>
    Effect.gen(function*() {
      const event = yield* deliver({ data: fixture("cancelled") })
      assert.strictEqual(event._tag, "Canceled")
      assert.strictEqual(event.event, "cancelled")
    }))

  it.effect("non-terminal updates carry the normalised status", () =>
    Effect.gen(function*() {
      const event = yield* deliver(fixture("list-item-model-object"))
      assert.strictEqual(event._tag, "Updated")
      if (event._tag !== "Updated") return
      assert.strictEqual(event.status, "processing")
      assert.strictEqual(event.prediction.metrics?.progress, 42)
      const unknown = yield* deliver(fixture("unknown-status"))
      assert.strictEqual(unknown._tag === "Updated" && unknown.status, "unknown")
    }))

  it.effect("the real fixture files verify byte for byte", () =>
    Effect.gen(function*() {
      for (const name of ["envelope-succeeded", "envelope-failed", "learn-succeeded", "s0-failed", "s2-failed"]) {
        const body = readFileSync(new URL(`./fixtures/predictions/${name}.json`, import.meta.url))
        const event = yield* Webhooks.verify({
          body: new Uint8Array(body),
          headers: { "x-skytells-signature": nodeHmac(body) },
          secret
        })
        assert.isTrue(Webhooks.isWebhookEvent(event), name)
      }
    }))
})

describe("Webhooks.verify: failed events carry the typed prediction-level error", () => {
  it.effect("S0 payload (error string, no id) → PredictionFailed with the error text", () =>
    Effect.gen(function*() {
      const event = yield* deliver(fixture("s0-failed"))
      assert.strictEqual(event._tag, "Failed")
      if (event._tag !== "Failed") return
      assert.strictEqual(event.error._tag, "PredictionFailed")
      assert.strictEqual(event.error.message, "Failed to generate image / video / audio ..etc.")
    }))

  it.effect("S2 payload (error_id) → the catalogue class, catchable like a polling failure", () =>
    Effect.gen(function*() {
      const event = yield* deliver(envelope("prediction.failed", fixture("s2-failed")))
      assert.strictEqual(event._tag, "Failed")
      if (event._tag !== "Failed") return
      assert.strictEqual(event.error._tag, "InsufficientCredits")
      const handled = yield* Effect.fail(event.error).pipe(
        Effect.catchTags({
          InsufficientCredits: (e) => Effect.succeed(`top up (${e.predictionId})`)
        }),
        Effect.catchAll(() => Effect.succeed("other"))
      )
      assert.strictEqual(handled, "top up (pred_abc123)")
    }))

  it.effect("learn-style envelope failure", () =>
    Effect.gen(function*() {
      const event = yield* verify(fixtureText("envelope-failed"), nodeHmac(fixtureText("envelope-failed")))
      assert.strictEqual(event._tag, "Failed")
      if (event._tag !== "Failed") return
      assert.strictEqual(event.error._tag, "PredictionFailed")
      assert.strictEqual(event.error.message, "NSFW content detected.")
      assert.strictEqual(event.prediction.data_removed, true)
    }))

  it.effect("a failed event whose data does not say failed still gets an error", () =>
    Effect.gen(function*() {
      const event = yield* deliver(envelope("prediction.failed", { id: "p1", status: "processing" }))
      assert.strictEqual(event._tag === "Failed" && event.error._tag, "PredictionFailed")
    }))
})

describe("Webhooks.verify: rejections", () => {
  const body = fixtureText("envelope-succeeded")
  const hex = nodeHmac(body)

  const rejects = (
    b: string | Uint8Array,
    signature: string | undefined,
    expected: string,
    reason?: string,
    s: Webhooks.Secret = secret
  ) =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(verify(b, signature, s))
      assert.strictEqual(error._tag, expected, `${signature}`)
      if (reason !== undefined) assert.strictEqual((error as { reason?: string }).reason, reason, `${signature}`)
    })

  it.effect("tampered body", () =>
    rejects(body.replace("flux-pro", "flux-dev"), `sha256=${hex}`, "WebhookSignatureMismatch", "Mismatch"))
  it.effect("one flipped bit", () => {
    const bytes = new TextEncoder().encode(body)
    bytes[10]! ^= 1
    return rejects(bytes, hex, "WebhookSignatureMismatch", "Mismatch")
  })
  it.effect("whitespace added to the JSON (re-serialised body)", () =>
    rejects(JSON.stringify(JSON.parse(body), null, 2), hex, "WebhookSignatureMismatch", "Mismatch"))
  it.effect("wrong secret", () =>
    rejects(body, `sha256=${nodeHmac(body, "whsec_wrong")}`, "WebhookSignatureMismatch", "Mismatch"))
  it.effect("signed with the secret but the hex of another body", () =>
    rejects(body, `sha256=${nodeHmac("{}")}`, "WebhookSignatureMismatch", "Mismatch"))
  it.effect("truncated signature", () =>
    rejects(body, `sha256=${hex.slice(0, 63)}`, "WebhookSignatureMismatch", "Malformed"))
  it.effect("truncated to half", () => rejects(body, hex.slice(0, 32), "WebhookSignatureMismatch", "Malformed"))
  it.effect("extended signature", () => rejects(body, `${hex}00`, "WebhookSignatureMismatch", "Malformed"))
  it.effect("non-hex garbage", () => rejects(body, "sha256=not-a-signature", "WebhookSignatureMismatch", "Malformed"))
  it.effect("right length, one non-hex char", () =>
    rejects(body, `${hex.slice(0, 63)}g`, "WebhookSignatureMismatch", "Malformed"))
  it.effect("another algorithm's prefix", () => rejects(body, `sha1=${hex}`, "WebhookSignatureMismatch", "Malformed"))
  it.effect("prefix only", () => rejects(body, "sha256=", "WebhookSignatureMismatch", "Malformed"))
  it.effect("missing header", () => rejects(body, undefined, "WebhookSignatureMissing"))
  it.effect("empty signature", () => rejects(body, "", "WebhookSignatureMissing"))
  it.effect("blank signature", () => rejects(body, "   ", "WebhookSignatureMissing"))

  it.effect("signed but not JSON → WebhookPayloadInvalid NotJson", () =>
    Effect.gen(function*() {
      const b = "this is not json"
      yield* rejects(b, nodeHmac(b), "WebhookPayloadInvalid", "NotJson")
      const invalidUtf8 = new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])
      yield* rejects(invalidUtf8, nodeHmac(invalidUtf8), "WebhookPayloadInvalid", "NotJson")
      yield* rejects("", nodeHmac(""), "WebhookPayloadInvalid", "NotJson")
    }))

  it.effect("signed JSON of an unknown shape → WebhookPayloadInvalid UnknownShape", () =>
    Effect.gen(function*() {
      for (const b of ["[]", "{}", "null", "42", "\"succeeded\"", JSON.stringify({ type: "prediction.succeeded" })]) {
        yield* rejects(b, nodeHmac(b), "WebhookPayloadInvalid", "UnknownShape")
      }
    }))

  it.effect("signed prediction that does not decode → WebhookPayloadInvalid InvalidPrediction", () =>
    Effect.gen(function*() {
      const b = JSON.stringify(envelope("prediction.succeeded", { id: "p1", status: "succeeded", output: { a: 1 } }))
      yield* rejects(b, nodeHmac(b), "WebhookPayloadInvalid", "InvalidPrediction")
    }))

  it.effect("verifySignature alone checks without decoding", () =>
    Effect.gen(function*() {
      yield* Webhooks.verifySignature({
        body: "not json",
        headers: { "x-skytells-signature": nodeHmac("not json") },
        secret
      })
      const e = yield* Effect.flip(
        Webhooks.verifySignature({ body: "not json", headers: { "x-skytells-signature": hex }, secret })
      )
      assert.strictEqual(e._tag, "WebhookSignatureMismatch")
    }))
})

describe("Webhooks.verify: fuzz (seeded)", () => {
  const body = fixtureText("sdk-succeeded-array")
  const bytes = new TextEncoder().encode(body)
  const good = nodeHmac(body)
  const run = (b: Uint8Array | string, signature: string) => Effect.runPromise(Effect.either(verify(b, signature)))

  it.effect("thousands of random signatures are never accepted", () =>
    Effect.promise(() =>
      FastCheck.assert(
        FastCheck.asyncProperty(
          FastCheck.oneof(
            FastCheck.stringMatching(/^[0-9a-f]{64}$/),
            FastCheck.stringMatching(/^[0-9a-fA-F]{0,70}$/),
            FastCheck.string({ maxLength: 80 }),
            FastCheck.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString("hex")),
            // near misses: the right signature with one hex digit changed
            FastCheck.tuple(FastCheck.nat(63), FastCheck.integer({ min: 1, max: 15 })).map(([i, d]) =>
              good.slice(0, i) + ((parseInt(good[i]!, 16) + d) % 16).toString(16) + good.slice(i + 1)
            )
          ),
          FastCheck.boolean(),
          async (candidate, prefixed) => {
            FastCheck.pre(candidate.toLowerCase() !== good)
            const result = await run(bytes, prefixed ? `sha256=${candidate}` : candidate)
            return Either.isLeft(result) &&
              (result.left._tag === "WebhookSignatureMismatch" || result.left._tag === "WebhookSignatureMissing")
          }
        ),
        { seed: 20260321, numRuns: 3000 }
      )
    ))

  it.effect("thousands of body mutations under the original signature are never accepted", () =>
    Effect.promise(() =>
      FastCheck.assert(
        FastCheck.asyncProperty(
          FastCheck.oneof(
            // flip bits in one byte
            FastCheck.tuple(FastCheck.nat(bytes.length - 1), FastCheck.integer({ min: 1, max: 255 })).map(([i, x]) => {
              const copy = bytes.slice()
              copy[i]! ^= x
              return copy
            }),
            // insert bytes
            FastCheck.tuple(FastCheck.nat(bytes.length), FastCheck.uint8Array({ minLength: 1, maxLength: 8 })).map((
              [i, ins]
            ) => new Uint8Array([...bytes.slice(0, i), ...ins, ...bytes.slice(i)])),
            // delete a range
            FastCheck.tuple(FastCheck.nat(bytes.length - 1), FastCheck.integer({ min: 1, max: 16 })).map(([i, n]) =>
              new Uint8Array([...bytes.slice(0, i), ...bytes.slice(i + n)])
            ),
            // truncate or extend
            FastCheck.nat(bytes.length - 1).map((n) => bytes.slice(0, n)),
            FastCheck.uint8Array({ minLength: 1, maxLength: 32 }).map((tail) => new Uint8Array([...bytes, ...tail])),
            // an entirely different JSON body
            FastCheck.json().map((j) => new TextEncoder().encode(j))
          ),
          FastCheck.constantFrom(`sha256=${good}`, good),
          async (mutated, signature) => {
            FastCheck.pre(Buffer.compare(Buffer.from(mutated), Buffer.from(bytes)) !== 0)
            const result = await run(mutated, signature)
            return Either.isLeft(result) && result.left._tag === "WebhookSignatureMismatch"
          }
        ),
        { seed: 424242, numRuns: 3000 }
      )
    ))
})

describe("Webhooks: the secret never leaks", () => {
  it.effect("not in String, JSON, toString, Inspectable or util.inspect of any verification error", () =>
    Effect.gen(function*() {
      const body = fixtureText("envelope-succeeded")
      const expectedHex = nodeHmac(body)
      const errors = [
        yield* Effect.flip(verify(body, undefined)),
        yield* Effect.flip(verify(body, nodeHmac(body, "whsec_wrong"))),
        yield* Effect.flip(verify(body, "garbage")),
        yield* Effect.flip(verify(body.replace("flux", "flax"), expectedHex)),
        yield* Effect.flip(verify("not json", nodeHmac("not json")))
      ]
      for (const error of errors) {
        const renderings = [
          String(error),
          error.toString(),
          JSON.stringify(error),
          Inspectable.format(error),
          inspect(error, { depth: 10, showHidden: true }),
          Cause.pretty(Cause.fail(error)),
          error.message,
          error.stack ?? ""
        ]
        for (const text of renderings) {
          assert.notInclude(text, SECRET_TEXT)
          if (error._tag !== "WebhookPayloadInvalid") {
            assert.notInclude(text.toLowerCase(), nodeHmac(body.replace("flux", "flax")))
          }
        }
      }
    }))

  it.effect("not in the inspection of the options or the events", () =>
    Effect.gen(function*() {
      const options = { body: "{}", headers: {}, secret: [secret] }
      assert.notInclude(inspect(options, { depth: 10 }), SECRET_TEXT)
      assert.notInclude(JSON.stringify(options), SECRET_TEXT)
      const event = yield* deliver(fixture("s2-failed"))
      assert.notInclude(inspect(event, { depth: 10 }), SECRET_TEXT)
    }))
})

describe("Webhooks.deduplicationKey and deliveryTimestamp", () => {
  it.effect("keys by prediction id and normalised event; updates also by progress", () =>
    Effect.gen(function*() {
      const p = fixture("sdk-succeeded-array")
      const a = yield* deliver(envelope("prediction.completed", p))
      const b = yield* deliver({ ...p, status: "succeeded" })
      assert.strictEqual(Webhooks.deduplicationKey(a), Webhooks.deduplicationKey(b))
      const c = yield* deliver(envelope("prediction.cancelled", p))
      const d = yield* deliver({ ...p, status: "canceled" })
      assert.strictEqual(Webhooks.deduplicationKey(c), Webhooks.deduplicationKey(d))
      assert.notStrictEqual(Webhooks.deduplicationKey(a), Webhooks.deduplicationKey(c))
      const p1 = yield* deliver({ id: "x", status: "processing", metrics: { progress: 10 } })
      const p2 = yield* deliver({ id: "x", status: "processing", metrics: { progress: 20 } })
      assert.notStrictEqual(Webhooks.deduplicationKey(p1), Webhooks.deduplicationKey(p2))
      assert.strictEqual(Webhooks.deduplicationKey(yield* deliver(fixture("s0-failed"))), undefined)
    }))

  it.effect("the delivery timestamp prefers the envelope, then updated_at, then completed_at", () =>
    Effect.gen(function*() {
      const p = fixture("learn-succeeded")
      assert.strictEqual(
        Webhooks.deliveryTimestamp(yield* deliver(envelope("completed", p, "2025-01-15T10:31:00Z"))),
        "2025-01-15T10:31:00Z"
      )
      assert.strictEqual(Webhooks.deliveryTimestamp(yield* deliver(p)), "2025-01-15 10:30:04")
      const { updated_at: _, ...withoutUpdated } = p
      assert.strictEqual(Webhooks.deliveryTimestamp(yield* deliver(withoutUpdated)), "2025-01-15T10:30:04.108000+00:00")
      assert.strictEqual(Webhooks.deliveryTimestamp(yield* deliver(fixture("s0-failed"))), undefined)
    }))
})
