// The console's money pages over HTTP: the overview as the home page (figures of a known set of orders, the chart
// drawn on the server, both languages), the Reconciliation page (the Run button behind CSRF, audited; a run's totals
// and flagged items linked), and the CSV exports (BOM, columns, CRLF, the list's filters, no formula cells).
import { formatMoney } from '../../server/console/format';
import { decimalText } from '../../server/money';
import { csrfOf, signInToConsole, visitConsole, type VisitOptions } from './console-client';
import { CART, CART_TOTAL, eventually, startTestServer, testConfig, type TestServer } from './helpers';

const ADMIN_TOKEN = 'console-money-admin-token-0123456789';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const visit = (pathname: string, options: VisitOptions = {}) => visitConsole(server.url, pathname, options);

/** Signs in like the form, with no `next`: where the console sends an operator first. */
async function signIn(language: 'en' | 'zh_CN' = 'en'): Promise<{ cookie: string; home: string }> {
  const { cookie, location } = await signInToConsole(server.url, ADMIN_TOKEN);
  return { cookie: `${cookie}; console_lang=${language}`, home: location };
}

const figure = (html: string, name: string, nth = 0) => [...html.matchAll(new RegExp(`data-figure="${name}">(.*?)</dd>`, 'gs'))][nth][1].replace(/<[^>]+>/g, '');

/** A known set of orders: two paid (one partly refunded), one whose pay sheet opened and was left, one cart never confirmed. */
async function knownOrders() {
  const amy = await server.sessionFor('amy');
  const paid = [await server.paidOrder(amy), await server.paidOrder(await server.sessionFor('ben'))];
  const left = (await server.request<any>('POST', '/api/orders', { token: amy, body: CART })).body.order;
  expect((await server.request('POST', `/api/orders/${left.id}/payment`, { token: amy })).status).toBe(200);
  await server.request('POST', '/api/orders', { token: amy, body: CART });
  const refund = await server.request('POST', `/admin/api/orders/${paid[0].id}/refunds`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'idempotency-key': 'console-money-refund' },
    body: { amount: 500 },
  });
  expect(refund.status).toBe(201);
  // Pending until Airwallex accepts it (a webhook, a moment later).
  await eventually(async () => (await server.store.getOrder(paid[0].id))!.refunds.every((r) => r.status === 'succeeded'));
  return { paid, left };
}

describe('the overview', () => {
  test("is the console's home: today, 7 and 30 days of a known set of orders, open anomalies, and the chart as SVG", async () => {
    server = await startTestServer(testConfig({ ADMIN_TOKEN }));
    await knownOrders();
    const { cookie, home } = await signIn();
    expect(home).toBe('/admin/overview');
    expect((await visit('/admin', { cookie })).headers.get('location')).toBe('/admin/overview');

    const page = await visit('/admin/overview', { cookie });
    expect(page.status).toBe(200);
    const paid = formatMoney(2 * CART_TOTAL, 'CNY', 'en');
    for (let period = 0; period < 3; period++) {
      expect(figure(page.text, 'paid', period)).toBe(paid);
      expect(figure(page.text, 'payments', period)).toBe('2');
      expect(figure(page.text, 'refunds', period)).toBe(`1 (${formatMoney(500, 'CNY', 'en')})`);
      // Paid over orders that opened a pay sheet: 2 of 3 (the cart never confirmed does not count).
      expect(figure(page.text, 'conversion', period)).toBe('66.7% 2 paid of 3 opened pay sheets');
    }
    expect(figure(page.text, 'anomalies')).toBe('0');
    expect(figure(page.text, 'reconciliation')).toContain('none yet');
    // The chart: drawn on the server, one bar (today's), its amount in its title; no script anywhere, the CSP unchanged.
    const svg = /<svg class="chart"[\s\S]*?<\/svg>/.exec(page.text)![0];
    expect(svg.match(/<rect /g)).toHaveLength(1);
    expect(svg).toMatch(new RegExp(`<rect class="bar today"[^>]*><title>\\d{4}-\\d{2}-\\d{2}: ${paid.replace(/[.$]/g, '\\$&')}, 2 payments</title>`));
    expect(svg).not.toMatch(/style=|on\w+=/);
    expect(page.text).not.toMatch(/<script/i);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(page.headers.get('content-security-policy')).not.toMatch(/script-src [^;]*(unsafe|https?:)/);
    // The same figures as a table, for screen readers: 30 days.
    expect(page.text.match(/<tr><th scope="row">\d{4}-\d{2}-\d{2}<\/th>/g)).toHaveLength(30);
  });

  test('in Chinese, with the last reconciliation and its flags', async () => {
    server = await startTestServer(testConfig({ ADMIN_TOKEN, RECONCILE_GRACE_BUSINESS_DAYS: '0' }));
    const order = await server.paidOrder(await server.sessionFor('cy'));
    server.simulator!.finance.drop({ payment_intent_id: order.paymentIntentId });
    const { cookie } = await signIn('zh_CN');
    const reconcile = await visit('/admin/reconciliations', { cookie });
    const ran = await visit('/admin/reconciliations', { cookie, form: { _csrf: csrfOf(reconcile.text), date: server.reconciliation.today() } });
    expect(ran.status).toBe(303);

    const page = await visit('/admin/overview', { cookie });
    expect(page.text).toContain('<html lang="zh-CN"');
    expect(page.text).toContain('近 30 天每日收款（CNY）');
    expect(figure(page.text, 'paid')).toBe(formatMoney(CART_TOTAL, 'CNY', 'zh_CN'));
    expect(figure(page.text, 'conversion')).toBe('100% 打开支付的 1 笔中已支付 1 笔');
    expect(figure(page.text, 'anomalies')).toBe('1');
    expect(figure(page.text, 'reconciliation')).toBe(`${server.reconciliation.today()}: 已完成, 1 项差异`);
  });
});

