/**
 * The Prediction object as the API renders it at a given Clock time, and the bytes of the output
 * files the fake serves. Shared by the Prediction API handlers and the webhook deliveries, so
 * neither imports the other.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import { isTerminal, phaseAt, schedule, statusOf } from "./lifecycle.js"
import type { PredictionRecord, State } from "./state.js"

const seconds = (ms: number) => Math.round(ms) / 1000
const iso = (ms: number) => new Date(ms).toISOString()

/** The Prediction object as the API renders it at time `now`. @internal */
export const render = (state: State, p: PredictionRecord, now: number): Record<string, unknown> => {
  const scenario = state.scenario
  const phase = phaseAt(p, now)
  const s = schedule(p)
  const terminal = isTerminal(phase)
  const removed = terminal && scenario.retention !== undefined &&
    now >= s.terminal + Duration.toMillis(Duration.decode(scenario.retention))
  const base = `${state.baseUrl}/predictions/${p.id}`
  const output = phase === "succeeded" && !removed ? outputOf(state, p) : null
  const files = phase === "succeeded" ? filesOf(state, p) : []
  const outcome = p.model.outcome
  const failed = phase === "failed" && outcome._tag === "Fail"
    ? scenario.failureStyle === "error"
      ? { error: outcome.message }
      : { error: null, error_id: outcome.errorId ?? "PREDICTION_FAILED", error_message: outcome.message }
    : { error: null }
  const progress = phase === "processing"
    ? Math.min(99, Math.floor(((now - s.processing) / Math.max(1, p.timing.processingMs)) * 100))
    : phase === "succeeded" || phase === "failed"
    ? 100
    : 0
  const updated = terminal
    ? s.terminal
    : phase === "processing"
    ? s.processing
    : phase === "starting"
    ? s.starting
    : p.createdAt
  return {
    id: p.id,
    status: statusOf(phase, scenario),
    type: "inference",
    stream: p.stream,
    input: removed ? {} : p.input,
    output,
    ...failed,
    created_at: iso(p.createdAt),
    started_at: now >= s.processing && (s.canceled === undefined || s.canceled > s.processing)
      ? iso(s.processing)
      : null,
    completed_at: terminal ? iso(s.terminal) : null,
    updated_at: iso(updated),
    privacy: "private",
    source: "api",
    model: scenario.modelField === "object" ? { name: p.model.slug, type: p.model.type } : p.model.slug,
    webhook: p.webhook !== undefined ? { url: p.webhook.url, events: p.webhook.events } : { url: null, events: [] },
    metrics: {
      progress,
      ...(phase === "succeeded" || phase === "failed"
        ? {
          predict_time: seconds(p.timing.processingMs),
          total_time: seconds(s.terminal - p.createdAt)
        }
        : {}),
      ...(phase === "succeeded" && files.length > 0
        ? { image_count: p.model.type === "image" ? files.length : 0, asset_count: files.length }
        : {})
    },
    metadata: {
      billing: { credits_used: p.cost },
      storage: { files: removed ? [] : files },
      data_available: !removed
    },
    ...(removed ? { data_removed: true } : {}),
    urls: { get: base, cancel: `${base}/cancel`, stream: `${base}/stream`, delete: base }
  }
}

const filesOf = (state: State, p: PredictionRecord) => {
  const out = p.model.output(p.input)
  return out._tag === "Files"
    ? out.files.map((f) => ({
      name: f.name,
      type: f.mime,
      size: fileBytes(p.id, f.name, f.mime).byteLength,
      url: `${state.baseUrl}/files/${p.id}/${f.name}`
    }))
    : []
}

const outputOf = (state: State, p: PredictionRecord): unknown => {
  const out = p.model.output(p.input)
  return out._tag === "Files" ? filesOf(state, p).map((f) => f.url) : out.value
}

const PNG_1x1 = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="),
  (c) => c.charCodeAt(0)
)

/** Deterministic bytes for an output file, with the right magic number for its type. @internal */
export const fileBytes = (id: string, name: string, mime: string): Uint8Array => {
  if (mime === "image/png") return PNG_1x1
  const magic = mime === "image/jpeg"
    ? [0xff, 0xd8, 0xff, 0xe0]
    : mime === "video/mp4"
    ? [0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x6d, 0x70, 0x34, 0x32]
    : [0x52, 0x49, 0x46, 0x46]
  return Uint8Array.from([...magic, ...new TextEncoder().encode(`fake-skytells:${id}/${name}`)])
}
