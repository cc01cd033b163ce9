// The merchant console (/admin): server-rendered pages behind the sign-in session. Reads and changes go
// through the AdminService, as the admin API's do; every POST needs the session's CSRF token and our Origin.
import { randomUUID } from 'node:crypto';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, SESSION_COOKIE, SESSION_TTL_MS, type AdminAuth, type ConsoleSession } from '../auth/admin';
import { AppError, isAppError } from '../errors';
import { presentAdminOrder, presentAnomaly, presentTimeline, type Language } from '../routes/presenters';
import type { TypedApp } from '../routes/types';
import type { AdminContext, AdminService } from '../services/admin';
import { appErrorOf } from '../services/upstream-errors';
import type { Store } from '../store/types';
import { consoleTimeZone, dayEnd, dayStart, formatMoney, parseMajor } from './format';
import { LANGUAGE_COOKIE, languageOfRequest, MESSAGES, parseLanguage } from './i18n';
import { ORDER_STATUSES } from '../contract';
import { anomaliesPage } from './pages/anomalies';
import { CONTENT_SECURITY_POLICY, messagePage, type PageContext } from './pages/layout';
import { confirmRefundPage, orderPage, ordersPage } from './pages/orders';
import { signInPage } from './pages/sign-in';

export interface ConsoleDeps {
  store: Store;
  admin: AdminService;
  /** ADMIN_TOKEN: the only password the sign-in page takes. */
  adminToken: string;
  mode: 'simulator' | 'live';
  /** Sessions, CSRF, Origin, the sign-in limit: the same authentication as the admin API's. */
  auth: AdminAuth;
  /** The simulator's counters, for the banner (simulator mode only). */
  simulatorStats?: () => unknown;
  now?: () => number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The console session of a signed-in browser (set by the console's session gate). */
    consoleSession: ConsoleSession | null;
  }
  interface FastifyContextConfig {
    /** A console route that works without a session: only the sign-in page and its form. */
    consolePublic?: boolean;
  }
}

const PAGE_SIZE = 25;
const LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600;
const Id = Type.String({ minLength: 1, maxLength: 64 });
const Text = (maxLength: number) => Type.Optional(Type.String({ maxLength }));

/**
 * A path (and query) of this console: under /admin, and nothing a browser could resolve to another
 * site or another path (`//`, `\\`, `..` and `.` segments, %-escapes of them).
 */
export function isConsolePath(url: unknown): url is string {
  if (typeof url !== 'string' || !/^\/admin(?:[/?][\x21-\x7e]*)?$/.test(url)) return false;
  const path = url.split('?')[0];
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return false;
  }
  return ![path, decoded].some((p) => p.includes('//') || p.includes('\\') || /\/\.\.?(?:\/|$)/.test(p));
}

/** Where to go after signing in: a console page of ours, never another site. */
function safeNext(next: unknown): string {
  if (!isConsolePath(next) || next.startsWith('/admin/sign-')) return '/admin/orders';
  return next;
}

/**
 * A console address rebuilt from a route's pattern, its parameters and its query (`drop` left out):
 * never the raw request URL, whose `..\\..\\` a browser would resolve to another site.
 */
function consoleUrl(pattern: string | undefined, params: unknown, query: unknown, drop: readonly string[] = []): string {
  if (pattern === undefined) return '/admin/orders';
  const values = (params ?? {}) as Record<string, unknown>;
  const path = pattern.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(String(values[name] ?? '')));
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (drop.includes(key)) continue;
    for (const item of Array.isArray(value) ? value : [value]) if (typeof item === 'string' || typeof item === 'number') search.append(key, String(item));
  }
  const url = search.size > 0 ? `${path}?${search}` : path;
  return isConsolePath(url) ? url : '/admin/orders';
}

/** This page's own address (see consoleUrl). */
const ownUrl = (request: FastifyRequest, drop: readonly string[] = []) => consoleUrl(request.routeOptions.url, request.params, request.query, drop);

/** The page a language switch reloads: this one for a GET, else the page the form was on (a GET). */
function pageUrl(request: FastifyRequest): string {
  if (request.method === 'GET') return ownUrl(request);
  if (request.routeOptions.config.consolePublic) return '/admin/sign-in';
  const pattern = request.routeOptions.url ?? '';
  if (pattern.startsWith('/admin/orders/:id/')) return consoleUrl('/admin/orders/:id', request.params, {});
  return pattern.startsWith('/admin/anomalies') ? '/admin/anomalies' : '/admin/orders';
}

