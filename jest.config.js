// Two projects: the server runs in Node, the mini program in jsdom (miniprogram-simulate needs a DOM).
const transform = { '^.+\\.ts$': '<rootDir>/jest/esbuild-transform.js' };
// Chosen, not jest's default 5 s: real servers, long polls of a few seconds and child processes run
// here; a test that needs more says so itself, and no test's own bound is as long as this.
const testTimeout = 20_000;
module.exports = {
  reporters: ['default', '<rootDir>/jest/summary-reporter.js'],
  projects: [
    {
      displayName: 'server',
      testEnvironment: 'node',
      transform,
      testTimeout,
      testMatch: ['<rootDir>/test/server/**/*.test.ts'],
    },
    {
      displayName: 'miniprogram',
      testEnvironment: 'jsdom',
      transform,
      testTimeout,
      testMatch: ['<rootDir>/test/miniprogram/**/*.test.ts'],
    },
  ],
};
