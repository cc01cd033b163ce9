// The console's Events page and an order's events on its timeline, over HTTP as a browser uses them: delivery state, tries,
// last error, next try; Resend (one, or every failed one) behind the session's CSRF token and audited; zh_CN and en.
import { startEventsReceiver, type Answer, type EventsReceiver } from '../../scripts/lib/events-receiver';
import { csrfOf, signInToConsole, visitConsole, type VisitOptions } from './console-client';
import { eventually, manualClock, startTestServer, testConfig, type TestServer } from './helpers';

const ADMIN_TOKEN = 'console-admin-token-0123456789';
const EVENTS_SECRET = 'events-secret-for-tests-5b7c9d1e3f';
const en = { 'accept-language': 'en' };
const zh = { 'accept-language': 'zh-CN' };

let server: TestServer;
let receiver: EventsReceiver;
let answer: Answer = 200;
beforeEach(async () => {
  answer = 200;
  receiver = await startEventsReceiver({ secret: EVENTS_SECRET, answer: () => answer, toleranceMs: 365 * 24 * 3600_000 });
});
afterEach(async () => {
  await server?.close();
  await receiver.close();
});

const visit = (pathname: string, options: VisitOptions = {}) => visitConsole(server.url, pathname, options);

async function signIn(): Promise<{ cookie: string; csrf: string }> {
  const { cookie } = await signInToConsole(server.url, ADMIN_TOKEN, '/admin/events');
  return { cookie, csrf: csrfOf((await visit('/admin/events', { cookie })).text) };
}

describe("the console's Events page", () => {
  test('shows a given-up event with its tries and last error; Resend (CSRF, audited) delivers it; the order timeline shows it', async () => {
    const clock = manualClock();
    answer = 503;
    server = await startTestServer(testConfig({ ADMIN_TOKEN, EVENTS_URL: receiver.url, EVENTS_SECRET, EVENTS_FIRST_RETRY_MS: '50' }), { now: clock.now, events: { pollMs: 3_600_000 } });
    const token = await server.sessionFor('eve');
    const first = await server.paidOrder(token);
    const second = await server.paidOrder(token);
    await receiver.until((d) => d.length === 2);
    // The receiver answered; the server records each try's outcome right after.
    await eventually(async () => (await Promise.all([first, second].map(async (o) => (await server.store.outboxOfOrder(o.id))[0].retries))).every((n) => n === 1));
    const { cookie, csrf } = await signIn();

    // Pending: the next try shown, no Resend (it is on its way).
    const pending = await visit('/admin/events', { cookie, headers: en });
    expect(pending.text).toMatch(/<a href="\/admin\/events" aria-current="page">Events<\/a>/);
    expect(pending.text).toContain('to deliver');
    expect(pending.text).toContain('<code>HTTP 503: try again</code>');
    expect(pending.text).not.toContain('/resend"');

    clock.advance(72 * 3600_000);
    await server.events!.deliverDue();
    const [failed] = await server.store.outboxOfOrder(first.id);
    expect(failed.state).toBe('failed');
    const page = await visit('/admin/events?state=failed', { cookie, headers: en });
    expect(page.status).toBe(200);
    expect(page.text).toContain(`<code>${failed.id}</code>`);
    expect(page.text).toContain(`href="/admin/orders/${first.id}#timeline"`);
    expect(page.text).toContain('<span class="status status-failed">given up</span>');
    expect(page.text).toMatch(/data-label="Tries" class="num">2</);
    expect(page.text).toContain('Resend all 2 failed');
    const chinese = await visit('/admin/events', { cookie, headers: zh });
    expect(chinese.text).toContain('订单事件');
    expect(chinese.text).toContain('已放弃');
    expect(chinese.text).toContain('重新发送');

    answer = 200;
    // Without the session's CSRF token: refused, nothing sent.
    expect((await visit(`/admin/events/${failed.id}/resend`, { cookie, form: {} })).status).toBe(403);
    const resent = await visit(`/admin/events/${failed.id}/resend`, { cookie, form: { _csrf: csrf } });
    expect([resent.status, resent.location]).toEqual([303, `/admin/events?resent=${failed.id}`]);
    await receiver.until((d) => d.some((x) => x.id === failed.id && x.status === 200));
    expect((await visit(resent.location!, { cookie, headers: en })).text).toContain(`Event ${failed.id} will be sent again now.`);
    const audit = (await server.request('GET', `/admin/api/audit?target=${first.id}`, { token: ADMIN_TOKEN })).body.entries;
    expect(audit).toEqual([expect.objectContaining({ action: 'event.resend', detail: expect.objectContaining({ eventId: failed.id, via: 'console' }) })]);

    // The other failed one, through "Resend all failed".
    const all = await visit('/admin/events/resend-failed', { cookie, form: { _csrf: csrf } });
    expect([all.status, all.location]).toEqual([303, '/admin/events?resentFailed=1']);
    const [other] = await server.store.outboxOfOrder(second.id);
    await receiver.until((d) => d.some((x) => x.id === other.id && x.status === 200));

    // The order's page: its event on the timeline, with its delivery and a Resend button.
    await server.events!.deliverDue();
    const order = await visit(`/admin/orders/${first.id}`, { cookie, headers: en });
    expect(order.text).toMatch(/<span class="what">Event to your system<\/span> <code>order\.paid<\/code> <span class="status status-succeeded">delivered<\/span>/);
    expect(order.text).toContain(`action="/admin/events/${failed.id}/resend"`);
    expect(order.text).toContain('Tries: 3 · Last error: HTTP 503: try again');
  });

  test('without EVENTS_URL: says events are only recorded, offers no Resend, and a forged resend is refused in words', async () => {
    server = await startTestServer(testConfig({ ADMIN_TOKEN }));
    const order = await server.paidOrder(await server.sessionFor('ned'));
    const [event] = await server.store.outboxOfOrder(order.id);
    const { cookie, csrf } = await signIn();
    const page = await visit('/admin/events', { cookie, headers: en });
    expect(page.text).toContain('EVENTS_URL is not set');
    expect(page.text).toContain('recorded, not sent');
    expect(page.text).not.toContain('/resend"');
    const refused = await visit(`/admin/events/${event.id}/resend`, { cookie, form: { _csrf: csrf }, headers: en });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('set EVENTS_URL and EVENTS_SECRET to deliver (and resend) them');
    const timeline = await visit(`/admin/orders/${order.id}`, { cookie, headers: zh });
    expect(timeline.text).toMatch(/发往你的系统的事件<\/span> <code>order\.paid<\/code> <span class="status status-unsent">仅记录，未发送<\/span>/);
  });
});
