// The console's anomalies: the list (open, or all) and resolving one, audited.
import { Type } from '@fastify/type-provider-typebox';
import { presentAnomaly } from '../routes/presenters';
import type { TypedApp } from '../routes/types';
import { MESSAGES } from './i18n';
import { Text, type ConsoleKit } from './kit';
import { anomaliesPage } from './pages/anomalies';

export function registerAnomalyPages(scope: TypedApp, kit: ConsoleKit): void {
  const { deps, contextOf, sendPage, contextFor } = kit;

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
}
