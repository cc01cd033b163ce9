// A short, seeded sample of `npm run fuzz` (scripts/fuzz): malformed and hostile requests over real HTTP and the bugs it found (fixed).
import fc from 'fast-check';
import { badUrlCase, ENDPOINTS, hugeHeadCase, infiniteWaitCase, longIdCase, type FuzzCase } from '../../scripts/fuzz/cases';
import { violations } from '../../scripts/fuzz/checks';
import { buildRequest } from '../../scripts/fuzz/request';
import { formatReport, runFuzz, type FuzzReport } from '../../scripts/fuzz/run';
import { createWorld, type World } from '../../scripts/fuzz/world';

const SEED = 20_260_601;

describe('fuzzing the HTTP API (seeded sample)', () => {
  let report: FuzzReport;

  beforeAll(async () => {
    report = await runFuzz({ cases: 400, seed: SEED, concurrency: 8 });
  }, 60_000);

  test('answers every malformed request with a 4xx error envelope and changes nothing', () => {
    if (!report.pass) throw new Error(formatReport(report));
    expect(report.casesGenerated).toBe(400);
    expect(report.perStatus).not.toHaveProperty('500');
    expect(report.healthz).toBe(200);
  });

  test('reaches every endpoint, and both refuses and accepts', () => {
    for (const endpoint of ENDPOINTS) expect(Object.values(report.perEndpoint[endpoint]).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const count = (prefix: string) => Object.entries(report.perStatus).filter(([status]) => status.startsWith(prefix)).reduce((a, [, n]) => a + n, 0);
    expect(count('2')).toBeGreaterThan(20);
    expect(count('4')).toBeGreaterThan(200);
  });

  test('checks the orders and intents after every case', () => {
    expect(report.stateChecks.inProcess).toBeGreaterThanOrEqual(400);
    expect(report.stateChecks.http).toBeGreaterThanOrEqual(1);
  });
});

// Server bugs the fuzzer found, fixed (see the generators' comments in scripts/fuzz/cases.ts).
// Each was a `test.failing` until the server was fixed; they now guard against the bug coming back.
describe('bugs the fuzzer found, now fixed', () => {
  let world: World;

  beforeAll(async () => {
    world = await createWorld();
  }, 30_000);
  afterAll(async () => {
    await world.close();
  });

  const problemsOf = async (arbitrary: fc.Arbitrary<FuzzCase>, seed: number) => {
    const problems: string[] = [];
    for (const c of fc.sample(arbitrary, { numRuns: 5, seed })) {
      const request = buildRequest(c, world);
      const response = await world.http.send(request);
      problems.push(...violations(c, request, response, world).map((problem) => `${request.method} ${request.path.slice(0, 80)}: ${problem}`));
    }
    return problems;
  };

  test('answers a path with a broken %-escape (GET /api/orders/%zz) with the error envelope', async () => {
    expect(await problemsOf(badUrlCase, 1)).toEqual([]);
  });

  test('answers an order id longer than 100 characters with the error envelope, not the router 414 body', async () => {
    expect(await problemsOf(longIdCase, 2)).toEqual([]);
  });

  test('refuses waitSeconds=Infinity (and 1e999, -Infinity) as VALIDATION_FAILED', async () => {
    expect(await problemsOf(infiniteWaitCase, 3)).toEqual([]);
  });

  test('answers a request head past 16 KB with the error envelope, not the 431 client-error body', async () => {
    expect(await problemsOf(hugeHeadCase, 4)).toEqual([]);
  });
});
