// Two projects: the server runs in Node, the mini program in jsdom (miniprogram-simulate needs a DOM).
const transform = { '^.+\\.ts$': '<rootDir>/jest/esbuild-transform.js' };
module.exports = {
  reporters: ['default', '<rootDir>/jest/summary-reporter.js'],
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
  ],
};
