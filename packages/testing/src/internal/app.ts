/**
 * The fake as one `HttpApp`: an `HttpRouter` whose every route goes through the same pipeline —
 * request id, recording, fault selection, reading the body under its size limit, authentication,
 * rate limit, content type, JSON parsing, the handler, error rendering in the route's shape,
 * headers, and post-response faults.
 *
 * @internal
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Fault from "../Fault.js"
import * as Body from "./body.js"
import { type ApiFailure, failure, gatewayHtml, inferenceBody, predictionBody } from "./errors.js"
import { type Ctx, type Handler, json, type RouteSpec } from "./http.js"
import * as Inference from "./inference.js"
import * as Predictions from "./predictions.js"
import * as RateLimit from "./rateLimit.js"
import * as Responses from "./responses.js"
import { type AccountState, defaultAccount, type MutableRecordedRequest, type State } from "./state.js"

const REDACTED = "<redacted>"

const redact = (headers: Readonly<Record<string, string>>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) {
    out[k] = k === "x-api-key" ? REDACTED : k === "authorization" ? v.replace(/^(\S+\s+).*$/, `$1${REDACTED}`) : v
  }
  return out
}

const firstValues = (search: Readonly<Record<string, string | ReadonlyArray<string>>>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(search)) {
    const first = typeof v === "string" ? v : v[0]
    if (first !== undefined) out[k] = first
  }
  return out
}

const anonymous = (): AccountState => ({
  apiKey: "",
  credits: 0,
  requestsPerMinute: defaultAccount.requestsPerMinute,
  maxConcurrent: defaultAccount.maxConcurrent,
  suspended: false,
  windowStart: 0,
  windowCount: 0,
  inflight: 0
})

const connectionError = (code: "ECONNREFUSED" | "ECONNRESET", acted: boolean, rec: MutableRecordedRequest) =>
  new Fault.FakeConnectionError({ code, acted, route: rec.route, method: rec.method, path: rec.path })

/** The answer a fault gives instead of the handler's, if it replaces it. */
const replacement = (
  fault: Fault.Fault,
  spec: RouteSpec
): ApiFailure | HttpServerResponse.HttpServerResponse | undefined => {
  switch (fault._tag) {
    case "RateLimit":
      return failure("RATE_LIMIT_EXCEEDED", {
        message: "You have sent too many requests in a short period.",
        retryAfterSeconds: fault.retryAfterSeconds
      })
    case "ServerError":
      return fault.status === 500
        ? failure(spec.surface === "inference" ? "INFERENCE_ERROR" : "INTERNAL_ERROR", { status: 500 })
        : fault.status === 503
        ? failure("SERVICE_UNAVAILABLE", { status: 503 })
        : failure(spec.surface === "inference" ? "INFERENCE_TIMEOUT" : "TIMEOUT", { status: 504 })
    case "GatewayPage":
      return HttpServerResponse.text(gatewayHtml(fault.status), { status: fault.status, contentType: "text/html" })
    case "ApiError":
      return failure(fault.errorId, {
        status: fault.status,
        message: fault.message,
        retryAfterSeconds: fault.retryAfterSeconds
      })
    case "UnknownErrorId":
      return failure(fault.errorId, {
        status: fault.status,
        message: "Something the documentation does not mention happened."
      })
    default:
      return undefined
  }
}

const authenticate = (state: State, spec: RouteSpec, request: HttpServerRequest.HttpServerRequest) =>
  Effect.suspend((): Effect.Effect<AccountState, ApiFailure> => {
    const bearer = state.scenario.bearerAuth === "all" ||
      (state.scenario.bearerAuth === "inference" && spec.auth === "inference")
    const authorization = request.headers.authorization
    const key = request.headers["x-api-key"] ??
      (bearer && authorization !== undefined && /^Bearer\s+/i.test(authorization)
        ? authorization.replace(/^Bearer\s+/i, "")
        : undefined)
    if (key === undefined || key === "") {
      return Effect.fail(failure("UNAUTHORIZED", { message: "Missing API key: pass it in the x-api-key header." }))
    }
    const account = state.accounts.get(key)
    if (account === undefined) return Effect.fail(failure("UNAUTHORIZED", { message: "Invalid API key." }))
    if (account.suspended) {
      return Effect.fail(failure("ACCOUNT_SUSPENDED", { message: "Your account has been suspended." }))
    }
    return Effect.succeed(account)
  })

const isJson = (contentType: string | undefined) =>
  contentType !== undefined && /^application\/([a-z.+-]*\+)?json\s*(;|$)/i.test(contentType.trim())

const parseJson = (spec: RouteSpec, text: string | undefined): Effect.Effect<unknown, ApiFailure> => {
  if (text === undefined || text.trim() === "") return Effect.succeed(undefined)
  return Effect.try({
    try: () => JSON.parse(text) as unknown,
    catch: () =>
      failure(spec.surface === "inference" ? "INVALID_REQUEST" : "INVALID_INPUT", {
        message: "The request body is not valid JSON."
      })
  })
}

const encoder = new TextEncoder()

