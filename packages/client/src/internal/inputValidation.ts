/**
 * Local validation of a prediction input against a model's `input_schema`, on top of
 * `@cfworker/json-schema`: an interpreter (no `eval`, no `new Function`, so it runs on edge runtimes
 * that forbid code generation), dependency-free, drafts 4, 7, 2019-09 and 2020-12.
 *
 * This module turns the validator's output units into one violation per problem: wrapper units
 * ("Property x does not match schema", "A subschema had errors") are dropped in favour of the leaves
 * below them; combinators whose branches are alternatives (`anyOf`, `oneOf`, `not`, `contains`) are
 * reported once, without the misleading errors of each branch.
 *
 * @internal
 */
import { type Schema as JsonSchema, type SchemaDraft, Validator } from "@cfworker/json-schema"

/**
 * One way an input breaks its schema.
 *
 * @internal
 */
export interface Violation {
  /** Where, for people: `input.width`, `input.tags[1]`, `input["odd key"]`. */
  readonly path: string
  /** Where, as a JSON Pointer into the input (`/width`, `/tags/1`; `""` for the input itself). */
  readonly pointer: string
  /** The JSON Schema keyword that failed (`required`, `type`, `maximum`, `enum`, ...). */
  readonly keyword: string
  /** What is wrong, without the path (`must be at most 2048 (got 4096)`). */
  readonly message: string
  /** Where in the schema, as the validator reports it (`#/properties/width/maximum`). */
  readonly schemaPath: string
}

/** @internal */
export interface Options {
  /** Check `format` (`uri`, `date-time`, ...) as an assertion. Default false: an annotation, as in 2019-09+. */
  readonly formats?: boolean | undefined
}

/** @internal */
export type Outcome =
  | { readonly _tag: "Valid" }
  | { readonly _tag: "Invalid"; readonly violations: ReadonlyArray<Violation> }
  /** The schema itself could not be used (bad `$ref`, invalid regex...): nothing can be said locally. */
  | { readonly _tag: "Unusable"; readonly reason: string }

interface OutputUnit {
  readonly keyword: string
  readonly keywordLocation: string
  readonly instanceLocation: string
  readonly error: string
}

/** Combinators whose sub-errors describe alternatives, not requirements: reported once. */
const opaque: ReadonlySet<string> = new Set(["anyOf", "oneOf", "not", "contains"])

const draftOf = (schema: Record<string, unknown>): SchemaDraft => {
  const declared = typeof schema.$schema === "string" ? schema.$schema : ""
  if (declared.includes("draft-04") || declared.includes("draft-03")) return "4"
  if (declared.includes("draft-06") || declared.includes("draft-07")) return "7"
  if (declared.includes("2019-09")) return "2019-09"
  if (declared.includes("2020-12")) return "2020-12"
  // OpenAPI 3.0 style schemas (boolean exclusiveMinimum/Maximum) follow draft 4 semantics.
  return hasBooleanExclusive(schema, 0) ? "4" : "2020-12"
}

const hasBooleanExclusive = (u: unknown, depth: number): boolean => {
  if (depth > 32 || typeof u !== "object" || u === null) return false
  if (Array.isArray(u)) return u.some((v) => hasBooleanExclusive(v, depth + 1))
  const o = u as Record<string, unknown>
  if (typeof o.exclusiveMinimum === "boolean" || typeof o.exclusiveMaximum === "boolean") return true
  return Object.values(o).some((v) => hasBooleanExclusive(v, depth + 1))
}

const message = (u: unknown): string => (u instanceof Error ? u.message : String(u)).split("\n")[0]!.slice(0, 300)

/**
 * A compiled `input_schema`. The validator annotates the schema objects it is given, so it gets a
 * private copy; compiled validators are memoised per schema object.
 *
 * @internal
 */
export interface Compiled {
  readonly validate: (input: unknown, options?: Options) => Outcome
}

const compiled = new WeakMap<object, Compiled>()

