// The console's sign-in and sign-out: the token checked through the admin authentication (limited and counted), a
// session cookie made, and every attempt audited.
import { Type } from '@fastify/type-provider-typebox';
import { SESSION_COOKIE, SESSION_TTL_MS } from '../auth/admin';
import type { TypedApp } from '../routes/types';
import { MESSAGES } from './i18n';
import { safeNext, Text, type ConsoleKit } from './kit';
import { signInPage } from './pages/sign-in';

export function registerSignIn(scope: TypedApp, kit: ConsoleKit): void {
  const { deps, auth, actor, now, contextOf, sendPage, contextFor } = kit;

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
}
