import { mergeConfig, type ViteUserConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

const config: ViteUserConfig = {
  test: {
    typecheck: { tsconfig: "tsconfig.test.json" }
  }
}

export default mergeConfig(shared, config)
