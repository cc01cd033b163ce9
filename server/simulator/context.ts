// What the simulator's route modules share, and the fault gate every upstream API call goes through.
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, errorBody } from './api-error';
import { endpointRates } from './faults';
import type { Finance } from './finance';
import type { PaymentIntents } from './payment-intents';
import type { Refunds } from './refunds';
import type { Counters } from './stats';
import type { SimulatorStore } from './store';
import type { AirwallexEndpoint, FaultSettings } from './types';
import type { WechatLogin } from './wechat';
import type { WebhookSubscription } from './webhook-subscriptions';
import type { WechatPlatform } from './wechat-platform';

export interface SimulatorContext {
  store: SimulatorStore;
  intents: PaymentIntents;
  refunds: Refunds;
  finance: Finance;
  wechat: WechatLogin;
  /** Access tokens and subscription messages. */
  wechatPlatform: WechatPlatform;
  faults: () => FaultSettings;
  random: () => number;
  counters: () => Counters;
  now: () => number;
  logger: FastifyBaseLogger;
  clientId: string;
  apiKey: string;
  /** The simulated account's webhook (GET /api/v1/webhooks), and when it was made. */
  webhookSubscription: () => WebhookSubscription;
  startedAt: number;
  /** Releases of the responses held by the timeout fault; close() runs them all. */
  holds: Set<() => void>;
}

export interface Answer {
  status: number;
  body: unknown;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Runs one Airwallex call through the injected faults: latency first, then maybe a 5xx/429 in
 * place of the operation (not applied), else the operation, whose answer a timeout fault may
 * swallow (applied, but the client never hears back).
 */
export async function guarded(
  ctx: SimulatorContext,
  endpoint: AirwallexEndpoint,
  request: FastifyRequest,
  reply: FastifyReply,
  operation: () => Answer | Promise<Answer>,
): Promise<FastifyReply | undefined> {
  const counters = ctx.counters().airwallex;
  counters.calls[endpoint]++;
  const faults = ctx.faults();
  if (faults.latencyMs > 0) await sleep(faults.latencyMs);
  const rates = endpointRates(faults, endpoint);
  const roll = ctx.random();
  if (roll < rates.errorRate5xx) {
    counters.faults['5xx']++;
    const status = [500, 502, 503][Math.floor(ctx.random() * 3)];
    return reply.code(status).send(errorBody('internal_error', 'Internal error (injected by the simulator)'));
  }
  if (roll < rates.errorRate5xx + rates.errorRate429) {
    counters.faults['429']++;
    return reply.code(429).send(errorBody('too_many_requests', 'Too many requests (injected by the simulator)'));
  }
  const timeout = ctx.random() < rates.timeoutRate;
  let answer: Answer;
  try {
    answer = await operation();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    answer = { status: err.statusCode, body: errorBody(err.code, err.message, err.source) };
  }
  if (timeout) {
    counters.faults.timeout++;
    await holdThenDrop(ctx, request, reply, faults.timeoutHoldMs);
    return undefined;
  }
  return reply.code(answer.status).send(answer.body);
}

/** The timeout fault: keep the connection open without answering, then drop it. */
async function holdThenDrop(ctx: SimulatorContext, request: FastifyRequest, reply: FastifyReply, holdMs: number): Promise<void> {
  reply.hijack();
  const socket = request.raw.socket;
  await new Promise<void>((resolve) => {
    const release = (): void => {
      clearTimeout(timer);
      socket.off('close', release);
      ctx.holds.delete(release);
      resolve();
    };
    const timer = setTimeout(release, holdMs);
    timer.unref();
    socket.once('close', release);
    ctx.holds.add(release);
  });
  // Dropping the connection (rather than answering late) makes every client see a lost response,
  // whatever its own timeout: exactly the case that makes it retry into duplicate_request.
  socket.destroy();
}
