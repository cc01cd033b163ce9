// Two server processes on one PostgreSQL database, in live mode against the simulator process: what a load balancer in front of them relies on.
import path from 'node:path';
import pg from 'pg';
import type { SimulatorStats } from '../../server/simulator/types';
import { closeHttp, request, type Answer } from '../../scripts/lib/http';
import { freePort, HOST, makeTempDir, sleep, startServer, startSimulator, stopProcess, waitReady, type NodeProcess } from '../../scripts/lib/proc';
import { templateIdFor } from '../../server/simulator';
import { SIMULATOR_CREDENTIALS } from '../../server/simulator/settings';
import { startEventsReceiver, type EventsReceiver } from '../../scripts/lib/events-receiver';
import { CART } from './helpers';
import { createDatabase, dropDatabase, newDatabaseName, postgresAvailable, terminateConnections } from './postgres-helpers';

const describePostgres = postgresAvailable ? describe : describe.skip;
/** The simulator's "payment succeeded" template, configured on both instances (live mode sends none unless set). */
const PAYMENT_TEMPLATE = templateIdFor(SIMULATOR_CREDENTIALS.wechatAppId, 'paymentSucceeded');
jest.setTimeout(60_000);

interface ApiOrder {
  id: string;
  status: string;
  paymentIntentId: string | null;
}

