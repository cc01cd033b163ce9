// Subscription messages on the Pay tap: asked from the tap itself (WeChat refuses otherwise), never
// waited for by the payment, and told to the server for the order once both exist.
import { fakeWx, flush, standardServer, tap, TEMPLATES, until } from './harness';
import type { FakeServer, FakeWxOptions, Rendered, WxFakes } from './harness';

const top = (wxf: WxFakes): Rendered => wxf.app.top().page;

/** Shop → one tea → Checkout, ready to tap Pay. */
async function checkout(options: FakeWxOptions): Promise<WxFakes> {
  const wxf = fakeWx(options);
  const shop = wxf.app.launch('pages/shop/shop').page;
  await until(() => shop.data.products.length > 0);
  shop.querySelectorAll('.stepper')[0].querySelector('.increase')!.dispatchEvent('tap');
  await flush();
  await tap(shop, '.checkout');
  await until(() => wxf.app.top().route === 'pages/checkout/checkout' && !top(wxf).data.loading);
  return wxf;
}

const withTemplates = (): FakeServer => standardServer({ subscribeTemplates: TEMPLATES });
const reported = (wxf: WxFakes) => wxf.server.calls.filter((c) => c.path === '/api/orders/ord_1/subscriptions');

test('Pay asks for both messages from the tap itself, pays without waiting for the answer, then tells the server', async () => {
  const wxf = await checkout({ server: withTemplates(), subscribe: { held: true } });
  await tap(top(wxf), '.pay');
  expect(wxf.subscribe.calls).toEqual([{ ids: ['tmpl_paid', 'tmpl_refund'], gesture: true }]);
  // The shopper has not answered yet: the order and the payment go ahead all the same.
  await until(() => wxf.requestPayment.mock.calls.length === 1);
  await until(() => wxf.app.top().route === 'pages/result/result');
  expect(reported(wxf)).toEqual([]);
  wxf.subscribe.answer();
  await until(() => reported(wxf).length === 1);
  expect(reported(wxf)[0].data).toEqual({ results: { tmpl_paid: 'accept', tmpl_refund: 'accept' } });
  expect(reported(wxf)[0].headers.Authorization).toMatch(/^Bearer /);
});

test('a refusal is told to the server as WeChat gave it, and the payment goes on', async () => {
  const wxf = await checkout({ server: withTemplates(), subscribe: { kept: { tmpl_paid: 'reject' }, choose: () => ({ tmpl_refund: 'acceptWithAlert' }) } });
  await tap(top(wxf), '.pay');
  await until(() => reported(wxf).length === 1);
  expect(reported(wxf)[0].data).toEqual({ results: { tmpl_paid: 'reject', tmpl_refund: 'acceptWithAlert' } });
  await until(() => wxf.app.top().route === 'pages/result/result' && top(wxf).data.state === 'waiting');
});

test('WeChat refusing to ask (subscriptions switched off) sends nothing and pays normally', async () => {
  const wxf = await checkout({ server: withTemplates(), subscribe: { mainSwitch: false } });
  await tap(top(wxf), '.pay');
  await until(() => wxf.app.top().route === 'pages/result/result');
  await flush(6);
  expect(wxf.subscribe.calls[0].result).toMatchObject({ errCode: 20004 });
  expect(reported(wxf)).toEqual([]);
  expect(wxf.requestPayment).toHaveBeenCalledTimes(1);
});

test('a server that fails to record the answers changes nothing for the shopper', async () => {
  const server = withTemplates().on('POST /api/orders/:id/subscriptions', { status: 500, body: { error: { code: 'INTERNAL', message: 'x', requestId: 'r' } } });
  const wxf = await checkout({ server });
  await tap(top(wxf), '.pay');
  await until(() => reported(wxf).length === 1 && wxf.app.top().route === 'pages/result/result');
  await flush(6);
  expect(top(wxf).data.state).toBe('waiting');
  expect(top(wxf).data.error).toBe('');
});

test('a shop without templates (the default) never asks', async () => {
  const wxf = await checkout({});
  await tap(top(wxf), '.pay');
  await until(() => wxf.app.top().route === 'pages/result/result');
  expect(wxf.subscribe.requestSubscribeMessage).not.toHaveBeenCalled();
});

test('a double tap asks once: the second tap finds Pay locked before it asks', async () => {
  const wxf = await checkout({ server: withTemplates(), subscribe: { held: true } });
  const button = top(wxf).querySelector('.pay')!;
  button.dispatchEvent('tap');
  button.dispatchEvent('tap');
  await flush();
  expect(wxf.subscribe.calls).toHaveLength(1);
  wxf.subscribe.answer();
});

