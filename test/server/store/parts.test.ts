// How a dialect's store is composed from its concerns' parts: every method and pruner once, a clash refused at open.
import { composePruners, composeSlices, type Part } from '../../../server/store/parts';

type TestPart = Part<{ n: number }, object, string>;

describe('composing the store from its parts', () => {
  test("puts every part's methods in one object, each built on the context", () => {
    const parts: Record<string, TestPart> = {
      a: { store: (ctx) => ({ one: () => ctx.n }) },
      b: { store: (ctx) => ({ two: () => ctx.n * 2 }) },
    };
    const store = composeSlices(parts, { n: 21 }) as { one(): number; two(): number };
    expect([store.one(), store.two()]).toEqual([21, 42]);
  });

  test('refuses two parts that give the same method', () => {
    const parts: Record<string, TestPart> = {
      orders: { store: () => ({ getOrder: () => 1 }) },
      other: { store: () => ({ getOrder: () => 2 }) },
    };
    expect(() => composeSlices(parts, { n: 0 })).toThrow('two store parts give getOrder (the second: other)');
  });

  test("lists every part's pruners in the parts' order, and refuses two parts pruning the same entry", () => {
    const parts: Record<string, TestPart> = {
      a: { store: () => ({}), prune: { sessions: 's', rateLimits: 'r' } },
      b: { store: () => ({}) },
      c: { store: () => ({}), prune: { webhookEvents: 'w' } },
    };
    expect(composePruners(parts)).toEqual([['sessions', 's'], ['rateLimits', 'r'], ['webhookEvents', 'w']]);
    expect(() => composePruners({ ...parts, d: { store: () => ({}), prune: { sessions: 'again' } } })).toThrow('two store parts prune "sessions"');
  });
});
