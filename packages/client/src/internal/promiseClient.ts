/**
 * The machinery of `PromiseClient`: effects and streams run on one `ManagedRuntime` as Promises and
 * async iterables that reject with the failure itself, stop when an `AbortSignal` fires, and end with
 * the client.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import type * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

/** @internal */
export class ClientDisposed extends Schema.TaggedError<ClientDisposed>(
  "@effect-skytells/client/PromiseClient/ClientDisposed"
)("ClientDisposed", {
  /** The method called, e.g. `predictions.get`. */
  method: Schema.String,
  /** Whether the call was running when `dispose()` stopped it (rather than made afterwards). */
  inFlight: Schema.Boolean
}) {
  override get message(): string {
    return this.inFlight
      ? `${this.method} was stopped by dispose(): the client closed while the call ran.`
      : `${this.method} was called after dispose(): make a new client with PromiseClient.make.`
  }
}

/** @internal */
export interface Runner<R> {
  readonly call: <A, E>(method: string, effect: Effect.Effect<A, E, R>, signal: AbortSignal | undefined) => Promise<A>
  readonly iterate: <A, E>(
    method: string,
    stream: Stream.Stream<A, E, R>,
    signal: AbortSignal | undefined
  ) => AsyncIterable<A>
  readonly dispose: () => Promise<void>
}

// A pull fails with `None` at the end of the stream: that end becomes a value.
const endAsNone = <A, E, R>(pull: Effect.Effect<A, Option.Option<E>, R>): Effect.Effect<Option.Option<A>, E, R> =>
  Effect.matchEffect(pull, {
    onFailure: Option.match({ onNone: () => Effect.succeedNone, onSome: Effect.fail }),
    onSuccess: Effect.succeedSome
  })

/** @internal */
export const makeRunner = <R, E>(layer: Layer.Layer<R, E>): Runner<R> => {
  const runtime = ManagedRuntime.make(layer)
  // What dispose stops before closing the layer: the fibers of calls in flight, then the scopes of
  // iterations still open (an idle `for await` body holds a connection that no fiber is reading).
  const calls = new Set<() => Promise<unknown>>()
  const iterations = new Set<() => Promise<unknown>>()
  let closing = false
  let disposed: Promise<void> | undefined

  // The typed failure first, then a defect (what `Cause.squash` picks); an interruption only says why
  // the call stopped: the caller's signal, or dispose().
  const rejection = (method: string, cause: Cause.Cause<unknown>, signal: AbortSignal | undefined): unknown => {
    if (Cause.isInterruptedOnly(cause)) {
      if (signal?.aborted) return signal.reason
      if (closing) return new ClientDisposed({ method, inFlight: true })
    }
    return Cause.squash(cause)
  }

  const call = <A, E2>(
    method: string,
    effect: Effect.Effect<A, E2, R>,
    signal: AbortSignal | undefined
  ): Promise<A> => {
    if (closing) return Promise.reject(new ClientDisposed({ method, inFlight: false }))
    if (signal?.aborted) return Promise.reject(signal.reason)
    return new Promise<A>((resolve, reject) => {
      const fiber = runtime.runFork(effect)
      const stop = () => Effect.runPromise(Fiber.interrupt(fiber))
      const abort = () => fiber.unsafeInterruptAsFork(fiber.id())
      calls.add(stop)
      signal?.addEventListener("abort", abort, { once: true })
      fiber.addObserver((exit) => {
        calls.delete(stop)
        signal?.removeEventListener("abort", abort)
        if (Exit.isSuccess(exit)) resolve(exit.value)
        else reject(rejection(method, exit.cause, signal))
      })
    })
  }

  const iterate = <A, E2>(
    method: string,
    stream: Stream.Stream<A, E2, R>,
    signal: AbortSignal | undefined
  ): AsyncIterable<A> => ({
    [Symbol.asyncIterator]: (): AsyncIterator<A> => {
      let scope: Scope.CloseableScope | undefined
      let pull: Effect.Effect<Option.Option<Chunk.Chunk<A>>, E2, R> | undefined
      let buffer: ReadonlyArray<A> = []
      let index = 0
      let done = false
      // Closed once; the iteration's own end and dispose() then wait for the same close.
      let closed: Promise<unknown> = Promise.resolve()
      const close = (): Promise<unknown> => {
        iterations.delete(close)
        if (scope !== undefined) {
          closed = Effect.runPromiseExit(Scope.close(scope, Exit.void))
          scope = undefined
        }
        return closed
      }
      const finish = async (): Promise<IteratorResult<A>> => {
        done = true
        await close()
        return { done: true, value: undefined }
      }
      const step = async (): Promise<IteratorResult<A>> => {
        while (index >= buffer.length) {
          if (done) return { done: true, value: undefined }
          try {
            if (pull === undefined) {
              scope = Effect.runSync(Scope.make())
              iterations.add(close)
              pull = endAsNone(await call(method, Scope.extend(Stream.toPull(stream), scope), signal))
            }
            const next: Option.Option<Chunk.Chunk<A>> = await call(method, pull, signal)
            if (Option.isNone(next)) return await finish()
            buffer = Chunk.toReadonlyArray(next.value)
            index = 0
          } catch (error) {
            await finish()
            throw error
          }
        }
        return { done: false, value: buffer[index++] }
      }
      // One step at a time, in call order, as an async generator does.
      let queue: Promise<unknown> = Promise.resolve()
      const enqueue = (f: () => Promise<IteratorResult<A>>): Promise<IteratorResult<A>> => {
        const result = queue.then(f)
        queue = result.catch(() => undefined)
        return result
      }
      return { next: () => enqueue(step), return: () => enqueue(finish) }
    }
  })

  const dispose = (): Promise<void> => {
    if (disposed === undefined) {
      closing = true
      // Taken now: a stopped pull ends its iteration, which then leaves the set while closing.
      const open = Array.from(iterations)
      disposed = Promise.all(Array.from(calls, (stop) => stop()))
        .then(() => Promise.all(open.map((close) => close())))
        .then(() => runtime.dispose())
    }
    return disposed
  }

  return { call, iterate, dispose }
}
