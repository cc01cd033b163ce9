// The Store contract on SQLite (a fresh database file per test; a second store on the same file plays another process).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqliteStore } from '../../../server/store/sqlite';
import { describeStoreContract } from './contract';

describe('SQLite store', () => {
  let dir: string;
  let file = '';
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-contract-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describeStoreContract({
    open: async () => {
      file = path.join(dir, `${Date.now()}-${Math.random().toString(36).slice(2)}.sqlite`);
      return openSqliteStore(file);
    },
    peer: async () => openSqliteStore(file),
  });
});
