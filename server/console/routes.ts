// The merchant console (/admin): server-rendered pages behind the sign-in session. This scope's gates (the session, the
// CSRF token and our Origin on every POST, the language switch, security headers, the error page) come first; each
// family of pages registers its own handlers (sign-in.ts, orders.ts, anomalies.ts, money.ts, events.ts), through the admin service as the
// admin API does.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { isAppError } from '../errors';
import type { TypedApp } from '../routes/types';
import { appErrorOf } from '../services/upstream-errors';
import { registerAnomalyPages } from './anomalies';
import { registerEventPages } from './events';
import { LANGUAGE_COOKIE, languageOfRequest, MESSAGES, parseLanguage } from './i18n';
import { consoleKit, ownUrl, type ConsoleDeps } from './kit';
import { registerMoneyPages } from './money';
import { registerOrderPages } from './orders';
import { CONTENT_SECURITY_POLICY, messagePage } from './pages/layout';
import { registerSignIn } from './sign-in';

const LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600;

export function registerConsole(app: TypedApp, deps: ConsoleDeps): void {
  const kit = consoleKit(deps);
  const { auth, actor, now, timeZone, contextOf, sendPage, messageOf } = kit;
  app.register(
    async (plugin) => {
      const scope = plugin.withTypeProvider<TypeBoxTypeProvider>();
      scope.decorateRequest('consoleSession', null);
      // HTML forms post application/x-www-form-urlencoded; only this scope reads it.
      scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      });

      scope.addHook('onSend', async (_request, reply) => {
        reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
        reply.header('x-frame-options', 'DENY');
        reply.header('x-content-type-options', 'nosniff');
        reply.header('referrer-policy', 'same-origin');
        reply.header('cross-origin-opener-policy', 'same-origin');
        reply.header('cross-origin-resource-policy', 'same-origin');
        reply.header('cache-control', 'no-store');
      });

      // The session gate, before any validation: a page without a session goes to the sign-in page; a form
      // without one is refused, and so is a form without the session's CSRF token or from another origin.
      scope.addHook('preValidation', async (request, reply) => {
        const language = languageOfRequest(request);
        if (!request.routeOptions.config.consolePublic) {
          const session = await auth.findSession(request, actor, now());
          if (!session) {
            if (request.method === 'GET' || request.method === 'HEAD') {
              return reply.redirect(`/admin/sign-in?next=${encodeURIComponent(ownUrl(request))}`, 303);
            }
            return sendPage(reply, 401, messagePage(await contextOf(request), MESSAGES[language].errorTitle, MESSAGES[language].sessionEnded, { href: '/admin/sign-in', label: MESSAGES[language].signInAgain }));
          }
          request.consoleSession = session;
          if (request.method === 'POST') {
            const body = (request.body ?? {}) as Record<string, unknown>;
            if (!auth.fromOwnOrigin(request) || !auth.csrfMatches(body._csrf, session)) {
              request.log.warn({ origin: request.headers.origin ?? null, url: request.url }, 'console form refused: no CSRF token or another origin');
              return sendPage(reply, 403, messagePage(await contextOf(request), MESSAGES[language].errorTitle, MESSAGES[language].csrfRefused));
            }
          }
        }
        // The language switch: remember the choice, then show the same page without the parameter.
        const chosen = request.method === 'GET' ? parseLanguage((request.query as Record<string, unknown> | undefined)?.lang) : undefined;
        if (chosen) {
          reply.header('set-cookie', auth.cookieHeader(LANGUAGE_COOKIE, chosen, LANGUAGE_COOKIE_MAX_AGE, { httpOnly: false }));
          return reply.redirect(ownUrl(request, ['lang']), 303);
        }
      });

      scope.setErrorHandler(async (raised, request, reply) => {
        const language = languageOfRequest(request);
        const m = MESSAGES[language];
        const error = appErrorOf(raised);
        if (isAppError(error)) {
          request.log.info({ code: error.code, status: error.status, reason: error.message }, 'console request refused');
          return sendPage(reply, error.status, messagePage(await contextOf(request), m.errorTitle, messageOf(language, error), { href: '/admin/orders', label: m.backToOrders }));
        }
        const status = (error as { statusCode?: number }).statusCode ?? 500;
        if (status >= 500) request.log.error({ err: error }, 'console page failed');
        else request.log.info({ status, reason: (error as Error).message }, 'console request refused');
        return sendPage(reply, status, messagePage(await contextOf(request).catch(() => ({ language, url: '/admin', timeZone })), m.errorTitle, status >= 500 ? m.errorTitle : (error as Error).message));
      });

      scope.get('/', async (request, reply) => reply.redirect(request.consoleSession ? '/admin/overview' : '/admin/sign-in', 303));

      registerSignIn(scope, kit);
      registerOrderPages(scope, kit);
      registerAnomalyPages(scope, kit);
      registerMoneyPages(scope, kit);
      registerEventPages(scope, kit);
    },
    { prefix: '/admin' },
  );
}