/** @internal */
export const compile = (schema: Readonly<Record<string, unknown>>): Compiled => {
  const cached = compiled.get(schema)
  if (cached !== undefined) return cached
  let result: Compiled
  try {
    const copy = structuredClone(schema) as Record<string, unknown>
    const validator = new Validator(copy as JsonSchema, draftOf(copy), false)
    result = { validate: (input, options) => run(validator, input, options ?? {}) }
  } catch (cause) {
    const reason = `the input_schema could not be compiled: ${message(cause)}`
    result = { validate: () => ({ _tag: "Unusable", reason }) }
  }
  compiled.set(schema, result)
  return result
}

/** What the server would receive: the JSON form (undefined dropped, Dates as strings, ...). */
const toJson = (
  input: unknown
): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string } => {
  try {
    const text = JSON.stringify(input)
    return text === undefined ? { ok: false, reason: "is not a JSON value" } : { ok: true, value: JSON.parse(text) }
  } catch (cause) {
    return { ok: false, reason: `cannot be sent as JSON (${message(cause)})` }
  }
}

const run = (validator: Validator, input: unknown, options: Options): Outcome => {
  const json = toJson(input)
  if (!json.ok) {
    return {
      _tag: "Invalid",
      violations: [{ path: "input", pointer: "", keyword: "json", message: json.reason, schemaPath: "#" }]
    }
  }
  let units: ReadonlyArray<OutputUnit>
  try {
    units = validator.validate(json.value).errors
  } catch (cause) {
    return { _tag: "Unusable", reason: `the input_schema could not be applied: ${message(cause)}` }
  }
  const violations = toViolations(units, json.value, options)
  return violations.length === 0 ? { _tag: "Valid" } : { _tag: "Invalid", violations }
}

// Output units -> violations ----------------------------------------------------------------------

const decodeSegment = (segment: string): string => {
  let decoded = segment.replace(/%23/g, "#")
  try {
    decoded = decodeURI(decoded)
  } catch {
    // keep it encoded
  }
  return decoded.replace(/~1/g, "/").replace(/~0/g, "~")
}