/** Applies a fault that alters the body of an answer already produced. */
const alterBody = (
  fault: Fault.Fault,
  response: HttpServerResponse.HttpServerResponse
): HttpServerResponse.HttpServerResponse => {
  const body = response.body
  switch (fault._tag) {
    case "EmptyBody":
      return HttpServerResponse.setStatus(
        HttpServerResponse.setBody(response, HttpBody.uint8Array(new Uint8Array(0), "application/json")),
        fault.status
      )
    case "Truncate":
      if (body._tag === "Uint8Array") {
        return HttpServerResponse.setBody(
          response,
          HttpBody.uint8Array(body.body.slice(0, Math.floor(body.body.byteLength / 2)), body.contentType)
        )
      }
      if (body._tag === "Stream") {
        return HttpServerResponse.setBody(
          response,
          HttpBody.stream(Stream.take(body.stream, fault.after ?? 2), body.contentType)
        )
      }
      return response
    case "StallBody": {
      const head = body._tag === "Uint8Array"
        ? Stream.make(body.body.slice(0, Math.floor(body.body.byteLength / 2)))
        : body._tag === "Stream"
        ? Stream.take(body.stream, fault.after)
        : body._tag === "Raw" && typeof body.body === "string"
        ? Stream.make(encoder.encode(body.body.slice(0, Math.floor(body.body.length / 2))))
        : Stream.empty
      const contentType = "contentType" in body && typeof body.contentType === "string" ? body.contentType : undefined
      return HttpServerResponse.setBody(
        response,
        HttpBody.stream(Stream.concat(head as Stream.Stream<Uint8Array, unknown>, Stream.never), contentType)
      )
    }
    default:
      return response
  }
}

/**
 * HEAD: GET's status and headers, its length and type included, without the body. A Node server
 * drops a HEAD body itself; in process nothing would.
 */
const withoutBody = (response: HttpServerResponse.HttpServerResponse): HttpServerResponse.HttpServerResponse => {
  const kept: Record<string, string> = {}
  for (const name of ["content-type", "content-length"]) {
    const value = response.headers[name]
    if (value !== undefined) kept[name] = value
  }
  return HttpServerResponse.setHeaders(HttpServerResponse.setBody(response, HttpBody.empty), kept)
}

const serveRoute = (state: State, spec: RouteSpec, handler: Handler) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const params = yield* HttpRouter.params
    const search = yield* HttpServerRequest.ParsedSearchParams
    const now = yield* Clock.currentTimeMillis
    const path = request.url.split("?")[0] ?? request.url
    const requestId = state.requestId()
    const rec: MutableRecordedRequest = {
      id: requestId,
      method: request.method,
      path,
      query: firstValues(search),
      route: spec.name,
      headers: redact(request.headers),
      body: undefined,
      bodyBytes: 0,
      bodyTruncated: false,
      at: now,
      status: undefined,
      fault: undefined,
      acted: false
    }
    state.record(rec)
    const render = (e: ApiFailure) =>
      HttpServerResponse.setHeaders(
        spec.surface === "inference"
          ? json(inferenceBody(e, requestId), e.status)
          : json(predictionBody(state.scenario.errorShape, e), e.status),
        e.retryAfterSeconds !== undefined ? { "retry-after": String(e.retryAfterSeconds) } : {}
      )

    // Faults acting before the request is read ------------------------------------------------------
    let fault = state.pickFault(spec.name, Fault.matches)
    while (fault._tag === "Latency") {
      rec.fault = "Latency"
      yield* Effect.sleep(fault.duration)
      fault = fault.then
    }
    if (fault._tag !== "Pass") rec.fault = fault._tag
    if (fault._tag === "ConnectionRefused") return yield* connectionError("ECONNREFUSED", false, rec)
    if (fault._tag === "ResetBeforeBody") return yield* connectionError("ECONNRESET", false, rec)

    const read = yield* Body.read(request, state.limits.maxBodyBytes)
    rec.bodyBytes = read._tag === "Read" ? read.bytes.byteLength : read.size
    if (read._tag === "TooLarge") {
      // Refused where the body is read: no later fault, authentication or handler runs.
      const response = HttpServerResponse.setHeader(
        render(failure("PAYLOAD_TOO_LARGE", {
          status: 413,
          message: `The request body (${read.size} bytes) is over the limit of ${state.limits.maxBodyBytes} bytes.`
        })),
        "x-request-id",
        requestId
      )
      rec.status = response.status
      return response
    }
    const text = read.bytes.byteLength > 0 ? new TextDecoder().decode(read.bytes) : undefined
    rec.bodyTruncated = read.bytes.byteLength > state.limits.logBodyBytes
    rec.body = rec.bodyTruncated ? Body.head(read.bytes, state.limits.logBodyBytes) : text
    if (fault._tag === "Stall") return yield* Effect.never

    // The answer: a replacing fault, or authentication, checks and the handler ---------------------
    let account = anonymous()
    const replaced = replacement(fault, spec)
    const answer: Effect.Effect<HttpServerResponse.HttpServerResponse, ApiFailure> = replaced !== undefined
      ? HttpServerResponse.isServerResponse(replaced) ? Effect.succeed(replaced) : Effect.fail(replaced)
      : Effect.gen(function*() {
        if (spec.auth !== "none") {
          account = yield* authenticate(state, spec, request)
          const verdict = RateLimit.admit(account, now)
          if (verdict._tag === "Limited") {
            return yield* failure("RATE_LIMIT_EXCEEDED", {
              message: verdict.reason === "requests"
                ? `Rate limit of ${account.requestsPerMinute} requests per minute exceeded.`
                : `Limit of ${account.maxConcurrent} concurrent requests exceeded.`,
              retryAfterSeconds: verdict.retryAfterSeconds
            })
          }
        }
        if (
          request.method === "POST" &&
          (spec.requiresBody || text !== undefined || state.scenario.contentType === "always")
        ) {
          if (!isJson(request.headers["content-type"])) {
            return yield* failure("UNSUPPORTED_MEDIA_TYPE", {
              message: `Content-Type must be application/json, got ${request.headers["content-type"] ?? "none"}.`
            })
          }
        }
        const body = yield* parseJson(spec, text)
        const ctx: Ctx = {
          state,
          request,
          route: spec.name,
          requestId,
          now,
          account,
          body: text,
          json: body,
          query: rec.query,
          params
        }
        const acting = account
        acting.inflight++
        rec.acted = true
        return yield* Effect.ensuring(handler(ctx), Effect.sync(() => acting.inflight--))
      })
    let response = yield* Effect.catchTag(answer, "ApiFailure", (e) => Effect.succeed(render(e)))
    const at = yield* Clock.currentTimeMillis
    response = HttpServerResponse.setHeaders(response, {
      "x-request-id": requestId,
      ...(spec.auth !== "none" ? RateLimit.headers(account, at) : {})
    })

    // Faults acting after the fake answered ------------------------------------------------------
    if (fault._tag === "ResetAfterAction") {
      rec.acted = true
      return yield* connectionError("ECONNRESET", true, rec)
    }
    response = alterBody(fault, response)
    rec.status = response.status
    return request.method === "HEAD" ? withoutBody(response) : response
  })

