// The merchant console as a browser reaches it over HTTP, for the console suites: a request that follows no redirect and
// sends cookies, a form and its Origin as given; the sign-in form; the CSRF token of a page.

export interface ConsolePage {
  status: number;
  headers: Headers;
  /** The Location header (a redirect), or null. */
  location: string | null;
  /** The body as sent, a byte order mark kept (fetch's text() would drop it: the CSV exports start with one). */
  text: string;
}

export interface VisitOptions {
  /** GET, or POST when a form is given. */
  method?: string;
  cookie?: string;
  form?: Record<string, string>;
  /** The Origin of a POST: the server's own unless given; null sends none. */
  origin?: string | null;
  headers?: Record<string, string>;
}

export async function visitConsole(base: string, pathname: string, options: VisitOptions = {}): Promise<ConsolePage> {
  const method = options.method ?? (options.form ? 'POST' : 'GET');
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookie) headers.cookie = options.cookie;
  if (method === 'POST' && options.origin !== null) headers.origin = options.origin ?? base;
  let body: string | undefined;
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  const response = await fetch(base + pathname, { method, headers, body, redirect: 'manual' });
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, location: response.headers.get('location'), text };
}

/** Signs in like the sign-in form (to `next` when given): the session cookie, the whole Set-Cookie, and where it sent the operator. */
export async function signInToConsole(base: string, token: string, next?: string): Promise<{ cookie: string; setCookie: string; location: string }> {
  const answer = await visitConsole(base, '/admin/sign-in', { form: next === undefined ? { token } : { token, next } });
  if (answer.status !== 303) throw new Error(`sign-in answered ${answer.status}, not 303`);
  const setCookie = answer.headers.get('set-cookie') ?? '';
  return { cookie: setCookie.split(';')[0], setCookie, location: answer.location ?? '' };
}

/** The CSRF token a console page carries in its forms. */
export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF field on the page');
  return match[1];
}
