// HTTP routes of the simulated money side (under /simulator/airwallex): financial transactions on both paths, settlements, and their controls.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './api-error';
import { guarded, type SimulatorContext } from './context';
import { dropTransactions, plantTransaction } from './finance-controls';
import { FT_PATH_PA, FT_PATH_V1 } from './inferred-finance';

type Params = { id?: string };
type Query = Record<string, unknown>;

export interface RouteChecks {
  authenticate(request: FastifyRequest): void;
  validate(request: FastifyRequest, method: 'get' | 'post', template: string): void;
}

/** Registers the finance endpoints on the Airwallex routes' plugin, so they share its status counting. */
export function financeRoutes(app: FastifyInstance, ctx: SimulatorContext, checks: RouteChecks): void {
  const { finance } = ctx;

  /** A path the "account" does not serve (SIMULATOR_FINANCE_PATHS) answers like any unknown URL. */
  const absent = (path: string, request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined => {
    const served = finance.settings().paths;
    if (served === 'both' || (served === 'v1') === (path === FT_PATH_V1)) return undefined;
    return reply.code(404).send(errorBody('not_found', `No such endpoint: ${request.method} ${request.url.split('?')[0]}`));
  };

  for (const path of [FT_PATH_V1, FT_PATH_PA]) {
    app.get(path, (request, reply) =>
      absent(path, request, reply) ??
      guarded(ctx, 'ft_list', request, reply, () => {
        checks.authenticate(request);
        checks.validate(request, 'get', path);
        return { status: 200, body: finance.listTransactions(request.query as Query) };
      }),
    );
    app.get<{ Params: Params }>(`${path}/:id`, (request, reply) =>
      absent(path, request, reply) ??
      guarded(ctx, 'ft_retrieve', request, reply, () => {
        checks.authenticate(request);
        checks.validate(request, 'get', `${path}/{id}`);
        return { status: 200, body: finance.getTransaction(request.params.id as string) };
      }),
    );
  }

  app.get('/api/v1/pa/financial/settlements', (request, reply) =>
    guarded(ctx, 'settlement_list', request, reply, () => {
      checks.authenticate(request);
      checks.validate(request, 'get', '/api/v1/pa/financial/settlements');
      return { status: 200, body: finance.listSettlements(request.query as Query) };
    }),
  );

  app.get<{ Params: Params }>('/api/v1/pa/financial/settlements/:id', (request, reply) =>
    guarded(ctx, 'settlement_retrieve', request, reply, () => {
      checks.authenticate(request);
      checks.validate(request, 'get', '/api/v1/pa/financial/settlements/{id}');
      return { status: 200, body: finance.getSettlement(request.params.id as string) };
    }),
  );

  // Controls for tests and demos: no auth, no faults (docs/simulator.md).
  app.get('/_financial_transactions', async () => ({ items: finance.transactions() }));
  app.post('/_financial_transactions', async (request, reply) =>
    reply.code(201).send(plantTransaction(finance, ctx.store, request.body, ctx.now())),
  );
  app.delete('/_financial_transactions', async (request) => dropTransactions(finance, request.query as Query));
  app.get('/_settlements', async () => ({ items: finance.settlements() }));
  app.post('/_settle', async (request) => ({ settled: finance.settleThrough(request.body) }));
  app.get('/_finance', async () => finance.settings());
  app.post('/_finance', async (request) => finance.setSettings(request.body ?? {}));
  app.delete('/_finance', async () => finance.resetSettings());
}
