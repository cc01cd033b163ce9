// The presentational components: they render their properties and answer with triggerEvent.
import { attrs, fakeWx, flush, load, text } from './harness';

beforeEach(() => {
  fakeWx({ language: 'en' });
});

describe('quantity-stepper', () => {
  test('shows the value and asks for one more or one less through a change event', async () => {
    const comp = load('components/quantity-stepper/quantity-stepper', { value: 2, min: 0, max: 3 });
    const changes: number[] = [];
    comp.addEventListener!('change', (e) => changes.push(e.detail.value));
    expect(text(comp, '.value')).toBe('2');
    comp.querySelector('.increase')!.dispatchEvent('tap');
    comp.querySelector('.decrease')!.dispatchEvent('tap');
    await flush();
    expect(changes).toEqual([3, 1]);
    // It keeps no state of its own: the value is what the parent says.
    expect(comp.data.value).toBe(2);
  });

  test('shows only + at the minimum, and does not go above max (greyed out)', async () => {
    const comp = load('components/quantity-stepper/quantity-stepper', { value: 0, min: 0, max: 0 });
    const changes: number[] = [];
    comp.addEventListener!('change', (e) => changes.push(e.detail.value));
    expect(comp.querySelector('.decrease')).toBeFalsy();
    comp.querySelector('.increase')!.dispatchEvent('tap');
    await flush();
    expect(changes).toEqual([]);
    expect(comp.querySelector('.increase')!.dom!.className).toContain('off');
    expect(attrs(comp, '.increase')['aria-disabled']).toBe(true);
  });

  test('its buttons say which product they change, in the current language', () => {
    const comp = load('components/quantity-stepper/quantity-stepper', { value: 1, label: 'Green tea' });
    expect(attrs(comp, '.increase')).toMatchObject({ 'aria-role': 'button', 'aria-label': 'One more Green tea' });
    expect(attrs(comp, '.decrease')).toMatchObject({ 'aria-role': 'button', 'aria-label': 'One fewer Green tea' });
    fakeWx({ language: 'zh_CN' });
    const zh = load('components/quantity-stepper/quantity-stepper', { value: 1, label: '绿茶' });
    expect(attrs(zh, '.increase')['aria-label']).toBe('增加一件绿茶');
  });

  test('its tap targets are at least 44 px (88 rpx)', () => {
    const comp = load('components/quantity-stepper/quantity-stepper', { value: 1, label: 'Tea' });
    for (const selector of ['.increase', '.decrease']) {
      const rules = Array.from(document.styleSheets)
        .flatMap((sheet) => Array.from(sheet.cssRules) as CSSStyleRule[])
        .filter((rule) => rule.selectorText && comp.querySelector(selector)!.dom!.matches(rule.selectorText));
      const size = (prop: string) => Math.max(0, ...rules.map((r) => parseFloat(r.style.getPropertyValue(prop)) || 0));
      // simulate turns 1 rpx into 1 px: 88 rpx is 44 px on a 375 pt wide phone.
      expect(size('width')).toBeGreaterThanOrEqual(88);
      expect(size('height')).toBeGreaterThanOrEqual(88);
    }
  });
});

describe('price-tag', () => {
  test('formats minor units with the given precision', async () => {
    const comp = load('components/price-tag/price-tag', { amount: 1250, currency: 'CNY', precision: 2 });
    expect(text(comp, '.price')).toBe('¥12.50');
    comp.setData({ amount: 1250, currency: 'JPY', precision: 0 });
    await flush();
    expect(text(comp, '.price')).toBe('¥1,250');
  });

  test("uses the currency's usual precision when none is given", () => {
    const comp = load('components/price-tag/price-tag', { amount: 300, currency: 'JPY' });
    expect(text(comp, '.price')).toBe('¥300');
  });
});

describe('status-badge', () => {
  test.each([
    ['awaiting_payment', 'Awaiting payment'],
    ['processing', 'Processing'],
    ['paid', 'Paid'],
    ['cancelled', 'Cancelled'],
    ['expired', 'Expired'],
  ])('labels %s as "%s"', (status, label) => {
    const comp = load('components/status-badge/status-badge', { status });
    expect(text(comp, '.badge')).toBe(label);
    expect(comp.querySelector('.badge')!.dom!.className).toContain(`badge-${status}`);
  });

  test('speaks Chinese when the system does', () => {
    fakeWx({ language: 'zh_CN' });
    const comp = load('components/status-badge/status-badge', { status: 'paid' });
    expect(text(comp, '.badge')).toBe('已支付');
  });
});
