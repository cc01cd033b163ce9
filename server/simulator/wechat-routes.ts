// HTTP routes of the simulated WeChat (mounted at /simulator/wechat): jscode2session and the shopper controls; the token and
// message APIs and their controls come from wechat-api-routes.ts and wechat-controls.ts.
import type { FastifyInstance } from 'fastify';
import type { SimulatorLoginResponse, SimulatorPayResponse } from '../contract';
import { ApiError } from './api-error';
import { sleep, type SimulatorContext } from './context';
import type { ShopperOutcome } from './payment-intents';
import { wechatApiRoutes } from './wechat-api-routes';
import { wechatControls } from './wechat-controls';
import { DEFAULT_SHOPPER } from './wechat';

const OUTCOMES: readonly ShopperOutcome[] = ['pay', 'cancel', 'fail'];

export function wechatRoutes(ctx: SimulatorContext) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    // Their own plugin: WeChat's body parsing and error shape, not the controls'.
    await app.register(wechatApiRoutes(ctx));
    await app.register(wechatControls(ctx));

    app.get('/sns/jscode2session', async (request, reply) => {
      const latency = ctx.faults().latencyMs;
      if (latency > 0) await sleep(latency);
      const counters = ctx.counters().wechat;
      counters.jscode2session++;
      const answer = ctx.wechat.jscode2session(request.query as Record<string, unknown>);
      const errcode = String('errcode' in answer ? answer.errcode : 0);
      counters.errcodes[errcode] = (counters.errcodes[errcode] ?? 0) + 1;
      // WeChat answers HTTP 200 with this content type even for errors.
      return reply.code(200).header('content-type', 'application/json; encoding=utf-8').send(JSON.stringify(answer));
    });

    /** Control: what wx.login would return to a test shopper. */
    app.post('/login', async (request): Promise<SimulatorLoginResponse> => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      if (typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'validation_error', 'The body must be a JSON object like {"shopper":"alice"}');
      const shopper = body.shopper ?? DEFAULT_SHOPPER;
      if (typeof shopper !== 'string' || shopper.length === 0 || shopper.length > 64) {
        throw new ApiError(400, 'validation_error', 'shopper must be a string of 1 to 64 characters', 'shopper');
      }
      return { code: ctx.wechat.mintCode(shopper) };
    });

    /** Control: the shopper pays, cancels or fails in the sheet opened by wx.requestPayment. */
    app.post('/pay', async (request): Promise<SimulatorPayResponse> => {
      const body = request.body as Record<string, unknown> | undefined;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new ApiError(400, 'validation_error', 'The body must be a JSON object like {"package":"prepay_id=...","outcome":"pay"}');
      }
      if (typeof body.package !== 'string' || body.package.length === 0) {
        throw new ApiError(400, 'validation_error', 'package must be the requestPayment package string ("prepay_id=...")', 'package');
      }
      if (typeof body.outcome !== 'string' || !(OUTCOMES as readonly string[]).includes(body.outcome)) {
        throw new ApiError(400, 'validation_error', `outcome must be one of ${OUTCOMES.join(', ')}`, 'outcome');
      }
      const answers = body.subscriptions;
      if (answers !== undefined) {
        if (typeof answers !== 'object' || answers === null || Array.isArray(answers) || Object.keys(answers).length === 0) {
          throw new ApiError(400, 'validation_error', 'subscriptions must be an object of template id → status, as wx.requestSubscribeMessage answers', 'subscriptions');
        }
        const payer = ctx.intents.payerOf(body.package);
        // The panel's answers are the payer's: an unknown package has no payer, and its sheet fails below as WeChat's would.
        if (payer) ctx.store.transaction(() => ctx.wechatPlatform.messages.answerAll(payer, answers as Record<string, unknown>));
      }
      return { errMsg: ctx.intents.shopperAction(body.package, body.outcome as ShopperOutcome) };
    });
  };
}
