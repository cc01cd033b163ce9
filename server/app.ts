// buildApp(deps): the HTTP API (routes from routes/, validation, one error handler); no listen, no process.env.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ErrorBody } from './contract';
import { AppError, ERRORS, isAppError, type ErrorCode } from './errors';
import { registerClientErrorRoutes } from './routes/client-errors';
import { registerOrderRoutes } from './routes/orders';
import { registerPublicRoutes } from './routes/public';
import { registerSessionRoutes } from './routes/sessions';
import type { AppDeps } from './routes/types';
import { registerWebhookRoutes } from './routes/webhooks';
import { registerAdminRoutes } from './routes/admin';
import { registerConsole } from './console/routes';
import { AdminAuth } from './auth/admin';
import { AdminService } from './services/admin';
import { appErrorOf } from './services/upstream-errors';
import { registerLimits } from './limits';
import { unstorableTextIn } from './text';
import { runWithTiming, serverTimingHeader } from './timing';

export type { AppDeps } from './routes/types';

/** Largest JSON body the API takes; an order of many lines is still far below it. */
const API_BODY_LIMIT = 16 * 1024;
/** A long poll keeps its socket quiet for up to MAX_WAIT_SECONDS: the idle timeout must outlast it. */
const CONNECTION_IDLE_TIMEOUT_MS = 60_000;
/** A request's head and body must have arrived within this (a slow client cannot hold a socket for ever). */
const REQUEST_TIMEOUT_MS = 30_000;
/** Routes that probes and scrapers call all day: logged only when something is wrong. */
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: API_BODY_LIMIT,
    trustProxy: typeof deps.trustProxy === 'number' ? trustHops(deps.trustProxy) : deps.trustProxy,
    connectionTimeout: CONNECTION_IDLE_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    return503OnClosing: true,
    // Errors raised before routing (a malformed URL, an over-long path parameter) get the envelope too.
    frameworkErrors: (error, request, reply) => sendError(error, request, reply),
    clientErrorHandler: sendClientError,
  }).withTypeProvider<TypeBoxTypeProvider>();
  setValidators(app);

  // Everything after onRequest runs inside this request's timing record (AsyncLocalStorage).
  app.addHook('onRequest', (_request, _reply, done) => runWithTiming(done));
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const timing = serverTimingHeader();
    if (timing) reply.header('server-timing', timing);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.telemetry.httpRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });
  app.addHook('onRoute', (route) => {
    if (QUIET_ROUTES.has(route.url)) route.logLevel = 'warn';
  });
  app.setErrorHandler((error: FastifyError, request, reply) => sendError(error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    sendError(new AppError('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`), request, reply),
  );

  const limits = await registerLimits(app, deps.limits, deps.store.shared ? deps.store : undefined, deps.logger);
  // Decided by the route the router matched, never the raw URL (`/%61pi/config` and `GET http://host/api/config`
  // are /api/config): a shopper's routes count a valid session against its shopper, and anything else against the
  // address (their own hook); every other /api route, and every path no route matches, counts against the address.
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url;
    const { shopperSession, ownLimit } = request.routeOptions.config;
    if (route === undefined || (route.startsWith('/api/') && !shopperSession && !ownLimit)) await limits.address(request, reply);
  });
  const auth = new AdminAuth({ store: deps.store, limits, telemetry: deps.telemetry, publicUrl: deps.publicUrl });

  registerPublicRoutes(app, deps, auth);
  registerSessionRoutes(app, deps, limits);
  registerOrderRoutes(app, deps, limits);
  registerClientErrorRoutes(app, deps, limits);
  registerWebhookRoutes(app, deps);
  if (deps.admin) {
    const service = new AdminService({ store: deps.store, refunds: deps.refunds, reconciliation: deps.reconciliation, currency: deps.catalogue.currency, events: deps.events });
    registerAdminRoutes(app, deps, deps.admin, service, auth);
    registerConsole(app, {
      store: deps.store,
      admin: service,
      adminToken: deps.admin.token,
      mode: deps.mode,
      auth,
      simulatorStats: deps.admin.simulatorStats,
      simulatorMessages: deps.admin.simulatorMessages,
    });
  }
  return app;
}

/** TRUST_PROXY=<n>: trust the n closest hops (the load balancers in front of this server). */
function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}

/**
 * JSON bodies are taken as sent: `{"quantity": true}` or `{"code": 12345}` are refused, not
 * coerced. Query strings and path parameters are text by nature, so they are still parsed into
 * the schema's types there. Every part, once validated, must hold only text the stores can keep
 * (text.ts): `GET /api/orders/%00` is a 400 here, not a 500 from PostgreSQL.
 */
