import { allText, fakeWx, flush, load, mp, tap, text, until } from './harness';

describe('shop page', () => {
  test('lists the products with localised names and formatted prices', async () => {
    fakeWx({ language: 'en' });
    const page = load('pages/shop/shop');
    page.instance.onLoad({});
    await until(() => !page.data.loading);
    await flush();
    expect(page.data.products.map((p: any) => p.name)).toEqual(['Green tea', 'Steamed bun']);
    expect(allText(page)).toContain('¥12.50');
    expect(allText(page)).toContain('¥3.00');
    expect(text(page, '.checkout')).toBe('Checkout');
  });
});
