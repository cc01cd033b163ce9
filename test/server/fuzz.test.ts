// A short, seeded sample of `npm run fuzz` (scripts/fuzz): malformed and hostile requests over real HTTP, the shopper's API,
// the admin API and the console; every table of both databases compared after every case; and the bugs it found (fixed).
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { mayBeInteger } from '../../scripts/fuzz/cases/admin';
import { adminRefundCase, infiniteAdminLimitCase } from '../../scripts/fuzz/cases/admin-api';
import { badUrlCase, hugeHeadCase, infiniteWaitCase, longIdCase } from '../../scripts/fuzz/cases/routes';
import { ENDPOINTS, type FuzzCase } from '../../scripts/fuzz/model';
import { expectationFor, violations } from '../../scripts/fuzz/checks';
import { buildRequest } from '../../scripts/fuzz/request';
import { formatReport, runFuzz, type FuzzReport } from '../../scripts/fuzz/run';
import { allows, diffSnapshots, rowsWithNul, takeSnapshot, type TableChange } from '../../scripts/fuzz/tables';
import { createWorld, type World } from '../../scripts/fuzz/world';

// Chosen (when the events', messages' and reconciliation's cases had joined the mix) for a sample that makes a session
// and a refund (whose order event the outbox takes) among its 400 cases and reaches every endpoint.
const SEED = 1;

describe('fuzzing the HTTP API (seeded sample)', () => {
  let report: FuzzReport;

  beforeAll(async () => {
    report = await runFuzz({ cases: 400, seed: SEED, concurrency: 8 });
  }, 60_000);

  test('answers every malformed request with a 4xx error envelope (the console: its HTML page) and writes only what each case may', () => {
    if (!report.pass) throw new Error(formatReport(report));
    expect(report.casesGenerated).toBe(400);
    expect(report.perStatus).not.toHaveProperty('500');
    expect(report.healthz).toBe(200);
  });

  test('reaches every endpoint, and both refuses and accepts', () => {
    const reached = ENDPOINTS.filter((endpoint) => Object.values(report.perEndpoint[endpoint]).reduce((a, b) => a + b, 0) > 0);
    expect(reached).toEqual([...ENDPOINTS]);
    const count = (prefix: string) => Object.entries(report.perStatus).filter(([status]) => status.startsWith(prefix)).reduce((a, [, n]) => a + n, 0);
    expect(count('2')).toBeGreaterThan(40);
    expect(count('3')).toBeGreaterThan(5);
    expect(count('4')).toBeGreaterThan(200);
  });

  test('compares every table after the cases that wrote, and saw the writes the accepted cases made', () => {
    expect(report.stateChecks.afterCases).toBe(report.requests + 1);
    expect(report.stateChecks.tables).toBeGreaterThanOrEqual(19);
    expect(report.stateChecks.snapshots).toBeGreaterThan(10);
    // Had the snapshot read nothing, or compared nothing, these would be missing.
    expect(Object.keys(report.writesSeen)).toEqual(expect.arrayContaining(['server.sessions', 'server.webhook_events', 'server.audit_log', 'server.admin_sessions', 'simulator.wechat_codes', 'server.outbox']));
  });
});

/** Plants a change in `table` through a writable connection of its own: an update of a row, or an insert when it has none. */
function plant(file: string, table: string): void {
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 5000');
    const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
    const columns = db.prepare(`PRAGMA table_info(${quote(table)})`).all() as Array<{ name: string; type: string; pk: number }>;
    const row = db.prepare(`SELECT rowid AS rid, * FROM ${quote(table)} LIMIT 1`).get() as Record<string, unknown> | undefined;
    const value = (type: string, n: number) => (/INT/i.test(type) ? 9_000_000_000 + n : /REAL|FLOA|DOUB/i.test(type) ? n + 0.5 : `planted-${n}`);
    // A column of the row that no foreign key holds (the server's connection enforces them, and so does this one).
    const foreignKeys = db.prepare(`PRAGMA foreign_key_list(${quote(table)})`).all() as Array<{ from: string; table: string; to: string }>;
    const referencing = new Set(foreignKeys.map((fk) => fk.from));
    if (row) {
      const column = columns.find((c) => c.pk === 0 && !referencing.has(c.name)) ?? columns[0];
      db.prepare(`UPDATE ${quote(table)} SET ${quote(column.name)} = ? WHERE rowid = ?`).run(value(column.type, 1), row.rid);
    } else {
      // An inserted row's foreign keys name a row of their table (an order the world made), as the server's would; an empty
      // parent table (reconciliation_items' run) gets a planted value with the keys off: only the change matters here.
      const parent = (column: string): unknown => {
        const fk = foreignKeys.find((f) => f.from === column)!;
        const found = (db.prepare(`SELECT ${quote(fk.to)} AS v FROM ${quote(fk.table)} LIMIT 1`).get() as { v: unknown } | undefined)?.v;
        if (found === undefined) db.pragma('foreign_keys = OFF');
        return found;
      };
      db.prepare(`INSERT INTO ${quote(table)} (${columns.map((c) => quote(c.name)).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`).run(
        ...columns.map((c, i) => (referencing.has(c.name) ? (parent(c.name) ?? value(c.type, i)) : value(c.type, i))),
      );
    }
  } finally {
    db.close();
  }
}

