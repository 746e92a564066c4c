import { InProcessHttpClient, SkytellsClient } from "@effect-skytells/client"
import { type HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Clock, Effect, Layer, Redacted, Ref } from "effect"

export const API_KEY = "sk-test-SECRET-0123456789abcdef"

export interface Seen {
  readonly method: string
  readonly url: string
  readonly at: number
  readonly headers: Record<string, string>
  readonly body: string
}

export type Reply =
  | { readonly status: number; readonly body?: unknown; readonly headers?: Record<string, string> }
  | { readonly fail: { readonly code: string } }
  | { readonly stall: true }

/**
 * An HttpApp that answers from a script (the last reply repeats) and records every request with the
 * Clock time it arrived at, so tests assert exact attempt times under TestClock.
 */
export const scripted = (replies: ReadonlyArray<Reply>) =>
  Effect.gen(function*() {
    const seen = yield* Ref.make<ReadonlyArray<Seen>>([])
    const aborted = yield* Ref.make(0)
    const app = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const body = request.method === "GET" ? "" : yield* Effect.orDie(request.text)
      const at = yield* Clock.currentTimeMillis
      const index = yield* Ref.modify(seen, (all) => [
        all.length,
        [...all, { method: request.method, url: request.url, at, headers: { ...request.headers }, body }]
      ])
      const reply = replies[Math.min(index, replies.length - 1)]
      if ("fail" in reply) {
        return yield* Effect.fail(Object.assign(new Error(`simulated ${reply.fail.code}`), reply.fail))
      }
      if ("stall" in reply) {
        return yield* Effect.never.pipe(Effect.onInterrupt(() => Ref.update(aborted, (n) => n + 1)))
      }
      const text = reply.body === undefined
        ? ""
        : typeof reply.body === "string"
        ? reply.body
        : JSON.stringify(reply.body)
      return HttpServerResponse.text(text, {
        status: reply.status,
        contentType: typeof reply.body === "string" ? "text/plain" : "application/json",
        ...(reply.headers ? { headers: reply.headers } : {})
      })
    })
    return { app, seen: Ref.get(seen), aborted: Ref.get(aborted) }
  })

/** The SkytellsClient over a scripted in-process server. */
export const clientLayer = (
  app: HttpApp.Default<unknown, never>,
  options: Partial<SkytellsClient.Options> = {}
) =>
  SkytellsClient.layer({ apiKey: Redacted.make(API_KEY), baseUrl: "https://api.test/v1", ...options }).pipe(
    Layer.provide(InProcessHttpClient.layer(app))
  )
