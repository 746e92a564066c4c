/**
 * Webhook deliveries for the prediction lifecycle: `prediction.started`, `prediction.succeeded`,
 * `prediction.failed`, `prediction.cancelled`, POSTed to the prediction's `webhook.url`, signed with
 * HMAC-SHA256 of the raw body (`X-Skytells-Signature: sha256=<hex>`), at least once: failed
 * deliveries are retried, and the scenario can add duplicates.
 *
 * @internal
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Recorded from "../Recorded.js"
import type * as Scenario from "../Scenario.js"
import { schedule } from "./lifecycle.js"
import { render } from "./predictionView.js"
import type { PredictionRecord, State } from "./state.js"

type EventName = "prediction.started" | "prediction.succeeded" | "prediction.failed" | "prediction.cancelled"

const aliases: Readonly<Record<EventName, ReadonlyArray<string>>> = {
  "prediction.started": ["prediction.started", "started", "starting", "start"],
  "prediction.succeeded": ["prediction.succeeded", "prediction.completed", "succeeded", "completed"],
  "prediction.failed": ["prediction.failed", "failed"],
  "prediction.cancelled": ["prediction.cancelled", "prediction.canceled", "cancelled", "canceled"]
}

const wanted = (p: PredictionRecord, event: EventName): boolean =>
  p.webhook === undefined
    ? false
    : p.webhook.events.length === 0 || p.webhook.events.some((e) => aliases[event].includes(e))

/** The lifecycle events of a prediction and when they happen. */
const events = (p: PredictionRecord): ReadonlyArray<{ readonly at: number; readonly event: EventName }> => {
  const s = schedule(p)
  const out: Array<{ at: number; event: EventName }> = []
  if (s.canceled === undefined || s.canceled > s.processing) out.push({ at: s.processing, event: "prediction.started" })
  if (s.canceled !== undefined) out.push({ at: s.canceled, event: "prediction.cancelled" })
  else {
    out.push({
      at: s.done,
      event: p.model.outcome._tag === "Succeed" ? "prediction.succeeded" : "prediction.failed"
    })
  }
  return out
}

const encoder = new TextEncoder()

const HEX = "0123456789abcdef"

const toHex = (bytes: Uint8Array): string => {
  let out = ""
  for (const b of bytes) out += HEX[b >> 4]! + HEX[b & 15]!
  return out
}

/**
 * HMAC-SHA256 of the UTF-8 bytes of `raw` under the UTF-8 bytes of `secret`, in lower-case hex, with
 * Web Crypto (`globalThis.crypto.subtle`: Node 20+, Deno, Bun, browsers, edge runtimes; no `node:`
 * import). The fake's own implementation, so it does not share a mistake with the client's `verify`.
 *
 * Web Crypto refuses a zero-length HMAC key; HMAC pads every key with zero bytes to the block size
 * (RFC 2104), so an empty secret is signed with the equivalent one-zero-byte key.
 */
const hmacSha256Hex = async (secret: string, raw: string): Promise<string> => {
  const subtle = globalThis.crypto.subtle
  const keyBytes = secret.length === 0 ? new Uint8Array(1) : encoder.encode(secret)
  const key = await subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
  return toHex(new Uint8Array(await subtle.sign("HMAC", key, encoder.encode(raw))))
}

/**
 * The signature header value for a raw body: `sha256=<hex>` or bare `<hex>`. Asynchronous, as Web
 * Crypto is. @internal
 */
export const sign = (
  secret: string,
  raw: string,
  format: Scenario.Scenario["webhookSignature"]
): Effect.Effect<string> =>
  Effect.map(
    Effect.promise(() => hmacSha256Hex(secret, raw)),
    (hex) => format === "prefixed" ? `sha256=${hex}` : hex
  )

const isLoopback = (url: string): boolean => {
  try {
    const host = new URL(url).hostname
    return host === "127.0.0.1" || host === "localhost" || host === "[::1]" || host === "::1" ||
      host.startsWith("127.")
  } catch {
    return false
  }
}

/**
 * Starts (in the fake's scope) a fiber that announces the prediction's transitions when Clock time
 * reaches them. Safe to call again (after a cancel): each event is announced once.
 *
 * @internal
 */
