/**
 * The API key, checked once when a client is built: a key that cannot be sent in an HTTP header
 * would otherwise fail every request (and some transports quote header values in their errors).
 *
 * @internal
 */
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"

/**
 * The key with surrounding whitespace removed (a trailing newline from a mounted secret file is
 * common), or why it cannot be used. The reason never quotes the key.
 *
 * @internal
 */
export const check = (key: Redacted.Redacted<string>): Either.Either<Redacted.Redacted<string>, string> => {
  const raw = Redacted.value(key)
  const value = typeof raw === "string" ? raw.trim() : ""
  if (value === "") return Either.left("the API key is empty: set it to your Skytells API key (Console > API keys)")
  // Visible ASCII only: what API keys are made of, and what every transport accepts in a header.
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c > 0x20 && c < 0x7f) continue
    const what = c === 10 || c === 13
      ? "a line break (is the secret file more than one line?)"
      : c === 0x20 || c === 9
      ? "a space or tab inside it"
      : c < 0x20 || c === 0x7f
      ? "a control character"
      : "a non-ASCII character"
    return Either.left(
      `the API key contains ${what} at position ${i + 1} of ${value.length}, which cannot be sent in an HTTP header: ` +
        "check the value you configured (surrounding whitespace is removed for you)"
    )
  }
  return Either.right(value === raw ? key : Redacted.make(value))
}
