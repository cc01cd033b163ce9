// A live server loads no simulator code: the server runs as a process against the standalone simulator, and lists every module it loaded.
import { smokeCheck } from '../../scripts/lib/smoke';
import { freePort, liveEnv, modulesLoadedBy, ROOT, runNode, waitFor, type Running } from './processes';

const fromSources = ['--import', 'tsx', 'server/main.ts'];

describe('which code a server loads', () => {
  let simulator: Running;
  let simulatorUrl: string;
  let serverPort: number;

  beforeAll(async () => {
    serverPort = await freePort();
    simulator = runNode(['--import', 'tsx', 'server/simulator/main.ts'], {
      PORT: '0',
      LOG_LEVEL: 'warn',
      SIMULATOR_WEBHOOK_URL: `http://127.0.0.1:${serverPort}/webhooks/airwallex`,
    });
    simulatorUrl = await waitFor(simulator, /Airwallex API\s+(http:\/\/[\d.:]+)\/simulator\/airwallex/);
  });

  afterAll(() => simulator.stop());

  test('a live server talking to the standalone simulator loads nothing from server/simulator/', async () => {
    // A shopper pays: WeChat's and Airwallex's clients and the webhook run, against the other process.
    const loaded = await modulesLoadedBy(fromSources, liveEnv(simulatorUrl, serverPort), ROOT, async (url) => {
      await smokeCheck({ server: url, simulator: simulatorUrl });
    });
    // The list is real: the code that served the shopper is in it.
    expect(loaded).toEqual(expect.arrayContaining(['server/main.ts', 'server/airwallex/client.ts', 'server/wechat/client.ts', 'server/services/webhooks.ts']));
    expect(loaded.filter((module) => module.startsWith('server/simulator/'))).toEqual([]);
  }, 40_000);

  test('a server in simulator mode does load the simulator (the same list sees it)', async () => {
    const loaded = await modulesLoadedBy(fromSources, {}, ROOT, async (url) => {
      expect((await fetch(`${url}/simulator/stats`)).status).toBe(200);
    });
    expect(loaded).toEqual(expect.arrayContaining(['server/simulator/index.ts', 'server/simulator/settings.ts']));
  }, 40_000);
});