export const watch = (state: State, p: PredictionRecord): void => state.runFork(loop(state, p))

const loop = (state: State, p: PredictionRecord): Effect.Effect<void> =>
  Effect.gen(function*() {
    while (!p.deleted) {
      const now = yield* Clock.currentTimeMillis
      const due = events(p).filter((e) => e.at <= now && !p.announced.has(e.event))
      const outgoing: Array<EventName> = []
      for (const e of due) {
        p.announced.add(e.event)
        if (wanted(p, e.event)) outgoing.push(e.event)
      }
      if (outgoing.length > 0) state.runFork(deliver(state, p, outgoing, now))
      const next = events(p).filter((e) => e.at > now && !p.announced.has(e.event))
      if (next.length === 0) return
      yield* Effect.sleep(Duration.millis(Math.min(...next.map((e) => e.at)) - now))
    }
  })

/**
 * Renders the events due together (all at the same instant, as before any fiber yields), signs them
 * in order (Web Crypto is asynchronous), then sends each one and its duplicates on a fiber of its
 * own, so a retried delivery does not hold up the next.
 */
const deliver = (
  state: State,
  p: PredictionRecord,
  events: ReadonlyArray<EventName>,
  now: number
): Effect.Effect<void> =>
  Effect.gen(function*() {
    const { webhookDuplicates, webhookSignature } = state.scenario
    const secret = state.webhooks.secret
    const unsigned = events.map((event) => compose(state, p, event, now))
    const signed: Array<Delivery> = []
    for (const d of unsigned) {
      const signature = yield* sign(secret, d.body, webhookSignature)
      signed.push({ ...d, headers: { ...d.headers, "x-skytells-signature": signature } })
    }
    for (const d of signed) {
      state.runFork(Effect.gen(function*() {
        for (let copy = 0; copy <= webhookDuplicates; copy++) yield* attempt(state, d, 1)
      }))
    }
  })

/** A delivery before signing: the body as sent, its id and every header but the signature. */
const compose = (state: State, p: PredictionRecord, event: EventName, now: number): Delivery => {
  const view = render(state, p, now)
  const body = state.scenario.webhookBody === "envelope"
    ? { type: event, created_at: new Date(now).toISOString(), data: view }
    : view
  const id = `whd_${state.ids.hex(24)}`
  return {
    id,
    predictionId: p.id,
    event,
    url: p.webhook!.url,
    headers: {
      "content-type": "application/json",
      "user-agent": "Skytells-Webhooks/1.0 (fake)",
      "x-skytells-event": event,
      "x-skytells-delivery": id
    },
    body: JSON.stringify(body)
  }
}

type Delivery = Omit<Recorded.WebhookDelivery, "attempt" | "at" | "result">

const attempt = (state: State, d: Delivery, n: number): Effect.Effect<void> =>
  Effect.gen(function*() {
    const at = yield* Clock.currentTimeMillis
    const client = state.webhooks.client
    if (client === undefined || (!state.webhooks.allowNonLoopback && !isLoopback(d.url))) {
      const reason = client === undefined ? "no HttpClient for webhooks" : "not a loopback URL"
      state.deliveries.push({ ...d, attempt: n, at, result: { _tag: "NotSent", reason } })
      return
    }
    const result = yield* client.execute(
      HttpClientRequest.post(d.url).pipe(
        HttpClientRequest.setHeaders(d.headers),
        HttpClientRequest.bodyText(d.body, "application/json")
      )
    ).pipe(
      Effect.flatMap((res) => Effect.as(res.text.pipe(Effect.ignore), res.status)),
      Effect.scoped,
      Effect.map((status): Recorded.WebhookDelivery["result"] =>
        status >= 200 && status < 300
          ? { _tag: "Delivered", status }
          : { _tag: "Failed", status, error: `HTTP ${status}` }
      ),
      Effect.catchAll((e) => Effect.succeed({ _tag: "Failed", error: e.message } as const))
    )
    state.deliveries.push({ ...d, attempt: n, at, result })
    if (result._tag === "Failed" && n < state.webhooks.maxAttempts) {
      yield* Effect.sleep(Duration.times(state.webhooks.retryDelay, 2 ** (n - 1)))
      yield* attempt(state, d, n + 1)
    }
  })
