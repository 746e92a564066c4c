/**
 * Soak (CI version): a few hundred mixed operations (create+wait, get, list, chat, stream, embed)
 * against the in-process fake with every fault kind injected at a high rate, asserting the
 * reliability invariants: no defects, no unhandled rejections, no duplicate predictions, no call over
 * the retry budget (from the fake's request log), and the API key nowhere in debug logs, spans or
 * error output; once in process and once over the undici fast path on loopback. The long run is
 * `pnpm soak`, on the same engine.
 */
import * as NodeSkytellsClient from "@effect-skytells/client/NodeSkytellsClient"
import * as FakeSkytells from "@effect-skytells/testing/FakeSkytells"
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { runSoak, type SoakReport } from "./soak/engine.js"

const invariants = (report: SoakReport) => {
  const context = JSON.stringify({ ...report, defectSamples: report.defectSamples.map((s) => s.slice(0, 500)) })
  // The run did something: most operations succeeded, faults were injected, some calls retried.
  assert.isAbove(report.succeeded, report.operations / 2, context)
  assert.isAbove(Object.keys(report.faultsInjected).length, 8, context)
  assert.isAbove(report.maxRequestsPerCall, 1, context)
  assert.isAbove(report.logLines, 0, context)
  assert.isAbove(report.spans, 0, context)
  // The invariants.
  assert.strictEqual(report.defects, 0, context)
  assert.strictEqual(report.unhandledRejections, 0, context)
  assert.strictEqual(report.duplicatePredictions, 0, context)
  assert.strictEqual(report.orphanPredictions, 0, context)
  assert.isAtMost(report.predictionsHeld, report.createsSucceeded + report.createsAmbiguous, context)
  assert.strictEqual(report.callsOverBudget, 0, context)
  assert.deepStrictEqual(report.keyLeaks, { logs: 0, spans: 0, errors: 0 }, context)
}

const requestLog = { maxEntries: Infinity }

describe("soak", () => {
  it.live("mixed operations under heavy fault injection keep every invariant", () =>
    Effect.gen(function*() {
      const report = yield* runSoak({
        operations: 200,
        concurrency: 32,
        seed: 7,
        faultRate: 0.03,
        timeout: "300 millis",
        maxAttempts: 4,
        fake: FakeSkytells.layer({ seed: 7, requestLog })
      })
      invariants(report)
    }), 90_000)

  it.live("the same over the undici fast path, with the fake on loopback", () =>
    Effect.gen(function*() {
      const served = yield* FakeSkytells.serve({ seed: 11, requestLog })
      const report = yield* runSoak({
        operations: 200,
        concurrency: 32,
        seed: 11,
        faultRate: 0.03,
        // Real sockets on a shared machine need more slack than the in-process fake.
        timeout: "2 seconds",
        maxAttempts: 4,
        fake: Layer.merge(Layer.succeed(FakeSkytells.FakeSkytells, served.fake), NodeHttpClient.layerUndici),
        client: NodeSkytellsClient.layer
      })
      invariants(report)
    }).pipe(Effect.scoped), 90_000)
})
