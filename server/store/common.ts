// What both store implementations share: migration files, the shopper fingerprint, and how an update merges.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { OrderPatch, OrderRecord, RefundRecord } from './types';

/** Statuses the sweep and the per-shopper limit count as open. */
export const OPEN_STATUSES = ['awaiting_payment', 'processing'] as const;

/** A short, stable fingerprint of an openid for operators: 12 hex digits of its SHA-256. */
export function shopperRefOf(openId: string): string {
  return createHash('sha256').update(openId).digest('hex').slice(0, 12);
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** `migrations/<dialect>/NNN_name.sql`, in version order; versions must run 1, 2, 3 … without gaps. */
export function readMigrations(dialect: 'sqlite' | 'postgres'): Migration[] {
  const dir = path.join(__dirname, 'migrations', dialect);
  const migrations = fs
    .readdirSync(dir)
    .filter((file) => /^\d{3}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => ({ version: Number(file.slice(0, 3)), name: file.slice(4, -4), sql: fs.readFileSync(path.join(dir, file), 'utf8') }));
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`migrations/${dialect}: expected version ${index + 1}, found ${migration.version}`);
  });
  return migrations;
}

/** The order after `patch` and `refunds` were written, without reading it back. */
export function mergeUpdate(current: OrderRecord, patch: OrderPatch, refunds: RefundRecord[]): OrderRecord {
  const merged: OrderRecord = { ...current };
  for (const key of Object.keys(patch) as Array<keyof OrderPatch>) {
    if (patch[key] !== undefined) (merged as unknown as Record<string, unknown>)[key] = patch[key];
  }
  if (refunds.length > 0) {
    const byId = new Map(current.refunds.map((refund) => [refund.id, refund]));
    for (const refund of refunds) byId.set(refund.id, refund);
    merged.refunds = [...byId.values()].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }
  return merged;
}

/** The keys of `patch` that carry a value. */
export function patchKeys(patch: OrderPatch | undefined): Array<keyof OrderPatch> {
  return patch ? (Object.keys(patch) as Array<keyof OrderPatch>).filter((key) => patch[key] !== undefined) : [];
}

/** snake_case column of each patchable order field. */
export const ORDER_COLUMNS: Record<keyof OrderPatch, string> = {
  status: 'status',
  paymentIntentId: 'payment_intent_id',
  intentStatus: 'intent_status',
  intentUpdatedAt: 'intent_updated_at',
  confirmSeq: 'confirm_seq',
  confirmedAt: 'confirmed_at',
  lastPaymentError: 'last_error',
  paidAt: 'paid_at',
  checkedAt: 'checked_at',
  retrievedAt: 'retrieved_at',
  nextCheckAt: 'next_check_at',
  checkFailures: 'check_failures',
  updatedAt: 'updated_at',
};
