/**
 * The arguments of the `fake-skytells` command: what it was asked to do, or why it cannot.
 *
 * @internal
 */
import * as Either from "effect/Either"
import type * as FakeSkytells from "../FakeSkytells.js"

/** @internal */
export const usage = `Usage: fake-skytells [options]

Serves the fake Skytells API on loopback until interrupted (Ctrl-C), and prints
SKYTELLS_BASE_URL, SKYTELLS_API_KEY and SKYTELLS_WEBHOOK_SECRET lines on stdout.

Options:
  --port <n>                  port to listen on (default 0: a free one)
  --host <h>                  address to listen on (default 127.0.0.1)
  --seed <n>                  seed for ids and fault draws (default: random, printed on stderr)
  --api-key <key>             the account's API key (default sk-test-fake-skytells)
  --credits <usd>             the account's balance (default 100)
  --rpm <n>                   requests per minute before 429 (default 600)
  --error-shape <shape>       envelope | flat | nested (default envelope)
  --list-shape <shape>        paginated | array (default paginated)
  --webhook-secret <s>        webhook signing secret (default whsec_fake_skytells)
  --max-body-bytes <n>        larger request bodies are answered 413 (default 10 MiB)
  --fast                      predictions finish in 1 second
  -h, --help                  print this help and exit
`

/** @internal */
export type Command =
  | { readonly _tag: "Help" }
  | { readonly _tag: "Serve"; readonly options: FakeSkytells.ServeOptions }
  | { readonly _tag: "Invalid"; readonly message: string }

const valueFlags = [
  "port",
  "host",
  "seed",
  "api-key",
  "credits",
  "rpm",
  "error-shape",
  "list-shape",
  "webhook-secret",
  "max-body-bytes"
] as const

type ValueFlag = typeof valueFlags[number]

type Values = Partial<Record<ValueFlag, string>>

const isValueFlag = (name: string): name is ValueFlag => (valueFlags as ReadonlyArray<string>).includes(name)

/** A flag's value, checked by `check` when the flag was given. */
const read = <A>(
  values: Values,
  flag: ValueFlag,
  check: (value: string) => Either.Either<A, string>
): Either.Either<A | undefined, string> => {
  const value = values[flag]
  return value === undefined ? Either.right(undefined) : check(value)
}

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) => (value: string): Either.Either<number, string> =>
  /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max
    ? Either.right(Number(value))
    : Either.left(`an integer from ${min} to ${max}`)

const amount = (value: string): Either.Either<number, string> =>
  value.trim() !== "" && Number.isFinite(Number(value)) ? Either.right(Number(value)) : Either.left("a number")

const oneOf = <A extends string>(...choices: ReadonlyArray<A>) => (value: string): Either.Either<A, string> =>
  (choices as ReadonlyArray<string>).includes(value)
    ? Either.right(value as A)
    : Either.left(`one of ${choices.join(", ")}`)

const toOptions = (values: Values, fast: boolean): Either.Either<FakeSkytells.ServeOptions, string> =>
  Either.gen(function*() {
    const flag = <A>(name: ValueFlag, check: (value: string) => Either.Either<A, string>) =>
      Either.mapLeft(
        read(values, name, check),
        (expected) => `--${name} expects ${expected}, got ${JSON.stringify(values[name])}`
      )
    const errorShape = yield* flag("error-shape", oneOf("envelope", "flat", "nested"))
    const listShape = yield* flag("list-shape", oneOf("paginated", "array"))
    return {
      port: (yield* flag("port", integer(0, 65535))) ?? 0,
      host: values.host ?? "127.0.0.1",
      seed: yield* flag("seed", integer(0, 2 ** 32 - 1)),
      maxBodyBytes: yield* flag("max-body-bytes", integer(1)),
      accounts: [{
        apiKey: values["api-key"] ?? "sk-test-fake-skytells",
        credits: yield* flag("credits", amount),
        requestsPerMinute: yield* flag("rpm", integer(1))
      }],
      webhooks: { secret: values["webhook-secret"] },
      scenario: {
        ...(errorShape !== undefined ? { errorShape } : {}),
        ...(listShape !== undefined ? { listShape } : {}),
        ...(fast ? { lifecycle: { queued: 0, starting: 0, processing: "1 second" } } : {})
      }
    }
  })

/**
 * Reads the arguments (`--name value` or `--name=value`; a later flag wins over an earlier one).
 * `--help` answers help wherever it comes, unless an argument before it was wrong. A lone `--` is
 * skipped: some script runners pass it on.
 *
 * @internal
 */
export const parse = (argv: ReadonlyArray<string>): Command => {
  const values: Values = {}
  let fast = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "--") continue
    if (arg === "-h" || arg === "--help") return { _tag: "Help" }
    if (!arg.startsWith("--")) return { _tag: "Invalid", message: `unexpected argument ${JSON.stringify(arg)}` }
    const eq = arg.indexOf("=")
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2)
    if (name === "fast") {
      if (eq >= 0) return { _tag: "Invalid", message: "--fast takes no value" }
      fast = true
    } else if (isValueFlag(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i]
      if (value === undefined || (eq < 0 && value.startsWith("--"))) {
        return { _tag: "Invalid", message: `--${name} needs a value` }
      }
      values[name] = value
    } else {
      return { _tag: "Invalid", message: `unknown option --${name}` }
    }
  }
  return Either.match(toOptions(values, fast), {
    onLeft: (message) => ({ _tag: "Invalid", message }),
    onRight: (options) => ({ _tag: "Serve", options })
  })
}