const segmentsOf = (location: string): Array<string> =>
  location.replace(/^#/, "").split("/").slice(1).map(decodeSegment)

const escapeSegment = (segment: string) => segment.replace(/~/g, "~0").replace(/\//g, "~1")

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/** `input.a.b[0]["odd key"]`, using the instance to tell array indices from keys. */
const pathOf = (segments: ReadonlyArray<string>, root: unknown): string => {
  let out = "input"
  let node: unknown = root
  for (const segment of segments) {
    if (Array.isArray(node) && /^\d+$/.test(segment)) {
      out += `[${segment}]`
      node = node[Number(segment)]
    } else {
      out += IDENTIFIER.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`
      node = typeof node === "object" && node !== null ? (node as Record<string, unknown>)[segment] : undefined
    }
  }
  return out
}

const valueAt = (segments: ReadonlyArray<string>, root: unknown): unknown => {
  let node: unknown = root
  for (const segment of segments) {
    if (typeof node !== "object" || node === null) return undefined
    node = (node as Record<string, unknown>)[segment]
  }
  return node
}

const typeName = (value: unknown): string =>
  value === null
    ? "null"
    : Array.isArray(value)
    ? "array"
    : typeof value === "number" && Number.isInteger(value)
    ? "integer"
    : typeof value

/**
 * A short rendering of the offending value. Strings are shown only where the schema enumerates the
 * allowed values (`enum`, `const`): a free-text field may hold a secret (`format: password`).
 */
const shown = (keyword: string, value: unknown): string => {
  if (typeof value === "number" || typeof value === "boolean" || value === null) return ` (got ${String(value)})`
  if (typeof value === "string" && (keyword === "enum" || keyword === "const")) {
    const text = JSON.stringify(value)
    return ` (got ${text.length > 60 ? `${text.slice(0, 57)}..."` : text})`
  }
  return value === undefined ? "" : ` (got ${typeName(value)})`
}

const rephrase = (unit: OutputUnit, value: unknown): string => {
  const text = unit.error
  switch (unit.keyword) {
    case "type": {
      const m = /Expected "(.*)"\.$/.exec(text)
      const expected = m ? m[1]!.split(`", "`).join(" or ") : "another type"
      return `must be ${/^[aeiou]/.test(expected) ? "an" : "a"} ${expected} (got ${typeName(value)})`
    }
    case "enum": {
      const m = /any of (.*)\.$/s.exec(text)
      return `must be one of ${m ? m[1]! : "the allowed values"}${shown("enum", value)}`
    }
    case "const": {
      const m = /match (.*)\.$/s.exec(text)
      return `must be ${m ? m[1]! : "the constant value"}${shown("const", value)}`
    }
    case "minimum":
    case "exclusiveMinimum": {
      const m = /than (or equal to )?\s*(\S+)\.$/.exec(text)
      const strict = unit.keyword === "exclusiveMinimum" || m?.[1] !== undefined
      return m ? `must be ${strict ? "greater than" : "at least"} ${m[2]}${shown("minimum", value)}` : text
    }
    case "maximum":
    case "exclusiveMaximum": {
      const m = /than (or equal to )?\s*(\S+)\.$/.exec(text)
      const strict = unit.keyword === "exclusiveMaximum" || m?.[1] !== undefined
      return m ? `must be ${strict ? "less than" : "at most"} ${m[2]}${shown("maximum", value)}` : text
    }
    case "format": {
      const m = /format "(.*)"\.$/.exec(text)
      return `must be a valid ${m ? `"${m[1]}"` : "value of its format"}`
    }
    case "multipleOf":
    case "minLength":
    case "maxLength":
    case "minItems":
    case "maxItems":
    case "uniqueItems":
    case "pattern":
      return text.replace(/^String does not match pattern\.$/, "does not match the required pattern")
    case "anyOf":
      return "does not match any of the allowed forms (anyOf)"
    case "oneOf":
      return `must match exactly one of the allowed forms (oneOf): ${text.replace(/^.*\((.*)\)\.$/, "$1")}`
    case "not":
      return "matches a form the schema forbids (not)"
    default:
      return text.replace(/^Instance /, "")
  }
}

/** @internal */
export const toViolations = (
  units: ReadonlyArray<OutputUnit>,
  instance: unknown,
  options: Options
): ReadonlyArray<Violation> => {
  const opaqueRoots = units.filter((u) => opaque.has(u.keyword)).map((u) => `${u.keywordLocation}/`)
  const underOpaque = (u: OutputUnit) => opaqueRoots.some((root) => u.keywordLocation.startsWith(root))
  const hasDescendant = (i: number) => {
    const prefix = `${units[i]!.keywordLocation}/`
    return units.some((u, j) => j !== i && u.keywordLocation.startsWith(prefix))
  }
  const out: Array<Violation> = []
  const seen = new Set<string>()
  const push = (v: Violation) => {
    const key = `${v.pointer}\u0000${v.keyword}\u0000${v.message}`
    if (seen.has(key)) return
    seen.add(key)
    out.push(v)
  }
  units.forEach((unit, i) => {
    if (underOpaque(unit)) return
    if (unit.keyword === "format" && options.formats !== true) return
    // A `false` schema (e.g. `additionalProperties: false`) stands in for the wrapper before it.
    if (unit.keyword === "false") {
      const segments = segmentsOf(unit.instanceLocation)
      const wrapper = units[i - 1]
      push({
        path: pathOf(segments, instance),
        pointer: segments.map((s) => `/${escapeSegment(s)}`).join(""),
        keyword: wrapper?.keyword ?? "false",
        message: wrapper?.keyword === "additionalProperties" || wrapper?.keyword === "unevaluatedProperties"
          ? "is not an input of this model"
          : "is not allowed here",
        schemaPath: wrapper?.keywordLocation ?? unit.keywordLocation
      })
      return
    }
    if (units[i + 1]?.keyword === "false") return
    if (!opaque.has(unit.keyword) && hasDescendant(i)) return
    let segments = segmentsOf(unit.instanceLocation)
    let text: string
    if (unit.keyword === "required") {
      const m = /required property "(.*)"\.$/s.exec(unit.error)
      if (m) segments = [...segments, m[1]!]
      text = "is required"
    } else {
      text = rephrase(unit, valueAt(segments, instance))
    }
    push({
      path: pathOf(segments, instance),
      pointer: segments.map((s) => `/${escapeSegment(s)}`).join(""),
      keyword: unit.keyword,
      message: text,
      schemaPath: unit.keywordLocation
    })
  })
  return out
}
