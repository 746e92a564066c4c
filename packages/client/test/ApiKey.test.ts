/**
 * The API key is checked once, when the client's layer is built: surrounding whitespace is removed,
 * anything else that cannot go in an HTTP header is a ConfigError that never quotes the key.
 */
import { InProcessHttpClient, SkytellsClient } from "@effect-skytells/client"
import { assert, describe, it } from "@effect/vitest"
import { Cause, ConfigError, ConfigProvider, Effect, Exit, Layer, Redacted, Schema } from "effect"
import * as util from "node:util"
import { scripted } from "./utils/scripted.js"

const Thing = Schema.Struct({ id: Schema.String })
const getThing = Effect.flatMap(
  SkytellsClient.SkytellsClient,
  (client) => client.execute({ method: "GET", path: "/things/1", route: "/things/{id}", schema: Thing })
)

const SECRET = "sk-live-SECRET0123456789"

const withKey = (apiKey: string, baseUrl = "https://api.test/v1") =>
  Effect.gen(function*() {
    const server = yield* scripted([{ status: 200, body: { id: "t1" } }])
    const layer = SkytellsClient.layer({ apiKey: Redacted.make(apiKey), baseUrl }).pipe(
      Layer.provide(InProcessHttpClient.layer(server.app))
    )
    const exit = yield* Effect.exit(Effect.provide(getThing, layer))
    return { exit, seen: yield* server.seen }
  })

const fromEnv = (env: ReadonlyArray<[string, string]>) =>
  Effect.gen(function*() {
    const server = yield* scripted([{ status: 200, body: { id: "t1" } }])
    const layer = SkytellsClient.layerConfig().pipe(
      Layer.provide(InProcessHttpClient.layer(server.app)),
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(env))))
    )
    const exit = yield* Effect.exit(Effect.provide(getThing, layer))
    return { exit, seen: yield* server.seen }
  })

/** Every way the failure can be printed. */
const renderings = <A, E>(exit: Exit.Exit<A, E>): string => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const error = Cause.squash(exit.cause)
  return [
    String(error),
    (error as Error).message,
    JSON.stringify(error),
    util.inspect(error, { depth: 10 }),
    Cause.pretty(exit.cause)
  ].join("\n")
}

describe("the API key is checked when the layer is built", () => {
  for (
    const [name, key] of [["a trailing newline", `${SECRET}\n`], ["surrounding spaces and CRLF", `  ${SECRET}\r\n`]]
  ) {
    it.effect(`${name} is trimmed and the key works`, () =>
      Effect.gen(function*() {
        const { exit, seen } = yield* withKey(key)
        assert.isTrue(Exit.isSuccess(exit))
        assert.strictEqual(seen[0].headers["x-api-key"], SECRET)
      }))
  }

  const invalid: ReadonlyArray<[string, string, string]> = [
    ["a two-line secrets file", `${SECRET}\nsecond-line-SECRET`, "line break"],
    ["a space inside", "sk-live SECRET0123", "space"],
    ["a control character", `${SECRET}\u0000`, "control character"],
    ["a non-ASCII character", `${SECRET}é`, "non-ASCII"],
    ["an empty key", "   \n", "empty"]
  ]
  for (const [name, key, says] of invalid) {
    it.effect(`${name}: a ConfigError that says so, never the key, nothing sent`, () =>
      Effect.gen(function*() {
        const { exit, seen } = yield* withKey(key)
        assert.strictEqual(seen.length, 0)
        const text = renderings(exit)
        assert.include(text, says)
        assert.include(text, "apiKey")
        assert.notInclude(text, "SECRET")
        assert.notInclude(text, "sk-live")
        assert.isTrue(Exit.isFailure(exit) && ConfigError.isConfigError(Cause.squash(exit.cause)))
      }))
  }

  it.effect("a base URL that is not http(s) is a ConfigError naming it", () =>
    Effect.gen(function*() {
      const { exit, seen } = yield* withKey(SECRET, "ftp://api.test/v1")
      assert.strictEqual(seen.length, 0)
      assert.include(renderings(exit), "baseUrl")
    }))
})

describe("layerConfig", () => {
  it.effect("a missing SKYTELLS_API_KEY is reported in words", () =>
    Effect.gen(function*() {
      const { exit } = yield* fromEnv([])
      const text = renderings(exit)
      assert.include(text, "SKYTELLS_API_KEY is not set")
      assert.notInclude(text, "<redacted>")
    }))

  it.effect("an unusable SKYTELLS_API_KEY names the variable and never the key", () =>
    Effect.gen(function*() {
      const { exit, seen } = yield* fromEnv([["SKYTELLS_API_KEY", `${SECRET}\r\nother-SECRET`]])
      assert.strictEqual(seen.length, 0)
      const text = renderings(exit)
      assert.include(text, "SKYTELLS_API_KEY")
      assert.include(text, "line break")
      assert.notInclude(text, "SECRET")
    }))

  it.effect("a mounted secret's trailing newline is trimmed", () =>
    Effect.gen(function*() {
      const { exit, seen } = yield* fromEnv([["SKYTELLS_API_KEY", `${SECRET}\n`]])
      assert.isTrue(Exit.isSuccess(exit))
      assert.strictEqual(seen[0].headers["x-api-key"], SECRET)
    }))
})
