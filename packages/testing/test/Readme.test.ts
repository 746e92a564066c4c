import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { readFileSync } from "node:fs"

const text = (relative: string) => readFileSync(new URL(relative, import.meta.url), "utf8")

describe("README.md", () => {
  it.effect("shows each region of test/ReadmeSnippets.test.ts verbatim, in a ts block", () =>
    Effect.sync(() => {
      const readme = text("../README.md")
      const regions = [
        ...text("./ReadmeSnippets.test.ts").matchAll(/^\/\/ #region (\S+)\n([\s\S]*?)^\/\/ #endregion$/gm)
      ]
      assert.deepStrictEqual(regions.map(([, name]) => name), ["layerTest", "timing"])
      for (const [, name, body] of regions) assert.include(readme, "```ts\n" + body + "```\n", `region ${name}`)
    }))

  it.effect("the repository's README shows the layerTest region verbatim too", () =>
    Effect.sync(() => {
      const [, body] = /^\/\/ #region layerTest\n([\s\S]*?)^\/\/ #endregion$/m.exec(text("./ReadmeSnippets.test.ts"))!
      assert.include(text("../../../README.md"), "```ts\n" + body + "```\n")
    }))
})
