// What every console page's handler gets: the console's dependencies, its page context (language, session, the
// simulator's banner), how a page is sent, who acts; the console's addresses, rebuilt from routes and never taken raw.
import { Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, type AdminAuth, type ConsoleSession } from '../auth/admin';
import type { AppError } from '../errors';
import type { Language } from '../routes/presenters';
import type { AdminContext, AdminService } from '../services/admin';
import type { Store } from '../store/types';
import { consoleTimeZone } from './format';
import { languageOfRequest, MESSAGES } from './i18n';
import type { BannerMessage } from '../routes/types';
import { MONEY_MESSAGES } from './i18n-money';
import type { PageContext } from './pages/layout';

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
  /** The last subscription messages the simulated WeChat took, for the banner (simulator mode only). */
  simulatorMessages?: () => BannerMessage[];
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

export const Id = Type.String({ minLength: 1, maxLength: 64 });
export const Text = (maxLength: number) => Type.Optional(Type.String({ maxLength }));

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
export function safeNext(next: unknown): string {
  if (!isConsolePath(next) || next.startsWith('/admin/sign-')) return '/admin/overview';
  return next;
}

/**
 * A console address rebuilt from a route's pattern, its parameters and its query (`drop` left out):
 * never the raw request URL, whose `..\\..\\` a browser would resolve to another site.
 */
export function consoleUrl(pattern: string | undefined, params: unknown, query: unknown, drop: readonly string[] = []): string {
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
export const ownUrl = (request: FastifyRequest, drop: readonly string[] = []) => consoleUrl(request.routeOptions.url, request.params, request.query, drop);

/** The page a language switch reloads: this one for a GET, else the page the form was on (a GET). */
export function pageUrl(request: FastifyRequest): string {
  if (request.method === 'GET') return ownUrl(request);
  if (request.routeOptions.config.consolePublic) return '/admin/sign-in';
  const pattern = request.routeOptions.url ?? '';
  if (pattern.startsWith('/admin/orders/:id/')) return consoleUrl('/admin/orders/:id', request.params, {});
  if (pattern.startsWith('/admin/reconciliations')) return '/admin/reconciliations';
  if (pattern.startsWith('/admin/events')) return '/admin/events';
  return pattern.startsWith('/admin/anomalies') ? '/admin/anomalies' : '/admin/orders';
}

export interface ConsoleKit {
  deps: ConsoleDeps;
  auth: AdminAuth;
  /** The operator every session acts as: a fingerprint of ADMIN_TOKEN. */
  actor: string;
  now: () => number;
  timeZone: string;
  /** What the page needs to know about the request; `active` marks its place in the navigation. */
  contextOf(request: FastifyRequest, active?: PageContext['active']): Promise<PageContext>;
  sendPage(reply: FastifyReply, status: number, page: string): FastifyReply;
  /** Who acts, for the admin service's audit log: the signed-in operator. */
  contextFor(request: FastifyRequest): AdminContext;
  /** An error as the operator reads it, in their language. */
  messageOf(language: Language, err: AppError): string;
}

export function consoleKit(deps: ConsoleDeps): ConsoleKit {
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
      simulatorMessages: session ? deps.simulatorMessages?.() : undefined,
    };
  };
  const sendPage = (reply: FastifyReply, status: number, page: string) => reply.code(status).type('text/html; charset=utf-8').send(page);
  const contextFor = (request: FastifyRequest): AdminContext => ({ actor: request.consoleSession!.record.actor, requestId: request.id, via: 'console' });
  const messageOf = (language: Language, err: AppError) => MESSAGES[language].errors[err.code] ?? MONEY_MESSAGES[language].errors[err.code] ?? err.message;
  return { deps, auth, actor, now, timeZone, contextOf, sendPage, contextFor, messageOf };
}
