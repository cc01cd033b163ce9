// The per-answer properties: never 5xx, refusals carry the error envelope with a matching status (the console's: its HTML
// page with its security headers, or a redirect that stays on the console), expectations met.
import { CONTENT_SECURITY_POLICY } from '../../server/console/pages/layout';
import { ERRORS, type ErrorCode } from '../../server/errors';
import { isStorableText, unstorableTextIn } from '../../server/text';
import { bodyLimitOf, type Expectation, type FuzzCase } from './model';
import type { RawRequest, RawResponse } from './http';
import type { World } from './world';

const isErrorCode = (code: unknown): code is ErrorCode => typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERRORS, code);

/**
 * The case's expectation, adjusted for what only the built request knows: a body past the route's
 * size limit (long odd strings grow when escaped) may be refused as BODY_TOO_LARGE; text no store can
 * keep may be refused as invalid (see unstorable).
 */
export function expectationFor(c: FuzzCase, request: RawRequest): Expectation {
  const webhook = c.endpoint === 'POST /webhooks/airwallex';
  // Past the route's limit the body is refused before anything reads it (seed 757346969: a resolve whose `any` expectation
  // named its codes, with a body of escaped NULs grown past 16 KiB; seed 749390546: an error report whose over-long
  // envVersion of emoji grew past the route's own 14 KiB).
  const tooLarge = (request.body?.length ?? 0) > bodyLimitOf(c.endpoint);
  const expect: Expectation = !tooLarge || (c.expect.outcome === 'any' && !c.expect.codes) ? c.expect : { outcome: c.expect.outcome === 'any' ? 'any' : 'refuse', codes: [...(c.expect.codes ?? []), 'BODY_TOO_LARGE'] };
  return carriesUnstorableText(request) ? unstorable(expect, webhook ? 'WEBHOOK_PAYLOAD_INVALID' : 'VALIDATION_FAILED') : expect;
}

/**
 * A request carrying text no store can keep (NUL, a lone surrogate) is refused 400 in every part the route validates
 * (server/text.ts), and not in parts it ignores, which the case generators do not track: such a case may also be
 * refused with `code` (400). The table check proves the rule itself: no row may ever hold a NUL (run.ts).
 */
function unstorable(expect: Expectation, code: ErrorCode): Expectation {
  if (expect.outcome === 'refuse') return { ...expect, codes: expect.codes && [...expect.codes, code], statuses: expect.statuses && [...expect.statuses, 400] };
  if (expect.outcome === 'any' && !expect.codes) return expect;
  return { ...expect, outcome: 'any', codes: [...(expect.codes ?? []), code], statuses: [...(expect.statuses ?? []), 400] };
}

const decoded = (text: string, plusIsSpace: boolean): string | undefined => {
  try {
    return decodeURIComponent(plusIsSpace ? text.replace(/\+/g, ' ') : text);
  } catch {
    return undefined;
  }
};

/** Whether the request's path, query or body carry text no store can keep, as the server decodes them. */
export function carriesUnstorableText(request: RawRequest): boolean {
  const mark = request.path.indexOf('?');
  const path = mark < 0 ? request.path : request.path.slice(0, mark);
  const query = mark < 0 ? '' : request.path.slice(mark + 1);
  const texts: string[] = [];
  for (const segment of path.split('/')) texts.push(decoded(segment, false) ?? '');
  for (const pair of query.split('&')) for (const part of pair.split('=')) texts.push(decoded(part, true) ?? '');
  if (texts.some((text) => !isStorableText(text))) return true;
  if (!request.body?.length) return false;
  const body = request.body.toString('utf8');
  if (!isStorableText(body)) return true;
  try {
    return unstorableTextIn(JSON.parse(body)) !== undefined;
  } catch {
    return [...new URLSearchParams(body)].some(([key, value]) => !isStorableText(key) || !isStorableText(value));
  }
}

/**
 * The console's contract: pages (also its refusals) are HTML with the strict CSP, no framing and no caching;
 * a redirect (303) stays on the console. An /admin path no route has falls to the API's 404 envelope.
 */
function consoleViolations(c: FuzzCase, request: RawRequest, response: RawResponse): string[] {
  // A form past the body limit is refused before anything else looks at it.
  const expect: Expectation = (request.body?.length ?? 0) > bodyLimitOf(c.endpoint) ? { outcome: 'refuse', statuses: [413] } : carriesUnstorableText(request) ? unstorable(c.expect, 'VALIDATION_FAILED') : c.expect;
  const problems: string[] = [];
  const { status } = response;
  if (status === 0) return [`no HTTP answer (${response.error ?? 'unknown error'})`];
  if (status >= 500) problems.push(`answered ${status}: a server error`);
  if (status === 303) {
    const location = String(response.headers.location ?? '');
    if (!location.startsWith('/admin') || location.startsWith('//')) problems.push(`redirects off the console: Location ${JSON.stringify(location)}`);
    else if (expect.location && !location.startsWith(expect.location)) problems.push(`redirects to ${JSON.stringify(location)}, expected ${JSON.stringify(expect.location)}…`);
  } else if (status === 200 || (status >= 400 && status < 500)) {
    if (!String(response.headers['content-type'] ?? '').startsWith('text/html')) problems.push(`a console answer ${status} that is not an HTML page (${response.headers['content-type']}): ${response.text.slice(0, 200)}`);
    else if (!/<html/i.test(response.text)) problems.push(`a console answer ${status} without an HTML document`);
    if (response.headers['content-security-policy'] !== CONTENT_SECURITY_POLICY) problems.push('a console page without its Content-Security-Policy');
    if (response.headers['x-frame-options'] !== 'DENY') problems.push('a console page that may be framed');
    if (response.headers['cache-control'] !== 'no-store') problems.push('a console page that may be cached');
  } else if (status < 500) problems.push(`unexpected status ${status}`);
  if (expect.outcome === 'redirect' && status !== 303) problems.push(`expected a redirect (303), got ${status}`);
  if (expect.outcome === 'accept' && status !== 200) problems.push(`expected a page (200), got ${status}`);
  if (expect.outcome === 'refuse') {
    if (status < 400 || status >= 500) problems.push(`expected a refusal (4xx), got ${status}`);
    else if (expect.statuses && !expect.statuses.includes(status)) problems.push(`refused with ${status}, expected ${expect.statuses.join(' or ')}`);
  }
  return problems;
}

