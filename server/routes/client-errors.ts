// POST /api/client-errors: the mini program's script errors and unhandled rejections, for the server's log (no session,
// no personal data, a small body, a rate limit of its own per client address), counted in /metrics; answered 204.
import { Type } from '@fastify/type-provider-typebox';
import type { Limits } from '../limits';
import type { AppDeps, TypedApp } from './types';

/**
 * Above the largest report the contract's limits allow (about 2,100 characters in all, each at most 6 bytes once
 * JSON-escaped, as a control character is: under 13 KB), below the API's 16 KB.
 */
export const CLIENT_ERROR_BODY_LIMIT = 14 * 1024;

/** The contract's ClientErrorReport: every field required, each within its length (extra fields are dropped). */
const ClientErrorSchema = {
  body: Type.Object({
    kind: Type.Union([Type.Literal('error'), Type.Literal('rejection')]),
    message: Type.String({ maxLength: 300 }),
    stack: Type.String({ maxLength: 1500 }),
    // A page's route, never its query ("pages/result/result").
    route: Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9_./-]*$' }),
    appVersion: Type.String({ maxLength: 64 }),
    envVersion: Type.String({ maxLength: 16 }),
    sdkVersion: Type.String({ maxLength: 32 }),
    contractVersion: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
  }),
};

/** Query strings cut from a message or a stack (`…result?id=ord_1` → `…result?`): a page's query may carry an order id. */
export function withoutQueries(text: string): string {
  return text.replace(/\?[^\s)'"]*/g, '?');
}

export function registerClientErrorRoutes(app: TypedApp, deps: AppDeps, limits: Limits): void {
  app.post(
    '/api/client-errors',
    { onRequest: limits.clientErrors, config: { ownLimit: true }, bodyLimit: CLIENT_ERROR_BODY_LIMIT, schema: ClientErrorSchema },
    async (request, reply) => {
      const report = request.body;
      deps.telemetry.clientError(report.kind, report.envVersion);
      // The mini program already cuts queries; cut again here, whatever sent the report.
      request.log.warn(
        {
          clientError: {
            kind: report.kind,
            message: withoutQueries(report.message),
            stack: withoutQueries(report.stack),
            route: report.route,
            appVersion: report.appVersion,
            envVersion: report.envVersion,
            sdkVersion: report.sdkVersion,
            contractVersion: report.contractVersion,
          },
        },
        'mini program error',
      );
      return reply.code(204).send();
    },
  );
}