describe('the Reconciliation page', () => {
  test('the Run button needs the CSRF token, is audited as the console, and the run shows its totals and each flag linked', async () => {
    server = await startTestServer(testConfig({ ADMIN_TOKEN, RECONCILE_GRACE_BUSINESS_DAYS: '0' }));
    const { paid } = await knownOrders();
    const sim = server.simulator!.finance;
    const planted = sim.plant({ source_id: 'att_unknown_to_the_shop', amount: 9.99, currency: 'CNY' });
    sim.drop({ payment_intent_id: paid[1].paymentIntentId });
    const { cookie } = await signIn();
    const today = server.reconciliation.today();

    const list = await visit('/admin/reconciliations', { cookie });
    expect(list.status).toBe(200);
    expect(list.text).toContain('No day has been reconciled yet.');
    expect(list.text).toMatch(/<input type="date" id="date" name="date" value="\d{4}-\d{2}-\d{2}" max="\d{4}-\d{2}-\d{2}"/);
    // Without the token, or from another origin: refused, nothing run.
    expect((await visit('/admin/reconciliations', { cookie, form: { date: today } })).status).toBe(403);
    expect((await visit('/admin/reconciliations', { cookie, form: { _csrf: csrfOf(list.text), date: today }, origin: 'https://evil.example' })).status).toBe(403);
    expect((await server.request<any>('GET', '/admin/api/reconciliations', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).body.runs).toEqual([]);
    // A day not begun: the form again, saying so.
    const future = await visit('/admin/reconciliations', { cookie, form: { _csrf: csrfOf(list.text), date: '2999-01-01' } });
    expect([future.status, future.text.includes('Choose a day that has begun.')]).toEqual([400, true]);

    const ran = await visit('/admin/reconciliations', { cookie, form: { _csrf: csrfOf(list.text), date: today } });
    expect(ran.status).toBe(303);
    const location = ran.headers.get('location')!;
    const runId = /^\/admin\/reconciliations\/(rec_[0-9a-f]+)\?ran=1$/.exec(location)![1];
    const audit = (await server.request<any>('GET', `/admin/api/audit?target=${runId}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).body.entries;
    expect(audit).toEqual([expect.objectContaining({ action: 'reconciliation.run', actor: expect.stringMatching(/^admin:/), detail: expect.objectContaining({ via: 'console', day: today, flagged: 2 }) })]);

    const page = await visit(location, { cookie });
    expect(page.status).toBe(200);
    expect(page.text).toContain('Reconciled just now.');
    expect(page.text).toContain('<strong class="bad">2 flagged</strong>');
    // Totals per currency: Airwallex's side (one payment left, the refund, the planted one) and the shop's (two paid).
    const totals = /<table class="cards" id="totals">[\s\S]*?<\/table>/.exec(page.text)![0];
    expect(totals).toContain(`${formatMoney(2 * CART_TOTAL, 'CNY', 'en')} (2)`);
    // Each flagged item linked: the missing payment to its order, the unknown transaction to its page.
    const flagged = await visit(`/admin/reconciliations/${runId}?flagged=1`, { cookie });
    const rows = flagged.text.match(/<tr id="item-\d+" class="flagged">[\s\S]*?<\/tr>/g)!;
    expect(rows).toHaveLength(2);
    expect(rows.find((row) => row.includes('Missing in Airwallex'))).toContain(`href="/admin/orders/${paid[1].id}"`);
    const unknown = rows.find((row) => row.includes('Missing in the shop'))!;
    expect(unknown).toContain(`href="/admin/reconciliations/transactions/${planted.id}"`);
    const transaction = await visit(`/admin/reconciliations/transactions/${planted.id}`, { cookie });
    expect(transaction.text).toContain(`href="/admin/reconciliations/${runId}#item-`);
    // The Anomalies page links each flag to its run, and the unknown transaction (no order to link) to its page.
    const anomalies = (await visit('/admin/anomalies', { cookie })).text.match(/<tr>[\s\S]*?<\/tr>/g)!.filter((row) => row.includes('recon_'));
    expect(anomalies).toHaveLength(2);
    for (const row of anomalies) expect(row).toContain(`href="/admin/reconciliations/${runId}"`);
    expect(anomalies.find((row) => row.includes('recon_missing_in_shop'))).toContain(`href="/admin/reconciliations/transactions/${planted.id}"`);

    // The list now shows the run.
    expect((await visit('/admin/reconciliations', { cookie })).text).toContain(`href="/admin/reconciliations/${runId}"`);
    const missing = await visit('/admin/reconciliations/rec_nope', { cookie: cookie.replace('console_lang=en', 'console_lang=zh_CN') });
    expect([missing.status, missing.text.includes('没有这条对账记录。')]).toEqual([404, true]);
  });
});

describe('CSV exports', () => {
  const parse = (text: string) => {
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    return text.slice(1, -2).split('\r\n').map((line) => line.split(','));
  };

  test("a run's items and the orders list: UTF-8 with BOM, the right columns, amounts as plain decimals, the list's filters", async () => {
    server = await startTestServer(testConfig({ ADMIN_TOKEN }));
    const { paid, left } = await knownOrders();
    server.simulator!.finance.settle();
    const { cookie } = await signIn('zh_CN');
    const form = await visit('/admin/reconciliations', { cookie });
    const runId = /rec_[0-9a-f]+/.exec((await visit('/admin/reconciliations', { cookie, form: { _csrf: csrfOf(form.text), date: server.reconciliation.today() } })).headers.get('location')!)![0];

    const items = await visit(`/admin/reconciliations/${runId}/items.csv`, { cookie });
    expect(items.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(items.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="reconciliation-\\d{4}-\\d{2}-\\d{2}-${runId}.csv"`));
    const [header, ...rows] = parse(items.text);
    expect(header).toEqual(['行', '状态', '差异代码', '差异', '类型', '订单号', '退款号', 'Payment Intent', '来源（支付尝试或退款）', 'Airwallex 交易', '批次', '币种', '本店金额', 'Airwallex 金额', '差额', '手续费', '异常键']);
    expect(rows).toHaveLength(4); // two payments, a refund, the batch
    const payment = rows.find((row) => row[5] === paid[1].id)!;
    expect(payment.slice(1, 5)).toEqual(['一致', '', '', '支付']);
    expect(payment.slice(11, 15)).toEqual(['CNY', decimalText(CART_TOTAL, 'CNY'), decimalText(CART_TOTAL, 'CNY'), '0.00']);
    expect(rows.find((row) => row[4] === '退款')!.slice(12, 14)).toEqual(['-5.00', '-5.00']);

    const orders = await visit('/admin/orders.csv', { cookie });
    expect(orders.headers.get('content-disposition')).toMatch(/^attachment; filename="orders.csv"/);
    const [orderHeader, ...orderRows] = parse(orders.text);
    // Times in the console's time zone (the server's, as on every console page), named in the header.
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(orderHeader).toEqual(['订单号', `创建时间（${zone}）`, `支付时间（${zone}）`, '状态', '币种', '金额', '已退款', '实收', '商品', 'Payment Intent', '支付尝试', '顾客']);
    expect(orderRows).toHaveLength(4);
    const refunded = orderRows.find((row) => row[0] === paid[0].id)!;
    expect(refunded.slice(3, 8)).toEqual(['paid', 'CNY', '26.99', '5.00', '21.99']);
    expect(refunded[2]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(refunded[8]).toMatch(/ × 2; .* × 1$/);
    expect(refunded[8]).toMatch(/[\u4e00-\u9fff]/); // the Chinese names, as Excel shows them with the BOM
    expect(refunded[10]).toMatch(/^att_/);
    expect(orderRows.find((row) => row[0] === left.id)!.slice(2, 8)).toEqual(['', 'awaiting_payment', 'CNY', '26.99', '0.00', '0.00']);
    // The list's filters apply to the export, and the list links to it with them.
    const onlyPaid = parse((await visit('/admin/orders.csv?status=paid', { cookie })).text);
    expect(onlyPaid.slice(1).map((row) => row[0]).sort()).toEqual(paid.map((order) => order.id).sort());
    expect((await visit('/admin/orders?status=paid', { cookie })).text).toContain('href="/admin/orders.csv?status=paid"');
    expect((await visit('/admin/orders.csv?from=2026-02-30', { cookie })).status).toBe(400);
    // Without a session: the sign-in page, never the data.
    expect((await visit('/admin/orders.csv')).status).toBe(303);
  });
});
