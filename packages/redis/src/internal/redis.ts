/**
 * The ioredis plumbing of the Redis modules: the client options that make a down Redis a prompt
 * error, a client owned by a layer's scope, and failures that say what to do.
 *
 * @since 0.1.0
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import { Redis, type RedisOptions } from "ioredis"

/**
 * ioredis's defaults queue commands while it is disconnected (and resend them for up to 20
 * reconnection attempts), so a request can wait many seconds on a Redis that is down. These options
 * fail a command at once when there is no connection, and fail the commands in flight when it drops,
 * while ioredis keeps reconnecting in the background.
 *
 * @since 0.1.0
 * @internal
 */
export const recommendedOptions: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0
}

const where = (client: Redis): string => `Redis at ${client.options.host ?? "localhost"}:${client.options.port ?? 6379}`

/**
 * An ioredis client for `url` that lives as long as the scope. It waits for the first connection, so
 * the first commands do not fail for want of one; if Redis cannot be reached it logs a warning and
 * returns the client anyway (commands fail until ioredis reconnects), rather than failing the layer
 * of a server that has other routes to serve.
 *
 * @since 0.1.0
 * @internal
 */
export const acquireClient = (
  url: string | Redacted.Redacted<string>,
  options: RedisOptions | undefined,
  purpose: string
): Effect.Effect<Redis, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.gen(function*() {
      const log = Runtime.runFork(yield* Effect.runtime<never>())
      const client = new Redis(Redacted.isRedacted(url) ? Redacted.value(url) : url, {
        ...recommendedOptions,
        ...options,
        lazyConnect: true
      })
      // Without an "error" listener ioredis prints every failed reconnection to stderr; one warning
      // per outage (and a note when it ends) says the same without flooding the logs.
      let healthy = true
      client.on("error", (error: Error) => {
        if (!healthy) return
        healthy = false
        log(
          Effect.logWarning(
            `${
              where(client)
            } is unreachable (${error.message}): ${purpose} fail until it is back; the client keeps reconnecting.`
          )
        )
      })
      client.on("ready", () => {
        if (healthy) return
        healthy = true
        log(Effect.logInfo(`${where(client)} is reachable again.`))
      })
      yield* Effect.ignore(Effect.tryPromise(() => client.connect()))
      return client
    }),
    (client) =>
      Effect.tryPromise(() => client.quit()).pipe(
        Effect.timeout(Duration.seconds(1)),
        Effect.ignore,
        // Also stops the reconnection timer when QUIT could not be sent.
        Effect.ensuring(Effect.sync(() => client.disconnect()))
      )
  )

/**
 * An `Error` saying which command failed against which server, why, and what to check; the ioredis
 * error is its `cause`.
 *
 * @since 0.1.0
 * @internal
 */
export const failure = (client: Redis, command: string, error: unknown): Error => {
  const reason = error instanceof Error ? error.message : String(error)
  const message = error instanceof Error && error.name === "ReplyError"
    ? `${
      where(client)
    } refused ${command}: ${reason}. Check the server: ACL permissions, a read-only replica, maxmemory.`
    : `${command} could not reach ${
      where(client)
    } (${reason}; client status "${client.status}"). Check that Redis is running and the client's URL; ioredis reconnects on its own.`
  return new Error(message, { cause: error })
}

/**
 * The failure of a command that got no answer within `timeout`.
 *
 * @since 0.1.0
 * @internal
 */
export const timedOut = (client: Redis, command: string, timeout: Duration.Duration): Error =>
  new Error(
    `${where(client)} did not answer ${command} within ${
      Duration.format(timeout)
    } (client status "${client.status}"). It may be overloaded or the network may drop packets; check both.`
  )
