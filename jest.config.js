/** Jest in native ESM mode: ts-jest transpiles only (isolatedModules); `npm run typecheck` type-checks once. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  setupFiles: ['<rootDir>/__tests__/setup/env.ts'],
  reporters: ['default', '<rootDir>/__tests__/setup/summary-reporter.js'],
  testTimeout: 60000,
  maxWorkers: 2
}
