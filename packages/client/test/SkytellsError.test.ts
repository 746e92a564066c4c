import { SkytellsError } from "@effect-skytells/client"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"

describe("smoke", () => {
  it.effect("decodes a flat body", () =>
    Effect.sync(() => {
      const e = SkytellsError.fromResponse({
        status: 404,
        headers: {},
        body: JSON.stringify({ error_id: "MODEL_NOT_FOUND", message: "nope" })
      })
      assert.strictEqual(e._tag, "ModelNotFound")
    }))
})
