/**
 * docs/errors.md is generated from the catalogue; this test fails when it is stale.
 * Regenerate with `pnpm docs:errors` (UPDATE_DOCS=1).
 */
import { SkytellsError } from "@effect-skytells/client"
import { assert, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { sources } from "../src/internal/catalogue.js"

const root = path.join(__dirname, "..", "..", "..")
const target = path.join(root, "docs", "errors.md")
const readme = path.join(root, "README.md")
const START = "<!-- errors:start -->"
const END = "<!-- errors:end -->"

const cell = (s: string) => s.replace(/\|/g, "\\|")

// A source cell with each document's name linked to its page (longest names first: "Prediction
// errors" is not "errors").
const byLength = [...sources].sort((a, b) => b.name.length - a.name.length)
const sourceCell = (text: string) => {
  const pattern = new RegExp(byLength.map((s) => s.name).join("|"), "g")
  return cell(text).replace(pattern, (name) => `[${name}](${sources.find((s) => s.name === name)!.url})`)
}

const render = (): string => {
  const classes = Object.values(SkytellsError.classes)
  const rows = classes.map((c) => {
    const e = c.entry
    return `| \`${c._tag}\` | ${e.ids.map((id) => `\`${id}\``).join(", ")} | ${e.statuses.join(", ")} | ${
      e.levels.join(", ")
    } | ${e.category} | ${e.retryable ? "yes" : "no"} | ${cell(e.description)} | ${cell(e.resolution)} | ${
      sourceCell(e.source)
    } |`
  })
  return [
    "# Error catalogue",
    "",
    "<!-- Generated from packages/client/src/internal/catalogue.ts by `pnpm docs:errors`; CI fails when it is stale. -->",
    "",
    "Every documented Skytells error id is a `Schema.TaggedError` class of the `SkytellsError` module. The class is chosen",
    "by the error id (case-insensitive), never by the HTTP status; where sources disagree on the status, every documented",
    "status is accepted. \"Retried\" says whether the default policy retries it (a non-idempotent request is retried",
    "only after a 429, a 503 or a refused connection; see the README's retry section).",
    "",
    "Sources, as the last column names them:",
    "",
    ...sources.map((source) => `- [${source.name}](${source.url}): ${source.title}.`),
    "",
    "| Class | Wire ids | HTTP status | Level | Group | Retried | Meaning | What to do | Source |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
    "## Failures outside the documentation",
    "",
    "| Class | When | Retried |",
    "|---|---|---|",
    "| `UnknownApiError` | an error id the catalogue does not know; keeps the id, status and parsed body | no, unless `x-should-retry: true` |",
    "| `GatewayError` | 502 or 504 without an error id (a proxy answered, often with HTML) | yes, when the request is safe to repeat |",
    "| `MalformedResponse` | an empty body, a body that is not JSON, or JSON that does not match the documented shape (`issue` names the field) | a 2xx whose body is empty or cut: yes when the request is safe to repeat (never a create); otherwise no |",
    "| `TransportError` | no answer: refused, DNS, reset; `mayHaveReachedServer` says whether the server may have acted | yes when safe (a create only if the server certainly did not see it) |",
    "| `RequestTimeout` | no answer within the per-attempt timeout or the total deadline | per attempt: yes for idempotent requests; deadline: no |",
    ""
  ].join("\n")
}

/** The README's short table: class, ids, statuses, retried, what to do. */
const renderShort = (): string =>
  [
    START,
    "| Class | Wire ids | HTTP | Retried | What to do |",
    "|---|---|---|---|---|",
    ...Object.values(SkytellsError.classes).map((c) =>
      `| \`${c._tag}\` | ${c.entry.ids.map((id) => `\`${id}\``).join(", ")} | ${c.entry.statuses.join(", ")} | ${
        c.entry.retryable ? "yes" : "no"
      } | ${cell(c.entry.resolution)} |`
    ),
    END
  ].join("\n")

describe("README.md", () => {
  it("carries the current short catalogue table", () => {
    const text = fs.readFileSync(readme, "utf8")
    const start = text.indexOf(START)
    const end = text.indexOf(END)
    assert.isAtLeast(start, 0, "README.md lacks the errors:start marker")
    const updated = `${text.slice(0, start)}${renderShort()}${text.slice(end + END.length)}`
    if (process.env.UPDATE_DOCS === "1") fs.writeFileSync(readme, updated)
    assert.strictEqual(
      fs.readFileSync(readme, "utf8"),
      updated,
      "README.md's error table is stale: run `pnpm docs:errors`"
    )
  })
})

describe("docs/errors.md", () => {
  it("is generated from the catalogue and current", () => {
    const expected = render()
    if (process.env.UPDATE_DOCS === "1") fs.writeFileSync(target, expected)
    const actual = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : ""
    assert.strictEqual(actual, expected, "docs/errors.md is stale: run `pnpm docs:errors`")
  })
})