describe('sandbox (the server runs its simulator, a develop build)', () => {
  const sandbox = (): FakeServer =>
    standardServer({ mode: 'simulator', subscribeTemplates: TEMPLATES }).on('POST /simulator/wechat/pay', { status: 200, body: { errMsg: 'requestPayment:ok' } });
  const simulatorPay = (wxf: WxFakes) => wxf.server.calls.filter((c) => c.path === '/simulator/wechat/pay');

  const PANEL = ['Allow both', 'Only "payment succeeded"', 'Only "refund succeeded"', 'Deny both'];
  /** The shopper taps `choice` in the simulated panel (and pays in the simulated sheet). */
  const choosing = (choice: number) => (shown: { itemList: string[] }) => (shown.itemList[0] === PANEL[0] ? choice : 0);

  test("a labelled simulated panel asks instead of WeChat's, before the simulated sheet; its answers go to the simulator with the sheet, and to the server", async () => {
    const wxf = await checkout({ server: sandbox() });
    await tap(top(wxf), '.pay');
    await until(() => wxf.app.top().route === 'pages/result/result');
    // WeChat's panel would not know the simulator's template ids (20001): never asked.
    expect(wxf.subscribe.requestSubscribeMessage).not.toHaveBeenCalled();
    // One sheet at a time: the panel (labelled, a choice per combination of templates), then the pay sheet.
    expect(wxf.sheets.map((sheet) => sheet.itemList)).toEqual([PANEL, [expect.stringMatching(/^Pay .* \(simulated\)$/), 'Fail (simulated)']]);
    expect(wxf.sheets[0].alertText).toMatch(/^Notifications \(simulated\): .*simulator keeps your answer/);
    expect(wxf.modals).toEqual([]);
    expect(simulatorPay(wxf).map((c) => c.data)).toEqual([{ package: 'prepay_id=wx123', outcome: 'pay', subscriptions: { tmpl_paid: 'accept', tmpl_refund: 'accept' } }]);
    await until(() => reported(wxf).length === 1);
    expect(reported(wxf)[0].data).toEqual({ results: { tmpl_paid: 'accept', tmpl_refund: 'accept' } });
  });

  test.each([
    [1, 'only "payment succeeded"', { tmpl_paid: 'accept', tmpl_refund: 'reject' }],
    [2, 'only "refund succeeded"', { tmpl_paid: 'reject', tmpl_refund: 'accept' }],
    [3, 'deny both', { tmpl_paid: 'reject', tmpl_refund: 'reject' }],
    [-1, 'dismissed (as closing WeChat\'s panel)', { tmpl_paid: 'reject', tmpl_refund: 'reject' }],
  ])('choice %i, %s, is told per template, and the payment goes on', async (choice, _label, results) => {
    const wxf = await checkout({ server: sandbox(), sheet: choosing(choice) });
    await tap(top(wxf), '.pay');
    await until(() => wxf.app.top().route === 'pages/result/result');
    expect(simulatorPay(wxf).map((c) => c.data)).toEqual([{ package: 'prepay_id=wx123', outcome: 'pay', subscriptions: results }]);
    await until(() => reported(wxf).length === 1);
    expect(reported(wxf)[0].data).toEqual({ results });
  });

  test('a shop with one template is asked Allow or Deny', async () => {
    const server = standardServer({ mode: 'simulator', subscribeTemplates: { paymentSucceeded: 'tmpl_paid' } }).on('POST /simulator/wechat/pay', { status: 200, body: { errMsg: 'requestPayment:ok' } });
    const wxf = await checkout({ server, sheet: (shown) => (shown.itemList[0] === 'Allow' ? 1 : 0) });
    await tap(top(wxf), '.pay');
    await until(() => simulatorPay(wxf).length === 1);
    expect(wxf.sheets[0].itemList).toEqual(['Allow', 'Deny']);
    expect(simulatorPay(wxf)[0].data.subscriptions).toEqual({ tmpl_paid: 'reject' });
  });

  test('in Chinese, labelled as simulated', async () => {
    const wxf = await checkout({ server: sandbox(), language: 'zh_CN' });
    await tap(top(wxf), '.pay');
    await until(() => simulatorPay(wxf).length === 1);
    expect(wxf.sheets[0].itemList).toEqual(['全部允许', '仅“支付成功”通知', '仅“退款成功”通知', '全部拒绝']);
    expect(wxf.sheets[0].alertText).toMatch(/^订阅消息（模拟）：/);
  });
});
