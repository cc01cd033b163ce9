// The simulator's value rules for subscription message keys, type by type: what passes and what is refused.
import { keyTypeOf, valueProblem, type KeyType } from '../../../server/simulator/wechat-value-rules';

const cases: Array<[KeyType, string[], string[]]> = [
  ['thing', ['乌龙茶', '一二三四五六七八九十一二三四五六七八九十', 'Coffee beans ×2, tea', '-', '😀'.repeat(20)], ['一二三四五六七八九十一二三四五六七八九十一', 'two\nlines', 'a\u200bb']],
  ['number', ['12', '12.50', '0', '1'.repeat(32)], ['-1', '1,000', '12.', '.5', '1'.repeat(33), '1e5']],
  ['letter', ['abc', 'A'.repeat(32)], ['ab1', 'a b', 'A'.repeat(33)]],
  ['symbol', ['-', '¥$%', '!!!!!'], ['!!!!!!', 'a', '1']],
  ['character_string', ['ORD-2026_05/12#1', 'x'.repeat(32)], ['ORD 1', '订单1', 'x'.repeat(33)]],
  ['time', ['15:01', '9:05', '2019年10月1日 15:01', '2026-05-12 14:05', '2026/5/12 00:00', '15:00~16:00', '2019年10月1日 15:01~2019年10月1日 16:01'], ['15:01:00', '2026-05-12 14:05:00', '25:00', '15:60', '15:00-16:00', '2026-02-30 10:00', '2026-05-12', 'soon']],
  ['date', ['2019年10月1日', '2019-10-01', '2019/10/1', '2019.10.01', '2019-10-01 15:01', '2019年10月1日~2019年10月3日'], ['2019-13-01', '2019-10-01 15:01:00', '2019-10/01', '10月1日', '2019年2月29日']],
  ['amount', ['¥12.50', '$3', '12.50元', '12.50', '€1234567890', '¥12345678.90'], ['CNY 12.50', '¥-1', '¥12.50元', '¥12345678901', '¥123456789.01', '¥1,000', '￥￥1']],
  ['phone_number', ['+86-138', '138-0000-0000', '(021)12345678'], ['+86 138', '1380000000000000000', 'tel 1']],
  ['car_number', ['粤A12345', 'A12345学', 'AB12345'], ['粤A1234567', 'a12345', '粤粤A123']],
  ['name', ['张三', '张三丰张三丰张三丰张', 'Alice Smith'], ['张三 Smith', '张三丰张三丰张三丰张三', 'A'.repeat(21)]],
  ['phrase', ['配送中', '已退款', '部分退款'], ['已退款了吗啊', 'done', '已 退款']],
];

describe('the simulator\'s value rules', () => {
  test.each(cases)('%s', (type, valid, invalid) => {
    for (const value of valid) expect([value, valueProblem(type, value)]).toEqual([value, undefined]);
    for (const value of invalid) expect([value, valueProblem(type, value)]).toEqual([value, expect.any(String)]);
  });

  test('enum: only the template\'s values', () => {
    expect(valueProblem('enum', '已发货', ['已发货', '已签收'])).toBeUndefined();
    expect(valueProblem('enum', '已取消', ['已发货', '已签收'])).toMatch(/已发货, 已签收/);
  });

  test('a key\'s type is its name without the digits', () => {
    expect(['thing3', 'character_string1', 'phone_number12', 'amount2'].map(keyTypeOf)).toEqual(['thing', 'character_string', 'phone_number', 'amount']);
    expect(['thing', 'colour1', 'Thing1', '3thing'].map(keyTypeOf)).toEqual([undefined, undefined, undefined, undefined]);
  });
});
