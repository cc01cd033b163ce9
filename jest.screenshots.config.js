// npm run screenshots, step 1: renders the pages into HTML in jsdom (see scripts/screenshots/).
module.exports = {
  testEnvironment: 'jsdom',
  transform: { '^.+\\.ts$': '<rootDir>/jest/esbuild-transform.js' },
  testMatch: ['<rootDir>/scripts/screenshots/*.shots.ts'],
};