const spec = (
  name: Fault.RouteName,
  options: {
    readonly auth?: RouteSpec["auth"]
    readonly surface?: RouteSpec["surface"]
    readonly requiresBody?: boolean
  } = {}
): RouteSpec => ({
  name,
  auth: options.auth ?? "api",
  surface: options.surface ?? "prediction",
  requiresBody: options.requiresBody ?? false
})

const notFound: Handler = (ctx) =>
  Effect.fail(
    failure("ENDPOINT_NOT_FOUND", {
      status: 404,
      message: `No endpoint ${ctx.request.method} ${ctx.request.url.split("?")[0]}`
    })
  )

/** Builds the fake's app over a state. @internal */
export const make = (state: State): HttpApp.Default<Fault.FakeConnectionError> => {
  const r = (s: RouteSpec, h: Handler) => serveRoute(state, s, h)
  // Every GET route answers HEAD too, as the same route (faults and recording included).
  const get = (path: HttpRouter.PathInput, s: RouteSpec, h: Handler) => {
    const handler = r(s, h)
    return <E, R>(router: HttpRouter.HttpRouter<E, R>) =>
      router.pipe(HttpRouter.get(path, handler), HttpRouter.head(path, handler))
  }
  const create = spec("predictions.create", { requiresBody: true })
  const getOne = spec("predictions.get")
  const remove = spec("predictions.delete")
  const getModel = spec("models.get")
  const inference = { auth: "inference", surface: "inference", requiresBody: true } as const
  const router = HttpRouter.empty.pipe(
    HttpRouter.post("/v1/predictions", r(create, Predictions.create)),
    HttpRouter.post("/v1/predict", r(create, Predictions.create)),
    get("/v1/predictions", spec("predictions.list"), Predictions.list),
    get("/v1/predictions/:id", getOne, Predictions.get),
    get("/v1/predictions/:id/stream", spec("predictions.stream"), Predictions.get),
    HttpRouter.post("/v1/predictions/:id/cancel", r(spec("predictions.cancel"), Predictions.cancel)),
    HttpRouter.del("/v1/predictions/:id", r(remove, Predictions.remove)),
    HttpRouter.del("/v1/predictions/:id/delete", r(remove, Predictions.remove)),
    get("/v1/models", spec("models.list"), Predictions.listModels),
    get("/v1/models/*", getModel, Predictions.getModel),
    get("/v1/model/*", getModel, Predictions.getModel),
    get("/v1/files/:id/:name", spec("files.get", { auth: "none" }), Predictions.file),
    HttpRouter.post("/v1/chat/completions", r(spec("chat.completions", inference), Inference.chat)),
    HttpRouter.post("/v1/responses", r(spec("responses.create", inference), Responses.responses)),
    HttpRouter.post("/v1/embeddings", r(spec("embeddings.create", inference), Inference.embeddings)),
    HttpRouter.all("*", r(spec("unknown", { auth: "none" }), notFound))
  )
  return Effect.catchTag(router, "RouteNotFound", () => Effect.succeed(json({ error_id: "ENDPOINT_NOT_FOUND" }, 404)))
}