describe("the fuzzer's state snapshot", () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  }, 30_000);
  afterAll(async () => {
    await world?.close();
  });

  test('reads every table of both databases, and names a change planted in any of them', async () => {
    const files = { server: path.join(world.dir, 'app.sqlite'), simulator: path.join(world.dir, 'simulator.sqlite') };
    const tablesOf = (file: string) => {
      const db = new Database(file, { readonly: true });
      try {
        return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
      } finally {
        db.close();
      }
    };
    const all = Object.entries(files).flatMap(([name, file]) => tablesOf(file).map((table) => ({ name, file, table })));
    expect(all.length).toBeGreaterThanOrEqual(19);
    expect(await Promise.all(world.watches.map((watch) => watch.changed()))).toEqual([false, false]);
    let before = await takeSnapshot(world.watches);
    expect([...before.tables.keys()].sort()).toEqual(all.map(({ name, table }) => `${name}.${table}`).sort());
    for (const { name, file, table } of all) {
      plant(file, table);
      // The fast path sees the commit, and the comparison names the table (and an insert's AUTOINCREMENT counter), nothing else.
      expect([`${name}.${table}`, (await Promise.all(world.watches.map((watch) => watch.changed()))).includes(true)]).toEqual([`${name}.${table}`, true]);
      const after = await takeSnapshot(world.watches, before);
      const changed = diffSnapshots(before, after).filter((change) => !(change.table === `${name}.sqlite_sequence` && change.key === JSON.stringify([table])));
      expect([`${name}.${table}`, [...new Set(changed.map((change) => change.table))]]).toEqual([`${name}.${table}`, [`${name}.${table}`]]);
      before = after;
    }
    // A table nobody has written yet (a future migration's) is covered without a change to the fuzzer.
    const db = new Database(files.server);
    db.exec('CREATE TABLE planted_future (id INTEGER PRIMARY KEY, note TEXT)');
    db.close();
    expect(diffSnapshots(before, await takeSnapshot(world.watches, before))).toEqual([{ table: 'server.planted_future', kind: 'new table' }]);
  });

  test('names a changed row that holds a NUL (text PostgreSQL refuses), and not one holding the six characters \\u0000', () => {
    const rows = new Map([
      ['["a"]', JSON.stringify(['evt_\u0000'])],
      ['["b"]', JSON.stringify(['{"id":"\\u0000"}'])],
    ]);
    const after = { tables: new Map([['server.webhook_events', { columns: ['id'], rows, digest: 'x' }]]) };
    const changes: TableChange[] = [
      { table: 'server.webhook_events', kind: 'insert', key: '["a"]' },
      { table: 'server.webhook_events', kind: 'insert', key: '["b"]' },
    ];
    expect(rowsWithNul(after, changes)).toEqual([changes[0]]);
  });

  test('a write rule allows inserts, deletes, and updates of the columns it names only', () => {
    const update = (columns: string[]): TableChange => ({ table: 'server.orders', kind: 'update', key: '["ord_x"]', columns });
    expect(allows(['server.orders ~checked_at,next_check_at'], update(['checked_at']))).toBe(true);
    expect(allows(['server.orders ~checked_at,next_check_at'], update(['checked_at', 'status']))).toBe(false);
    expect(allows(['server.orders ~'], update(['status']))).toBe(true);
    expect(allows(['server.sessions +'], { table: 'server.sessions', kind: 'insert', key: '["h"]' })).toBe(true);
    expect(allows(['server.sessions +'], { table: 'server.sessions', kind: 'delete', key: '["h"]' })).toBe(false);
    expect(allows(['server.sessions +'], { table: 'simulator.sessions', kind: 'insert', key: '["h"]' })).toBe(false);
    expect(allows(['server.audit_log +'], { table: 'server.sqlite_sequence', kind: 'update', key: '["audit_log"]', columns: ['seq'] })).toBe(true);
    expect(allows(['server.audit_log +'], { table: 'server.sqlite_sequence', kind: 'update', key: '["anomalies"]', columns: ['seq'] })).toBe(false);
  });
});

