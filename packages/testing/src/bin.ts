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
 * `fake-skytells --help` lists the options. Importing this module starts nothing: the command's
 * script (`bin/fake-skytells.mjs`) calls {@link main}.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as FakeSkytells from "./FakeSkytells.js"
import * as Cli from "./internal/cli.js"

const serve = (options: FakeSkytells.ServeOptions) =>
  Effect.gen(function*() {
    const served = yield* FakeSkytells.serve(options)
    process.stdout.write(
      `SKYTELLS_BASE_URL=${served.url}\nSKYTELLS_API_KEY=${served.apiKey}\nSKYTELLS_WEBHOOK_SECRET=${served.fake.webhookSecret}\n`
    )
    process.stderr.write(
      `Fake Skytells API listening on ${served.url} (seed ${served.fake.seed}; Ctrl-C to stop)\n`
    )
    return yield* Effect.never
  })

/**
 * Runs the command with these arguments (without the `node` and script paths): `--help` prints the
 * usage on stdout; a wrong argument prints why and the usage on stderr and sets exit code 2;
 * otherwise it serves until interrupted.
 *
 * @since 0.1.0
 * @category running
 */
export const main = (argv: ReadonlyArray<string>): void => {
  const command = Cli.parse(argv)
  switch (command._tag) {
    case "Help":
      process.stdout.write(Cli.usage)
      return
    case "Invalid":
      process.stderr.write(`fake-skytells: ${command.message}\n\n${Cli.usage}`)
      process.exitCode = 2
      return
    case "Serve":
      NodeRuntime.runMain(Effect.scoped(serve(command.options)), { disableErrorReporting: false })
  }
}
