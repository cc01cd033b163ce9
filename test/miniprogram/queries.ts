// The harness's view of a rendered page: its text and attributes, taps as WeChat delivers them,
// and waiting for the microtask queue or a condition.
import simulate from 'miniprogram-simulate';
import { currentWx } from './fake-wx';
import type { Rendered } from './page-loader';

/** Lets queued microtasks and 0 ms timers run. */
export async function flush(times = 3): Promise<void> {
  for (let i = 0; i < times; i += 1) await simulate.sleep(0);
}

/** Waits until `check()` is truthy (real time, polling), or fails after `timeoutMs`. */
export async function until(check: () => unknown, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('until(): condition not met in time');
    await simulate.sleep(2);
  }
}

/** Text content of the first element matching `selector` in the component's own scope (".name"). */
export function text(comp: Rendered, selector: string): string {
  const node = comp.querySelector(selector);
  return node && node.dom ? (node.dom.textContent || '').trim() : '';
}

/** All text of the rendered tree. */
export function allText(comp: Rendered): string {
  return (comp.dom && comp.dom.textContent ? comp.dom.textContent : '').replace(/\s+/g, ' ').trim();
}

/** The WXML attributes of a built-in element (`disabled`, `type`, `src`...), which j-component keeps off the DOM. */
export function attrs(comp: Rendered, selector: string): Record<string, unknown> {
  const node = comp.querySelector(selector);
  if (!node || !node.dom) throw new Error(`attrs(): nothing matches ${selector}`);
  return attrsOf(node.dom);
}

/** The WXML attributes of a rendered DOM element (see `attrs`). */
export function attrsOf(dom: Element): Record<string, unknown> {
  const vt = (dom as unknown as { __wxElement?: { _vt?: { attrs?: Array<{ name: string; value: unknown }> } } }).__wxElement;
  const result: Record<string, unknown> = {};
  ((vt && vt._vt && vt._vt.attrs) || []).forEach((a) => {
    // wcc hands attribute names over camelCased (ariaLabel); give them back as written in WXML.
    if (a.value !== undefined) result[a.name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)] = a.value;
  });
  return result;
}

/**
 * Taps the element matching `selector` and lets the handlers run. Like WeChat, a `disabled` button
 * still fires its bindtap (docs/reference/wechat.md §A8): handlers must check their own state.
 */
export async function tap(comp: Rendered, selector: string): Promise<void> {
  const node = comp.querySelector(selector);
  if (!node) throw new Error(`tap(): nothing matches ${selector}`);
  node.dispatchEvent('tap');
  await flush();
}

/** Two taps in the same instant, as a fast double tap delivers them. */
export async function doubleTap(comp: Rendered, selector: string): Promise<void> {
  const node = comp.querySelector(selector);
  if (!node) throw new Error(`doubleTap(): nothing matches ${selector}`);
  node.dispatchEvent('tap');
  node.dispatchEvent('tap');
  await flush();
}

/**
 * The shopper taps a `<button open-type="agreePrivacyAuthorization">`: WeChat records the agreement
 * (and which button, for the onNeedPrivacyAuthorization resolve to name) and fires its
 * bindagreeprivacyauthorization after the tap.
 */
export async function agreePrivacy(comp: Rendered, selector: string): Promise<void> {
  const node = comp.querySelector(selector);
  if (!node || !node.dom) throw new Error(`agreePrivacy(): nothing matches ${selector}`);
  const a = attrsOf(node.dom);
  if (a['open-type'] !== 'agreePrivacyAuthorization') throw new Error(`agreePrivacy(): ${selector} is not an agreePrivacyAuthorization button`);
  const privacy = currentWx().privacy;
  privacy.tappedButtons.push(node.dom.id || String(a.id || ''));
  privacy.agreed = true;
  node.dispatchEvent('tap');
  node.dispatchEvent('agreeprivacyauthorization');
  await flush();
}