describe('a case that writes a table it does not name', () => {
  test('fails the run, naming the table, and fast-check shrinks it', async () => {
    // A fresh wx.login code makes a session: legitimate, but this case claims it writes nothing.
    const planted: fc.Arbitrary<FuzzCase> = fc.stringMatching(/^[A-Za-z0-9]{12,40}$/).map(
      (code): FuzzCase => ({
        endpoint: 'POST /api/sessions',
        variant: 'a session made by a case that says it writes nothing',
        method: 'POST',
        path: '/api/sessions',
        token: { kind: 'missing' },
        headers: {},
        body: { kind: 'json', value: { code: `planted${code}` } },
        expect: { outcome: 'any' },
      }),
    );
    const report = await runFuzz({ cases: 20, seed: SEED, concurrency: 1, arbitrary: planted });
    expect(report.pass).toBe(false);
    const property = report.failures.find((failure) => failure.kind === 'property');
    expect(property?.message).toMatch(/it changed tables it may not write:\n {2}server\.sessions: insert of .*\n {2}simulator\.wechat_codes: insert of/);
    expect(property?.counterexample).toContain('planted');
    expect(report.failures.some((failure) => failure.kind === 'state' && failure.message.includes('server.sessions: insert'))).toBe(true);
  }, 30_000);
});

// Server bugs the fuzzer found, fixed (see the generators' comments in scripts/fuzz/cases.ts).
// Each was a `test.failing` until the server was fixed; they now guard against the bug coming back.
describe('bugs the fuzzer found, now fixed', () => {
  let world: World;

  beforeAll(async () => {
    world = await createWorld();
  }, 30_000);
  afterAll(async () => {
    await world.close();
  });

  const problemsOf = async (arbitrary: fc.Arbitrary<FuzzCase>, seed: number) => {
    const problems: string[] = [];
    for (const c of fc.sample(arbitrary, { numRuns: 5, seed })) {
      const request = buildRequest(c, world);
      const response = await world.http.send(request);
      problems.push(...violations(c, request, response, world).map((problem) => `${request.method} ${request.path.slice(0, 80)}: ${problem}`));
    }
    return problems;
  };

  test('answers a path with a broken %-escape (GET /api/orders/%zz) with the error envelope', async () => {
    expect(await problemsOf(badUrlCase, 1)).toEqual([]);
  });

  test('answers an order id longer than 100 characters with the error envelope, not the router 414 body', async () => {
    expect(await problemsOf(longIdCase, 2)).toEqual([]);
  });

  test('refuses waitSeconds=Infinity (and 1e999, -Infinity) as VALIDATION_FAILED', async () => {
    expect(await problemsOf(infiniteWaitCase, 3)).toEqual([]);
  });

  test("refuses the admin API's limit=Infinity (and offset=Infinity, 1e999) as VALIDATION_FAILED, not a 500", async () => {
    expect(await problemsOf(infiniteAdminLimitCase, 5)).toEqual([]);
  });

  test('answers a request head past 16 KB with the error envelope, not the 431 client-error body', async () => {
    expect(await problemsOf(hugeHeadCase, 4)).toEqual([]);
  });
});

