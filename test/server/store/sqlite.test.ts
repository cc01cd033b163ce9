// The Store contract on SQLite (a fresh in-memory database per test).
import { openSqliteStore } from '../../../server/store/sqlite';
import { describeStoreContract } from './contract';

describe('SQLite store', () => {
  describeStoreContract({ open: async () => openSqliteStore(':memory:') });
});
