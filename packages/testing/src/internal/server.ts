/**
 * Serving the fake's app on a loopback Node HTTP server. A `FakeConnectionError` from the app
 * destroys the socket, which is what a refused/reset connection looks like to a real client.
 *
 * @internal
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import type * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import type * as Fault from "../Fault.js"

/** @internal */
export const serve = <S extends { readonly apiKey: string }>(
  listen: { readonly port: number; readonly host: string },
  build: (
    origin: string
  ) => Effect.Effect<{ readonly fake: S; readonly app: HttpApp.Default<Fault.FakeConnectionError> }, never, Scope.Scope>
): Effect.Effect<
  { readonly url: string; readonly apiKey: string; readonly fake: S },
  HttpServerError.ServeError,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const server = yield* NodeHttpServer.make(() => Http.createServer(), { port: listen.port, host: listen.host })
    const address = server.address
    const port = address._tag === "TcpAddress" ? address.port : listen.port
    const host = listen.host.includes(":") ? `[${listen.host}]` : listen.host
    const origin = `http://${host}:${port}`
    const { app, fake } = yield* build(origin)
    const served = Effect.catchTag(app, "FakeConnectionError", () =>
      Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
        NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()
        // The response's "close" event interrupts this fiber.
        return Effect.never
      }))
    yield* server.serve(served)
    return { url: `${origin}/v1`, apiKey: fake.apiKey, fake }
  })
