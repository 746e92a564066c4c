/**
 * The harness's driver for the Effect workers (worker-effect.ts, worker-limiter.ts): `concurrency`
 * fibers sharing one counter, like the promise driver of the raw clients. A module of its own so that
 * each worker loads only what it measures.
 */
import * as Effect from "effect/Effect"
import type * as ManagedRuntime from "effect/ManagedRuntime"

export const effectDriver =
  <R>(runtime: ManagedRuntime.ManagedRuntime<R, unknown>, call: Effect.Effect<unknown, unknown, R>) =>
  (n: number, concurrency: number, latencies: Float64Array | null) => {
    let next = 0
    let errors = 0
    let firstError: unknown = undefined
    const one = Effect.suspend(() => {
      const i = next++
      const t = performance.now()
      return Effect.matchCause(call, {
        onFailure: (cause) => {
          errors++
          firstError ??= cause
          if (latencies) latencies[i] = performance.now() - t
        },
        onSuccess: () => {
          if (latencies) latencies[i] = performance.now() - t
        }
      })
    })
    const loop = Effect.whileLoop({ while: () => next < n, body: () => one, step: () => {} })
    return runtime.runPromise(
      Effect.all(Array.from({ length: Math.min(concurrency, n) }, () => loop), {
        concurrency: "unbounded",
        discard: true
      })
    ).then(() => ({ errors, firstError }))
  }