export function registerConsole(app: TypedApp, deps: ConsoleDeps): void {
  const now = deps.now ?? Date.now;
  const actor = actorOf(deps.adminToken);
  const { auth } = deps;
  const timeZone = consoleTimeZone();

  const contextOf = async (request: FastifyRequest, active?: PageContext['active']): Promise<PageContext> => {
    const session = request.consoleSession;
    return {
      language: languageOfRequest(request),
      url: pageUrl(request),
      timeZone,
      active,
      session: session ? { csrf: session.csrf, openAnomalies: (await deps.admin.listAnomalies({ openOnly: true, limit: 100 })).length } : undefined,
      simulator: session ? deps.simulatorStats?.() : undefined,
    };
  };
  const sendPage = (reply: FastifyReply, status: number, page: string) => reply.code(status).type('text/html; charset=utf-8').send(page);
  const contextFor = (request: FastifyRequest): AdminContext => ({ actor: request.consoleSession!.record.actor, requestId: request.id, via: 'console' });
  const messageOf = (language: Language, err: AppError) => MESSAGES[language].errors[err.code] ?? err.message;

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

      scope.get('/', async (request, reply) => reply.redirect(request.consoleSession ? '/admin/orders' : '/admin/sign-in', 303));

      // ---- sign-in and out ----

      scope.get(
        '/sign-in',
        { config: { consolePublic: true }, schema: { querystring: Type.Object({ next: Text(512), signed_out: Text(8), lang: Text(8) }) } },
        async (request, reply) => {
          const context = await contextOf(request);
          const m = MESSAGES[context.language];
          if (await auth.findSession(request, actor, now())) return reply.redirect(safeNext(request.query.next), 303);
          return sendPage(reply, 200, signInPage(context, { next: safeNext(request.query.next), notice: request.query.signed_out ? m.signedOut : undefined, simulatorMode: deps.mode === 'simulator' }));
        },
      );

      scope.post(
        '/sign-in',
        { config: { consolePublic: true }, schema: { body: Type.Object({ token: Text(512), next: Text(512) }) } },
        async (request, reply) => {
          const context = await contextOf(request);
          const m = MESSAGES[context.language];
          const next = safeNext(request.body.next);
          const page = (status: number, error: string) => sendPage(reply, status, signInPage(context, { next, error, simulatorMode: deps.mode === 'simulator' }));
          if (!auth.fromOwnOrigin(request)) return page(403, m.csrfRefused);
          const outcome = await auth.signIn(request, reply, request.body.token ?? '', deps.adminToken);
          if (outcome === 'limited') return page(429, m.tooManyAttempts(Number(reply.getHeader('retry-after') ?? 60)));
          if (outcome === 'refused') {
            await deps.admin.audit({ actor: 'unknown', requestId: request.id, via: 'console' }, 'console.sign_in_refused', null, { address: request.ip });
            return page(401, m.wrongToken);
          }
          const sessionToken = await auth.createSession(actor, now());
          await deps.admin.audit({ actor, requestId: request.id, via: 'console' }, 'console.sign_in', null, { address: request.ip });
          reply.header('set-cookie', auth.cookieHeader(SESSION_COOKIE, sessionToken, SESSION_TTL_MS / 1000));
          return reply.redirect(next, 303);
        },
      );

      scope.post('/sign-out', async (request, reply) => {
        await auth.deleteSession(request);
        await deps.admin.audit(contextFor(request), 'console.sign_out', null, { address: request.ip });
        reply.header('set-cookie', auth.cookieHeader(SESSION_COOKIE, '', 0));
        return reply.redirect('/admin/sign-in?signed_out=1', 303);
      });

      // ---- orders ----

      scope.get(
        '/orders',
        { schema: { querystring: Type.Object({ q: Text(128), status: Text(32), from: Text(10), to: Text(10), offset: Text(9) }) } },
        async (request, reply) => {
          const context = await contextOf(request, 'orders');
          const m = MESSAGES[context.language];
          const query = request.query;
          const status = ORDER_STATUSES.find((s) => s === query.status);
          const from = query.from ? dayStart(query.from, timeZone) : undefined;
          const to = query.to ? dayEnd(query.to, timeZone) : undefined;
          const badDate = (query.from && from === undefined) || (query.to && to === undefined);
          const offset = /^\d{1,9}$/.test(query.offset ?? '') ? Number(query.offset) : 0;
          const { orders, total } = await deps.admin.searchOrders({ status, q: query.q?.trim() || undefined, from, to, limit: PAGE_SIZE, offset });
          return sendPage(
            reply,
            badDate ? 400 : 200,
            ordersPage(context, {
              orders: orders.map((order) => presentAdminOrder(order, context.language)),
              total,
              limit: PAGE_SIZE,
              offset,
              filters: { q: query.q ?? '', status: status ?? '', from: query.from ?? '', to: query.to ?? '' },
              error: badDate ? m.badDate : undefined,
            }),
          );
        },
      );

      const showOrder = async (
        request: FastifyRequest,
        reply: FastifyReply,
        id: string,
        status: number,
        extra: { notice?: (order: ReturnType<typeof presentAdminOrder>) => string | undefined; error?: string; refundForm?: { amount: string; reason: string; error?: string } } = {},
      ) => {
        const context = await contextOf(request, 'orders');
        const { order: record, events } = await deps.admin.orderWithTimeline(id);
        const order = presentAdminOrder(record, context.language);
        return sendPage(reply, status, orderPage(context, { order, timeline: presentTimeline(events), notice: extra.notice?.(order), error: extra.error, refundForm: extra.refundForm }));
      };

      scope.get(
        '/orders/:id',
        { schema: { params: Type.Object({ id: Id }), querystring: Type.Object({ refund: Text(64), rechecked: Text(8) }) } },
        async (request, reply) => {
          const m = MESSAGES[languageOfRequest(request)];
          const { refund, rechecked } = request.query;
          return showOrder(request, reply, request.params.id, 200, {
            notice: (order) => {
              const made = refund ? order.refunds.find((r) => r.id === refund) : undefined;
              if (made) return m.refundCreated(formatMoney(made.amount.amount, made.amount.currency, languageOfRequest(request)), made.id, made.status);
              if (rechecked) return m.rechecked(m.statuses[order.status] ?? order.status);
              return undefined;
            },
          });
        },
      );

      // The refund's confirmation step: states the amount, and carries an Idempotency-Key made once for it.
      scope.get(
        '/orders/:id/refund',
        { schema: { params: Type.Object({ id: Id }), querystring: Type.Object({ amount: Text(32), reason: Text(128) }) } },
        async (request, reply) => {
          const context = await contextOf(request, 'orders');
          const m = MESSAGES[context.language];
          const { order: record } = await deps.admin.orderWithTimeline(request.params.id);
          const order = presentAdminOrder(record, context.language);
          const amountText = request.query.amount ?? '';
          const reason = (request.query.reason ?? '').trim();
          const amount = parseMajor(amountText, order.total.currency);
          if (order.refundable.amount <= 0) {
            return showOrder(request, reply, order.id, 409, { error: order.status === 'paid' ? m.fullyRefunded : m.notRefundable(m.statuses[order.status] ?? order.status) });
          }
          if (amount === undefined || amount > order.refundable.amount) {
            const all = formatMoney(order.refundable.amount, order.refundable.currency, context.language);
            return showOrder(request, reply, order.id, 400, { refundForm: { amount: amountText, reason, error: m.badAmount(all) } });
          }
          return sendPage(reply, 200, confirmRefundPage(context, { order, amount, reason, idempotencyKey: randomUUID() }));
        },
      );

      scope.post(
        '/orders/:id/refunds',
        {
          schema: {
            params: Type.Object({ id: Id }),
            body: Type.Object({
              _csrf: Text(128),
              idempotencyKey: Type.String({ minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7E]+$' }),
              amount: Type.String({ pattern: '^[1-9][0-9]{0,14}$' }),
              reason: Text(128),
            }),
          },
        },
        async (request, reply) => {
          const { id } = request.params;
          const amount = Number(request.body.amount);
          const reason = request.body.reason?.trim() || undefined;
          try {
            const { refund } = await deps.admin.refund(id, { amount, reason }, request.body.idempotencyKey, contextFor(request));
            return reply.redirect(`/admin/orders/${encodeURIComponent(id)}?refund=${encodeURIComponent(refund.id)}`, 303);
          } catch (err) {
            if (!isAppError(err) || err.code === 'ORDER_NOT_FOUND') throw err;
            // The same confirmation again, with the same key: trying again can never refund twice.
            const context = await contextOf(request, 'orders');
            const { order } = await deps.admin.orderWithTimeline(id);
            return sendPage(
              reply,
              err.status,
              confirmRefundPage(context, { order: presentAdminOrder(order, context.language), amount, reason: reason ?? '', idempotencyKey: request.body.idempotencyKey, error: messageOf(context.language, err) }),
            );
          }
        },
      );

      scope.post('/orders/:id/recheck', { schema: { params: Type.Object({ id: Id }), body: Type.Object({ _csrf: Text(128) }) } }, async (request, reply) => {
        const { id } = request.params;
        try {
          await deps.admin.recheck(id, contextFor(request));
        } catch (err) {
          if (!isAppError(err) || err.code === 'ORDER_NOT_FOUND') throw err;
          return showOrder(request, reply, id, err.status, { error: messageOf(languageOfRequest(request), err) });
        }
        return reply.redirect(`/admin/orders/${encodeURIComponent(id)}?rechecked=1`, 303);
      });

      // ---- anomalies ----

      scope.get('/anomalies', { schema: { querystring: Type.Object({ all: Text(8), resolved: Text(8) }) } }, async (request, reply) => {
        const context = await contextOf(request, 'anomalies');
        const openOnly = !request.query.all;
        const anomalies = await deps.admin.listAnomalies({ openOnly, limit: 200 });
        return sendPage(
          reply,
          200,
          anomaliesPage(context, { anomalies: anomalies.map(presentAnomaly), openOnly, notice: request.query.resolved ? MESSAGES[context.language].resolved : undefined }),
        );
      });

      scope.post(
        '/anomalies/:id/resolve',
        { schema: { params: Type.Object({ id: Type.Integer({ minimum: 1 }) }), body: Type.Object({ _csrf: Text(128) }) } },
        async (request, reply) => {
          await deps.admin.resolveAnomaly(request.params.id, contextFor(request));
          return reply.redirect('/admin/anomalies?resolved=1', 303);
        },
      );
    },
    { prefix: '/admin' },
  );
}

