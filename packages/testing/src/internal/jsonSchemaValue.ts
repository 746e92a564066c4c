/**
 * The JSON value the fake model answers for a JSON Schema (a `json_schema` output format, a tool's
 * `parameters`). It is built from the prompt by rules simple enough for a test to compute what to
 * expect, and it is valid against the schema for the keywords structured output uses:
 *
 * - `string`: the prompt, repeated or cut to fit `minLength`/`maxLength`; a `format` (`date-time`,
 *   `date`, `time`, `email`, `uri`, `uuid`, `ipv4`, `ipv6`, `hostname`) gets a fixed example, and a
 *   `pattern` the prompt does not match is tried on the prompt without spaces and on that example;
 * - `number` / `integer`: the prompt's word count, moved into `minimum`/`maximum` (exclusive bounds
 *   and `multipleOf` too);
 * - `boolean`: `true`; `null`: `null`; `enum` and `const`: the first value;
 * - `array`: one item (or `minItems`), tuples (`prefixItems`, or `items` as an array) item by item;
 * - `object`: the `required` properties only, so `additionalProperties: false` always holds;
 * - `$ref` into the root (with its sibling keywords applied, as `effect/JSONSchema` writes them),
 *   `allOf` merged, `anyOf`/`oneOf` and type lists: the first alternative that is not `null`.
 *
 * A `pattern` none of the candidates match, and `not`, `if`/`then`, `uniqueItems` of several items
 * are not honoured: the value is then what the rules above give.
 *
 * @internal
 */
import { isRecord } from "./http.js"

type JsonSchema = Record<string, unknown>

/** Examples that validate against each format, fixed so that answers stay deterministic. */
const formatExamples: Readonly<Record<string, string>> = {
  "date-time": "2024-01-01T00:00:00.000Z",
  date: "2024-01-01",
  time: "00:00:00Z",
  email: "fake@skytells.fake",
  uri: "https://skytells.fake/",
  url: "https://skytells.fake/",
  uuid: "00000000-0000-4000-8000-000000000000",
  ipv4: "127.0.0.1",
  ipv6: "::1",
  hostname: "skytells.fake"
}

// Past this depth arrays take only their `minItems`, so that recursive schemas (a tree whose
// `children` is an array of itself) end; a schema that requires infinite nesting ends in `null`.
const arrayDepth = 8
const maxDepth = 64

const num = (u: unknown): number | undefined => typeof u === "number" && Number.isFinite(u) ? u : undefined

const pick = (f: (a: number, b: number) => number, a: unknown, b: unknown): number | undefined => {
  const x = num(a)
  const y = num(b)
  return x === undefined ? y : y === undefined ? x : f(x, y)
}

/** Both schemas at once (`allOf`, or a `$ref` and its siblings): bounds narrowed, properties joined. */
const merge = (a: JsonSchema, b: JsonSchema): JsonSchema => {
  const out: JsonSchema = { ...a, ...b }
  for (const key of ["minimum", "exclusiveMinimum", "minLength", "minItems"]) {
    const value = pick(Math.max, a[key], b[key])
    if (value !== undefined) out[key] = value
  }
  for (const key of ["maximum", "exclusiveMaximum", "maxLength", "maxItems"]) {
    const value = pick(Math.min, a[key], b[key])
    if (value !== undefined) out[key] = value
  }
  if (isRecord(a.properties) && isRecord(b.properties)) out.properties = { ...a.properties, ...b.properties }
  if (Array.isArray(a.required) && Array.isArray(b.required)) {
    out.required = [...new Set([...a.required, ...b.required])]
  }
  return out
}

