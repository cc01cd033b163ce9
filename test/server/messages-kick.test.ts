// Subscription messages woken by a paid order: without a template configured nothing is claimed (no transaction per payment); with one, the due ones are.
import { createLogger } from '../../server/logger';
import { MessageService, type MessageServiceDeps } from '../../server/services/messages';

function service(templates: MessageServiceDeps['settings']['templates']) {
  let claims = 0;
  const store = {
    async claimDueMessages() {
      claims++;
      return [];
    },
  } as unknown as MessageServiceDeps['store'];
  const settings = { templates, timeZone: 'Asia/Shanghai', miniprogramState: 'formal' } as unknown as MessageServiceDeps['settings'];
  const messages = new MessageService({ store, api: {} as never, token: {} as never, settings, logger: createLogger('silent'), telemetry: { subscriptionMessage: () => undefined } });
  return { messages, claims: () => claims };
}

test('a paid order claims nothing when no template is configured, and claims the due messages when one is', async () => {
  const none = service({});
  none.messages.kick();
  await none.messages.stop();
  expect(none.claims()).toBe(0);
  const configured = service({ paymentSucceeded: { templateId: 'tmpl_pay', keys: {} } } as unknown as MessageServiceDeps['settings']['templates']);
  configured.messages.kick();
  await configured.messages.stop();
  expect(configured.claims()).toBe(1);
});
