// A receiver of order events (the merchant's side of EVENTS_URL): an HTTP server that verifies each delivery's signature as
// docs/events.md shows, keeps every delivery it got in arrival order, and answers as told (200, 500 half of the time, or
// never). `npm run events:listen` prints what it gets; chaos, the bench and the tests check what it kept.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OrderEvent } from '../../server/contract-admin';
import { signatureMatches } from '../../server/signature';

/** One delivery as received, in arrival order. */
export interface Delivery {
  /** x-event-id */
  id: string;
  timestamp: string;
  /** Whether x-signature is the signature of this body with the secret, and x-event-id the body's id. */
  verified: boolean;
  /** Why not, when not. */
  problem?: string;
  event: OrderEvent | undefined;
  body: string;
  /** What the receiver answered (0: it never answered). */
  status: number;
  receivedAt: number;
  /** When the answer went out (undefined: never). */
  answeredAt?: number;
}

/** How the receiver answers a verified delivery: a status, or `hang` (no answer until the sender gives up or the receiver closes). */
export type Answer = number | 'hang';

export interface ReceiverOptions {
  secret: string;
  port?: number;
  host?: string;
  /** The answer to each verified delivery (default 200), at once or later; a delivery that does not verify is answered 401. */
  answer?: (delivery: Delivery) => Answer | Promise<Answer>;
  /** A timestamp further than this from the receiver's clock is refused (default 5 minutes). */
  toleranceMs?: number;
  /** Told of each delivery once answered. */
  onDelivery?: (delivery: Delivery) => void;
}

export interface EventsReceiver {
  url: string;
  port: number;
  deliveries: Delivery[];
  /** The deliveries answered 2xx (the events the receiver took), in arrival order. */
  accepted(): Delivery[];
  /** Resolves once `check` holds on what was received (polled), or rejects after `timeoutMs`. */
  until(check: (deliveries: Delivery[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

/** Checks one delivery as a merchant would (docs/events.md): the signature over timestamp + raw body, the timestamp's age, the id. */
export function verifyDelivery(body: string, headers: http.IncomingHttpHeaders, secret: string, now: number, toleranceMs: number): { event?: OrderEvent; problem?: string } {
  const timestamp = String(headers['x-timestamp'] ?? '');
  const signature = String(headers['x-signature'] ?? '');
  if (!/^\d{1,16}$/.test(timestamp)) return { problem: 'x-timestamp is missing or not milliseconds' };
  if (!signatureMatches(secret, timestamp, body, signature)) return { problem: 'x-signature does not match (another EVENTS_SECRET?)' };
  if (Math.abs(now - Number(timestamp)) > toleranceMs) return { problem: `x-timestamp is ${Math.round((now - Number(timestamp)) / 1000)} s off` };
  let event: OrderEvent;
  try {
    event = JSON.parse(body) as OrderEvent;
  } catch {
    return { problem: 'the body is not JSON' };
  }
  if (event.id !== headers['x-event-id']) return { problem: 'x-event-id differs from the body\'s id' };
  return { event };
}

/** One line per delivery: when, whether it verified, what it answered, the event and its order. */
export function describeDelivery(delivery: Delivery, json: boolean): string {
  const time = new Date(delivery.receivedAt).toISOString();
  if (!delivery.verified) return `${time}  REFUSED 401  ${delivery.id || '(no x-event-id)'}: ${delivery.problem}`;
  if (json) return delivery.body;
  const event = delivery.event!;
  const order = event.data.order;
  const money = (m: { amount: number; currency: string }) => `${m.currency} ${m.amount} (minor units)`;
  const refund = event.data.refund ? `  refund ${event.data.refund.id} ${money(event.data.refund.amount)} ${event.data.refund.status}` : '';
  return `${time}  ${delivery.status}  ${event.type.padEnd(16)} ${event.id}  order ${order.id} ${order.status} ${money(order.total)}${refund}`;
}

export async function startEventsReceiver(options: ReceiverOptions): Promise<EventsReceiver> {
  const deliveries: Delivery[] = [];
  const hanging = new Set<http.ServerResponse>();
  const toleranceMs = options.toleranceMs ?? 5 * 60_000;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    request.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const checked = request.method === 'POST' ? verifyDelivery(body, request.headers, options.secret, Date.now(), toleranceMs) : { problem: `${request.method} is not a delivery` };
      const delivery: Delivery = {
        id: String(request.headers['x-event-id'] ?? ''),
        timestamp: String(request.headers['x-timestamp'] ?? ''),
        verified: checked.event !== undefined,
        problem: checked.problem,
        event: checked.event,
        body,
        status: 0,
        receivedAt: Date.now(),
      };
      deliveries.push(delivery);
      let answer: Answer = 401;
      try {
        if (delivery.verified) answer = (await options.answer?.(delivery)) ?? 200;
      } catch {
        answer = 500;
      }
      if (answer === 'hang') {
        hanging.add(response);
        response.on('close', () => hanging.delete(response));
        return;
      }
      // The sender gave up (its timeout) before the answer: it never got one, and will try again.
      if (response.destroyed) return;
      delivery.status = answer;
      delivery.answeredAt = Date.now();
      response.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : delivery.problem ?? 'try again');
      options.onDelivery?.(delivery);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/events`,
    port,
    deliveries,
    accepted: () => deliveries.filter((d) => d.status >= 200 && d.status < 300),
    async until(check, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (!check(deliveries)) {
        if (Date.now() > deadline) throw new Error(`the receiver did not get what was expected in ${timeoutMs} ms (${deliveries.length} deliveries)`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
