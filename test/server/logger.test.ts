// The logger writes without blocking the event loop, and still loses no line when the process exits or crashes right after logging.
import { runNode } from './processes';

const FIXTURE = 'test/server/fixtures/log-then-exit.ts';

describe('log lines written asynchronously are all out when the process ends', () => {
  test.each([
    ['process.exit', 'exit', 3],
    ['an uncaught exception', 'throw', 1],
    ['an unhandled rejection', 'reject', 1],
    ['the event loop running dry', 'end', 0],
  ])('after %s', async (_, how, code) => {
    const proc = runNode(['--import', 'tsx', FIXTURE, how], {});
    expect(await proc.exited).toBe(code);
    const lines = proc.output().split('\n').filter((line) => line.startsWith('{'));
    expect(lines).toHaveLength(2001);
    expect(JSON.parse(lines[1999])).toMatchObject({ i: 1999, msg: 'line' });
    expect(JSON.parse(lines[2000])).toMatchObject({ msg: 'last line' });
  }, 20_000);
});

