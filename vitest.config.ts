import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node resolves 'graphql' (no "exports" map) to its CommonJS build for the libraries in
    // node_modules; Vite would give our sources the ESM build. Two copies of graphql-js refuse
    // each other's schemas, so our sources get the one Node gives everyone else.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/pgliteTemplate.globalSetup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // PGlite instances are large: two files at a time fit a 2-core machine.
    maxWorkers: 2,
  },
});
