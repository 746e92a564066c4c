import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as Cli from "../src/internal/cli.js"

const packageDir = fileURLToPath(new URL("..", import.meta.url))
const bin = fileURLToPath(new URL("../bin/fake-skytells.mjs", import.meta.url))

/** Runs node with these arguments in the package's directory, until it exits (or 30 s pass). */
const node = (args: ReadonlyArray<string>) =>
  Effect.async<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>((resume) => {
    const child = execFile(
      process.execPath,
      args,
      { cwd: packageDir, timeout: 30_000 },
      (error, stdout, stderr) => resume(Effect.succeed({ code: error === null ? 0 : child.exitCode, stdout, stderr }))
    )
    return Effect.sync(() => child.kill())
  })

describe("fake-skytells arguments", () => {
  it.effect("flags map to serve options; `--name=value` works; defaults otherwise", () =>
    Effect.sync(() => {
      const command = Cli.parse([
        "--port",
        "8787",
        "--seed=7",
        "--credits",
        "0.4",
        "--rpm",
        "10",
        "--error-shape",
        "flat",
        "--list-shape=array",
        "--api-key",
        "sk-x",
        "--webhook-secret",
        "s",
        "--max-body-bytes",
        "1024",
        "--fast"
      ])
      assert.deepStrictEqual(command, {
        _tag: "Serve",
        options: {
          port: 8787,
          host: "127.0.0.1",
          seed: 7,
          maxBodyBytes: 1024,
          accounts: [{ apiKey: "sk-x", credits: 0.4, requestsPerMinute: 10 }],
          webhooks: { secret: "s" },
          scenario: {
            errorShape: "flat",
            listShape: "array",
            lifecycle: { queued: 0, starting: 0, processing: "1 second" }
          }
        }
      })
      const defaults = Cli.parse(["--"])
      assert.strictEqual(defaults._tag, "Serve")
      if (defaults._tag === "Serve") {
        assert.strictEqual(defaults.options.port, 0)
        assert.isUndefined(defaults.options.seed)
        assert.deepStrictEqual(defaults.options.scenario, {})
      }
    }))

  it.effect("--help and -h ask for help; anything unknown or malformed says what is wrong", () =>
    Effect.sync(() => {
      assert.deepStrictEqual(Cli.parse(["--help"]), { _tag: "Help" })
      assert.deepStrictEqual(Cli.parse(["--port", "1", "-h"]), { _tag: "Help" })
      const invalid = (argv: ReadonlyArray<string>) => {
        const command = Cli.parse(argv)
        return command._tag === "Invalid" ? command.message : `not invalid: ${command._tag}`
      }
      assert.strictEqual(invalid(["--prot", "1"]), "unknown option --prot")
      assert.strictEqual(invalid(["--bogus=1"]), "unknown option --bogus")
      assert.strictEqual(invalid(["serve"]), "unexpected argument \"serve\"")
      assert.strictEqual(invalid(["--port"]), "--port needs a value")
      assert.strictEqual(invalid(["--port", "--fast"]), "--port needs a value")
      assert.strictEqual(invalid(["--fast=yes"]), "--fast takes no value")
      assert.strictEqual(invalid(["--port", "x"]), "--port expects an integer from 0 to 65535, got \"x\"")
      assert.strictEqual(invalid(["--port", "70000"]), "--port expects an integer from 0 to 65535, got \"70000\"")
      assert.strictEqual(invalid(["--credits", "lots"]), "--credits expects a number, got \"lots\"")
      assert.strictEqual(
        invalid(["--error-shape", "xml"]),
        "--error-shape expects one of envelope, flat, nested, got \"xml\""
      )
      assert.strictEqual(invalid(["--bogus", "--help"]), "unknown option --bogus")
    }))
})

describe("the fake-skytells command", () => {
  it.live("--help prints the usage on stdout and exits 0, without serving", () =>
    Effect.gen(function*() {
      const { code, stderr, stdout } = yield* node([bin, "--help"])
      assert.strictEqual(code, 0)
      assert.strictEqual(stdout, Cli.usage)
      assert.strictEqual(stderr, "")
    }), 40_000)

  it.live("an unknown flag prints why and the usage on stderr and exits 2", () =>
    Effect.gen(function*() {
      const { code, stderr, stdout } = yield* node([bin, "--port", "0", "--verbose"])
      assert.strictEqual(code, 2)
      assert.strictEqual(stdout, "")
      assert.strictEqual(stderr, `fake-skytells: unknown option --verbose\n\n${Cli.usage}`)
    }), 40_000)

  it.live("importing the module starts nothing: the process ends by itself", () =>
    Effect.gen(function*() {
      const script = [
        "const tsx = await import(\"tsx/esm/api\")",
        "tsx.register()",
        "const bin = await import(\"./src/bin.ts\")",
        "process.stdout.write(typeof bin.main)"
      ].join("\n")
      const { code, stdout } = yield* node(["--input-type=module", "-e", script])
      assert.strictEqual(code, 0)
      assert.strictEqual(stdout, "function")
    }), 40_000)
})
