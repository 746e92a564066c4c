/**
 * The `fake-skytells` command: serves the fake Skytells API on loopback until interrupted (Ctrl-C)
 * and prints, on stdout, the base URL and a test API key as `KEY=value` lines:
 *
 * ```
 * SKYTELLS_BASE_URL=http://127.0.0.1:43123/v1
 * SKYTELLS_API_KEY=sk-test-fake-skytells
 * SKYTELLS_WEBHOOK_SECRET=whsec_fake_skytells
 * ```
 *
 * Options: `--port <n>` (default 0: random), `--host <h>` (default 127.0.0.1), `--seed <n>`,
 * `--api-key <key>`, `--credits <usd>`, `--rpm <n>`, `--error-shape envelope|flat|nested`,
 * `--list-shape paginated|array`, `--webhook-secret <s>`, `--fast` (predictions finish in 1 s),
 * `--max-body-bytes <n>` (larger request bodies are answered 413; default 10 MiB).
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as FakeSkytells from "./FakeSkytells.js"

const args = process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : undefined
}
const number = (name: string): number | undefined => {
  const value = flag(name)
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isFinite(n)) throw new Error(`--${name} expects a number, got ${value}`)
  return n
}
const oneOf = <A extends string>(name: string, values: ReadonlyArray<A>): A | undefined => {
  const value = flag(name)
  if (value === undefined) return undefined
  if (!(values as ReadonlyArray<string>).includes(value)) {
    throw new Error(`--${name} expects one of ${values.join(", ")}`)
  }
  return value as A
}

const errorShape = oneOf("error-shape", ["envelope", "flat", "nested"] as const)
const listShape = oneOf("list-shape", ["paginated", "array"] as const)

const program = Effect.gen(function*() {
  const served = yield* FakeSkytells.serve({
    port: number("port") ?? 0,
    host: flag("host") ?? "127.0.0.1",
    seed: number("seed"),
    maxBodyBytes: number("max-body-bytes"),
    accounts: [{
      apiKey: flag("api-key") ?? FakeSkytells.defaultApiKey,
      credits: number("credits"),
      requestsPerMinute: number("rpm")
    }],
    webhooks: { secret: flag("webhook-secret") },
    scenario: {
      ...(errorShape !== undefined ? { errorShape } : {}),
      ...(listShape !== undefined ? { listShape } : {}),
      ...(args.includes("--fast") ? { lifecycle: { queued: 0, starting: 0, processing: "1 second" } } : {})
    }
  })
  process.stdout.write(
    `SKYTELLS_BASE_URL=${served.url}\nSKYTELLS_API_KEY=${served.apiKey}\nSKYTELLS_WEBHOOK_SECRET=${served.fake.webhookSecret}\n`
  )
  process.stderr.write(`Fake Skytells API listening on ${served.url} (Ctrl-C to stop)\n`)
  return yield* Effect.never
})

NodeRuntime.runMain(Effect.scoped(program), { disableErrorReporting: false })
