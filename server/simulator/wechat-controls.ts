// Control routes of the simulated WeChat platform (mounted at /simulator/wechat): what shoppers and the merchant do
// outside the server's sight (subscription answers, main switch, templates), the sent messages, and the test switches.
import type { FastifyInstance } from 'fastify';
import type { SimulatorSubscriptionsRequest, SimulatorSubscriptionsResponse } from '../contract';
import { ApiError, validationError } from './api-error';
import type { SimulatorContext } from './context';
import type { TemplateRecord } from './wechat-store';
import type { SentMessage } from './wechat-messages';
import type { WechatSwitches } from './wechat-platform';
import { DEFAULT_SHOPPER, openIdFor } from './wechat';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The openid named by `openid` or `shopper` (the default shopper when neither). */
function openIdOf(fields: Record<string, unknown>): string {
  if (fields.openid !== undefined && fields.shopper !== undefined) throw validationError('openid', 'give openid or shopper, not both');
  if (fields.openid !== undefined) {
    if (typeof fields.openid !== 'string' || fields.openid === '') throw validationError('openid', 'openid must be a non-empty string');
    return fields.openid;
  }
  const shopper = fields.shopper ?? DEFAULT_SHOPPER;
  if (typeof shopper !== 'string' || shopper.length === 0 || shopper.length > 64) throw validationError('shopper', 'shopper must be a string of 1 to 64 characters');
  return openIdFor(shopper);
}

export function wechatControls(ctx: SimulatorContext) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    const platform = ctx.wechatPlatform;

    /** Control: a shopper's answers in the subscription panel, or their main switch; all or nothing. */
    app.post('/_subscriptions', async (request): Promise<SimulatorSubscriptionsResponse> => {
      const body = request.body;
      if (!isObject(body)) throw validationError(undefined, 'The body must be a JSON object like {"shopper":"alice","results":{"<template id>":"accept"}}');
      const { results, templateId, status, mainSwitch } = body as SimulatorSubscriptionsRequest & Record<string, unknown>;
      const answers: Record<string, unknown> = {};
      if (results !== undefined) {
        if (!isObject(results)) throw validationError('results', 'results must be an object: template id → status');
        Object.assign(answers, results);
      }
      if (templateId !== undefined || status !== undefined) {
        if (typeof templateId !== 'string' || templateId === '') throw validationError('templateId', 'templateId must be a template id (with status)');
        answers[templateId] = status;
      }
      if (mainSwitch !== undefined && typeof mainSwitch !== 'boolean') throw validationError('mainSwitch', 'mainSwitch must be true or false');
      if (Object.keys(answers).length === 0 && mainSwitch === undefined) {
        throw validationError(undefined, 'Say what the shopper did: results (or templateId and status), and/or mainSwitch');
      }
      const openId = openIdOf(body);
      return ctx.store.transaction(() => {
        platform.messages.answerAll(openId, answers);
        if (mainSwitch !== undefined) platform.messages.setMainSwitch(openId, mainSwitch);
        return platform.messages.state(openId);
      });
    });

    /** Control: a shopper as WeChat knows them (sends left per template, main switch). */
    app.get('/_subscriptions', async (request): Promise<SimulatorSubscriptionsResponse> => platform.messages.state(openIdOf(request.query as Record<string, unknown>)));

    /** Control: the messages WeChat accepted, oldest first; ?openid= or ?shopper= for one shopper's. */
    app.get('/_messages', async (request): Promise<{ items: SentMessage[] }> => {
      const query = request.query as Record<string, unknown>;
      const one = query.openid !== undefined || query.shopper !== undefined ? openIdOf(query) : undefined;
      return { items: platform.messages.messages(one) };
    });

    /** Control: the account's templates, as gettemplate lists them (no token needed). */
    app.get('/_templates', async (): Promise<{ data: TemplateRecord[] }> => ({ data: platform.messages.templateList() }));

    /** Control: the merchant adds a template in the MP console (or replaces the one with the given priTmplId). */
    app.post('/_templates', async (request, reply) => reply.code(201).send(platform.messages.addTemplate(request.body)));

    /** Control: the merchant deletes a template. */
    app.delete('/_templates/:priTmplId', async (request, reply) => {
      const { priTmplId } = request.params as { priTmplId: string };
      if (!platform.messages.deleteTemplate(priTmplId)) throw new ApiError(404, 'resource_not_found', `No template ${priTmplId}`);
      return reply.code(204).send();
    });

    app.get('/_switches', async (): Promise<WechatSwitches> => platform.switches());

    /** Control: the test switches (-1, 45009 per API, the IP allow-list); a bad patch changes nothing. */
    app.post('/_switches', async (request): Promise<WechatSwitches> => {
      const problems = platform.setSwitches(request.body ?? {});
      if (problems.length > 0) throw validationError(undefined, problems.join('; '));
      return platform.switches();
    });

    app.delete('/_switches', async (): Promise<WechatSwitches> => {
      platform.resetSwitches();
      return platform.switches();
    });

    /** Control: every access token reaches the end of its life now (its next use answers 42001). */
    app.post('/_tokens/expire', async (): Promise<{ expired: number }> => ({ expired: platform.tokens.expireAll() }));
  };
}
