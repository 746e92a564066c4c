import { mergeConfig, type ViteUserConfig } from "vitest/config"
import shared from "../vitest.shared.js"

const config: ViteUserConfig = {
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**"],
    typecheck: { enabled: false }
  }
}

export default mergeConfig(shared, config)
