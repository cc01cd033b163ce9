// HTTP routes of the simulated WeChat server APIs (mounted at /simulator/wechat): access tokens, subscribeMessage.send, gettemplate.
// Answered as WeChat does: HTTP 200 and a JSON body whatever happened, errors as {errcode, errmsg}.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sleep, type SimulatorContext } from './context';
import type { WechatApi } from './types';
import { WechatFailure, wechatErrorBody } from './wechat-errors';
import { plainAddress } from './wechat-tokens';

/** JSON.parse, or undefined: WeChat reads a body that is not JSON as if it had no fields. */
function parseJson(text: unknown): unknown {
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function wechatApiRoutes(ctx: SimulatorContext) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    // WeChat ignores the content type and parses the body itself; keep the raw text for the routes.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_request, body, done) => done(null, String(body)));
    app.setErrorHandler((error, request, reply) => {
      request.log.error({ err: error }, 'simulated WeChat: unexpected error');
      return reply.code(200).header('content-type', 'application/json; encoding=utf-8').send(JSON.stringify(wechatErrorBody(-1, 'system error')));
    });

    const platform = ctx.wechatPlatform;

    /** Latency, the -1 switch, then the operation; its WechatFailure becomes WeChat's error body. */
    async function answer(api: WechatApi, reply: FastifyReply, operation: () => string): Promise<FastifyReply> {
      platform.countCall(api);
      const latency = ctx.faults().latencyMs;
      if (latency > 0) await sleep(latency);
      let text: string;
      let errcode = 0;
      try {
        if (platform.systemError()) throw new WechatFailure(-1, 'system error');
        text = operation();
      } catch (err) {
        if (!(err instanceof WechatFailure)) throw err;
        errcode = err.errcode;
        text = JSON.stringify(wechatErrorBody(err.errcode, err.text));
      }
      platform.count(api, errcode);
      return reply.code(200).header('content-type', 'application/json; encoding=utf-8').send(text);
    }

    const ipOf = (request: FastifyRequest): string => plainAddress(request.socket.remoteAddress);
    const query = (request: FastifyRequest): Record<string, unknown> => request.query as Record<string, unknown>;

    app.get('/cgi-bin/token', (request, reply) => answer('token', reply, () => JSON.stringify(platform.tokens.basic(query(request), ipOf(request)))));

    app.post('/cgi-bin/stable_token', (request, reply) =>
      answer('stable_token', reply, () => JSON.stringify(platform.tokens.stable(parseJson(request.body), ipOf(request)))),
    );

    app.post('/cgi-bin/message/subscribe/send', (request, reply) =>
      answer('send', reply, () => {
        platform.tokens.check(query(request).access_token);
        const msgid = platform.messages.send(parseJson(request.body));
        // msgid is written as a bare 64-bit integer, as WeChat does: JSON.parse in JavaScript rounds it.
        return `{"errcode":0,"errmsg":"ok","msgid":${msgid}}`;
      }),
    );

    app.get('/wxaapi/newtmpl/gettemplate', (request, reply) =>
      answer('gettemplate', reply, () => {
        platform.tokens.check(query(request).access_token);
        return JSON.stringify({ errcode: 0, errmsg: 'ok', data: platform.messages.templateList() });
      }),
    );
  };
}
