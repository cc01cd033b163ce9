// Three projects: the server runs in Node, the mini program in jsdom (miniprogram-simulate needs a DOM), the docs' checks in Node.
const transform = { '^.+\\.ts$': '<rootDir>/jest/esbuild-transform.js' };
module.exports = {
  reporters: ['default', '<rootDir>/jest/summary-reporter.js'],
  // Chosen, not jest's default 5 s: real servers, long polls of a few seconds and child processes run
  // here; a test that needs more says so itself, and no test's own bound is as long as this. Set here,
  // at the top: jest-circus reads the global testTimeout only, and ignores one set in a project.
  testTimeout: 20_000,
  // At least two workers: jest's default (the cores less one) runs one at a time on a 2-core machine, where most suites
  // wait on servers and child processes rather than compute (measured: 178 s with one worker, 105 s with two).
  maxWorkers: Math.max(2, require('node:os').availableParallelism() - 1),
  projects: [
    {
      displayName: 'server',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/server/**/*.test.ts'],
    },
    {
      displayName: 'miniprogram',
      testEnvironment: 'jsdom',
      transform,
      testMatch: ['<rootDir>/test/miniprogram/**/*.test.ts'],
    },
    {
      displayName: 'docs',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/docs/**/*.test.ts'],
    },
  ],
};
