// The simulated Airwallex's List all Webhooks (GET /api/v1/webhooks): the account's one subscription, as the official spec shapes it.
import { RECOMMENDED_WEBHOOK_EVENTS } from '../../../server/airwallex/webhook-events';
import { validateResponse } from '../../../server/simulator';
import { SIMULATOR_EVENT_NAMES } from '../../../server/simulator/webhook-subscriptions';
import { airwallex, call, CREDENTIALS, login, startSimulator, type Harness } from './helpers';

const LIST = '/api/v1/webhooks';
let h: Harness;

afterEach(() => h?.close());

describe('GET /api/v1/webhooks', () => {
  test('lists the webhook the account subscribed: its URL, events, API version and secret, valid against the spec', async () => {
    h = await startSimulator({ webhookUrl: () => 'https://shop.example.com/webhooks/airwallex', webhookEvents: RECOMMENDED_WEBHOOK_EVENTS });
    const token = await login(h);
    const answer = await airwallex(h, token, 'GET', `${LIST}?page_size=20`);
    expect(answer.status).toBe(200);
    expect(validateResponse('get', LIST, 200, answer.body)).toEqual({ valid: true, errors: [] });
    expect(answer.body.items).toEqual([
      {
        id: expect.stringMatching(/^wh_[\w-]{32}$/),
        url: 'https://shop.example.com/webhooks/airwallex',
        secret: CREDENTIALS.webhookSecret,
        version: expect.stringMatching(/^\d{4}-\d\d-\d\d$/),
        events: [...RECOMMENDED_WEBHOOK_EVENTS],
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/),
        updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/),
        request_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      },
    ]);
    expect(answer.body.page_after).toBeUndefined();
    // The same subscription keeps its id.
    expect((await airwallex(h, token, 'GET', LIST)).body.items[0].id).toBe(answer.body.items[0].id);
    expect(h.sim.stats().airwallex.calls.webhook_list).toBe(2);
  });

  test('an account subscribed to every event lists each event the simulator sends; without a webhook URL, none', async () => {
    h = await startSimulator({ webhookUrl: () => 'https://shop.example.com/webhooks/airwallex', webhookEvents: undefined });
    let token = await login(h);
    expect((await airwallex(h, token, 'GET', LIST)).body.items[0].events).toEqual([...SIMULATOR_EVENT_NAMES]);
    await h.close();
    h = await startSimulator({ webhookUrl: () => undefined });
    token = await login(h);
    const none = await airwallex(h, token, 'GET', LIST);
    expect(none.body).toEqual({ items: [] });
    expect(validateResponse('get', LIST, 200, none.body).valid).toBe(true);
  });

  test('needs a token, and refuses a malformed page_size or a cursor it never issued with invalid_argument', async () => {
    h = await startSimulator({ webhookUrl: () => 'https://shop.example.com/webhooks/airwallex' });
    expect((await call(`${h.airwallex}${LIST}`)).status).toBe(401);
    const token = await login(h);
    for (const query of ['page_size=ten', 'page_size=0', 'page=abc']) {
      const answer = await airwallex(h, token, 'GET', `${LIST}?${query}`);
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('invalid_argument');
      expect(validateResponse('get', LIST, 400, answer.body).valid).toBe(true);
    }
  });
});
