/**
 * Checking and producing the `X-Skytells-Signature` of a webhook delivery.
 *
 * Skytells signs the raw request body with HMAC-SHA256 and sends the hex digest in
 * `X-Skytells-Signature`, either as `sha256=<hex>` (error-handling guide) or as bare `<hex>` (official
 * SDK); both are accepted, in either case. The key is the webhook secret from the dashboard (the
 * official SDK's "general" mode uses the account API key instead: pass whichever your account uses).
 * Verify the **raw bytes** exactly as received: re-serialised JSON has a different signature.
 *
 * The comparison is Web Crypto's `subtle.verify` (constant-time), so this runs wherever
 * `globalThis.crypto.subtle` exists: Node 20+, Deno, Bun, browsers and edge runtimes. Everything here
 * is also reachable as `Webhooks.<name>`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { header } from "./internal/headers.js"
import * as hmac from "./internal/hmac.js"
import { type WebhookPayloadInvalid, WebhookSignatureMismatch, WebhookSignatureMissing } from "./WebhookError.js"
import { decodeEvent, type WebhookEvent } from "./WebhookEvent.js"

/**
 * The header carrying the signature (looked up case-insensitively).
 *
 * @since 0.1.0
 * @category constants
 */
export const signatureHeader = "x-skytells-signature"

/**
 * One secret, or several during a rotation (a signature matching any of them is accepted). Always
 * `Redacted`, so it never shows up in logs, errors or inspection.
 *
 * @since 0.1.0
 * @category models
 */
export type Secret = Redacted.Redacted<string> | ReadonlyArray<Redacted.Redacted<string>>

/**
 * Request headers: a plain record (Node, `@effect/platform`), looked up case-insensitively, or a
 * Fetch API `Headers`.
 *
 * @since 0.1.0
 * @category models
 */
export type HeadersInput = Readonly<Record<string, string | ReadonlyArray<string> | undefined>> | Headers

/**
 * @since 0.1.0
 * @category models
 */
export interface VerifyOptions {
  /** The raw body exactly as received. A string is hashed as its UTF-8 bytes. */
  readonly body: Uint8Array | string
  readonly headers: HeadersInput
  readonly secret: Secret
  /** The signature header's name; default {@link signatureHeader}. */
  readonly header?: string | undefined
}

/**
 * The failures of {@link verify}.
 *
 * @since 0.1.0
 * @category models
 */
export type VerifyError = WebhookSignatureMissing | WebhookSignatureMismatch | WebhookPayloadInvalid

// A missing or non-Redacted secret is a configuration bug, not a bad delivery: a defect, never a 401.
const secretsOf = (secret: Secret): Effect.Effect<ReadonlyArray<Redacted.Redacted<string>>> =>
  Effect.suspend(() => {
    const secrets: ReadonlyArray<unknown> = Array.isArray(secret) ? secret : [secret]
    if (secrets.length === 0) {
      return Effect.dieMessage(
        "Webhooks: no secret configured. Pass the webhook secret from the Skytells dashboard as a Redacted value (Config.redacted(\"SKYTELLS_WEBHOOK_SECRET\"))."
      )
    }
    for (const s of secrets) {
      if (!Redacted.isRedacted(s)) {
        return Effect.dieMessage("Webhooks: the secret must be a Redacted value (Redacted.make or Config.redacted).")
      }
      const value: unknown = Redacted.value(s)
      if (typeof value !== "string" || value === "") {
        return Effect.dieMessage(
          "Webhooks: a configured webhook secret is empty (an unset environment variable?). Refusing to verify with it."
        )
      }
    }
    return Effect.succeed(secrets as ReadonlyArray<Redacted.Redacted<string>>)
  })

const headerValue = (headers: HeadersInput, name: string): string | undefined =>
  typeof (headers as Headers).get === "function"
    ? (headers as Headers).get(name) ?? undefined
    : header(headers as Readonly<Record<string, string | ReadonlyArray<string> | undefined>>, name)

/**
 * Checks the signature of a delivery without decoding it.
 *
 * @since 0.1.0
 * @category verification
 */
export const verifySignature = (
  options: VerifyOptions
): Effect.Effect<void, WebhookSignatureMissing | WebhookSignatureMismatch> =>
  Effect.gen(function*() {
    const name = options.header ?? signatureHeader
    const secrets = yield* secretsOf(options.secret)
    const value = headerValue(options.headers, name)
    if (value === undefined || value.trim() === "") {
      return yield* new WebhookSignatureMissing({ header: name })
    }
    const signature = hmac.parseSignature(value)
    if (signature === undefined) {
      return yield* new WebhookSignatureMismatch({ reason: "Malformed", secretsTried: secrets.length })
    }
    if (!(yield* hmac.verifiesUnderAny(secrets, hmac.toBytes(options.body), signature))) {
      return yield* new WebhookSignatureMismatch({ reason: "Mismatch", secretsTried: secrets.length })
    }
  })

/**
 * Verifies a delivery and decodes it: checks the HMAC-SHA256 signature of the raw body (constant-time,
 * `sha256=<hex>` or bare hex, any of several secrets), then parses the body into a
 * {@link WebhookEvent}.
 *
 * Fails with `WebhookSignatureMissing` (no header), `WebhookSignatureMismatch` (wrong or malformed
 * signature) or `WebhookPayloadInvalid` (signed, but not an event). No error, log or inspection
 * output ever contains the secret or the expected signature.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { Webhooks } from "@effect-skytells/client"
 *
 * const secret = Redacted.make("whsec_example")
 * const body = JSON.stringify({ id: "pred_1", status: "succeeded" })
 *
 * const program = Effect.gen(function*() {
 *   const signature = yield* Webhooks.sign(body, secret)
 *   const event = yield* Webhooks.verify({ body, headers: { "x-skytells-signature": signature }, secret })
 *   console.log(event._tag) // "Succeeded"
 * })
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category verification
 */
export const verify = (options: VerifyOptions): Effect.Effect<WebhookEvent, VerifyError> =>
  Effect.zipRight(verifySignature(options), decodeEvent(options.body))

/**
 * Options of {@link sign}.
 *
 * @since 0.1.0
 * @category models
 */
export interface SignOptions {
  /** `"prefixed"` (default) gives `sha256=<hex>`, `"bare"` gives `<hex>` (the official SDK's format). */
  readonly format?: "prefixed" | "bare" | undefined
}

/**
 * Computes the `X-Skytells-Signature` value for a body, as Skytells would send it: for your own tests
 * (like Stripe's `generateTestHeaderString`).
 *
 * @since 0.1.0
 * @category verification
 */
export const sign = (
  body: Uint8Array | string,
  secret: Redacted.Redacted<string>,
  options?: SignOptions
): Effect.Effect<string> =>
  Effect.flatMap(
    secretsOf(secret),
    ([key]) =>
      Effect.map(hmac.hmacSha256(key!, hmac.toBytes(body)), (digest) =>
        options?.format === "bare" ? hmac.toHex(digest) : `sha256=${hmac.toHex(digest)}`)
  )
