import { readFile } from 'node:fs/promises';
import type { Clock } from '../../core/clock.ts';
import type { Store } from '../../schema/store/store.ts';
import { listFiles } from '../files/read-records.ts';
import { sha256Hex } from '../normalizers/common.ts';
import { parseCredentialReport } from '../normalizers/aws-credential-report.ts';
import { deadLetterOf, emptyCounts, type BatchCounts } from '../pipeline.ts';
import { importOffboarding } from './hr.ts';

/** Sources that are inventories (CSV snapshots), not event streams. */
export function isInventorySource(source: string): boolean {
  return source === 'aws_credential_report' || source === 'hr';
}

/** Imports inventory files of a source: IAM credential reports into `accounts`, HR/offboarding CSVs into `offboarding`. */
export function importInventory(store: Store, source: string, paths: readonly string[], clock: Clock): Promise<BatchCounts> {
  return source === 'hr' ? importOffboarding(store, paths, clock) : importCredentialReport(store, source, paths, clock);
}

const ACCOUNT_TIME_KEYS = ['password_last_used', 'access_key_1_last_used', 'access_key_2_last_used', 'user_creation_time', 'last_used', 'snapshot_time'];

/**
 * Imports IAM credential report CSV files into `accounts`. The snapshot time is the file's generation time when
 * known (report files carry none, so the import time is used); rows are idempotent per (account, user, snapshot).
 */
export async function importCredentialReport(store: Store, source: string, paths: readonly string[], clock: Clock): Promise<BatchCounts> {
  const counts = emptyCounts();
  for await (const file of listFiles(paths)) {
    const text = await readFile(file, 'utf8');
    const snapshot = clock.now().toISOString();
    const { rows, rejects } = parseCredentialReport(text, snapshot);
    counts.read += rows.length + rejects.length;
    const existing = await store.query<{ n: string }>(
      `SELECT count() AS n FROM accounts WHERE origin = 'credential_report' AND origin_ref = {ref:String}`, { ref: sha256Hex(text) });
    const already = Number(existing[0]?.n ?? 0) > 0;
    if (already) {
      counts.duplicates += rows.length;
    } else {
      await store.insertRows('accounts', rows.map((r) => ({ ...r, is_admin: false, deleted: false, origin: 'credential_report', origin_ref: sha256Hex(text) })), ACCOUNT_TIME_KEYS);
      counts.stored += rows.length;
    }
    counts.events += rows.length;
    const received_at = clock.now().toISOString();
    await store.insertDeadLetters(rejects.map((r) => deadLetterOf({ source, raw: r.raw, input_ref: `${file}:${r.line}`, received_at }, 'normalize', r.reason, '')));
    counts.dead_lettered += rejects.length;
  }
  return counts;
}
