// Two tiers (docs/contributing.md#tests): pure unit tests next to the code, and
// integration tests that boot the real AppModule against a real PostgreSQL.
const transform = { '^.+\\.(t|j)s$': ['@swc/jest', { swcrc: true }] };

/** @type {import('jest').Config} */
module.exports = {
  // Jest reads testTimeout from the top level only (a project's own is ignored): integration tests boot the
  // application and a browser on a shared, loaded machine.
  testTimeout: 120000,
  projects: [
    {
      displayName: 'unit',
      rootDir: __dirname,
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/tools/**/*.spec.ts'],
      testEnvironment: 'node',
      transform,
    },
    {
      displayName: 'e2e',
      rootDir: __dirname,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      testEnvironment: 'node',
      transform,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
