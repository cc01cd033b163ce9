// `npm run events:listen`: a receiver of order events for development (what `stripe listen` is to Stripe): verifies each
// delivery's signature with EVENTS_SECRET as docs/events.md shows, prints it, and answers 200 (or 500 at the rate asked,
// to watch the retries).
//
// Usage: EVENTS_SECRET=… npm run events:listen -- [--port 4020] [--host 127.0.0.1] [--fail 0.5] [--json]
import '../server/node-version'; // first: refuses an unsupported Node before anything loads native code
import { describeDelivery, startEventsReceiver } from './lib/events-receiver';
import { Options } from './lib/stats';

const USAGE = `EVENTS_SECRET=<the server's EVENTS_SECRET> npm run events:listen -- [options]
  --port N     the port to listen on (default 4020; 0: any free one); the server's EVENTS_URL is printed
  --host H     the address to listen on (default 127.0.0.1)
  --fail R     share of verified deliveries answered 500, to watch the server retry them (default 0)
  --json       print each event's body as received, one line each`;

async function main(): Promise<void> {
  let options: Options;
  try {
    options = new Options(process.argv.slice(2), ['port', 'host', 'fail', 'json', 'help']);
    if (options.flag('help')) {
      console.log(USAGE);
      return;
    }
    options.number('port', 4020, 0, 65535);
    options.number('fail', 0, 0, 1);
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const secret = process.env.EVENTS_SECRET?.trim();
  if (!secret) {
    console.error(`EVENTS_SECRET is not set: give the listener the server's EVENTS_SECRET, to verify what it signs.\n${USAGE}`);
    process.exit(2);
  }
  const failRate = options.number('fail', 0, 0, 1);
  const json = options.flag('json');
  const host = typeof options.string('host') === 'string' ? (options.string('host') as string) : '127.0.0.1';
  const receiver = await startEventsReceiver({
    secret,
    port: options.number('port', 4020, 0, 65535),
    host,
    answer: () => (Math.random() < failRate ? 500 : 200),
    onDelivery: (delivery) => console.log(describeDelivery(delivery, json)),
  });
  console.error(`Listening for order events at ${receiver.url}`);
  console.error(`Start the server with EVENTS_URL=${receiver.url} and the same EVENTS_SECRET (in live mode also ALLOW_INSECURE_UPSTREAM=1 for http). Ctrl-C to stop.`);
  const stop = () => void receiver.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
