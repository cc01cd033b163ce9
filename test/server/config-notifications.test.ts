// The subscription messages' settings (server/config-notifications.ts): template ids and their keys, time zone, mini program state.
import { loadConfig } from '../../server/config';
import { FIELD_KEY_TYPES, MESSAGE_FIELDS, type MessageField } from '../../server/config-notifications';
import { templateIdFor } from '../../server/simulator';
import { SIMULATOR_CREDENTIALS } from '../../server/simulator/settings';
import { valueFor, type ValueInput } from '../../server/wechat/message-values';
import { LIVE, problemsOf } from './config-fixtures';



describe('subscription message settings', () => {
  test("simulator mode sends the simulator's two templates unless told otherwise; off turns one off", () => {
    const { notifications } = loadConfig({});
    const appId = SIMULATOR_CREDENTIALS.wechatAppId;
    expect(notifications).toEqual({
      templates: {
        paymentSucceeded: { templateId: templateIdFor(appId, 'paymentSucceeded'), keys: { character_string1: 'order', amount2: 'amount', thing3: 'items', time4: 'time' } },
        refundSucceeded: { templateId: templateIdFor(appId, 'refundSucceeded'), keys: { character_string1: 'order', amount2: 'amount', thing3: 'items', time4: 'time', phrase5: 'status' } },
      },
      timeZone: 'Asia/Shanghai',
      miniprogramState: 'developer',
    });
    expect(Object.keys(loadConfig({ WECHAT_TEMPLATE_REFUND_SUCCEEDED: 'off' }).notifications.templates)).toEqual(['paymentSucceeded']);
  });

  test('live mode sends nothing until an id is set; the keys default to the common layout and may be changed', () => {
    expect(loadConfig(LIVE).notifications.templates).toEqual({});
    const config = loadConfig({ ...LIVE, WECHAT_TEMPLATE_PAYMENT_SUCCEEDED: 'AbC-12_x', WECHAT_TEMPLATE_REFUND_SUCCEEDED_KEYS: 'thing1=items' });
    expect(config.notifications.templates).toEqual({ paymentSucceeded: { templateId: 'AbC-12_x', keys: { character_string1: 'order', amount2: 'amount', thing3: 'items', time4: 'time' } } });
    const refund = loadConfig({ ...LIVE, WECHAT_TEMPLATE_REFUND_SUCCEEDED: 'r1', WECHAT_TEMPLATE_REFUND_SUCCEEDED_KEYS: ' number7 = amount , date2=time,thing11=order ' });
    expect(refund.notifications.templates.refundSucceeded).toEqual({ templateId: 'r1', keys: { number7: 'amount', date2: 'time', thing11: 'order' } });
    expect(refund.notifications.miniprogramState).toBe('developer');
    expect(loadConfig({ ...LIVE, NODE_ENV: 'production' }).notifications.miniprogramState).toBe('formal');
    expect(loadConfig({ ...LIVE, WECHAT_MINIPROGRAM_STATE: 'trial', MERCHANT_TIME_ZONE: 'Europe/Berlin' }).notifications).toMatchObject({ miniprogramState: 'trial', timeZone: 'Europe/Berlin' });
  });

  test('refuses what would fail at WeChat, naming the variable and what to write', () => {
    expect(problemsOf({ ...LIVE, WECHAT_TEMPLATE_PAYMENT_SUCCEEDED: 'has space' })).toEqual([expect.stringMatching(/^WECHAT_TEMPLATE_PAYMENT_SUCCEEDED must be a template id/)]);
    expect(problemsOf({ ...LIVE, WECHAT_TEMPLATE_PAYMENT_SUCCEEDED: 'same', WECHAT_TEMPLATE_REFUND_SUCCEEDED: 'same' })).toEqual([expect.stringMatching(/two different templates/)]);
    const keys = (value: string) => problemsOf({ ...LIVE, WECHAT_TEMPLATE_PAYMENT_SUCCEEDED: 'p', WECHAT_TEMPLATE_PAYMENT_SUCCEEDED_KEYS: value });
    expect(keys('amount2=items')).toEqual(['WECHAT_TEMPLATE_PAYMENT_SUCCEEDED_KEYS: amount2=items: the items cannot go in a key of type amount (it fits thing keys)']);
    expect(keys('thing3=price')).toEqual([expect.stringMatching(/thing3=price: the field must be one of order, amount, items, time, status/)]);
    expect(keys('thing=items')).toEqual([expect.stringMatching(/"thing=items" is not key=field/)]);
    expect(keys('thing3=items,thing3=order')).toEqual([expect.stringMatching(/thing3 is given twice/)]);
    expect(keys(' , ')).toEqual([expect.stringMatching(/names no key/)]);
    expect(problemsOf({ MERCHANT_TIME_ZONE: 'Mars/Olympus' })).toEqual([expect.stringMatching(/MERCHANT_TIME_ZONE must be an IANA time zone/)]);
    expect(problemsOf({ WECHAT_MINIPROGRAM_STATE: 'release' })).toEqual([expect.stringMatching(/WECHAT_MINIPROGRAM_STATE must be developer, trial or formal/)]);
  });

  test("the key types each field may fill are exactly the ones the value builder fills from that field's kind of value", () => {
    const samples: Record<MessageField, ValueInput> = {
      order: { text: 'ord_3JfK9' },
      amount: { amount: 1250, currency: 'CNY' },
      items: { text: '乌龙茶 ×2、明信片' },
      time: { at: Date.UTC(2026, 4, 12, 6, 5) },
      status: { text: '已退款' },
    };
    const types = ['thing', 'character_string', 'amount', 'time', 'date', 'phrase', 'number'];
    for (const field of MESSAGE_FIELDS) {
      const fills = types.filter((type) => {
        try {
          const input = samples[field];
          const value = valueFor(`${type}1`, input, { timeZone: 'Asia/Shanghai' });
          // A text must come out whole: a character_string keeps only ASCII, so product names would be mangled.
          return !('text' in input) || value === input.text;
        } catch {
          return false;
        }
      });
      expect([field, [...FIELD_KEY_TYPES[field]].sort()]).toEqual([field, fills.sort()]);
    }
  });
});
