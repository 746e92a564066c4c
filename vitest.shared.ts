import * as path from "node:path"
import type { ViteUserConfig } from "vitest/config"

const config: ViteUserConfig = {
  test: {
    setupFiles: [path.join(__dirname, "vitest.setup.ts")],
    include: ["test/**/*.test.ts"],
    fakeTimers: { toFake: undefined },
    sequence: { concurrent: true },
    typecheck: {
      enabled: true,
      include: ["dtslint/**/*.tst.ts"],
      tsconfig: "tsconfig.json"
    }
  }
}

export default config