/** A JSON pointer (`#/$defs/Poem`) into the root schema. */
const pointer = (root: JsonSchema, ref: string): JsonSchema => {
  let node: unknown = root
  for (const raw of ref.replace(/^#\/?/, "").split("/").filter((s) => s.length > 0)) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~")
    node = isRecord(node) ? node[key] : Array.isArray(node) ? node[Number(key)] : undefined
  }
  return isRecord(node) ? node : {}
}

/** The schema with `$ref` and `allOf` folded in, so that only one set of keywords is left. */
const resolve = (schema: JsonSchema, root: JsonSchema, depth: number): JsonSchema => {
  if (depth > maxDepth) return schema
  let out = schema
  if (typeof out.$ref === "string") {
    const { $ref, ...siblings } = out
    out = merge(resolve(pointer(root, $ref as string), root, depth + 1), siblings)
  }
  if (Array.isArray(out.allOf)) {
    const { allOf, ...rest } = out
    out = (allOf as ReadonlyArray<unknown>).filter(isRecord).reduce(
      (acc: JsonSchema, part) => merge(acc, resolve(part, root, depth + 1)),
      rest
    )
  }
  return out
}

const words = (prompt: string): number => prompt.split(/\s+/).filter((w) => w.length > 0).length

const matches = (pattern: unknown, value: string): boolean => {
  if (typeof pattern !== "string") return true
  try {
    return new RegExp(pattern, "u").test(value)
  } catch {
    return true
  }
}

const fit = (text: string, schema: JsonSchema): string => {
  const min = num(schema.minLength) ?? 0
  const filler = text.length > 0 ? text : "x"
  let out = text
  while (Array.from(out).length < min) out = out.length === 0 ? filler : `${out} ${filler}`
  return Array.from(out).slice(0, num(schema.maxLength)).join("")
}

const stringOf = (schema: JsonSchema, prompt: string): string => {
  const example = typeof schema.format === "string" ? formatExamples[schema.format] : undefined
  const candidates = [
    ...(example !== undefined ? [example] : []),
    fit(prompt, schema),
    fit(prompt.replace(/\s+/g, ""), schema)
  ]
  return candidates.find((c) => matches(schema.pattern, c)) ?? candidates[0]!
}

const numberOf = (schema: JsonSchema, prompt: string, integer: boolean): number => {
  // Draft 4 writes exclusive bounds as booleans beside minimum/maximum; later drafts as numbers.
  const lowExclusive = schema.exclusiveMinimum === true || num(schema.exclusiveMinimum) !== undefined
  const highExclusive = schema.exclusiveMaximum === true || num(schema.exclusiveMaximum) !== undefined
  const low = pick(Math.max, schema.minimum, schema.exclusiveMinimum)
  const high = pick(Math.min, schema.maximum, schema.exclusiveMaximum)
  const step = num(schema.multipleOf) ?? (integer ? 1 : undefined)
  const aligned = (v: number) => step === undefined ? v : Math.ceil(v / step - 1e-9) * step
  const valid = (v: number) =>
    (low === undefined || (lowExclusive ? v > low : v >= low)) &&
    (high === undefined || (highExclusive ? v < high : v <= high)) &&
    (step === undefined || Math.abs(v / step - Math.round(v / step)) < 1e-9)
  const lowest = low === undefined
    ? undefined
    : step === undefined
    ? (lowExclusive ? low + 1 : low)
    : lowExclusive
    ? (Math.floor(low / step + 1e-9) + 1) * step
    : Math.ceil(low / step - 1e-9) * step
  const highest = high === undefined
    ? undefined
    : step === undefined
    ? (highExclusive ? high - 1 : high)
    : highExclusive
    ? (Math.ceil(high / step - 1e-9) - 1) * step
    : Math.floor(high / step + 1e-9) * step
  const middle = low !== undefined && high !== undefined ? aligned((low + high) / 2) : undefined
  const candidates = [aligned(words(prompt)), lowest, highest, middle]
  return candidates.find((v): v is number => v !== undefined && valid(v)) ?? words(prompt)
}

const typeOf = (schema: JsonSchema): string | undefined => {
  if (typeof schema.type === "string") return schema.type
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== "null") ?? schema.type[0]
  if (isRecord(schema.properties) || Array.isArray(schema.required)) return "object"
  if (schema.items !== undefined || Array.isArray(schema.prefixItems)) return "array"
  return undefined
}

const valueOf = (raw: JsonSchema, root: JsonSchema, prompt: string, depth: number): unknown => {
  if (depth > maxDepth) return null
  const schema = resolve(raw, root, depth)
  if ("const" in schema) return schema.const
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0]
  const alternatives = schema.anyOf ?? schema.oneOf
  if (Array.isArray(alternatives)) {
    const options = alternatives.filter(isRecord)
    const chosen = options.find((s) => resolve(s, root, depth).type !== "null") ?? options[0]
    // The alternative is generated with the keywords around `anyOf` (a `required` beside it).
    const { anyOf: _a, oneOf: _o, ...around } = schema
    if (chosen !== undefined) return valueOf(merge(around, chosen), root, prompt, depth + 1)
  }
  switch (typeOf(schema)) {
    case "object": {
      const properties = isRecord(schema.properties) ? schema.properties : {}
      const required = Array.isArray(schema.required) ? schema.required.filter((k) => typeof k === "string") : []
      const extra = isRecord(schema.additionalProperties) ? schema.additionalProperties : {}
      return Object.fromEntries(required.map((key) => {
        const property = properties[key]
        return [key, valueOf(isRecord(property) ? property : extra, root, prompt, depth + 1)]
      }))
    }
    case "array": {
      const tuple = Array.isArray(schema.prefixItems)
        ? schema.prefixItems
        : Array.isArray(schema.items)
        ? schema.items
        : []
      const rest = Array.isArray(schema.items) ? schema.additionalItems : schema.items
      const min = num(schema.minItems) ?? 0
      const wanted = Math.max(tuple.length, min, rest === false || depth >= arrayDepth ? 0 : 1)
      const count = Math.min(wanted, num(schema.maxItems) ?? Infinity)
      return Array.from({ length: count }, (_, i) => {
        const item = i < tuple.length ? tuple[i] : rest
        return valueOf(isRecord(item) ? item : {}, root, prompt, depth + 1)
      })
    }
    case "number":
      return numberOf(schema, prompt, false)
    case "integer":
      return numberOf(schema, prompt, true)
    case "boolean":
      return true
    case "null":
      return null
    default:
      return stringOf(schema, prompt)
  }
}

/**
 * The value answered for `schema` (whose `$ref`s point into it) and the prompt (the last user text).
 *
 * @internal
 */
export const generate = (schema: unknown, prompt: string): unknown => {
  const root = isRecord(schema) ? schema : {}
  return valueOf(root, root, prompt, 0)
}
