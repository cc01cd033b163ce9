// The shopper's session with our server: a fresh wx.login code exchanged for a Bearer token,
// kept in memory and storage until shortly before it expires. Plugs itself into the request layer.
import type {
  CreateSessionRequest,
  CreateSessionResponse,
  SimulatorLoginRequest,
  SimulatorLoginResponse,
} from '../../server/contract';
import { login } from '../utils/wx-async';
import { getConfig, isSandbox } from './app-config';
import { isApiError, request, setAuthenticator } from './request';

const STORAGE_KEY = 'session';
/** Treat a token as expired this long before the server does, to avoid a 401 round trip. */
const EXPIRY_MARGIN_MS = 60 * 1000;

interface StoredSession {
  token: string;
  expiresAt: string;
}

let session: StoredSession | null = null;
let loaded = false;
let pending: Promise<string> | null = null;

function isValid(value: StoredSession | null, now: number): value is StoredSession {
  return !!value && typeof value.token === 'string' && Date.parse(value.expiresAt) - EXPIRY_MARGIN_MS > now;
}

function load(): StoredSession | null {
  if (!loaded) {
    loaded = true;
    try {
      const stored = wx.getStorageSync(STORAGE_KEY) as StoredSession | '';
      if (stored && typeof stored === 'object') session = stored;
    } catch (err) {
      session = null;
    }
  }
  return session;
}

function save(value: StoredSession | null): void {
  session = value;
  loaded = true;
  try {
    if (value) wx.setStorageSync(STORAGE_KEY, value);
    else wx.removeStorageSync(STORAGE_KEY);
  } catch (err) {
    // Storage is an optimisation; the in-memory copy is enough for this launch.
  }
}

function simulatorCode(): Promise<string> {
  const body: SimulatorLoginRequest = {};
  return request<SimulatorLoginResponse>({ method: 'POST', path: '/simulator/wechat/login', data: body, auth: false }).then(
    (res) => res.code,
  );
}

function exchange(code: string): Promise<StoredSession> {
  const body: CreateSessionRequest = { code };
  return request<CreateSessionResponse>({ method: 'POST', path: '/api/sessions', data: body, auth: false }).then((res) => ({
    token: res.token,
    expiresAt: res.expiresAt,
  }));
}

/** Whether the simulator may stand in for WeChat (sandbox only; never in a release build). */
function sandbox(): Promise<boolean> {
  return getConfig().then(isSandbox);
}

function logIn(): Promise<string> {
  let fromWx = true;
  const code = login().catch((err: unknown) =>
    // DevTools without an AppID cannot log in; in sandbox mode the simulator plays WeChat.
    sandbox().then((yes) => {
      if (!yes) throw err;
      fromWx = false;
      return simulatorCode();
    }),
  );
  return code
    .then((first) =>
      exchange(first).catch((err: unknown) => {
        // WeChat was busy (errcode -1) and the code may be spent: one more try with a fresh code.
        if (fromWx && isApiError(err, 'UPSTREAM_UNAVAILABLE')) return login().then(exchange);
        // A tourist-mode wx.login "succeeds" with a code the simulator never issued: ask it for one.
        if (!fromWx || !isApiError(err, 'WECHAT_CODE_INVALID')) throw err;
        return sandbox().then((yes) => {
          if (!yes) throw err;
          return simulatorCode().then(exchange);
        });
      }),
    )
    .then((created) => {
      save(created);
      return created.token;
    });
}

function loginOnce(): Promise<string> {
  if (!pending) {
    pending = logIn().then(
      (token) => {
        pending = null;
        return token;
      },
      (err: unknown) => {
        pending = null;
        throw err;
      },
    );
  }
  return pending;
}

/** A valid session token: the stored one while it is valid, else a new login (shared by concurrent callers). */
export function ensureSession(): Promise<string> {
  const current = load();
  if (isValid(current, Date.now())) return Promise.resolve(current.token);
  return loginOnce();
}

/** Drops the current token and logs in again with a fresh wx.login code (after a 401). */
export function renewSession(): Promise<string> {
  if (!pending) save(null);
  return loginOnce();
}

/** Forgets the session (tests, or a log-out). */
export function clearSession(): void {
  save(null);
  pending = null;
}

setAuthenticator({ token: () => ensureSession(), renew: renewSession });