describePostgres('[postgres] two instances on one database', () => {
  const database = newDatabaseName();
  const secret = 'whsec_multi_instance';
  const adminToken = 'admin-token-multi-instance-0123456789';
  let dir: string;
  let databaseUrl: string;
  let simPort: number;
  let simulatorUrl: string;
  let simulator: NodeProcess;
  const instances: Record<'a' | 'b', { url: string; proc: NodeProcess }> = {} as never;
  let start: (name: 'a' | 'b', port: number, env?: Record<string, string>) => void;
  // The merchant's system, which both instances deliver order events to: slow to answer, and refusing each event's first try.
  const eventsSecret = 'events-secret-multi-instance-0123456789';
  let receiver: EventsReceiver;

  beforeAll(async () => {
    dir = makeTempDir('wechatpay-multi-');
    receiver = await startEventsReceiver({
      secret: eventsSecret,
      answer: async (delivery) => {
        await sleep(150);
        return receiver.deliveries.filter((d) => d.id === delivery.id).length === 1 ? 500 : 200;
      },
    });
    databaseUrl = await createDatabase(database);
    simPort = await freePort();
    const [portA, portB] = [await freePort(), await freePort()];
    simulatorUrl = `http://${HOST}:${simPort}`;
    // Webhooks go to A only, as when Airwallex's endpoint points at one address.
    simulator = startSimulator({ port: simPort, serverPort: portA, secret, databasePath: ':memory:' });
    start = (name: 'a' | 'b', port: number, env: Record<string, string> = {}) => {
      const proc = startServer({
        port,
        simPort,
        secret,
        databasePath: path.join(dir, 'unused.sqlite'),
        logLevel: 'info',
        stdoutFile: path.join(dir, `${name}.log`),
        // No sweep during the tests: every retrieve counted below is a long poll's fallback.
        env: { DATABASE_URL: databaseUrl, SWEEP_INTERVAL_SECONDS: '3600', ADMIN_TOKEN: adminToken, WECHAT_TEMPLATE_PAYMENT_SUCCEEDED: PAYMENT_TEMPLATE, EVENTS_URL: receiver.url, EVENTS_SECRET: eventsSecret, EVENTS_FIRST_RETRY_MS: '50', ...env },
      });
      instances[name] = { url: `http://${HOST}:${port}`, proc };
    };
    // Both at the same moment on an empty database: one migrates, the other waits for the lock.
    start('a', portA);
    // B's long polls re-check the order only every 60 s, beyond their 20 s wait: a long poll on B
    // that answers early was woken by a change notification, never by its own fallback.
    start('b', portB, { LONG_POLL_RECHECK_MS: '60000' });
    await Promise.all([
      waitReady(simulator, `${simulatorUrl}/simulator/stats`),
      waitReady(instances.a.proc, `${instances.a.url}/readyz`),
      waitReady(instances.b.proc, `${instances.b.url}/readyz`),
    ]);
  });

  afterAll(async () => {
    await Promise.all([...Object.values(instances).map((i) => stopProcess(i.proc, 'SIGTERM')), simulator && stopProcess(simulator, 'SIGTERM')]);
    closeHttp();
    await receiver?.close();
    await dropDatabase(database);
  });

  const session = async (on: string, shopper: string) => {
    const code = await request<{ code: string }>('POST', `${simulatorUrl}/simulator/wechat/login`, { body: { shopper } });
    const answer = await request<{ token: string }>('POST', `${on}/api/sessions`, { body: { code: code.body.code } });
    expect(answer.status).toBe(201);
    return answer.body.token;
  };
  const stats = async () => (await request<SimulatorStats>('GET', `${simulatorUrl}/simulator/stats`)).body;
  const intentsOf = async (orderId: string) =>
    (await request<{ items: Array<{ merchant_order_id: string }> }>('GET', `${simulatorUrl}/simulator/airwallex/_intents`)).body.items.filter(
      (intent) => intent.merchant_order_id === orderId,
    );
  const payable = async (on: string, token: string) => {
    const created = await request<{ order: ApiOrder }>('POST', `${on}/api/orders`, { token, body: CART });
    expect(created.status).toBe(201);
    const payment = await request<{ order: ApiOrder; requestPayment: { package: string } }>('POST', `${on}/api/orders/${created.body.order.id}/payment`, { token });
    expect(payment.status).toBe(200);
    return { order: payment.body.order, pkg: payment.body.requestPayment.package };
  };
  const pay = async (pkg: string) => {
    const sheet = await request<{ errMsg: string }>('POST', `${simulatorUrl}/simulator/wechat/pay`, { body: { package: pkg, outcome: 'pay' } });
    expect(sheet.body.errMsg).toBe('requestPayment:ok');
  };
  /**
   * A long poll on B (20 s, its fallback re-check off for 60 s) while the webhook lands on A. Proof
   * that B was woken by A's change: Server-Timing shows the request waited, and stopped waiting
   * long before its 20 s were up; no retrieve was made at all.
   */
  const wakeAcross = async (token: string) => {
    const { order, pkg } = await payable(instances.a.url, token);
    const retrievesBefore = (await stats()).airwallex.calls.retrieve;
    const poll = request<{ order: ApiOrder }>('GET', `${instances.b.url}/api/orders/${order.id}?waitSeconds=20&unlessStatus=${order.status}`, { token });
    await sleep(300); // let the long poll start waiting (if it has not, `wait` below is 0 and the test fails)
    const paidAt = performance.now();
    await pay(pkg);
    const answer = await poll;
    const wokeAfterMs = performance.now() - paidAt;
    expect(answer.status).toBe(200);
    expect(answer.body.order.status).toBe('paid');
    expect(answer.timing.wait).toBeGreaterThan(0);
    expect(answer.timing.wait).toBeLessThan(10_000);
    expect((await stats()).airwallex.calls.retrieve - retrievesBefore).toBe(0);
    return { answer, wokeAfterMs };
  };

  test('came up together on the empty database, and both say they are ready', async () => {
    for (const instance of Object.values(instances)) {
      const ready = await request<{ status: string }>('GET', `${instance.url}/readyz`);
      expect(ready).toMatchObject({ status: 200, body: { status: 'ready' } });
    }
  });

  test('a session made on one instance works on the other', async () => {
    const token = await session(instances.a.url, 'mia');
    const onB = await request<{ orders: ApiOrder[] }>('GET', `${instances.b.url}/api/orders`, { token });
    expect(onB.status).toBe(200);
  });

  test('guesses of the admin token spread over both instances spend one budget (10 a minute per address), counted in the database', async () => {
    // From one client behind the trusted proxy (TRUST_PROXY=127.0.0.1): its own address, so the other tests' budget is untouched.
    const headers = { 'x-forwarded-for': '203.0.113.77' };
    const statuses = [];
    for (let i = 0; i < 14; i++) {
      const on = i % 2 ? instances.b : instances.a;
      statuses.push((await request('GET', `${on.url}/admin/api/orders`, { token: `guess-${i}-0123456789abcdefghijkl`, headers })).status);
    }
    expect(statuses).toEqual([...Array(10).fill(401), ...Array(4).fill(429)]);
    // The right token, from that address, on either instance: refused too until the minute is over.
    for (const instance of Object.values(instances)) expect((await request('GET', `${instance.url}/admin/api/orders`, { token: adminToken, headers })).status).toBe(429);
    expect((await request('GET', `${instances.b.url}/admin/api/orders`, { token: adminToken })).status).toBe(200);
  });

  test('the same Idempotency-Key sent to both at once makes one order with one intent', async () => {
    const token = await session(instances.a.url, 'noah');
    for (let round = 0; round < 3; round++) {
      const headers = { 'idempotency-key': `both-at-once-${round}` };
      const answers = await Promise.all(
        [instances.a, instances.b, instances.a, instances.b].map((i) => request<{ order: ApiOrder }>('POST', `${i.url}/api/orders`, { token, body: CART, headers })),
      );
      expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
      const ids = new Set(answers.map((a) => a.body.order.id));
      expect(ids.size).toBe(1);
      expect(await intentsOf(answers[0].body.order.id)).toHaveLength(1);
    }
  });

  test('a long poll on B wakes when the webhook lands on A, long before its retrieve fallback', async () => {
    const token = await session(instances.b.url, 'olga');
    const { wokeAfterMs } = await wakeAcross(token);
    // Informational only (shared CPUs): the assertion that matters is "no retrieve" above.
    process.stderr.write(`long poll on B woke ${wokeAfterMs.toFixed(1)} ms after the pay answer (webhook on A)\n`);
  });

  test('after every database connection is cut (as in a restart), waiting long polls still get their answer and wake-ups work again', async () => {
    const token = await session(instances.a.url, 'paul');
    const { order, pkg } = await payable(instances.a.url, token);
    const poll = request<{ order: ApiOrder }>('GET', `${instances.b.url}/api/orders/${order.id}?waitSeconds=20&unlessStatus=${order.status}`, { token });
    await sleep(300);
    expect(await terminateConnections(database)).toBeGreaterThanOrEqual(4); // pools and LISTEN connections of A and B
    await pay(pkg);
    const answer: Answer<{ order: ApiOrder }> = await poll;
    expect(answer.body.order.status).toBe('paid');
    expect(answer.timing.wait).toBeLessThan(10_000); // not the end of its 20 s wait: a notification or the re-check after reconnecting
    // Both listeners are back: B's long polls are woken by A's changes again, without retrieves.
    for (const instance of Object.values(instances)) await waitReady(instance.proc, `${instance.url}/readyz`, 10_000);
    await wakeAcross(token);
  });

  test('the same confirm sent to both instances at once is one attempt at Airwallex: both answers carry the same package', async () => {
    const token = await session(instances.a.url, 'rosa');
    for (let round = 0; round < 3; round++) {
      const created = await request<{ order: ApiOrder }>('POST', `${instances.a.url}/api/orders`, { token, body: CART });
      // A slow Airwallex: both instances read the order (confirm count 0) before either confirm is answered.
      await request('POST', `${simulatorUrl}/simulator/faults`, { body: { latencyMs: 300 } });
      let answers: Array<Answer<{ requestPayment: { package: string } }>>;
      try {
        answers = await Promise.all(
          [instances.a, instances.b].map((i) => request<{ requestPayment: { package: string } }>('POST', `${i.url}/api/orders/${created.body.order.id}/payment`, { token })),
        );
      } finally {
        await request('DELETE', `${simulatorUrl}/simulator/faults`);
      }
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      // One confirm applied (same request_id from both); had there been two, the first package's prepay would be replaced.
      expect(answers[0].body.requestPayment.package).toBe(answers[1].body.requestPayment.package);
      await pay(answers[0].body.requestPayment.package);
    }
  });

  test('a refund made through A wakes a long poll on B waiting for refunds (no fallback re-check)', async () => {
    const token = await session(instances.a.url, 'sam');
    const { order, pkg } = await payable(instances.a.url, token);
    await pay(pkg);
    const paid = await request<{ order: ApiOrder }>('GET', `${instances.b.url}/api/orders/${order.id}?waitSeconds=20&unlessStatus=${order.status}`, { token });
    expect(paid.body.order.status).toBe('paid');
    const poll = request<{ order: ApiOrder & { refunds: unknown[] } }>('GET', `${instances.b.url}/api/orders/${order.id}?waitSeconds=20&unlessStatus=paid&refundsSince=0`, { token });
    await sleep(300);
    const refund = await request('POST', `${instances.a.url}/admin/api/orders/${order.id}/refunds`, { token: adminToken, body: { amount: 100 }, headers: { 'idempotency-key': `refund-${order.id}` } });
    expect(refund.status).toBe(201);
    const answer = await poll;
    expect(answer.body.order.refunds).toHaveLength(1);
    expect(answer.timing.wait).toBeGreaterThan(0);
    expect(answer.timing.wait).toBeLessThan(10_000); // B's own re-check is every 60 s: only A's notification answers this early
  });

  test('both instances deliver order events from the one outbox: each event taken, never tried by both at once, in order per order', async () => {
    const token = await session(instances.a.url, 'otto');
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const on = i % 2 === 0 ? instances.a.url : instances.b.url;
      const { order, pkg } = await payable(on, token);
      await pay(pkg);
      ids.push(order.id);
      // Half of them refunded through the other instance: refund.succeeded must follow order.paid.
      if (i % 2 === 1) {
        await request<{ order: ApiOrder }>('GET', `${on}/api/orders/${order.id}?waitSeconds=20&unlessStatus=${order.status}`, { token });
        const refund = await request('POST', `${instances.a.url}/admin/api/orders/${order.id}/refunds`, { token: adminToken, body: { amount: 100 }, headers: { 'idempotency-key': `events-${order.id}` } });
        expect(refund.status).toBe(201);
      }
    }
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    try {
      const outbox = async () => (await pool.query<{ id: string; order_id: string; type: string; state: string }>('SELECT id, order_id, type, state FROM outbox WHERE order_id = ANY($1) ORDER BY seq', [ids])).rows;
      const deadline = Date.now() + 30_000;
      while ((await outbox()).filter((e) => e.type === 'refund.succeeded').length < 3 || (await outbox()).some((e) => e.state !== 'delivered')) {
        if (Date.now() > deadline) throw new Error(`events not delivered: ${JSON.stringify(await outbox())}`);
        await sleep(100);
      }
      const events = await outbox();
      expect(events.filter((e) => e.type === 'order.paid')).toHaveLength(6);
      for (const event of events) {
        const tries = receiver.deliveries.filter((d) => d.id === event.id);
        // Refused once, then taken: the same id on each try, and never two tries in flight at once.
        expect([event.id, tries.map((d) => d.status)]).toEqual([event.id, [500, 200]]);
        expect(tries[1].receivedAt).toBeGreaterThanOrEqual(tries[0].answeredAt!);
      }
      for (const id of ids) {
        const mine = events.filter((e) => e.order_id === id);
        const firstTry = (eventId: string) => receiver.deliveries.findIndex((d) => d.id === eventId);
        const taken = (eventId: string) => receiver.deliveries.findIndex((d) => d.id === eventId && d.status === 200);
        for (let i = 1; i < mine.length; i++) expect(firstTry(mine[i].id)).toBeGreaterThan(taken(mine[i - 1].id));
      }
    } finally {
      await pool.end();
    }
  });

  test('two instances sweeping at the same time never check one order twice in a pass (leased claims)', async () => {
    const token = await session(instances.a.url, 'tara');
    // Airwallex refuses every intent create from now on: these orders stay without an intent, and each
    // sweep check of one (finishing its create) fails and leaves a numbered failure on the order's
    // timeline. A second check of an order in the same pass would repeat a number.
    await request('POST', `${simulatorUrl}/simulator/faults`, { body: { endpoints: { create: { errorRate5xx: 1 } } } });
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const sweepers: NodeProcess[] = [];
    try {
      const creates = await Promise.all(Array.from({ length: 12 }, () => request('POST', `${instances.a.url}/api/orders`, { token, body: CART })));
      expect(new Set(creates.map((c) => c.status))).toEqual(new Set([503]));
      const orderIds = (await db.query<{ id: string }>('SELECT id FROM orders WHERE payment_intent_id IS NULL AND next_check_at IS NOT NULL')).rows.map((row) => row.id);
      expect(orderIds).toHaveLength(12);
      for (const name of ['c', 'd']) {
        const port = await freePort();
        const proc = startServer({
          port,
          simPort,
          secret,
          databasePath: path.join(dir, 'unused.sqlite'),
          stdoutFile: path.join(dir, `${name}.log`),
          env: { DATABASE_URL: databaseUrl, SWEEP_INTERVAL_SECONDS: '1' },
        });
        sweepers.push(proc);
        await waitReady(proc, `http://${HOST}:${port}/readyz`);
      }
      await db.query('UPDATE orders SET next_check_at = 0 WHERE id = ANY($1)', [orderIds]);
      const failuresOf = async () => {
        const { rows } = await db.query<{ order_id: string; failures: number }>(
          "SELECT order_id, (data->>'failures')::int AS failures FROM order_events WHERE kind = 'sweep' AND order_id = ANY($1) ORDER BY id",
          [orderIds],
        );
        const byOrder = new Map(orderIds.map((id) => [id, [] as number[]]));
        for (const row of rows) byOrder.get(row.order_id)!.push(row.failures);
        return byOrder;
      };
      const deadline = Date.now() + 40_000;
      while ([...(await failuresOf()).values()].some((failures) => failures.length < 2) && Date.now() < deadline) await sleep(250);
      await Promise.all(sweepers.map((proc) => stopProcess(proc, 'SIGTERM')));
      for (const [orderId, failures] of await failuresOf()) {
        expect({ orderId, failures }).toEqual({ orderId, failures: failures.map((_, i) => i + 1) });
        expect(failures.length).toBeGreaterThanOrEqual(2);
      }
    } finally {
      await Promise.all(sweepers.map((proc) => stopProcess(proc, 'SIGKILL')));
      await request('DELETE', `${simulatorUrl}/simulator/faults`);
      await db.end();
    }
  });

  test('subscription messages sent by both instances at once share one WeChat access token: the simulator issues one', async () => {
    const tokens = [await session(instances.a.url, 'uma'), await session(instances.b.url, 'vic')];
    const orders: ApiOrder[] = [];
    for (const token of tokens) {
      const { order, pkg } = await payable(instances.a.url, token);
      await pay(pkg);
      const paid = await request<{ order: ApiOrder }>('GET', `${instances.a.url}/api/orders/${order.id}?waitSeconds=20&unlessStatus=awaiting_payment`, { token });
      expect(paid.body.order.status).toBe('paid');
      orders.push(paid.body.order);
    }
    for (const shopper of ['uma', 'vic']) await request('POST', `${simulatorUrl}/simulator/wechat/_subscriptions`, { body: { shopper, results: { [PAYMENT_TEMPLATE]: 'accept' } } });
    expect((await stats()).wechat.apis.stable_token.calls).toBe(0);
    // Accepts told after the payment: each instance sends at once, both needing a token at the same moment.
    const told = await Promise.all(
      [instances.a, instances.b].map((i, n) => request('POST', `${i.url}/api/orders/${orders[n].id}/subscriptions`, { token: tokens[n], body: { results: { [PAYMENT_TEMPLATE]: 'accept' } } })),
    );
    expect(told.map((answer) => answer.status)).toEqual([200, 200]);
    const sent = async () => (await request<{ items: Array<{ shopper: string }> }>('GET', `${simulatorUrl}/simulator/wechat/_messages`)).body.items.map((m) => m.shopper).sort();
    const deadline = Date.now() + 10_000;
    while ((await sent()).length < 2 && Date.now() < deadline) await sleep(100);
    expect(await sent()).toEqual(['uma', 'vic']);
    expect((await stats()).wechat.apis.stable_token.calls).toBe(1);
  });

  test('with A killed, B alone finishes payments, also one begun on A (webhooks to A are lost; B retrieves)', async () => {
    // B back with the default 1 s fallback: without A, retrieving is the only way to learn of a payment.
    await stopProcess(instances.b.proc, 'SIGTERM');
    start('b', Number(new URL(instances.b.url).port));
    await waitReady(instances.b.proc, `${instances.b.url}/readyz`);
    const token = await session(instances.a.url, 'quinn');
    const begunOnA = await payable(instances.a.url, token);
    process.kill(instances.a.proc.pid, 'SIGKILL');
    await instances.a.proc.exited;
    await pay(begunOnA.pkg);
    const first = await request<{ order: ApiOrder }>('GET', `${instances.b.url}/api/orders/${begunOnA.order.id}?waitSeconds=20&unlessStatus=awaiting_payment`, { token });
    expect(first.body.order.status).toBe('paid');
    const { order, pkg } = await payable(instances.b.url, token);
    await pay(pkg);
    const answer = await request<{ order: ApiOrder }>('GET', `${instances.b.url}/api/orders/${order.id}?waitSeconds=20&unlessStatus=${order.status}`, { token });
    expect(answer.body.order.status).toBe('paid');
  });
});