function setValidators(app: FastifyInstance): void {
  const strict = addFormats(new Ajv({ coerceTypes: false, removeAdditional: true, allErrors: false, useDefaults: true }));
  const coercing = addFormats(new Ajv({ coerceTypes: true, removeAdditional: true, allErrors: false, useDefaults: true }));
  app.setValidatorCompiler(({ schema, httpPart }) => storableOnly(httpPart === 'body' ? strict.compile(schema) : finiteOnly(coercing.compile(schema))));
}

/**
 * A validator that also refuses text a store cannot keep (NUL, a lone surrogate) anywhere in the part it
 * validated, fields the handler ignores included: one rule, with nothing to track per field.
 */
function storableOnly(validate: ValidateFunction): ValidateFunction {
  const checked = ((data: unknown) => {
    const valid = validate(data);
    checked.errors = validate.errors;
    const where = valid ? unstorableTextIn(data) : undefined;
    if (where === undefined) return valid;
    checked.errors = [{ instancePath: where, schemaPath: '#', keyword: 'storable', params: {}, message: 'must not contain NUL or an unpaired surrogate' }];
    return false;
  }) as ValidateFunction;
  return checked;
}

/**
 * Ajv's coercion turns "Infinity" (or "1e999") into a number that its integer, minimum and maximum
 * checks let through (found by the fuzzer: `?limit=Infinity` reached SQLite's LIMIT as a 500). Text
 * coerced to a number must be a finite one.
 */
function finiteOnly(validate: ValidateFunction): ValidateFunction {
  const checked = ((data: unknown) => {
    const valid = validate(data);
    checked.errors = validate.errors;
    const where = valid ? nonFinite(data, '') : undefined;
    if (where === undefined) return valid;
    checked.errors = [{ instancePath: where, schemaPath: '#', keyword: 'finite', params: {}, message: 'must be a finite number' }];
    return false;
  }) as ValidateFunction;
  return checked;
}

/** The path of the first number in `data` that is not finite, if any. */
function nonFinite(data: unknown, path: string): string | undefined {
  if (typeof data === 'number') return Number.isFinite(data) ? undefined : path;
  if (data && typeof data === 'object') {
    for (const [key, value] of Object.entries(data)) {
      const found = nonFinite(value, `${path}/${key}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The one error handler: every failure becomes `{error: {code, message, requestId}}` with its status. */
function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { code, message, status } = classify(appErrorOf(error));
  if (status >= 500) request.log.error({ err: error }, message);
  else request.log.info({ code, status, reason: message }, 'request refused');
  const body: ErrorBody = { error: { code, message, requestId: request.id } };
  // Set here too: errors raised before routing skip the onSend hook.
  return reply.code(status).header('x-request-id', request.id).type('application/json; charset=utf-8').send(body);
}

/**
 * A request Node could not even parse (e.g. a head past its size limit) never reaches fastify's
 * handlers: answer the envelope on the raw socket, as Node would with its own body.
 */
function sendClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode =
    error.code === 'HPE_HEADER_OVERFLOW' ? 'HEADERS_TOO_LARGE' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'REQUEST_TIMEOUT' : 'VALIDATION_FAILED';
  const { status } = ERRORS[code];
  const message = code === 'VALIDATION_FAILED' ? 'The request is not valid HTTP.' : ERRORS[code].message;
  const requestId = randomUUID();
  const body = JSON.stringify({ error: { code, message, requestId } } satisfies ErrorBody);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nx-request-id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

function classify(error: unknown): { code: ErrorCode; message: string; status: number } {
  if (isAppError(error)) return { code: error.code, message: error.message, status: error.status };
  const fastifyError = error as Partial<FastifyError> & { validation?: unknown };
  const known = (code: ErrorCode, message?: string) => ({ code, message: message ?? ERRORS[code].message, status: ERRORS[code].status });
  if (fastifyError.validation) return known('VALIDATION_FAILED', fastifyError.message);
  switch (fastifyError.code) {
    case 'FST_ERR_BAD_URL':
      return known('VALIDATION_FAILED', 'The URL is malformed (a broken %-escape).');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return known('VALIDATION_FAILED', 'A path parameter is too long.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return known('INVALID_JSON', fastifyError.message);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return known('BODY_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return known('UNSUPPORTED_MEDIA_TYPE', fastifyError.message);
  }
  if (error instanceof SyntaxError) return known('INVALID_JSON');
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) return { code: 'VALIDATION_FAILED', message: fastifyError.message ?? 'Bad request.', status };
  return known('INTERNAL');
}
