// A TCP proxy in front of the test PostgreSQL, to cut, refuse or silence the store's connections.
import net from 'node:net';

/**
 * A TCP proxy to the test database: `silenceOpenConnections` makes the connections open now stop
 * passing bytes without closing (a dead network path); `refuse` cuts every connection and refuses
 * new ones (a database that is down).
 */
export async function tcpProxy(databaseUrl: string) {
  const target = new URL(databaseUrl);
  const host = target.hostname || process.env.PGHOST || 'localhost';
  const port = Number(target.port || process.env.PGPORT || 5432);
  const pairs: Array<{ silent: boolean; sockets: net.Socket[] }> = [];
  let refusing = false;
  const server = net.createServer((inbound) => {
    if (refusing) return inbound.destroy();
    const outbound = net.connect(port, host);
    const pair = { silent: false, sockets: [inbound, outbound] };
    pairs.push(pair);
    inbound.on('data', (chunk) => !pair.silent && outbound.write(chunk));
    outbound.on('data', (chunk) => !pair.silent && inbound.write(chunk));
    for (const [a, b] of [[inbound, outbound], [outbound, inbound]]) {
      a.on('error', () => b.destroy());
      a.on('close', () => b.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxied = new URL(databaseUrl);
  proxied.hostname = '127.0.0.1';
  proxied.port = String((server.address() as net.AddressInfo).port);
  return {
    url: proxied.toString(),
    silenceOpenConnections: () => pairs.forEach((pair) => (pair.silent = true)),
    refuse: (on: boolean) => {
      refusing = on;
      if (on) for (const pair of pairs.splice(0)) pair.sockets.forEach((socket) => socket.destroy());
    },
    close: () => server.close(),
  };
}
