// Picks the store from the configuration: PostgreSQL when DATABASE_URL is set, else the SQLite file.
import type { Config } from '../config';
import type { Logger } from '../logger';
import { openPostgresStore } from './postgres';
import { openSqliteStore } from './sqlite';
import type { Store } from './types';

export async function openStore(
  config: Pick<Config, 'databaseUrl' | 'databasePath'> & Partial<Pick<Config, 'databasePoolSize' | 'databaseStatementTimeoutMs'>>,
  logger: Logger,
): Promise<Store> {
  if (config.databaseUrl) {
    return openPostgresStore({
      connectionString: config.databaseUrl,
      poolSize: config.databasePoolSize,
      statementTimeoutMs: config.databaseStatementTimeoutMs,
      logger: logger.child({ component: 'postgres' }),
    });
  }
  return openSqliteStore(config.databasePath);
}
