/**
 * Faults the fake Skytells API can inject into its answers: error statuses, gateway pages, broken
 * connections, stalls, truncated or empty bodies, latency. A fault is chosen per request, either
 * from a script (the next faults for a route, in order) or from rules (a route, a fault and a
 * probability, drawn from the fake's seeded PRNG so runs are repeatable).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FakeSkytells, Fault } from "@effect-skytells/testing"
 *
 * const program = Effect.gen(function*() {
 *   const fake = yield* FakeSkytells.FakeSkytells
 *   // the next create is answered 503, the one after that is reset after the prediction was created
 *   yield* fake.script("predictions.create", [Fault.serverError(503), Fault.resetAfterAction])
 *   // one request in ten to any route gets a 429 with Retry-After: 2
 *   yield* fake.injectFaults({ route: "*", fault: Fault.rateLimit(2), probability: 0.1 })
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"

/**
 * One injected behaviour. See the constructors below for what each one does.
 *
 * @since 0.1.0
 * @category models
 */
export type Fault =
  | Pass
  | RateLimit
  | ServerError
  | GatewayPage
  | ApiError
  | UnknownErrorId
  | ConnectionRefused
  | ResetBeforeBody
  | ResetAfterAction
  | Stall
  | StallBody
  | Truncate
  | EmptyBody
  | Latency

/**
 * @since 0.1.0
 * @category models
 */
export interface Pass {
  readonly _tag: "Pass"
}
/**
 * @since 0.1.0
 * @category models
 */
export interface RateLimit {
  readonly _tag: "RateLimit"
  readonly retryAfterSeconds: number
}
/**
 * @since 0.1.0
 * @category models
 */
export interface ServerError {
  readonly _tag: "ServerError"
  readonly status: 500 | 503 | 504
}
/**
 * @since 0.1.0
 * @category models
 */
export interface GatewayPage {
  readonly _tag: "GatewayPage"
  readonly status: 502 | 503 | 504
}
/**
 * @since 0.1.0
 * @category models
 */
export interface ApiError {
  readonly _tag: "ApiError"
  readonly errorId: string
  readonly status?: number | undefined
  readonly message?: string | undefined
  readonly retryAfterSeconds?: number | undefined
}
/**
 * @since 0.1.0
 * @category models
 */
export interface UnknownErrorId {
  readonly _tag: "UnknownErrorId"
  readonly errorId: string
  readonly status: number
}
/**
 * @since 0.1.0
 * @category models
 */
export interface ConnectionRefused {
  readonly _tag: "ConnectionRefused"
}
/**
 * @since 0.1.0
 * @category models
 */
export interface ResetBeforeBody {
  readonly _tag: "ResetBeforeBody"
}
/**
 * @since 0.1.0
 * @category models
 */
export interface ResetAfterAction {
  readonly _tag: "ResetAfterAction"
}
/**
 * @since 0.1.0
 * @category models
 */
export interface Stall {
  readonly _tag: "Stall"
}
/**
 * @since 0.1.0
 * @category models
 */
export interface StallBody {
  readonly _tag: "StallBody"
  readonly after: number
}
/**
 * @since 0.1.0
 * @category models
 */
export interface Truncate {
  readonly _tag: "Truncate"
  readonly after: number | undefined
}
/**
 * @since 0.1.0
 * @category models
 */
export interface EmptyBody {
  readonly _tag: "EmptyBody"
  readonly status: number
}
/**
 * @since 0.1.0
 * @category models
 */
export interface Latency {
  readonly _tag: "Latency"
  readonly duration: Duration.Duration
  readonly then: Fault
}

/**
 * No fault: the request is served normally. Useful in scripts (`[Fault.serverError(500), Fault.pass]`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const pass: Fault = { _tag: "Pass" }

/**
 * HTTP 429 `RATE_LIMIT_EXCEEDED` (in the scenario's error shape) with `Retry-After: <seconds>`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const rateLimit = (retryAfterSeconds = 1): Fault => ({ _tag: "RateLimit", retryAfterSeconds })

/**
 * A JSON error with a documented id: 500 `INTERNAL_ERROR`, 503 `SERVICE_UNAVAILABLE`, 504 `TIMEOUT`
 * (`INFERENCE_TIMEOUT` on inference routes).
 *
 * @since 0.1.0
 * @category constructors
 */
export const serverError = (status: 500 | 503 | 504 = 500): Fault => ({ _tag: "ServerError", status })

/**
 * An HTML page from a "gateway" in front of the API (default 502 Bad Gateway): no JSON, no error id.
 *
 * @since 0.1.0
 * @category constructors
 */
export const gatewayPage = (status: 502 | 503 | 504 = 502): Fault => ({ _tag: "GatewayPage", status })

/**
 * Any error id (documented or not), answered with the catalogue's first status for that id unless a
 * status is given (`apiError("INVALID_INPUT", 422)` or `{ status }`), in the scenario's error shape
 * (the inference shape on inference routes).
 *
 * @since 0.1.0
 * @category constructors
 */
