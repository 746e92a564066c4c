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
import { createHmac } from "node:crypto"
import type * as FakeSkytells from "../FakeSkytells.js"
import { schedule } from "./lifecycle.js"
import { render } from "./predictions.js"
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

/** The signature header value for a raw body. @internal */
export const sign = (secret: string, raw: string, format: FakeSkytells.Scenario["webhookSignature"]): string => {
  const hex = createHmac("sha256", secret).update(raw, "utf8").digest("hex")
  return format === "prefixed" ? `sha256=${hex}` : hex
}

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
      for (const e of due) {
        p.announced.add(e.event)
        if (wanted(p, e.event)) state.runFork(deliver(state, p, e.event, now))
      }
      const next = events(p).filter((e) => e.at > now && !p.announced.has(e.event))
      if (next.length === 0) return
      yield* Effect.sleep(Duration.millis(Math.min(...next.map((e) => e.at)) - now))
    }
  })

const deliver = (state: State, p: PredictionRecord, event: EventName, now: number): Effect.Effect<void> =>
  Effect.gen(function*() {
    const scenario = state.scenario
    const url = p.webhook!.url
    const view = render(state, p, now)
    const body = scenario.webhookBody === "envelope"
      ? { type: event, created_at: new Date(now).toISOString(), data: view }
      : view
    const raw = JSON.stringify(body)
    const id = `whd_${state.ids.hex(24)}`
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "Skytells-Webhooks/1.0 (fake)",
      "x-skytells-event": event,
      "x-skytells-delivery": id,
      "x-skytells-signature": sign(state.webhooks.secret, raw, scenario.webhookSignature)
    }
    for (let copy = 0; copy <= scenario.webhookDuplicates; copy++) {
      yield* attempt(state, { id, predictionId: p.id, event, url, headers, body: raw }, 1)
    }
  })

type Delivery = Omit<FakeSkytells.WebhookDelivery, "attempt" | "at" | "result">

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
      Effect.map((status): FakeSkytells.WebhookDelivery["result"] =>
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