// The oracle's own mistakes, each found by a seed that failed (the server was right).
describe("the fuzzer's oracle", () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  }, 30_000);
  afterAll(async () => {
    await world.close();
  });

  test('expects the body\'s refusal for a refund whose order id is too long and whose body cannot be parsed (seed 1123248677)', async () => {
    const bodies = [
      { variant: 'empty JSON body', body: { kind: 'text', text: '', contentType: 'application/json' }, valid: false, codes: ['INVALID_JSON'] },
      { variant: 'malformed JSON', body: { kind: 'text', text: '{"amount":', contentType: 'application/json' }, valid: false, codes: ['INVALID_JSON'] },
      { variant: 'unsupported content type', body: { kind: 'text', text: 'amount=1', contentType: 'text/csv' }, valid: false, codes: ['UNSUPPORTED_MEDIA_TYPE'] },
    ] as const;
    for (const refund of bodies) {
      const c = adminRefundCase('token', { kind: 'random', id: 'a'.repeat(65) }, { ...refund, codes: [...refund.codes] }, { key: '!', ok: true, setup: false }, false, {});
      const request = buildRequest(c, world);
      const response = await world.http.send(request);
      expect([refund.variant, violations(c, request, response, world)]).toEqual([refund.variant, []]);
    }
  });

  test("reads an integer query parameter as Ajv's coercion does: whitespace alone is 0 (seed 1052830371)", async () => {
    expect([mayBeInteger(' ', 0, 100), mayBeInteger(' ', 1, 100), mayBeInteger('', 0, 100), mayBeInteger(' 7', 0, 100), mayBeInteger('1e999', 0, 100)]).toEqual([true, false, false, true, false]);
    const get = (query: string) => world.http.send({ method: 'GET', path: `/admin/api/orders?${query}`, headers: { authorization: `Bearer ${world.adminToken}` } });
    expect((await get('offset=%20')).status).toBe(200);
    expect((await get('offset=%207')).status).toBe(200);
    expect((await get('limit=%20')).status).toBe(400);
  });

  test('allows BODY_TOO_LARGE for a body past the limit even where any answer with named codes is expected (seed 757346969)', () => {
    const c: FuzzCase = {
      endpoint: 'POST /admin/api/anomalies/{id}/resolve',
      variant: 'token, not an id',
      method: 'POST',
      path: '/admin/api/anomalies/0/resolve',
      token: { kind: 'missing' },
      headers: {},
      body: { kind: 'none' },
      expect: { outcome: 'any', codes: ['VALIDATION_FAILED', 'NOT_FOUND'] },
    };
    const request = { method: 'POST', path: c.path, headers: {}, body: Buffer.alloc(16 * 1024 + 1, 'a') };
    expect(expectationFor(c, request).codes).toContain('BODY_TOO_LARGE');
  });

  test("takes POST /api/client-errors' own 14 KiB limit: an invalid report grown past it may be refused BODY_TOO_LARGE (seed 749390546)", async () => {
    const report = { kind: 'error', message: 'TypeError: x is undefined', stack: '', route: 'pages/shop/shop', appVersion: '', envVersion: `${'x'.repeat(17)}${'🙂'.repeat(3600)}`, sdkVersion: '3.4.1', contractVersion: 2 };
    const c: FuzzCase = {
      endpoint: 'POST /api/client-errors',
      variant: 'invalid report',
      method: 'POST',
      path: '/api/client-errors',
      token: { kind: 'missing' },
      headers: {},
      body: { kind: 'json', value: report },
      expect: { outcome: 'refuse', codes: ['VALIDATION_FAILED'] },
    };
    const request = buildRequest(c, world);
    // Between the route's limit and the API's: the server refuses it for its size before reading it.
    expect(request.body!.length).toBeGreaterThan(14 * 1024);
    expect(request.body!.length).toBeLessThan(16 * 1024);
    const response = await world.http.send(request);
    expect(response.status).toBe(413);
    expect(violations(c, request, response, world)).toEqual([]);
  });

  test('expects IDEMPOTENCY_KEY_REQUIRED from a refund of the order `..` sent without a key (seed 101)', async () => {
    const c = adminRefundCase('token', { kind: 'random', id: '..' }, { variant: 'small amount', body: { kind: 'json', value: { amount: 1 } }, valid: true, amount: 1 }, { key: null, ok: true, setup: false }, false, {});
    const request = buildRequest(c, world);
    const response = await world.http.send(request);
    expect(violations(c, request, response, world)).toEqual([]);
  });

  test('takes a random key used before on the same order with another body: IDEMPOTENCY_KEY_REUSED (seeds 220392219, 360665090)', async () => {
    const refund = (amount: number) => adminRefundCase('token', { kind: 'order', order: 'carolPaid' }, { variant: 'small amount', body: { kind: 'json', value: { amount } }, valid: true, amount }, { key: 'j', ok: true, setup: false }, false, {});
    const first = refund(1);
    const made = await world.http.send(buildRequest(first, world));
    expect(made.status).toBe(201);
    // The same short key again with another body: the server refuses it as a reused key, which is no violation.
    const again = refund(2);
    const request = buildRequest(again, world);
    const response = await world.http.send(request);
    expect(response.status).toBe(409);
    expect(violations(again, request, response, world)).toEqual([]);
  });
});
