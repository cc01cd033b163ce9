// The request layer and the session it uses: 2xx, typed errors, NETWORK, timeout, login, 401 re-login.
import { CONFIG, errorBody, fakeWx, FakeServer, standardServer } from './harness';

type RequestModule = typeof import('../../miniprogram/services/request');
type SessionModule = typeof import('../../miniprogram/services/session');

let request: RequestModule;
let session: SessionModule;

function loadServices(): void {
  jest.resetModules();
  session = require('../../miniprogram/services/session');
  request = require('../../miniprogram/services/request');
}

beforeEach(loadServices);
afterEach(() => jest.useRealTimers());

describe('request', () => {
  test('resolves with the body of a 2xx answer, against the develop server, without a token when auth is off', async () => {
    const wxf = fakeWx();
    const body = await request.request<{ products: unknown[] }>({ path: '/api/products', auth: false });
    expect(body.products).toHaveLength(2);
    const [options] = wxf.server.request.mock.calls[0];
    expect(options.url).toBe('http://localhost:3000/api/products');
    expect((options.header as Record<string, string>).Authorization).toBeUndefined();
    expect(wxf.login).not.toHaveBeenCalled();
  });

  test('uses the production URL in trial and release builds', async () => {
    const wxf = fakeWx({ envVersion: 'trial' });
    await request.request({ path: '/api/config', auth: false });
    expect(wxf.server.request.mock.calls[0][0].url).toBe('https://api.example.com/api/config');
  });

  test('rejects a non-2xx answer with an ApiError carrying the server code, status and request id', async () => {
    fakeWx({ server: standardServer().on('GET /api/config', { status: 409, body: errorBody('ORDER_NOT_PAYABLE') }) });
    const err = await request.request({ path: '/api/config', auth: false }).catch((e: unknown) => e);
    expect(request.isApiError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'ORDER_NOT_PAYABLE', status: 409, requestId: 'req-1' });
  });

  test('gives a 5xx without the error envelope a generic code and keeps the status', async () => {
    fakeWx({ server: standardServer().on('GET /api/config', { status: 502, body: '<html>Bad gateway</html>' }) });
    await expect(request.request({ path: '/api/config', auth: false })).rejects.toMatchObject({ code: 'INTERNAL', status: 502 });
  });

  test('rejects with NETWORK when no answer arrived', async () => {
    fakeWx({ server: standardServer().on('GET /api/config', 'network') });
    await expect(request.request({ path: '/api/config', auth: false })).rejects.toMatchObject({ code: 'NETWORK', status: 0 });
  });

  test('rejects with NETWORK after the timeout when the callback never comes, and aborts the task', async () => {
    jest.useFakeTimers();
    const wxf = fakeWx({ server: standardServer().on('GET /api/config', 'never') });
    const pending = request.request({ path: '/api/config', auth: false, timeoutMs: 3000 });
    const settled = jest.fn();
    pending.catch(settled);
    expect(wxf.server.request.mock.calls[0][0].timeout).toBe(3000);
    await jest.advanceTimersByTimeAsync(3000);
    expect(settled).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1000);
    await expect(pending).rejects.toMatchObject({ code: 'NETWORK', status: 0 });
    const task = wxf.server.request.mock.results[0].value as { abort: jest.Mock };
    expect(task.abort).toHaveBeenCalled();
  });

  test('logs in with a fresh wx.login code before the first authenticated call and sends the Bearer token', async () => {
    const wxf = fakeWx();
    await request.request({ path: '/api/orders' });
    expect(wxf.login).toHaveBeenCalledTimes(1);
    const sessionCall = wxf.server.calls.find((c) => c.path === '/api/sessions');
    expect(sessionCall).toMatchObject({ method: 'POST', data: { code: 'code1' } });
    const ordersCall = wxf.server.calls.find((c) => c.path === '/api/orders');
    expect(ordersCall!.headers.Authorization).toBe('Bearer tok1');
  });

  test('reuses a valid token without calling wx.login again', async () => {
    const wxf = fakeWx();
    await request.request({ path: '/api/orders' });
    await request.request({ path: '/api/orders' });
    expect(wxf.login).toHaveBeenCalledTimes(1);
    expect(wxf.server.count('POST /api/sessions')).toBe(1);
  });

  test('shares one login between concurrent calls', async () => {
    const wxf = fakeWx();
    await Promise.all([request.request({ path: '/api/orders' }), request.request({ path: '/api/orders' })]);
    expect(wxf.login).toHaveBeenCalledTimes(1);
  });

  test('picks up a stored token, and logs in again once it is about to expire', async () => {
    const wxf = fakeWx();
    wxf.storage.set('session', { token: 'stored', expiresAt: new Date(Date.now() + 3600e3).toISOString() });
    await request.request({ path: '/api/orders' });
    expect(wxf.login).not.toHaveBeenCalled();
    expect(wxf.server.calls[0].headers.Authorization).toBe('Bearer stored');

    loadServices();
    wxf.storage.set('session', { token: 'stale', expiresAt: new Date(Date.now() + 30e3).toISOString() });
    await request.request({ path: '/api/orders' });
    expect(wxf.login).toHaveBeenCalledTimes(1);
  });

  test('on a 401 logs in once more with a new code, retries once, and succeeds', async () => {
    let n = 0;
    const server = standardServer().on('GET /api/orders', (call) => {
      n += 1;
      return call.headers.Authorization === 'Bearer tok2'
        ? { status: 200, body: { orders: [] } }
        : { status: 401, body: errorBody('UNAUTHENTICATED') };
    });
    const wxf = fakeWx({ server });
    await expect(request.request({ path: '/api/orders' })).resolves.toEqual({ orders: [] });
    expect(n).toBe(2);
    expect(wxf.login).toHaveBeenCalledTimes(2);
    const codes = server.calls.filter((c) => c.path === '/api/sessions').map((c) => c.data.code);
    expect(codes).toEqual(['code1', 'code2']);
  });

  test('gives up after one re-login when the server still answers 401', async () => {
    const server = standardServer().on('GET /api/orders', { status: 401, body: errorBody('UNAUTHENTICATED') });
    const wxf = fakeWx({ server });
    await expect(request.request({ path: '/api/orders' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    expect(server.count('GET /api/orders')).toBe(2);
    expect(wxf.login).toHaveBeenCalledTimes(2);
  });

  test('when WeChat is busy, logs in once more with a fresh code, and reports it if that fails too', async () => {
    let sessions = 0;
    const server = standardServer().on('POST /api/sessions', () =>
      ++sessions === 1
        ? { status: 503, body: errorBody('UPSTREAM_UNAVAILABLE') }
        : { status: 201, body: { token: 'tok-2', expiresAt: new Date(Date.now() + 3600e3).toISOString() } },
    );
    const wxf = fakeWx({ server });
    await request.request({ path: '/api/orders' });
    expect(wxf.login).toHaveBeenCalledTimes(2);
    const codes = server.calls.filter((c) => c.path === '/api/sessions').map((c) => c.data.code);
    expect(new Set(codes).size).toBe(2);
    expect(server.calls.find((c) => c.path === '/api/orders')!.headers.Authorization).toBe('Bearer tok-2');

    loadServices();
    fakeWx({ server: standardServer().on('POST /api/sessions', { status: 503, body: errorBody('UPSTREAM_UNAVAILABLE') }) });
    await expect(request.request({ path: '/api/orders' })).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
  });

  test('reports a refused login code as the server error', async () => {
    fakeWx({ server: standardServer().on('POST /api/sessions', { status: 400, body: errorBody('WECHAT_CODE_INVALID') }) });
    await expect(request.request({ path: '/api/orders' })).rejects.toMatchObject({ code: 'WECHAT_CODE_INVALID' });
  });
});

describe('sandbox login', () => {
  function simulatorServer(): FakeServer {
    return standardServer({ mode: 'simulator' }).on('POST /simulator/wechat/login', { status: 200, body: { code: 'sim-code' } });
  }

  test('gets a code from the simulator when wx.login fails in a develop build', async () => {
    const server = simulatorServer();
    const wxf = fakeWx({ server });
    wxf.login.mockImplementation((o: any) => queueMicrotask(() => o.fail({ errMsg: 'login:fail no appid' })));
    await request.request({ path: '/api/orders' });
    expect(server.calls.find((c) => c.path === '/api/sessions')!.data).toEqual({ code: 'sim-code' });
  });

  test('swaps a tourist-mode code the simulator refuses for a simulator code', async () => {
    const server = simulatorServer().on('POST /api/sessions', (call) =>
      call.data.code === 'sim-code'
        ? { status: 201, body: { token: 'tok-sim', expiresAt: new Date(Date.now() + 3600e3).toISOString() } }
        : { status: 400, body: errorBody('WECHAT_CODE_INVALID') },
    );
    fakeWx({ server });
    await request.request({ path: '/api/orders' });
    expect(server.calls.find((c) => c.path === '/api/orders')!.headers.Authorization).toBe('Bearer tok-sim');
  });

  test('never uses the simulator in a release build, even against a simulator server', async () => {
    const server = simulatorServer();
    const wxf = fakeWx({ server, envVersion: 'release' });
    wxf.login.mockImplementation((o: any) => queueMicrotask(() => o.fail({ errMsg: 'login:fail' })));
    await expect(request.request({ path: '/api/orders' })).rejects.toMatchObject({ errMsg: 'login:fail' });
    expect(server.count('POST /simulator/wechat/login')).toBe(0);
  });

  test('does not touch the simulator in live mode', async () => {
    const server = standardServer({ mode: CONFIG.mode });
    const wxf = fakeWx({ server });
    wxf.login.mockImplementation((o: any) => queueMicrotask(() => o.fail({ errMsg: 'login:fail' })));
    await expect(request.request({ path: '/api/orders' })).rejects.toMatchObject({ errMsg: 'login:fail' });
    expect(server.count('POST /simulator/wechat/login')).toBe(0);
  });
});

test('the session service can be cleared, forcing a fresh login', async () => {
  const wxf = fakeWx();
  await request.request({ path: '/api/orders' });
  session.clearSession();
  await request.request({ path: '/api/orders' });
  expect(wxf.login).toHaveBeenCalledTimes(2);
  expect(wxf.storage.get('session')).toMatchObject({ token: 'tok2' });
});

test('sends POST bodies as JSON (at least "{}") and GETs without a body', async () => {
  const wxf = fakeWx();
  await request.request({ method: 'POST', path: '/api/orders/ord_1/payment' });
  await request.request({ path: '/api/config', auth: false });
  const [post] = wxf.server.request.mock.calls.find(([o]) => o.method === 'POST' && o.url.endsWith('/payment'))!;
  expect(post.data).toEqual({});
  expect((post.header as Record<string, string>)['content-type']).toBe('application/json');
  const [get] = wxf.server.request.mock.calls.find(([o]) => o.url.endsWith('/api/config'))!;
  expect(get.data).toBeUndefined();
});
