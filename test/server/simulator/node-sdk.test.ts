// Wire compatibility with Airwallex's official Node SDK (@airwallex/node-sdk, beta; a devDependency only):
// it logs in, creates, retrieves and lists refunds against the simulator, and nothing leaves the machine.
import net from 'node:net';
import { Airwallex, NotFoundError, ValidationError } from '@airwallex/node-sdk';
import * as sdkCore from '@airwallex/node-sdk/dist/airwallex.core';
import { CREDENTIALS, eventually, login, paidIntent, requestId, startSimulator, type Harness } from './helpers';

/*
 * The SDK has no base URL option: `env` only picks https://api-<env>.airwallex.com or
 * https://api.airwallex.com, through the public `basePath` getter its constructor reads to build
 * its axios client. A subclass overriding that getter points it at the simulator without patching
 * the SDK. The constructor reads it before a subclass field could be set, hence the module variable.
 */
let simulatorBase = '';
class SimulatorAirwallex extends Airwallex {
  override get basePath(): string {
    return simulatorBase;
  }

  // Only used by the telemetry client, which enableTelemetry: false never creates; local anyway.
  override get metricsBasePath(): string {
    return `${simulatorBase}/no-telemetry`;
  }
}

let h: Harness;
let sdk: SimulatorAirwallex;
let connectSpy: jest.SpyInstance;
/** Every TCP destination opened in this process during the test: fetch, axios, and anything the SDK might try. */
const destinations: string[] = [];

function destination(args: unknown[]): string {
  // net.connect() hands Socket#connect a normalised [options, callback] array; direct calls pass options or (port, host).
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (typeof first === 'object' && first !== null) {
    const options = first as { host?: string; port?: number; path?: string };
    return options.path ?? `${options.host ?? 'localhost'}:${options.port}`;
  }
  return `${String(args[1] ?? 'localhost')}:${String(first)}`;
}

beforeAll(async () => {
  const connect = net.Socket.prototype.connect;
  connectSpy = jest.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (this: net.Socket, ...args: unknown[]) {
    destinations.push(destination(args));
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  });
  h = await startSimulator({ faults: { refundAcceptDelayMs: 10, refundSettleDelayMs: 10 } });
  simulatorBase = h.airwallex;
  sdk = new SimulatorAirwallex({
    clientId: CREDENTIALS.clientId,
    apiKey: CREDENTIALS.apiKey,
    env: 'demo',
    enableTelemetry: false,
    timeout: 10_000,
  });
});

afterAll(async () => {
  sdk._cleanup(); // the SDK's 20-minute token timer is not unref()'d
  connectSpy.mockRestore();
  await h.close();
});

describe('@airwallex/node-sdk against the simulator', () => {
  it('creates, retrieves and lists refunds, and sees them on the intent', async () => {
    const intent = await paidIntent(h, await login(h));
    const rid = requestId();
    const refund = await sdk.paymentAcceptance.refunds.createRefund({ request_id: rid, payment_intent_id: intent.id, amount: 2.5, reason: 'SDK test' });
    expect(refund).toMatchObject({
      id: expect.stringMatching(/^rfd_/),
      request_id: rid,
      payment_intent_id: intent.id,
      payment_attempt_id: intent.latest_payment_attempt.id,
      amount: 2.5,
      currency: 'CNY',
      reason: 'SDK test',
      status: 'RECEIVED',
    });

    const settled = await eventually(() => sdk.paymentAcceptance.refunds.retrieveRefund(refund.id!), (r) => r.status === 'SETTLED', 5000, 'SETTLED via the SDK');
    expect(settled).toMatchObject({ id: refund.id, amount: 2.5 });
    // The SDK turns timestamps into Date-typed ISO strings: ours must parse.
    expect(Number.isNaN(Date.parse(String(settled.updated_at)))).toBe(false);

    const rest = await sdk.paymentAcceptance.refunds.createRefund({ request_id: requestId(), payment_attempt_id: intent.latest_payment_attempt.id });
    expect(rest.amount).toBe(10);

    const listed = await sdk.paymentAcceptance.refunds.listRefunds({ payment_intent_id: intent.id, page_num: 0, page_size: 1 });
    expect(listed.has_more).toBe(true);
    expect(listed.items?.map((r) => r.id)).toEqual([rest.id]);
    const all = await sdk.paymentAcceptance.refunds.listRefunds({ payment_intent_id: intent.id, status: 'RECEIVED,ACCEPTED,SETTLED' });
    expect(all.items?.map((r) => r.id)).toEqual([rest.id, refund.id]);

    const now = await sdk.paymentAcceptance.paymentIntents.retrievePaymentIntent(intent.id);
    expect(now.status).toBe('SUCCEEDED');
    expect(now.latest_payment_attempt?.refunded_amount).toBe(12.5);
  });

  it('gets the SDK\'s typed errors carrying the Airwallex codes', async () => {
    const intent = await paidIntent(h, await login(h));
    const rid = requestId();
    await sdk.paymentAcceptance.refunds.createRefund({ request_id: rid, payment_intent_id: intent.id, amount: 1 });
    const duplicate = sdk.paymentAcceptance.refunds.createRefund({ request_id: rid, payment_intent_id: intent.id, amount: 1 });
    await expect(duplicate).rejects.toBeInstanceOf(ValidationError);
    await expect(duplicate).rejects.toMatchObject({ status: 400, data: { code: 'duplicate_request' } });
    await expect(sdk.paymentAcceptance.refunds.createRefund({ request_id: requestId(), payment_intent_id: intent.id, amount: 100 })).rejects.toMatchObject({
      data: { code: 'amount_above_limit' },
    });
    await expect(sdk.paymentAcceptance.refunds.retrieveRefund('rfd_nope')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('sent nothing anywhere but the simulator: no telemetry client, every connection to 127.0.0.1', () => {
    expect(sdkCore.analyticsClient).toBeUndefined();
    // Loopback only (another test file run earlier in this jest worker may still touch its own local ports).
    expect(destinations).toContain(`127.0.0.1:${new URL(h.base).port}`);
    expect(destinations.filter((d) => !/^127\.0\.0\.1:\d+$/.test(d))).toEqual([]);
    // The SDK's calls reached the simulator (it logs in lazily, once).
    const calls = h.sim.stats().airwallex.calls;
    expect(calls.refund_create).toBeGreaterThanOrEqual(5);
    expect(calls.refund_list).toBe(2);
  });
});
