// An order's lines (picture, name, quantity, amount) and its total, as checkout and the order page
// show them. Takes the lines ready to show (services/products.ts `lineViews`), the total and its label.
Component({
  properties: {
    lines: { type: Array, value: [] },
    total: { type: Number, value: 0 },
    currency: { type: String, value: 'CNY' },
    precision: { type: Number, value: -1 },
    label: { type: String, value: '' },
  },
});