/** Every property an answer breaks; empty when the answer is fine. */
export function violations(c: FuzzCase, request: RawRequest, response: RawResponse, world: World): string[] {
  if (c.contract === 'console') return consoleViolations(c, request, response);
  const expect = expectationFor(c, request);
  const problems: string[] = [];
  const { status } = response;
  if (status === 0) return [`no HTTP answer (${response.error ?? 'unknown error'})`];
  if (status >= 500) problems.push(`answered ${status}: a server error`);
  if (request.path.startsWith('/admin/api/') && status >= 200 && status < 300 && response.headers['cache-control'] !== 'no-store') problems.push('an admin API answer that may be cached');

  let body: any;
  let parsed = false;
  try {
    body = JSON.parse(response.text);
    parsed = true;
  } catch {
    // checked below
  }

  if (status >= 400) {
    const error = parsed && body && typeof body === 'object' ? body.error : undefined;
    if (!parsed) problems.push('error answer is not JSON');
    else if (!error || typeof error !== 'object' || Array.isArray(error) || Object.keys(body).length !== 1) {
      problems.push('error answer is not the envelope {"error":{"code","message","requestId"}}');
    } else {
      const code: unknown = error.code;
      if (!isErrorCode(code) || !/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(code)) problems.push(`error.code ${JSON.stringify(code)} is not a code from server/errors.ts`);
      else if (ERRORS[code].status !== status) problems.push(`status ${status} does not match ${code} (${ERRORS[code].status})`);
      if (typeof error.message !== 'string' || error.message.trim() === '') problems.push('error.message is not a non-empty string');
      if (typeof error.requestId !== 'string' || error.requestId === '') problems.push('error.requestId is not a non-empty string');
      else if (response.headers['x-request-id'] !== error.requestId) problems.push('error.requestId differs from the x-request-id header');
      if (expect.codes && status < 500 && isErrorCode(code) && !expect.codes.includes(code)) {
        problems.push(`refused with ${code}, expected one of ${expect.codes.join(', ')}`);
      }
    }
  } else if (status >= 200 && status < 300) {
    // 204 No Content (a client error report) has no body at all; every other success answers JSON.
    if (status === 204 ? response.text.length > 0 : !parsed) problems.push(status === 204 ? '204 answer has a body' : 'success answer is not JSON');
  } else {
    problems.push(`unexpected status ${status}`);
  }

  const { outcome } = expect;
  if (outcome === 'refuse' && (status < 400 || status >= 500)) problems.push(`expected a refusal (4xx), got ${status}`);
  if ((outcome === 'accept' || outcome === 'redirect') && (status < 200 || status >= 300)) problems.push(`expected success, got ${status}`);
  if (status >= 200 && status < 300 && parsed) {
    if (expect.status !== undefined && status !== expect.status) problems.push(`expected status ${expect.status}, got ${status}`);
    if (expect.sameOrderAs && body?.order?.id !== world.orders[expect.sameOrderAs].id) {
      problems.push(`expected the fixture order ${expect.sameOrderAs} (${world.orders[expect.sameOrderAs].id}), got ${JSON.stringify(body?.order?.id)}`);
    }
    if (expect.sameRefundAs === 'setup' && body?.refund?.id !== world.setupRefundId) {
      problems.push(`expected the setup's refund ${world.setupRefundId}, got ${JSON.stringify(body?.refund?.id)}`);
    }
    if (expect.webhookOutcomes && !expect.webhookOutcomes.includes(body?.outcome)) {
      problems.push(`webhook outcome ${JSON.stringify(body?.outcome)}, expected one of ${expect.webhookOutcomes.join(', ')}`);
    }
  }
  return problems;
}

const clip = (text: string, max = 400) => (text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text);

/** The request and its answer, for a failure report. */
export function describeExchange(request: RawRequest, response: RawResponse): string {
  const headers = Object.entries(request.headers)
    .map(([name, value]) => `    ${name}: ${clip(JSON.stringify(value), 160)}`)
    .join('\n');
  const body = request.body === undefined ? '(none)' : `${request.body.length} bytes${request.chunked ? ' (chunked)' : ''}: ${clip(JSON.stringify(request.body.toString('utf8')))}`;
  return [
    `  request:  ${request.method} ${clip(request.path, 300)}`,
    headers,
    `    body ${body}`,
    `  answer:   ${response.status || response.error} ${clip(response.text)}`,
  ]
    .filter(Boolean)
    .join('\n');
}
