import { RateLimit } from "@effect-skytells/client"
import { Headers } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Duration } from "effect"
import { header } from "../src/internal/headers.js"

type Record_ = Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

/** A record with exactly these own keys, in this order, including `__proto__` as a plain key. */
const record = (entries: ReadonlyArray<readonly [string, unknown]>, proto: object | null = Object.prototype) => {
  const out = Object.create(proto)
  for (const [key, value] of entries) {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
  }
  return out as Record_
}

describe("header", () => {
  it("is case-insensitive both ways", () => {
    assert.strictEqual(header({ "Retry-After": "2" }, "retry-after"), "2")
    assert.strictEqual(header({ "retry-after": "2" }, "Retry-After"), "2")
    assert.strictEqual(header({ "X-REQUEST-ID": "r" }, "x-request-id"), "r")
  })

  it("reads the first string of an array value and ignores anything else", () => {
    assert.strictEqual(header({ "x-a": ["1", "2"] }, "x-a"), "1")
    assert.strictEqual(header({ "X-A": ["1", "2"] }, "x-a"), "1")
    assert.strictEqual(header({ "x-a": [] }, "x-a"), undefined)
    assert.strictEqual(header({ "x-a": undefined }, "x-a"), undefined)
    assert.strictEqual(header(record([["x-a", 5]]), "x-a"), undefined)
    assert.strictEqual(header(record([["x-a", [5]]]), "x-a"), undefined)
  })

  it("prefers the lower-case spelling, and falls back to another when it has no string", () => {
    assert.strictEqual(header({ "X-A": "upper", "x-a": "lower" }, "x-a"), "lower")
    assert.strictEqual(header({ "x-a": "lower", "X-A": "upper" }, "X-A"), "lower")
    assert.strictEqual(header({ "X-A": "first", "x-A": "second" }, "x-a"), "first")
    assert.strictEqual(header({ "x-a": [], "X-A": "upper" }, "x-a"), "upper")
    assert.strictEqual(header({ "x-a": undefined, "X-A": ["upper"] }, "x-a"), "upper")
  })

  it("never reads Object.prototype", () => {
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "Constructor"]) {
      assert.strictEqual(header({}, name), undefined, name)
      assert.strictEqual(header({ "x-a": "1" }, name), undefined, name)
    }
    const own = record([["__proto__", "p"], ["Constructor", "c"], ["toString", ["t"]]])
    assert.strictEqual(header(own, "__proto__"), "p")
    assert.strictEqual(header(own, "constructor"), "c")
    assert.strictEqual(header(own, "tostring"), "t")
    assert.strictEqual(header(record([["constructor", "c"]], null), "CONSTRUCTOR"), "c")
  })

  it("reads @effect/platform headers", () => {
    const headers = Headers.fromInput({ "Retry-After": "2", "x-request-id": "r" })
    assert.strictEqual(header(headers, "retry-after"), "2")
    assert.strictEqual(header(headers, "X-Request-Id"), "r")
    assert.strictEqual(header(headers, "constructor"), undefined)
  })
})

