// jest's own settings as the tests really get them: the 20 s testTimeout of jest.config.js applies (jest-circus reads
// only the global one, so a testTimeout set in a project was silently 5 s: the sweep test failed under load).
test('runs every test with the 20 s timeout jest.config.js sets, not jest’s default 5 s', () => {
  // jest-circus keeps its state under a symbol on the global object; its testTimeout is the one every test gets.
  const stateKey = Object.getOwnPropertySymbols(globalThis).find((symbol) => symbol.description === 'JEST_STATE_SYMBOL');
  expect(stateKey).toBeDefined();
  const state = (globalThis as unknown as Record<symbol, { testTimeout: number }>)[stateKey!];
  expect(state.testTimeout).toBe(20_000);
});
