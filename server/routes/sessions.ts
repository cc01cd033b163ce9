// POST /api/sessions: a fresh wx.login code becomes a bearer token.
import { Type } from '@fastify/type-provider-typebox';
import type { CreateSessionResponse } from '../contract';
import type { Limits } from '../limits';
import type { AppDeps, TypedApp } from './types';

export function registerSessionRoutes(app: TypedApp, deps: AppDeps, limits: Limits): void {
  app.post(
    '/api/sessions',
    { onRequest: limits.sessions, schema: { body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 128 }) }) } },
    async (request, reply): Promise<CreateSessionResponse> => {
      const session = await deps.sessions.createSession(request.body.code);
      reply.code(201);
      return { token: session.token, expiresAt: new Date(session.expiresAt).toISOString() };
    },
  );
}
