import * as WebhookError from "@effect-skytells/client/WebhookError"
import * as WebhookEvent from "@effect-skytells/client/WebhookEvent"
import * as Webhooks from "@effect-skytells/client/Webhooks"
import * as WebhookSignature from "@effect-skytells/client/WebhookSignature"
import { assert, describe, it, vi } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import * as FastCheck from "effect/FastCheck"
import { createHmac } from "node:crypto"
import * as hmac from "../src/internal/hmac.js"

describe("Webhooks: the split modules", () => {
  it("every name Webhooks exported before the split is still there, and is the same value", () => {
    const values: ReadonlyArray<readonly [string, unknown]> = [
      ["handler", Webhooks.handler],
      ["defaultMaxBodySize", Webhooks.defaultMaxBodySize],
      ["defaultDedupeTtl", Webhooks.defaultDedupeTtl],
      ["signatureHeader", WebhookSignature.signatureHeader],
      ["verify", WebhookSignature.verify],
      ["verifySignature", WebhookSignature.verifySignature],
      ["sign", WebhookSignature.sign],
      ["Started", WebhookEvent.Started],
      ["Succeeded", WebhookEvent.Succeeded],
      ["Failed", WebhookEvent.Failed],
      ["Canceled", WebhookEvent.Canceled],
      ["Updated", WebhookEvent.Updated],
      ["isWebhookEvent", WebhookEvent.isWebhookEvent],
      ["eventFromJson", WebhookEvent.eventFromJson],
      ["decodeEvent", WebhookEvent.decodeEvent],
      ["deliveryTimestamp", WebhookEvent.deliveryTimestamp],
      ["deduplicationKey", WebhookEvent.deduplicationKey],
      ["checkFreshness", WebhookEvent.checkFreshness],
      ["WebhookSignatureMissing", WebhookError.WebhookSignatureMissing],
      ["WebhookSignatureMismatch", WebhookError.WebhookSignatureMismatch],
      ["WebhookPayloadInvalid", WebhookError.WebhookPayloadInvalid],
      ["WebhookPayloadTooLarge", WebhookError.WebhookPayloadTooLarge],
      ["WebhookStale", WebhookError.WebhookStale]
    ]
    const exported = Webhooks as unknown as Record<string, unknown>
    for (const [name, value] of values) {
      assert.isDefined(value, name)
      assert.strictEqual(exported[name], value, name)
    }
    assert.strictEqual(Webhooks.signatureHeader, "x-skytells-signature")
  })

  it("error identifiers are unchanged by the move", () => {
    const e = new Webhooks.WebhookSignatureMissing({ header: "x" })
    assert.strictEqual(e._tag, "WebhookSignatureMissing")
    assert.instanceOf(e, WebhookError.WebhookSignatureMissing)
  })
})

describe("internal/hmac", () => {
  it.effect("sign matches the RFC 4231 test vector (case 2)", () =>
    Effect.gen(function*() {
      const signature = yield* Webhooks.sign("what do ya want for nothing?", Redacted.make("Jefe"), { format: "bare" })
      assert.strictEqual(signature, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }))

  it("fromHex decodes either case and rejects odd lengths and non-hex characters", () => {
    assert.deepStrictEqual(hmac.fromHex("00ffA0"), new Uint8Array([0, 255, 160]))
    assert.deepStrictEqual(hmac.fromHex(""), new Uint8Array([]))
    for (const bad of ["0", "abc", "0g", "zz", " 00", "00 ", "0x00", "+1", "-1", "１２"]) {
      assert.isUndefined(hmac.fromHex(bad), bad)
    }
  })

  it("parseSignature never throws and accepts only 64 hex digits, prefixed or bare", () => {
    const hex = "ab".repeat(32)
    assert.strictEqual(hmac.parseSignature(`sha256=${hex}`)?.length, 32)
    assert.strictEqual(hmac.parseSignature(hex.toUpperCase())?.length, 32)
    assert.isUndefined(hmac.parseSignature(hex.slice(2)))
    assert.isUndefined(hmac.parseSignature(`${hex}ab`))
    FastCheck.assert(
      FastCheck.property(FastCheck.string({ maxLength: 80 }), (value) => {
        const parsed = hmac.parseSignature(value)
        return parsed === undefined || parsed.length === 32
      }),
      { seed: 7, numRuns: 2000 }
    )
  })

  it.effect("verifiesUnderAny accepts the right MAC under any secret, and nothing else", () =>
    Effect.gen(function*() {
      const body = new TextEncoder().encode("{\"id\":\"p\"}")
      const mac = (key: string) => new Uint8Array(createHmac("sha256", key).update(body).digest())
      const secrets = [Redacted.make("old"), Redacted.make("new")]
      assert.isTrue(yield* hmac.verifiesUnderAny(secrets, body, mac("old")))
      assert.isTrue(yield* hmac.verifiesUnderAny(secrets, body, mac("new")))
      assert.isFalse(yield* hmac.verifiesUnderAny(secrets, body, mac("other")))
      const flipped = mac("new")
      flipped[31]! ^= 1
      assert.isFalse(yield* hmac.verifiesUnderAny(secrets, body, flipped))
    }))

  it.effect("imports a secret's key once, however many deliveries it verifies", () => {
    const text = "whsec_cached_key_3e1f"
    const secret = Redacted.make(text)
    const spy = vi.spyOn(globalThis.crypto.subtle, "importKey")
    const imports = () =>
      spy.mock.calls.filter(([, material]) => new TextDecoder().decode(material as Uint8Array) === text).length
    return Effect.gen(function*() {
      for (let i = 0; i < 5; i++) {
        const body = `{"n":${i}}`
        yield* Webhooks.verifySignature({
          body,
          headers: { "x-skytells-signature": yield* Webhooks.sign(body, secret) },
          secret
        })
      }
      assert.strictEqual(imports(), 1)
    }).pipe(Effect.ensuring(Effect.sync(() => spy.mockRestore())))
  })
})
