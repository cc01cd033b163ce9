// The presentational components: they render their properties and answer with triggerEvent.
import { fakeWx, flush, load, text } from './harness';

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

  test('does not go below min or above max, and greys out the button', async () => {
    const comp = load('components/quantity-stepper/quantity-stepper', { value: 0, min: 0, max: 0 });
    const changes: number[] = [];
    comp.addEventListener!('change', (e) => changes.push(e.detail.value));
    comp.querySelector('.decrease')!.dispatchEvent('tap');
    comp.querySelector('.increase')!.dispatchEvent('tap');
    await flush();
    expect(changes).toEqual([]);
    expect(comp.querySelector('.decrease')!.dom!.className).toContain('off');
  });

  test('labels its buttons for screen readers in the current language', () => {
    fakeWx({ language: 'zh_CN' });
    const comp = load('components/quantity-stepper/quantity-stepper', { value: 1 });
    expect(comp.data.increaseLabel).toBe('增加');
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
