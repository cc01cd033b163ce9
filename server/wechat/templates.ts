// Reading subscription message templates: their keys, and the go-live check that each configured template fits what the server sends
// (docs/reference/wechat-subscribe-messages.md §4).

/** `订单号:{{character_string1.DATA}}\n支付金额:{{amount2.DATA}}` → ['character_string1', 'amount2']. */
export function templateKeys(content: string): string[] {
  return [...content.matchAll(/\{\{(\w+)\.DATA\}\}/g)].map((match) => match[1]);
}

/** A template this server sends: its name in our configuration, its priTmplId, the keys the server fills. */
export interface ExpectedTemplate {
  name: string;
  templateId: string;
  keys: readonly string[];
}

export interface TemplateProblem {
  name: string;
  templateId: string;
  problem: 'missing' | 'not_one_time' | 'keys_differ';
  /** What to fix, for an operator. */
  message: string;
}

/** What gettemplate lists (MessageTemplate has more). */
export interface ListedTemplate {
  priTmplId: string;
  type: number;
  content: string;
}

/**
 * Each expected template must be listed, be one-time (type 2: the shop asks once per order), and
 * have exactly the keys the server fills. Answers one problem per template at most; [] when all fit.
 */
export function checkTemplates(listed: readonly ListedTemplate[], expected: readonly ExpectedTemplate[]): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  for (const want of expected) {
    const found = listed.find((t) => t.priTmplId === want.templateId);
    const problem = (kind: TemplateProblem['problem'], message: string) => problems.push({ name: want.name, templateId: want.templateId, problem: kind, message });
    if (!found) {
      problem('missing', `${want.name}: template ${want.templateId} is not among this mini program's templates; add it in the MP console → Features → Subscription messages, or fix the configured id`);
      continue;
    }
    if (found.type !== 2) {
      problem('not_one_time', `${want.name}: template ${want.templateId} is not one-time (type ${found.type}, want 2); pick a one-time template`);
      continue;
    }
    const keys = templateKeys(found.content);
    const missing = keys.filter((k) => !want.keys.includes(k));
    const extra = want.keys.filter((k) => !keys.includes(k));
    if (missing.length > 0 || extra.length > 0) {
      const parts = [missing.length > 0 ? `the template also needs ${missing.join(', ')}` : '', extra.length > 0 ? `the template has no ${extra.join(', ')}` : ''].filter(Boolean);
      problem('keys_differ', `${want.name}: template ${want.templateId} has the keys ${keys.join(', ')}; the server sends ${want.keys.join(', ')}: ${parts.join('; ')}`);
    }
  }
  return problems;
}
