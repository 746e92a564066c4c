/**
 * The prediction lifecycle as a pure function of Clock time: queued → starting → processing (with
 * `metrics.progress`) → succeeded | failed, or canceled. Nothing runs in the background; every read
 * computes the status for "now", so `TestClock.adjust` moves predictions along.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import type * as Scenario from "../Scenario.js"
import type { Timing } from "./models.js"
import type { PredictionRecord } from "./state.js"

/** @internal */
export type Phase = "queued" | "starting" | "processing" | "succeeded" | "failed" | "canceled"

/** @internal */
export const isTerminal = (phase: Phase): boolean => phase === "succeeded" || phase === "failed" || phase === "canceled"

/** The timing a new prediction gets: the model's, overridden by the scenario. @internal */
export const timingFor = (model: Timing, scenario: Scenario.Scenario): Timing => {
  const o = scenario.lifecycle
  const ms = (d: Duration.DurationInput | undefined, fallback: number) =>
    d === undefined ? fallback : Duration.toMillis(Duration.decode(d))
  return {
    queuedMs: ms(o?.queued, model.queuedMs),
    startingMs: ms(o?.starting, model.startingMs),
    processingMs: ms(o?.processing, model.processingMs)
  }
}

/** Times at which the prediction enters each phase. @internal */
export const schedule = (p: PredictionRecord) => {
  const starting = p.createdAt + p.timing.queuedMs
  const processing = starting + p.timing.startingMs
  const done = processing + p.timing.processingMs
  const canceled = p.canceledAt !== undefined && p.canceledAt < done ? p.canceledAt : undefined
  return { starting, processing, done, canceled, terminal: canceled ?? done }
}

/** @internal */
export const phaseAt = (p: PredictionRecord, now: number): Phase => {
  const s = schedule(p)
  if (s.canceled !== undefined && now >= s.canceled) return "canceled"
  if (now < s.starting) return "queued"
  if (now < s.processing) return "starting"
  if (now < s.done) return "processing"
  return p.model.outcome._tag === "Succeed" ? "succeeded" : "failed"
}

/** The wire status for a phase, per the scenario's spelling. @internal */
export const statusOf = (phase: Phase, scenario: Scenario.Scenario): string =>
  phase === "queued" ? scenario.initialStatus : phase === "canceled" ? scenario.canceledStatus : phase

/** Accepts either spelling and the aliases clients send when filtering by status. @internal */
export const phaseOfStatus = (status: string): Phase | undefined => {
  switch (status) {
    case "queued":
    case "pending":
      return "queued"
    case "starting":
    case "started":
      return "starting"
    case "processing":
    case "succeeded":
    case "failed":
      return status
    case "canceled":
    case "cancelled":
      return "canceled"
    default:
      return undefined
  }
}
