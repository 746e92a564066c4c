// The one list of test projects. The root vitest.config.ts passes it to `test.projects`,
// which is what vitest 3.2 reads without a deprecation warning.
export default [
  "packages/*/vitest.config.ts",
  "test/vitest.config.ts"
]
