/**
 * An `HttpClient` served by an `HttpApp` in the same fiber: no sockets, no serialisation beyond what
 * a real server would see. The app runs with the caller's services, so a `TestClock` drives both
 * sides, and interrupting the caller interrupts the app (a handler observes the abort with
 * `Effect.onInterrupt`). The testing package builds its fake Skytells API on this.
 *
 * A failure of the app (its error channel) is how a handler simulates a broken connection: it reaches
 * the client as a transport error carrying the failure as its cause (give it a `code` such as
 * `ECONNREFUSED` or `ECONNRESET`). A defect becomes a plain 500 response, as a crashing server sends.
 *
 * @since 0.1.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"

const requestBody = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<Uint8Array | undefined, HttpClientError.RequestError> => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return Effect.succeed(undefined)
    case "Uint8Array":
      return Effect.succeed(body.body)
    case "Raw":
      return typeof body.body === "string"
        ? Effect.succeed(new TextEncoder().encode(body.body))
        : body.body instanceof Uint8Array
        ? Effect.succeed(body.body)
        : Effect.fail(encodeError(request, "unsupported raw body"))
    case "Stream":
      return Stream.runCollect(body.stream).pipe(
        Effect.map((chunks) => {
          const parts = Array.from(chunks)
          const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
          let offset = 0
          for (const part of parts) {
            out.set(part, offset)
            offset += part.byteLength
          }
          return out
        }),
        Effect.mapError((cause) => encodeError(request, "request body stream failed", cause))
      )
    case "FormData":
      return Effect.fail(encodeError(request, "FormData bodies are not supported in process"))
  }
}

const encodeError = (request: HttpClientRequest.HttpClientRequest, description: string, cause?: unknown) =>
  new HttpClientError.RequestError({ request, reason: "Encode", description, cause })

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = <E, R>(
  app: HttpApp.Default<E, R>
): Effect.Effect<HttpClient.HttpClient, never, Exclude<R, HttpServerRequest.HttpServerRequest | Scope.Scope>> =>
  Effect.map(
    Effect.runtime<Exclude<R, HttpServerRequest.HttpServerRequest | Scope.Scope>>(),
    (runtime) =>
      HttpClient.make((request, url, signal) =>
        Effect.gen(function*() {
          const body = yield* requestBody(request)
          const headers = new Headers(request.headers as Record<string, string>)
          if (body !== undefined && !headers.has("content-type") && request.body._tag !== "Empty") {
            const contentType = HttpBody.isHttpBody(request.body) && "contentType" in request.body
              ? request.body.contentType
              : undefined
            if (contentType) headers.set("content-type", contentType)
          }
          const webRequest = new Request(url, {
            method: request.method,
            headers,
            signal,
            ...(body !== undefined && request.method !== "GET" && request.method !== "HEAD"
              ? { body: body as Uint8Array<ArrayBuffer> }
              : {})
          })
          const served = app as Effect.Effect<HttpServerResponse.HttpServerResponse, E, any>
          const response = yield* served.pipe(
            Effect.provideService(HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(webRequest)),
            // Without the caller's span: the app is a server, and its router would otherwise annotate
            // the client's span (`http.route`).
            Effect.mapInputContext((context: Context.Context<never>) =>
              Context.merge(Context.omit(Tracer.ParentSpan)(context), runtime.context)
            ),
            Effect.scoped,
            Effect.catchAllDefect((defect) =>
              Effect.succeed(HttpServerResponse.text(`Internal Server Error: ${String(defect)}`, { status: 500 }))
            ),
            Effect.mapError((cause) =>
              new HttpClientError.RequestError({ request, reason: "Transport", cause, description: "in-process" })
            ),
            // A caller in an uninterruptible region must get its answer, as from a server; but an
            // HttpApp's handlers are interruptible and run in the caller's fiber, so for that
            // caller the app runs on a fiber of its own. Others keep it inline: fewer scheduler
            // hops, which `TestClock.adjust` relies on to see every sleep the app starts.
            (served) =>
              Effect.checkInterruptible((interruptible) =>
                interruptible ? served : Effect.flatMap(Effect.forkDaemon(served), Fiber.join)
              )
          ) as Effect.Effect<HttpServerResponse.HttpServerResponse, HttpClientError.RequestError, never>
          // A web Response refuses any body with 101/204/205/304 (even an empty one): send those bare,
          // as an HTTP server would.
          const withoutBody = response.status === 101 || response.status === 204 || response.status === 205 ||
            response.status === 304
          return yield* Effect.try({
            try: () =>
              HttpClientResponse.fromWeb(request, HttpServerResponse.toWeb(response, { runtime, withoutBody })),
            catch: (cause) =>
              new HttpClientError.RequestError({
                request,
                reason: "Transport",
                cause,
                description: "in-process: the app's response is not a valid HTTP response"
              })
          })
        }) as Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>
      )
  )

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = <E, R>(
  app: HttpApp.Default<E, R>
): Layer.Layer<HttpClient.HttpClient, never, Exclude<R, HttpServerRequest.HttpServerRequest | Scope.Scope>> =>
  Layer.effect(HttpClient.HttpClient, make(app))
