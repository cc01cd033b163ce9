// The settings of subscription messages ("payment succeeded", "refund succeeded"), read by loadConfig (config.ts): the template
// ids and which of the order's fields fills each of their keys, the merchant's time zone, which mini program version a message opens.
type Env = Record<string, string | undefined>;

/** The messages the shop sends, by their names in the contract (SubscribeTemplates) and the settings. */
export const MESSAGE_TEMPLATES = ['paymentSucceeded', 'refundSucceeded'] as const;
export type MessageTemplateName = (typeof MESSAGE_TEMPLATES)[number];

/**
 * What the server can put in a message: the order's id, the amount (the order's total, or the
 * refund's), the items, the time (paid, or refunded), and a status word (支付成功, 已退款).
 */
export const MESSAGE_FIELDS = ['order', 'amount', 'items', 'time', 'status'] as const;
export type MessageField = (typeof MESSAGE_FIELDS)[number];

/**
 * The key types each field can fill (docs/reference/wechat-subscribe-messages.md §3): a template from
 * WeChat's library names its keys by type (`thing3`), and server/wechat/message-values.ts builds a
 * value of that type from the field (a test holds the two in step).
 */
export const FIELD_KEY_TYPES: Record<MessageField, readonly string[]> = {
  order: ['character_string', 'thing'],
  amount: ['amount', 'number', 'thing'],
  items: ['thing'],
  time: ['time', 'date', 'thing'],
  status: ['phrase', 'thing'],
};

/** One configured template: its priTmplId, and the field that fills each of its keys. */
export interface MessageTemplateSetting {
  templateId: string;
  /** key ("amount2") → field ("amount"), in the order of the setting. */
  keys: Record<string, MessageField>;
}

export type MiniprogramState = 'developer' | 'trial' | 'formal';

export interface NotificationSettings {
  /** The configured templates; a name is absent when its message is off. */
  templates: Partial<Record<MessageTemplateName, MessageTemplateSetting>>;
  /** MERCHANT_TIME_ZONE: the IANA zone the times in messages are written in. */
  timeZone: string;
  /** Which version of the mini program a tap on a message opens. */
  miniprogramState: MiniprogramState;
}

/** Each setting's variable, and the keys of the templates the simulator ships (its default layout, as in WeChat's library). */
const TEMPLATE_SETTINGS: Record<MessageTemplateName, { id: string; keys: string; defaultKeys: string }> = {
  paymentSucceeded: {
    id: 'WECHAT_TEMPLATE_PAYMENT_SUCCEEDED',
    keys: 'WECHAT_TEMPLATE_PAYMENT_SUCCEEDED_KEYS',
    defaultKeys: 'character_string1=order,amount2=amount,thing3=items,time4=time',
  },
  refundSucceeded: {
    id: 'WECHAT_TEMPLATE_REFUND_SUCCEEDED',
    keys: 'WECHAT_TEMPLATE_REFUND_SUCCEEDED_KEYS',
    defaultKeys: 'character_string1=order,amount2=amount,thing3=items,time4=time,phrase5=status',
  },
};

const STATES: readonly MiniprogramState[] = ['developer', 'trial', 'formal'];

/**
 * The notification settings from `env`. A template is off when its id is unset (or `off`); in
 * simulator mode an unset id defaults to the simulator's shipped template (`simulatorTemplates`), so
 * `npm start` sends messages. Each invalid setting adds a sentence to `problems`.
 */
export function notificationSettings(
  env: Env,
  mode: 'simulator' | 'live',
  production: boolean,
  simulatorTemplates: Record<MessageTemplateName, string> | undefined,
  /** MERCHANT_TIME_ZONE, read once for the whole configuration (config-reconciliation.ts merchantTimeZone). */
  timeZone: string,
  problems: string[],
): NotificationSettings {
  const templates: NotificationSettings['templates'] = {};
  for (const name of MESSAGE_TEMPLATES) {
    const names = TEMPLATE_SETTINGS[name];
    const raw = env[names.id]?.trim();
    const templateId = raw === 'off' ? undefined : raw || (mode === 'simulator' ? simulatorTemplates?.[name] : undefined);
    if (!templateId) continue;
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(templateId)) {
      problems.push(`${names.id} must be a template id (priTmplId) from the MP console → Features → Subscription messages → My templates, or "off"; got "${templateId}"`);
      continue;
    }
    const keys = templateKeys(names.keys, env[names.keys]?.trim() || names.defaultKeys, problems);
    if (keys) templates[name] = { templateId, keys };
  }
  if (templates.paymentSucceeded && templates.paymentSucceeded.templateId === templates.refundSucceeded?.templateId) {
    problems.push('WECHAT_TEMPLATE_PAYMENT_SUCCEEDED and WECHAT_TEMPLATE_REFUND_SUCCEEDED must be two different templates: WeChat asks the shopper once per template id');
  }


  // A production server's messages open the released mini program; anything else, the developer version.
  const state = env.WECHAT_MINIPROGRAM_STATE?.trim() || (mode === 'live' && production ? 'formal' : 'developer');
  if (!STATES.includes(state as MiniprogramState)) problems.push(`WECHAT_MINIPROGRAM_STATE must be developer, trial or formal, got "${state}"`);
  return { templates, timeZone, miniprogramState: STATES.includes(state as MiniprogramState) ? (state as MiniprogramState) : 'formal' };
}

/** "character_string1=order,amount2=amount" → { character_string1: 'order', amount2: 'amount' }, each key's type able to take its field. */
function templateKeys(variable: string, value: string, problems: string[]): Record<string, MessageField> | undefined {
  const keys: Record<string, MessageField> = {};
  const before = problems.length;
  for (const pair of value.split(',').map((part) => part.trim()).filter(Boolean)) {
    const [key, field, extra] = pair.split('=').map((part) => part.trim());
    const type = /^([a-z]+(?:_[a-z]+)*?)\d+$/.exec(key ?? '')?.[1];
    if (!type || extra !== undefined || !field) {
      problems.push(`${variable}: "${pair}" is not key=field (a template key such as thing3, then one of ${MESSAGE_FIELDS.join(', ')})`);
    } else if (!MESSAGE_FIELDS.includes(field as MessageField)) {
      problems.push(`${variable}: ${key}=${field}: the field must be one of ${MESSAGE_FIELDS.join(', ')}`);
    } else if (!FIELD_KEY_TYPES[field as MessageField].includes(type)) {
      problems.push(`${variable}: ${key}=${field}: the ${field} cannot go in a key of type ${type} (it fits ${FIELD_KEY_TYPES[field as MessageField].join(' or ')} keys)`);
    } else if (key in keys) {
      problems.push(`${variable}: ${key} is given twice`);
    } else {
      keys[key] = field as MessageField;
    }
  }
  if (problems.length === before && Object.keys(keys).length === 0) problems.push(`${variable} names no key: give key=field pairs such as thing3=items`);
  return problems.length === before ? keys : undefined;
}
