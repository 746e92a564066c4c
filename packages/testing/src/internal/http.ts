/**
 * What a route handler receives, and response helpers.
 *
 * @internal
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type * as Effect from "effect/Effect"
import type * as Fault from "../Fault.js"
import type { ApiFailure } from "./errors.js"
import type { AccountState, State } from "./state.js"

/** Everything a handler needs about the current request. @internal */
export interface Ctx {
  readonly state: State
  readonly request: HttpServerRequest.HttpServerRequest
  readonly route: Fault.RouteName
  readonly requestId: string
  /** Clock time when the request arrived, in epoch milliseconds. */
  readonly now: number
  /** The authenticated account (a placeholder on unauthenticated routes). */
  readonly account: AccountState
  readonly body: string | undefined
  /** The parsed JSON body (`undefined` when there is no body). */
  readonly json: unknown
  readonly query: Readonly<Record<string, string>>
  readonly params: Readonly<Record<string, string | undefined>>
}

/** @internal */
export type Handler = (ctx: Ctx) => Effect.Effect<HttpServerResponse.HttpServerResponse, ApiFailure>

/** Which routes need which credentials, and which error format they speak. @internal */
export interface RouteSpec {
  readonly name: Fault.RouteName
  readonly auth: "api" | "inference" | "none"
  readonly surface: "prediction" | "inference"
  /** POST routes that must carry a JSON body. */
  readonly requiresBody: boolean
}

const encoder = new TextEncoder()

/** A JSON response whose body bytes are known (faults can truncate it). @internal */
export const json = (body: unknown, status = 200): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.uint8Array(encoder.encode(JSON.stringify(body)), { status, contentType: "application/json" })

/** @internal */
export const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)
