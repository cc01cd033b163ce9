// A small CSS cascade for jsdom, which keeps the rules but does not resolve them: which rules match
// an element, their specificity, and the value that wins for a property.

/** The style rules in the document that match `el`, in document order. */
export function matchingRules(el: Element): CSSStyleRule[] {
  const rules: CSSStyleRule[] = [];
  Array.from(document.styleSheets).forEach((sheet) => {
    Array.from(sheet.cssRules).forEach((rule) => {
      const style = rule as CSSStyleRule;
      if (!style.selectorText) return;
      try {
        if (style.selectorText.split(',').some((s) => el.matches(s.trim()))) rules.push(style);
      } catch {
        // A selector jsdom cannot parse does not match.
      }
    });
  });
  return rules;
}

/** [ids, classes + attributes + pseudo-classes, elements] of the part of `selectorText` that matches. */
export function specificityOf(el: Element, selectorText: string): number[] {
  return selectorText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => el.matches(s))
    .map((s) => {
      const ids = (s.match(/#[\w-]+/g) || []).length;
      const classes = (s.match(/\.[\w-]+|\[[^\]]+\]|:(?!:)[\w-]+/g) || []).length;
      const elements = (s.replace(/[.#:\[][^\s>+~]*/g, ' ').match(/[a-z][\w-]*/gi) || []).length;
      return [ids, classes, elements];
    })
    .reduce((a, b) => (compare(a, b) >= 0 ? a : b), [0, 0, 0]);
}

/** Compares two specificities: > 0 when `a` wins. */
export function compare(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i += 1) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/**
 * The declared value of `property` that wins for `el` (highest specificity, then the later rule), as
 * written: '' when no rule sets it. Shorthands are read too ("padding" for "padding-bottom"), since
 * jsdom does not expand values it cannot parse, such as env().
 */
export function declared(el: Element, property: string): string {
  let best: { spec: number[]; value: string } | null = null;
  const shorthand = property.replace(/-(top|right|bottom|left)$/, '');
  matchingRules(el).forEach((rule) => {
    const text = rule.style.cssText;
    const found = new RegExp(`(?:^|;)\\s*(${property}|${shorthand}):\\s*([^;]+)`, 'g');
    let match: RegExpExecArray | null;
    let value = '';
    while ((match = found.exec(text))) value = match[1] === property ? match[2].trim() : side(match[2].trim(), property);
    if (!value) return;
    const spec = specificityOf(el, rule.selectorText);
    if (!best || compare(spec, best.spec) >= 0) best = { spec, value };
  });
  return best ? (best as { value: string }).value : '';
}

/** One side of a box shorthand ("0 24px env(x)" → bottom "env(x)"). */
function side(shorthand: string, property: string): string {
  const parts = shorthand.match(/(?:[^\s(]+|\([^)]*\))+/g) || [];
  const [top = '', right = top, bottom = top, left = right] = parts;
  const which = property.split('-').pop();
  return which === 'top' ? top : which === 'right' ? right : which === 'bottom' ? bottom : which === 'left' ? left : shorthand;
}
