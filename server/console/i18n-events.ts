// What the console's Events page (and the order events on an order's timeline) say, in English and Simplified Chinese.
import type { Language } from '../routes/presenters';

const en = {
  events: 'Events',
  eventsTitle: 'Order events',
  eventsIntro: (delivering: boolean): string =>
    delivering ? 'Events POSTed, signed, to your system at EVENTS_URL: a failed try is retried for 72 hours, then given up; resend it once your system answers 2xx.' : 'EVENTS_URL is not set: events are recorded for the feed (GET /admin/api/events) but not sent. Set EVENTS_URL and EVENTS_SECRET to deliver them.',
  eventsFilter: 'Show',
  anyState: 'All',
  event: 'Event',
  type: 'Type',
  delivery: 'Delivery',
  attempts: 'Tries',
  lastError: 'Last error',
  nextTry: 'Next try',
  deliveredAt: (at: string) => `Delivered ${at}`,
  resend: 'Resend',
  resendFailed: (n: number) => `Resend all ${n} failed`,
  resent: (id: string) => `Event ${id} will be sent again now.`,
  resentNothing: (id: string) => `Event ${id} is already on its way.`,
  resentFailed: (n: number) => `${n} failed events will be sent again now.`,
  noEvents: 'No events.',
  states: { pending: 'to deliver', delivered: 'delivered', failed: 'given up', unsent: 'recorded, not sent' } as Record<string, string>,
  timelineEvent: 'Event to your system',
  allEvents: 'All events',
  EVENTS_NOT_CONFIGURED: 'Events are only recorded: set EVENTS_URL and EVENTS_SECRET to deliver (and resend) them.',
};

export type EventMessages = typeof en;

const zh: EventMessages = {
  events: '事件',
  eventsTitle: '订单事件',
  eventsIntro: (delivering: boolean): string =>
    delivering ? '事件经签名后 POST 到你的系统（EVENTS_URL）：失败的投递会重试 72 小时，之后放弃；你的系统恢复返回 2xx 后可重新发送。' : '未设置 EVENTS_URL：事件仅记录，供拉取（GET /admin/api/events），不会发送。设置 EVENTS_URL 和 EVENTS_SECRET 即可投递。',
  eventsFilter: '显示',
  anyState: '全部',
  event: '事件',
  type: '类型',
  delivery: '投递',
  attempts: '尝试次数',
  lastError: '最近错误',
  nextTry: '下次尝试',
  deliveredAt: (at: string) => `已于 ${at} 投递`,
  resend: '重新发送',
  resendFailed: (n: number) => `重新发送全部 ${n} 个已放弃的事件`,
  resent: (id: string) => `事件 ${id} 将立即重新发送。`,
  resentNothing: (id: string) => `事件 ${id} 已在投递中。`,
  resentFailed: (n: number) => `${n} 个已放弃的事件将立即重新发送。`,
  noEvents: '没有事件。',
  states: { pending: '待投递', delivered: '已投递', failed: '已放弃', unsent: '仅记录，未发送' },
  timelineEvent: '发往你的系统的事件',
  allEvents: '全部事件',
  EVENTS_NOT_CONFIGURED: '事件仅被记录：设置 EVENTS_URL 和 EVENTS_SECRET 后才能投递（和重新发送）。',
};

export const EVENT_MESSAGES: Record<Language, EventMessages> = { en, zh_CN: zh };