describe("RateLimit.fromHeaders", () => {
  const platform = {
    "content-type": "application/json",
    "content-length": "12",
    "date": "Thu, 01 Jan 2026 00:00:00 GMT",
    "connection": "keep-alive",
    "keep-alive": "timeout=5",
    "x-request-id": "req_1"
  }

  it("is undefined without rate-limit headers, or with none usable", () => {
    assert.strictEqual(RateLimit.fromHeaders({}), undefined)
    assert.strictEqual(RateLimit.fromHeaders(platform), undefined)
    assert.strictEqual(RateLimit.fromHeaders(Headers.fromInput(platform)), undefined)
    assert.strictEqual(
      RateLimit.fromHeaders({
        "x-ratelimit-limit-rpm": "-",
        "x-ratelimit-remaining-rpm": "",
        "x-ratelimit-reset": "-5",
        "x-skytells-ratelimit-window": "soon",
        "x-ratelimit-limit-concurrent": [],
        "x-ratelimit-limit-streams": undefined
      }),
      undefined
    )
  })

  it("reads mixed-case keys and array values", () => {
    assert.deepStrictEqual(
      RateLimit.fromHeaders({
        ...platform,
        "X-RateLimit-Limit-RPM": "600",
        "x-ratelimit-REMAINING-rpm": ["599", "1"],
        "X-Skytells-RateLimit-Window": " 60 ",
        "X-RATELIMIT-RESET": ["1700000000"]
      }),
      {
        limitRequests: 600,
        remainingRequests: 599,
        window: Duration.seconds(60),
        resetAt: 1_700_000_000_000
      }
    )
  })

  it("reads every field", () => {
    const names = [
      "x-skytells-ratelimit-limit-requests",
      "x-skytells-ratelimit-remaining-requests",
      "x-skytells-ratelimit-limit-tokens-in",
      "x-skytells-ratelimit-remaining-tokens-in",
      "x-skytells-ratelimit-limit-tokens-out",
      "x-skytells-ratelimit-remaining-tokens-out",
      "x-ratelimit-limit-concurrent",
      "x-ratelimit-remaining-concurrent",
      "x-ratelimit-limit-streams",
      "x-ratelimit-remaining-streams",
      "x-skytells-ratelimit-window",
      "x-ratelimit-reset"
    ]
    assert.deepStrictEqual(
      RateLimit.fromHeaders(Headers.fromInput(Object.fromEntries(names.map((name, i) => [name, String(i + 1)])))),
      {
        limitRequests: 1,
        remainingRequests: 2,
        limitTokensIn: 3,
        remainingTokensIn: 4,
        limitTokensOut: 5,
        remainingTokensOut: 6,
        limitConcurrent: 7,
        remainingConcurrent: 8,
        limitStreams: 9,
        remainingStreams: 10,
        window: Duration.seconds(11),
        resetAt: 12_000
      }
    )
  })

  it("prefers the first generation whatever the key order", () => {
    const first = [["x-skytells-ratelimit-limit-requests", "60"], ["X-Skytells-RateLimit-Remaining-Requests", "59"]]
    const second = [["x-ratelimit-limit-rpm", "600"], ["X-RateLimit-Remaining-RPM", "599"]]
    for (const entries of [[...first, ...second], [...second, ...first], [first[0], second[1], second[0], first[1]]]) {
      assert.deepStrictEqual(RateLimit.fromHeaders(Object.fromEntries(entries)), {
        limitRequests: 60,
        remainingRequests: 59
      })
    }
  })

  it("falls back to the other generation when the first says `-`, is empty or unusable", () => {
    for (const unusable of ["-", " - ", "", "  ", "n/a", "-1", "Infinity", []]) {
      for (const order of ["first", "last"]) {
        const entries: Array<readonly [string, unknown]> = [
          ["x-skytells-ratelimit-limit-requests", unusable],
          ["X-Skytells-RateLimit-Remaining-Requests", unusable]
        ]
        const other = [["X-RateLimit-Limit-RPM", "600"], ["x-ratelimit-remaining-rpm", "0"]] as const
        const headers = record(order === "first" ? [...entries, ...other] : [...other, ...entries])
        assert.deepStrictEqual(RateLimit.fromHeaders(headers), { limitRequests: 600, remainingRequests: 0 })
      }
    }
  })

  it("prefers the lower-case spelling of a header, as `header` does", () => {
    for (
      const entries of [[["X-RateLimit-Reset", "1"], ["x-ratelimit-reset", "2"]], [["x-ratelimit-reset", "2"], [
        "X-RateLimit-Reset",
        "1"
      ]]]
    ) {
      assert.deepStrictEqual(RateLimit.fromHeaders(Object.fromEntries(entries)), { resetAt: 2_000 })
    }
    assert.deepStrictEqual(
      RateLimit.fromHeaders({ "X-RateLimit-Reset": "1", "x-RateLimit-Reset": "3", "x-ratelimit-reset": [] }),
      { resetAt: 1_000 }
    )
  })

  it("ignores prototype-named headers and reads its own among them", () => {
    const headers = record([
      ["__proto__", "1"],
      ["constructor", "2"],
      ["toString", ["3"]],
      ["hasOwnProperty", "4"],
      ["X-RateLimit-Reset", "5"]
    ])
    assert.deepStrictEqual(RateLimit.fromHeaders(headers), { resetAt: 5_000 })
    assert.deepStrictEqual(RateLimit.fromHeaders(record([["x-ratelimit-reset", "5"]], null)), { resetAt: 5_000 })
    assert.strictEqual(RateLimit.fromHeaders(record([["constructor", "2"], ["__proto__", "1"]])), undefined)
  })

  describe("agrees with the per-name lookup on random records", () => {
    // The algorithm `fromHeaders` replaced: one case-insensitive lookup per header name.
    const fields: ReadonlyArray<readonly [keyof RateLimit.RateLimitInfo, ReadonlyArray<string>]> = [
      ["limitRequests", ["x-skytells-ratelimit-limit-requests", "x-ratelimit-limit-rpm"]],
      ["remainingRequests", ["x-skytells-ratelimit-remaining-requests", "x-ratelimit-remaining-rpm"]],
      ["limitTokensIn", ["x-skytells-ratelimit-limit-tokens-in"]],
      ["remainingTokensIn", ["x-skytells-ratelimit-remaining-tokens-in"]],
      ["limitTokensOut", ["x-skytells-ratelimit-limit-tokens-out"]],
      ["remainingTokensOut", ["x-skytells-ratelimit-remaining-tokens-out"]],
      ["limitConcurrent", ["x-ratelimit-limit-concurrent"]],
      ["remainingConcurrent", ["x-ratelimit-remaining-concurrent"]],
      ["limitStreams", ["x-ratelimit-limit-streams"]],
      ["remainingStreams", ["x-ratelimit-remaining-streams"]],
      ["window", ["x-skytells-ratelimit-window"]],
      ["resetAt", ["x-ratelimit-reset"]]
    ]
    const firstString = (value: unknown): string | undefined => {
      const first = typeof value === "string" ? value : (value as ReadonlyArray<unknown> | undefined)?.[0]
      return typeof first === "string" ? first : undefined
    }
    // The old `header`: the first key, in order, that lower-cases to the name and holds a string.
    const scan = (headers: Record_, name: string): string | undefined => {
      const lower = name.toLowerCase()
      for (const key in headers) {
        const value = key.toLowerCase() === lower ? firstString(headers[key]) : undefined
        if (value !== undefined) return value
      }
      return undefined
    }
    // The new `header`: the lower-case key wins when it holds a string, else as `scan`.
    const direct = (headers: Record_, name: string): string | undefined => {
      const lower = name.toLowerCase()
      return (Object.hasOwn(headers, lower) ? firstString(headers[lower]) : undefined) ?? scan(headers, name)
    }
    const number = (value: string | undefined): number | undefined => {
      const trimmed = value?.trim()
      if (trimmed === undefined || trimmed === "" || trimmed === "-") return undefined
      const n = Number(trimmed)
      return Number.isFinite(n) && n >= 0 ? n : undefined
    }
    const reference = (headers: Record_, lookup: (headers: Record_, name: string) => string | undefined) => {
      const out: Record<string, unknown> = {}
      for (const [field, names] of fields) {
        for (const name of names) {
          const n = number(lookup(headers, name))
          if (n === undefined) continue
          out[field] = field === "window" ? Duration.seconds(n) : field === "resetAt" ? n * 1000 : n
          break
        }
      }
      return Object.keys(out).length > 0 ? out : undefined
    }

    // mulberry32: small, seeded, good enough to spread the cases.
    const prng = (seed: number) => () => {
      seed = (seed + 0x6d2b79f5) | 0
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }

    const rateLimitNames = fields.flatMap(([, names]) => names)
    const otherNames = [
      "content-type",
      "date",
      "x-request-id",
      "constructor",
      "__proto__",
      "toString",
      "x-ratelimit-reset-at",
      "x-ratelimit",
      "ratelimit-limit"
    ]
    const values: ReadonlyArray<unknown> = [
      "0",
      "7",
      "600",
      " 42 ",
      "1.5",
      "1e3",
      "1700000000",
      "0x10",
      "-",
      " - ",
      "",
      "   ",
      "-3",
      "abc",
      "Infinity",
      "NaN",
      undefined,
      [],
      ["9"],
      ["-", "9"],
      [undefined, "9"],
      [8],
      8
    ]

    it("over 5,000 records with random casing, order, duplicates and values", () => {
      const random = prng(0x5eed)
      const pick = <A>(xs: ReadonlyArray<A>): A => xs[Math.floor(random() * xs.length)]
      // Platform records are lower-case, so that spelling (which `header` prefers) comes up often.
      const spell = (name: string) =>
        random() < 0.4 ? name : Array.from(name, (c) => {
          const r = random()
          // The Kelvin sign lower-cases to an ASCII `k`, so the old lookup matched it too.
          return c === "k" && r < 0.05 ? "\u212a" : r < 0.3 ? c.toUpperCase() : c
        }).join("")
      let withDuplicates = 0
      for (let i = 0; i < 5_000; i++) {
        const entries: Array<readonly [string, unknown]> = []
        const count = Math.floor(random() * 12)
        for (let j = 0; j < count; j++) {
          const name = random() < 0.75 ? pick(rateLimitNames) : pick(otherNames)
          entries.push([spell(name), pick(values)])
        }
        // `record` keeps the last value of a repeated spelling, in its first position: as an object literal would.
        const headers = record(entries, random() < 0.2 ? null : Object.prototype)
        const keys = Object.keys(headers).map((key) => key.toLowerCase())
        const duplicated = new Set(keys).size !== keys.length
        if (duplicated) withDuplicates++
        const actual = RateLimit.fromHeaders(headers)
        assert.deepStrictEqual(actual, reference(headers, direct), JSON.stringify(entries))
        // Without two spellings of one name the old and new lookups are the same function.
        if (!duplicated) assert.deepStrictEqual(actual, reference(headers, scan), JSON.stringify(entries))
        for (const name of [...rateLimitNames, ...otherNames]) {
          assert.strictEqual(header(headers, name), direct(headers, name), name)
          assert.strictEqual(header(headers, name.toUpperCase()), direct(headers, name), name)
        }
      }
      // The duplicates branch is exercised, and so is the plain one.
      assert.isAbove(withDuplicates, 500)
      assert.isBelow(withDuplicates, 4_500)
    })
  })
})