export const apiError = (
  errorId: string,
  options?: number | { readonly status?: number; readonly message?: string; readonly retryAfterSeconds?: number }
): Fault => {
  const o = typeof options === "number" ? { status: options } : options
  return {
    _tag: "ApiError",
    errorId,
    status: o?.status,
    message: o?.message,
    retryAfterSeconds: o?.retryAfterSeconds
  }
}

/**
 * An error whose id no documentation lists (default `FAKE_UNDOCUMENTED_ERROR`, HTTP 418).
 *
 * @since 0.1.0
 * @category constructors
 */
export const unknownErrorId = (status = 418, errorId = "FAKE_UNDOCUMENTED_ERROR"): Fault => ({
  _tag: "UnknownErrorId",
  errorId,
  status
})

/**
 * The connection is refused: the fake never sees the request (`code: "ECONNREFUSED"`, `acted: false`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const connectionRefused: Fault = { _tag: "ConnectionRefused" }

/**
 * The connection is reset before the request body is read: nothing happened server side
 * (`code: "ECONNRESET"`, `acted: false`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const resetBeforeBody: Fault = { _tag: "ResetBeforeBody" }

/**
 * The request is fully handled (a create really creates the prediction and charges credits), then the
 * connection is reset before the answer is sent (`code: "ECONNRESET"`, `acted: true`). This is how
 * duplicate creates on retry are caught.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resetAfterAction: Fault = { _tag: "ResetAfterAction" }

/**
 * The request is read but never answered, until the caller gives up (interruption, or the socket closes).
 *
 * @since 0.1.0
 * @category constructors
 */
export const stall: Fault = { _tag: "Stall" }

/**
 * Status and headers are sent, then the body stops: after `after` SSE events on a stream, or after
 * half of a JSON body, and never resumes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const stallBody = (after = 1): Fault => ({ _tag: "StallBody", after })

/**
 * The body ends early: a JSON body is cut in half (invalid JSON), a stream ends after `after` events
 * without its terminator (`data: [DONE]`, `response.completed`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const truncate = (after?: number): Fault => ({ _tag: "Truncate", after })

/**
 * An empty body with the given status (default 200) and `content-type: application/json`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const emptyBody = (status = 200): Fault => ({ _tag: "EmptyBody", status })

/**
 * Waits `duration` (on effect's `Clock`, so `TestClock.adjust` drives it) before acting, then applies `then`
 * (default: serve normally).
 *
 * @since 0.1.0
 * @category constructors
 */
export const latency = (duration: Duration.DurationInput, then: Fault = pass): Fault => ({
  _tag: "Latency",
  duration: Duration.decode(duration),
  then
})

/**
 * The routes of the fake, by name. Fault rules and scripts select routes by name, by group
 * (`"predictions.*"`) or `"*"` for every route.
 *
 * @since 0.1.0
 * @category models
 */
export type RouteName =
  | "predictions.create"
  | "predictions.list"
  | "predictions.get"
  | "predictions.stream"
  | "predictions.cancel"
  | "predictions.delete"
  | "models.list"
  | "models.get"
  | "files.get"
  | "chat.completions"
  | "responses.create"
  | "embeddings.create"
  | "unknown"

/**
 * A route selector: a route name, a group (`"predictions.*"`, `"models.*"`, ...) or `"*"`.
 *
 * @since 0.1.0
 * @category models
 */
export type RouteSelector = RouteName | `${string}.*` | "*"

/**
 * A probabilistic fault: every request to a matching route gets `fault` with `probability`
 * (default 1), at most `times` times (default unlimited). Rules are tried in order; scripts win.
 *
 * @since 0.1.0
 * @category models
 */
export interface Rule {
  readonly route: RouteSelector
  readonly fault: Fault
  readonly probability?: number | undefined
  readonly times?: number | undefined
}

/**
 * Whether a selector selects a route.
 *
 * @since 0.1.0
 * @category utils
 */
export const matches = (selector: RouteSelector, route: RouteName): boolean =>
  selector === "*" || selector === route || (selector.endsWith(".*") && route.startsWith(selector.slice(0, -1)))

/**
 * The failure of the fake's `HttpApp` when a fault breaks the connection. In process it reaches the
 * client as a transport error whose `cause` is this value; on the loopback server the socket is
 * destroyed instead. `acted` says whether the fake had already acted on the request (created the
 * prediction, charged credits) before the connection broke.
 *
 * @since 0.1.0
 * @category errors
 */
export class FakeConnectionError extends Data.TaggedError("FakeConnectionError")<{
  readonly code: "ECONNREFUSED" | "ECONNRESET"
  readonly acted: boolean
  readonly route: RouteName
  readonly method: string
  readonly path: string
}> {
  override get message(): string {
    return `${this.code}: fake Skytells connection ${
      this.code === "ECONNREFUSED" ? "refused" : "reset"
    } on ${this.method} ${this.path} (${this.acted ? "after" : "before"} the fake acted on the request)`
  }
}
