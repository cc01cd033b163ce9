// The sweep: orders past their lifetime are cancelled upstream and expire, unless Airwallex says they were paid.
import { CART, startTestServer, testConfig, type TestServer } from './helpers';

let server: TestServer;
let token: string;
beforeEach(async () => {
  server = await startTestServer(testConfig({}, { orderLifetimeSeconds: 1 }));
  token = await server.sessionFor('ursula');
});
afterEach(async () => {
  await server.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the sweep', () => {
  test('expires an unpaid order past its lifetime and cancels its intent upstream', async () => {
    const order = (await server.request('POST', '/api/orders', { token, body: CART })).body.order;
    await sleep(1_100);
    const report = await server.sweeper.sweepOnce();
    expect(report.expired).toBe(1);
    const read = await server.request('GET', `/api/orders/${order.id}`, { token });
    expect(read.body.order.status).toBe('expired');
    expect(server.simulator!.listIntents()[0].status).toBe('CANCELLED');
    const pay = await server.request('POST', `/api/orders/${order.id}/payment`, { token });
    expect(pay.status).toBe(409);
    expect(pay.body.error.code).toBe('ORDER_NOT_PAYABLE');
  });

  test('marks an order paid, not expired, when Airwallex says it was paid', async () => {
    server.simulator!.setFaults({ webhookDropRate: 1 });
    const order = (await server.request('POST', '/api/orders', { token, body: CART })).body.order;
    const payment = await server.request('POST', `/api/orders/${order.id}/payment`, { token });
    await server.pay(payment.body.requestPayment.package);
    await sleep(1_100);
    await server.sweeper.sweepOnce();
    const read = await server.request('GET', `/api/orders/${order.id}`, { token });
    expect(read.body.order.status).toBe('paid');
    expect(server.simulator!.listIntents()[0].status).toBe('SUCCEEDED');
  });

  test('refuses to start a payment on an order past its lifetime', async () => {
    const order = (await server.request('POST', '/api/orders', { token, body: CART })).body.order;
    await sleep(1_100);
    const pay = await server.request('POST', `/api/orders/${order.id}/payment`, { token });
    expect(pay.status).toBe(409);
    expect(pay.body.error.code).toBe('ORDER_NOT_PAYABLE');
  });
});
