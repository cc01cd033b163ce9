// The app around the pages on a real phone: new versions (wx.getUpdateManager, the server's
// contractVersion) and script errors reported to the server's log.
import { CONTRACT_VERSION } from '../../server/contract';
import { fakeWx, flush, mp, standardServer, until } from './harness';
import type { WxFakes } from './harness';

async function launch(wxf: WxFakes): Promise<void> {
  wxf.app.launch('pages/shop/shop');
  await until(() => wxf.app.top().page.data.products.length > 0);
}

describe('new versions', () => {
  test("the mini program speaks the server contract's version (the type keeps the two numbers equal)", () => {
    fakeWx();
    jest.resetModules();
    expect(mp('config').CONTRACT_VERSION).toBe(CONTRACT_VERSION);
  });

  test('a downloaded update: the shopper is asked, and Restart applies it; Later does not', async () => {
    const wxf = fakeWx();
    await launch(wxf);
    wxf.update.ready();
    await flush();
    expect(wxf.modals).toEqual([
      { title: 'New version', content: 'A new version of the shop is ready. Restart to use it?', confirmText: 'Restart', cancelText: 'Later' },
    ]);
    expect(wxf.update.applied).toBe(1);

    const later = fakeWx({ language: 'zh_CN' });
    later.showModal.mockImplementation((o: any) => queueMicrotask(() => o.success({ confirm: false, cancel: true })));
    await launch(later);
    later.update.ready();
    await flush();
    expect(later.update.applied).toBe(0);
  });

  test('a server with a newer contract: the update is not optional, and is applied as soon as it is downloaded', async () => {
    const wxf = fakeWx({ server: standardServer({ contractVersion: CONTRACT_VERSION + 1 }) });
    wxf.showModal.mockImplementation((o: any) => queueMicrotask(() => o.success({ confirm: false, cancel: false })));
    await launch(wxf);
    expect(wxf.showModal).not.toHaveBeenCalled();
    wxf.update.ready();
    await flush();
    expect(wxf.showModal.mock.calls[0][0]).toMatchObject({ content: 'This version of the shop is out of date. Restart to update it.', showCancel: false });
    expect(wxf.update.applied).toBe(1);
  });

  test('the same contract and no download: nothing is asked', async () => {
    const wxf = fakeWx();
    await launch(wxf);
    wxf.update.checked(false);
    await flush();
    expect(wxf.showModal).not.toHaveBeenCalled();
  });
});

describe('script errors', () => {
  test('App.onError reports message, stack, route and versions to the server, without the session or the query', async () => {
    const wxf = fakeWx({ version: '1.4.0', envVersion: 'release' });
    wxf.app.launch('pages/result/result?id=ord_secret');
    const err = new Error(`x is undefined at ${'/pages/result/result?id=ord_secret'} ${'y'.repeat(400)}`);
    wxf.app.scriptError(err);
    await until(() => wxf.server.count('POST /api/client-errors') === 1);
    const report = wxf.server.calls.find((c) => c.path === '/api/client-errors')!;
    expect(report.data).toMatchObject({ kind: 'error', route: 'pages/result/result', appVersion: '1.4.0', envVersion: 'release', sdkVersion: '3.0.0', contractVersion: CONTRACT_VERSION });
    expect(report.data.message.length).toBeLessThanOrEqual(300);
    expect(report.data.message).toMatch(/^x is undefined at \/pages\/result\/result\? /);
    expect(JSON.stringify(report.data)).not.toContain('ord_secret');
    expect(report.data.stack).toContain('app.test.ts');
    expect(report.headers.Authorization).toBeUndefined();
  });

  test('unhandled rejections are reported too, and a flood is cut to a few reports', async () => {
    const wxf = fakeWx();
    wxf.app.launch('pages/shop/shop');
    for (let i = 0; i < 20; i += 1) wxf.app.unhandledRejection(new Error(`boom ${i}`));
    wxf.app.unhandledRejection({ errMsg: 'request:fail timeout' });
    await flush(6);
    const reports = wxf.server.calls.filter((c) => c.path === '/api/client-errors');
    expect(reports.map((c) => c.data.message)).toEqual(['boom 0', 'boom 1', 'boom 2']);
    expect(reports[0].data.kind).toBe('rejection');
  });

  test('a report that fails is dropped without a sound: no retry, no new error', async () => {
    const wxf = fakeWx({ server: standardServer().on('POST /api/client-errors', { status: 429, body: { error: { code: 'RATE_LIMITED', message: 'slow down', requestId: 'r' } } }) });
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    wxf.app.launch('pages/shop/shop');
    wxf.app.scriptError(new Error('first'));
    wxf.server.on('POST /api/client-errors', 'network');
    wxf.app.scriptError(new Error('second'));
    await flush(6);
    expect(wxf.server.count('POST /api/client-errors')).toBe(2);
    expect(wxf.app.lifecycle.filter((name) => name === 'app.onError')).toHaveLength(2);
    expect(errors).not.toHaveBeenCalled();
    errors.mockRestore();
  });
});
