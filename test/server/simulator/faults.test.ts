// Injected faults: 5xx and 429 that apply nothing, timeouts that apply and lose the answer, latency, controls, env vars.
import { faultsFromEnv } from '../../../server/simulator';
import { airwallex, call, createIntent, CREDENTIALS, login, requestId, startSimulator, type Harness, waitFor } from './helpers';

let h: Harness;
let token: string;

beforeEach(async () => {
  h = await startSimulator();
  token = await login(h);
});
afterEach(() => h.close());

describe('faults', () => {
  it('answers a 5xx internal_error without creating anything, so a retry with the same request_id succeeds', async () => {
    h.sim.setFaults({ endpoints: { create: { errorRate5xx: 1 } } });
    const rid = requestId();
    const failed = await createIntent(h, token, { request_id: rid });
    expect([500, 502, 503]).toContain(failed.status);
    expect(failed.body).toMatchObject({ code: 'internal_error', trace_id: expect.any(String) });
    expect(h.sim.listIntents()).toHaveLength(0);
    // Other endpoints are untouched by a per-endpoint fault.
    expect((await airwallex(h, token, 'GET', '/api/v1/pa/payment_intents/int_x')).status).toBe(404);

    h.sim.resetFaults();
    expect((await createIntent(h, token, { request_id: rid })).status).toBe(201);
    expect(h.sim.stats().airwallex.faults['5xx']).toBe(1);
  });

  it('answers 429 too_many_requests without applying the operation', async () => {
    h.sim.setFaults({ errorRate429: 1 });
    const answer = await createIntent(h, token);
    expect(answer.status).toBe(429);
    expect(answer.body.code).toBe('too_many_requests');
    expect(h.sim.listIntents()).toHaveLength(0);
  });

  it('applies the operation under a timeout, drops the connection, and a retry gets duplicate_request', async () => {
    h.sim.setFaults({ endpoints: { create: { timeoutRate: 1 } }, timeoutHoldMs: 150 });
    const rid = requestId();
    const started = Date.now();
    await expect(createIntent(h, token, { request_id: rid, merchant_order_id: 'ORD-lost' })).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(h.sim.listIntents().map((i) => i.merchant_order_id)).toEqual(['ORD-lost']);
    expect(h.sim.stats().airwallex.faults.timeout).toBe(1);

    h.sim.resetFaults();
    const retry = await createIntent(h, token, { request_id: rid, merchant_order_id: 'ORD-lost' });
    expect(retry.body.code).toBe('duplicate_request');
    const recovered = await airwallex(h, token, 'GET', '/api/v1/pa/payment_intents?merchant_order_id=ORD-lost');
    expect(recovered.body.items).toHaveLength(1);
  });

  it('stops holding a timed-out answer as soon as the client gives up', async () => {
    h.sim.setFaults({ timeoutRate: 1, timeoutHoldMs: 60_000 });
    const started = Date.now();
    await expect(
      fetch(`${h.airwallex}/api/v1/pa/payment_intents/int_x`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(50) }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(10_000); // far below the 60 s hold
    // afterEach closes the app: it must not wait for the 60 s hold either.
  });

  it('lets the app close promptly while an answer is being held', async () => {
    h.sim.setFaults({ timeoutRate: 1, timeoutHoldMs: 60_000 });
    const pending = fetch(`${h.airwallex}/api/v1/pa/payment_intents/int_x`, { headers: { authorization: `Bearer ${token}` } });
    const outcome = pending.then(
      () => 'answered',
      () => 'dropped',
    );
    await waitFor(() => h.sim.stats().airwallex.faults.timeout === 1, 1000, 'the held call');
    const started = Date.now();
    await h.app.close();
    expect(Date.now() - started).toBeLessThan(10_000); // far below the 60 s hold
    expect(await outcome).toBe('dropped');
  });

  it('adds latencyMs to every Airwallex answer', async () => {
    h.sim.setFaults({ latencyMs: 120 });
    const started = Date.now();
    await airwallex(h, token, 'GET', '/api/v1/pa/payment_intents/int_x');
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('decides faults from a seed reproducibly', async () => {
    const statuses = async (): Promise<number[]> => {
      const seeded = await startSimulator({ faults: { seed: 42, errorRate5xx: 0.5 } });
      try {
        const out: number[] = [];
        for (let i = 0; i < 12; i++) {
          out.push(
            (await call(`${seeded.airwallex}/api/v1/authentication/login`, { method: 'POST', headers: { 'x-client-id': CREDENTIALS.clientId, 'x-api-key': CREDENTIALS.apiKey } })).status,
          );
        }
        return out;
      } finally {
        await seeded.close();
      }
    };
    const first = await statuses();
    expect(first).toContain(201);
    expect(first.some((s) => s >= 500)).toBe(true);
    expect(await statuses()).toEqual(first);
  });
});

describe('fault controls', () => {
  it('merges a patch on POST /simulator/faults and resets on DELETE', async () => {
    const merged = await call(`${h.base}/faults`, { method: 'POST', body: { latencyMs: 5, endpoints: { confirm: { timeoutRate: 0.5 } } } });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({ latencyMs: 5, errorRate5xx: 0, endpoints: { confirm: { timeoutRate: 0.5 } } });
    const again = await call(`${h.base}/faults`, { method: 'POST', body: { endpoints: { confirm: { errorRate429: 0.1 } } } });
    expect(again.body.endpoints.confirm).toEqual({ timeoutRate: 0.5, errorRate429: 0.1 });
    expect(h.sim.getFaults().latencyMs).toBe(5);

    const reset = await call(`${h.base}/faults`, { method: 'DELETE' });
    expect(reset.body).toMatchObject({ latencyMs: 0, endpoints: {} });
  });

  it('refuses a garbage patch with 400 and names each problem', async () => {
    const answer = await call(`${h.base}/faults`, { method: 'POST', body: { errorRate5xx: 2, nonsense: true, endpoints: { refund: {} } } });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('validation_error');
    expect(answer.body.message).toContain('errorRate5xx');
    expect(answer.body.message).toContain('nonsense');
    expect(answer.body.message).toContain('refund');
    expect(h.sim.getFaults().errorRate5xx).toBe(0);
  });

  it('resets counters with resetStats', async () => {
    await createIntent(h, token);
    expect(h.sim.stats().airwallex.calls.create).toBe(1);
    h.sim.resetStats();
    expect(h.sim.stats().airwallex.calls.create).toBe(0);
  });
});

describe('faultsFromEnv', () => {
  it('reads every documented variable, including per-endpoint overrides', () => {
    expect(
      faultsFromEnv({
        SIMULATOR_LATENCY_MS: '25',
        SIMULATOR_ERROR_RATE_5XX: '0.1',
        SIMULATOR_ERROR_RATE_429: '0.05',
        SIMULATOR_TIMEOUT_RATE: '0.02',
        SIMULATOR_TIMEOUT_HOLD_MS: '5000',
        SIMULATOR_TIMEOUT_RATE_CONFIRM: '0.5',
        SIMULATOR_WEBHOOK_DROP_RATE: '0.1',
        SIMULATOR_WEBHOOK_DUPLICATE_RATE: '0.2',
        SIMULATOR_WEBHOOK_REORDER_RATE: '0.3',
        SIMULATOR_WEBHOOK_DELAY_MS: '100',
        SIMULATOR_WECHAT_BUSY_RATE: '0.4',
        SIMULATOR_SEED: '7',
        UNRELATED: 'x',
      }),
    ).toEqual({
      latencyMs: 25,
      errorRate5xx: 0.1,
      errorRate429: 0.05,
      timeoutRate: 0.02,
      timeoutHoldMs: 5000,
      endpoints: { confirm: { timeoutRate: 0.5 } },
      webhookDropRate: 0.1,
      webhookDuplicateRate: 0.2,
      webhookReorderRate: 0.3,
      webhookDelayMs: 100,
      wechatBusyRate: 0.4,
      seed: 7,
    });
  });

  it('returns nothing for an empty environment', () => {
    expect(faultsFromEnv({ SIMULATOR_LATENCY_MS: '' })).toEqual({});
  });

  it('throws naming every invalid variable', () => {
    expect(() => faultsFromEnv({ SIMULATOR_ERROR_RATE_5XX: '1.5', SIMULATOR_LATENCY_MS: 'slow' })).toThrow(
      /SIMULATOR_ERROR_RATE_5XX[\s\S]*SIMULATOR_LATENCY_MS|SIMULATOR_LATENCY_MS[\s\S]*SIMULATOR_ERROR_RATE_5XX/,
    );
  });
});
