/**
 * JSON objects kept whole (`{ [key: string]: unknown }`, optionally with some known fields) that
 * decode to plain data.
 *
 * `Schema.Record` (and a `Schema.Struct` with a record rest) builds its output with `out[key] =
 * value`. `JSON.parse` makes `"__proto__"` an own data property, so on such input that assignment
 * runs the `__proto__` setter: the decoded object silently gets the value as its prototype and
 * inherits its fields. These schemas copy the own enumerable string keys instead, defining
 * `__proto__` as an own data property like any other key, so a decoded object always has
 * `Object.prototype` as its prototype and exactly the input's keys.
 *
 * Everything except decoding and encoding (JSON Schema, keyof, union discrimination, arbitrary,
 * pretty, equivalence, error messages) is the equivalent `Schema.Struct(fields, Schema.Record(...))`.
 *
 * @internal
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as SchemaAST from "effect/SchemaAST"

const Rest = Schema.Record({ key: Schema.String, value: Schema.Unknown })

const isObject = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** `out[key] = value`, except that `__proto__` becomes an own data property, not a prototype change. */
const setOwn = (out: Record<string, unknown>, key: string, value: unknown): void => {
  if (key === "__proto__") {
    Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true })
  } else {
    out[key] = value
  }
}

/** A fresh `Object.prototype` object with the input's own enumerable string keys, the known fields as decoded. */
const copy = (input: Readonly<Record<string, unknown>>, known: Readonly<Record<string, unknown>>) => {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(input)) setOwn(out, key, input[key])
  for (const key of Object.keys(known)) setOwn(out, key, known[key])
  return out
}

// The known fields are parsed on their own, so unknown keys must not be reported ("error") nor
// copied with a plain assignment ("preserve"): the copy above takes care of them.
const knownOptions = (options: SchemaAST.ParseOptions): SchemaAST.ParseOptions =>
  options.onExcessProperty === undefined || options.onExcessProperty === "ignore"
    ? options
    : { ...options, onExcessProperty: "ignore" }

/** Reports a failure of the known fields as a failure of the whole object (same messages as the struct). */
const reframe = (issue: ParseResult.ParseIssue, known: SchemaAST.AST, ast: SchemaAST.Declaration) => {
  switch (issue._tag) {
    case "Type":
      return issue.ast === known ? new ParseResult.Type(ast, issue.actual, issue.message) : issue
    case "Composite":
      return issue.ast === known ? new ParseResult.Composite(ast, issue.actual, issue.issues, issue.output) : issue
    default:
      return issue
  }
}

type ParseKnown = (u: unknown, options: SchemaAST.ParseOptions) => Either.Either<unknown, ParseResult.ParseIssue>

const parser = <A>(parseKnown: ParseKnown, known: SchemaAST.AST) =>
(
  input: unknown,
  options: SchemaAST.ParseOptions,
  ast: SchemaAST.Declaration
): Either.Either<A, ParseResult.ParseIssue> => {
  if (!isObject(input)) return ParseResult.fail(new ParseResult.Type(ast, input))
  const result = parseKnown(input, knownOptions(options))
  return Either.isRight(result)
    ? ParseResult.succeed(copy(input, result.right as Readonly<Record<string, unknown>>) as A)
    : ParseResult.fail(reframe(result.left, known, ast))
}

/** The struct a {@link jsonObjectWith} schema stands for. */
type Full<Fields extends Schema.Struct.Fields> = Schema.TypeLiteral<Fields, readonly [typeof Rest]>

/**
 * A JSON object with the given known fields (decoded with their schemas) whose other keys are kept
 * as they are: `Schema.Struct(fields, Schema.Record({ key: Schema.String, value: Schema.Unknown }))`
 * with plain-data decoding. The fields must decode synchronously and need no context.
 *
 * @internal
 */
export const jsonObjectWith = <Fields extends Schema.Struct.Fields>(
  fields: Fields
): Schema.Schema<Schema.Schema.Type<Full<Fields>>, Schema.Schema.Encoded<Full<Fields>>> => {
  type A = Schema.Schema.Type<Full<Fields>>
  type I = Schema.Schema.Encoded<Full<Fields>>
  const known = Schema.Struct(fields) as unknown as Schema.Schema<unknown>
  const full = Schema.Struct(fields, Rest) as unknown as Schema.Schema<A, I>
  return Schema.declare([known, full], {
    decode: (known) => parser<A>(ParseResult.decodeUnknownEither(known), known.ast),
    encode: (known) => parser<I>(ParseResult.encodeUnknownEither(known), known.ast)
  }, {
    [SchemaAST.SurrogateAnnotationId]: full.ast,
    // Error messages name the object as the struct does (JSON Schema comes from the surrogate only).
    title: String(full.ast),
    arbitrary: (_, fullArbitrary) => fullArbitrary,
    pretty: (_, fullPretty) => fullPretty,
    equivalence: (_, fullEquivalence) => fullEquivalence
  })
}

/**
 * Any JSON object, kept whole: `Schema.Record({ key: Schema.String, value: Schema.Unknown })` with
 * plain-data decoding.
 *
 * @internal
 */
export const JsonObject: Schema.Schema<{ readonly [x: string]: unknown }> = jsonObjectWith({})
