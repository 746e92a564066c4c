/**
 * Soak (CI version): a few hundred mixed operations (create+wait, get, list, chat, stream, embed)
 * against the in-process fake with every fault kind injected at a high rate, asserting the
 * reliability invariants: no defects, no unhandled rejections, no duplicate predictions, no call over
 * the retry budget (from the fake's request log), and the API key nowhere in debug logs, spans or
 * error output. The long run is `pnpm soak`, on the same engine.
 */
import * as FakeSkytells from "@effect-skytells/testing/FakeSkytells"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { runSoak } from "./soak/engine.js"

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
        fake: FakeSkytells.layer({ seed: 7, requestLog: { maxEntries: Infinity } })
      })
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
    }), 90_000)
})
