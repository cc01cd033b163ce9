// What waking a sleeping process costs on this machine: two Node processes bounce a 200-byte message over loopback
// TCP, with 50 connections (each process always has work: the bench's loaded phases), with one (the one-shopper phase's
// relay, both processes mostly busy) and with one and a 1 ms pause between messages (each message wakes a sleeper).
// Prints the CPU per message on each side. It explains why every process spends more CPU per payment with one shopper
// than with fifty (docs/proofs.md, "What one shopper costs"); no target judges it.
//
// Usage: npx tsx scripts/bench-wakeup.ts [--seconds 4]
import { spawn } from 'node:child_process';
import net from 'node:net';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Options } from './lib/stats';

/** The echo side: prints its port, then its CPU time (µs) whenever a line arrives on stdin. */
const ECHO = `
const net = require('node:net');
const server = net.createServer((c) => { c.setNoDelay(true); c.on('data', (d) => c.write(d)); c.on('error', () => {}); });
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
require('node:readline').createInterface({ input: process.stdin }).on('line', () => {
  const u = process.cpuUsage();
  console.log(u.user + u.system);
});
process.stdin.on('end', () => process.exit(0));
`;

interface Result {
  label: string;
  messagesPerSecond: number;
  echoUs: number;
  senderUs: number;
}

async function main(): Promise<void> {
  const options = new Options(process.argv.slice(2), ['seconds', 'help']);
  if (options.flag('help')) {
    process.stdout.write('Usage: npx tsx scripts/bench-wakeup.ts [--seconds 4]\n');
    return;
  }
  const seconds = options.number('seconds', 4, 1, 60);
  const echo = spawn(process.execPath, ['-e', ECHO], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: echo.stdout })[Symbol.asyncIterator]();
  const nextLine = async (): Promise<string> => {
    const { value, done } = await lines.next();
    if (done) throw new Error('the echo process ended');
    return value as string;
  };
  const echoCpu = async (): Promise<number> => {
    echo.stdin.write('cpu\n');
    return Number(await nextLine());
  };
  const port = Number(await nextLine());
  const results: Result[] = [];
  for (const [label, connections, pauseMs] of [
    ['50 connections', 50, 0],
    ['1 connection', 1, 0],
    ['1 connection, 1 ms pause', 1, 1],
  ] as const) {
    results.push(await bounce(label, port, connections, pauseMs, seconds, echoCpu));
  }
  echo.stdin.end();
  for (const r of results) {
    process.stdout.write(`${r.label.padEnd(26)} ${String(Math.round(r.messagesPerSecond)).padStart(6)} messages/s; CPU per message: echo ${r.echoUs.toFixed(1)} µs, sender ${r.senderUs.toFixed(1)} µs\n`);
  }
  const [busy, , asleep] = results;
  process.stdout.write(`waking a sleeping process costs about ${(asleep!.echoUs - busy!.echoUs).toFixed(0)} µs of CPU more per message than a busy one on this machine\n`);
}

async function bounce(label: string, port: number, connections: number, pauseMs: number, seconds: number, echoCpu: () => Promise<number>): Promise<Result> {
  const message = Buffer.alloc(200, 120);
  const sockets = await Promise.all(
    Array.from({ length: connections }, async () => {
      const socket = net.connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      await once(socket, 'connect');
      return socket;
    }),
  );
  let messages = 0;
  let stopped = false;
  const echo0 = await echoCpu();
  const self0 = process.cpuUsage();
  const started = performance.now();
  for (const socket of sockets) {
    socket.on('data', () => {
      messages++;
      if (stopped) return;
      if (pauseMs > 0) setTimeout(() => socket.write(message), pauseMs);
      else socket.write(message);
    });
    socket.write(message);
  }
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  stopped = true;
  const elapsed = (performance.now() - started) / 1000;
  const self = process.cpuUsage(self0);
  const echoUs = ((await echoCpu()) - echo0) / messages;
  for (const socket of sockets) socket.destroy();
  return { label, messagesPerSecond: messages / elapsed, echoUs, senderUs: (self.user + self.system) / messages };
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
