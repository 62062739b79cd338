import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCredentialReport } from '../../../ingest/normalizers/aws-credential-report.ts';
import { AccountRow } from '../../../schema/account.ts';
import { sharedPath } from '../../helpers/shared.ts';

const SAMPLE = readFileSync(sharedPath('samples', 'aws-iam-credential-report.csv'), 'utf8');
const MALFORMED = readFileSync(sharedPath('samples', 'aws-iam-credential-report.malformed.csv'), 'utf8');
const SNAPSHOT = '2025-03-11T18:00:00+00:00';
const HEADER = SAMPLE.split('\n')[0];

describe('parseCredentialReport on the sample report', () => {
  const { rows, rejects } = parseCredentialReport(SAMPLE, SNAPSHOT);
  const byUser = new Map(rows.map((r) => [r.user, r]));

  it('reads all six rows, each a valid AccountRow', () => {
    expect(rejects).toEqual([]);
    expect(rows.map((r) => r.user)).toEqual([
      'arn:aws:iam::111122223333:root', 'ci-deployer', 'frank', 'ops-legacy', 'svc-backup', 'tmp-vendor',
    ]);
    for (const r of rows) {
      expect(AccountRow.parse(r)).toEqual(r);
      expect(r).toMatchObject({ source: 'aws_credential_report', account_id: '111122223333', snapshot_time: '2025-03-11T18:00:00.000Z' });
    }
  });

  it('root: not_supported password fields become false/null, MFA active, last used = the break-glass login', () => {
    expect(byUser.get('arn:aws:iam::111122223333:root')).toEqual({
      source: 'aws_credential_report', account_id: '111122223333', user: 'arn:aws:iam::111122223333:root',
      arn: 'arn:aws:iam::111122223333:root', is_root: true, password_enabled: false,
      password_last_used: '2025-03-11T16:24:10.000Z', mfa_active: true, access_key_1_active: false, access_key_1_last_used: null,
      access_key_2_active: false, access_key_2_last_used: null, user_creation_time: '2019-06-03T08:12:44.000Z',
      last_used: '2025-03-11T16:24:10.000Z', snapshot_time: '2025-03-11T18:00:00.000Z',
    });
  });

  it('ops-legacy: password without MFA plus an active key; last used is the later of the two', () => {
    expect(byUser.get('ops-legacy')).toMatchObject({
      is_root: false, password_enabled: true, mfa_active: false, access_key_1_active: true,
      password_last_used: '2025-03-11T12:10:31.000Z', access_key_1_last_used: '2025-03-09T03:00:00.000Z',
      last_used: '2025-03-11T12:10:31.000Z', user_creation_time: '2018-09-21T14:03:50.000Z',
    });
  });

  it('svc-backup: a never-used key 1 (N/A) and a used key 2', () => {
    expect(byUser.get('svc-backup')).toMatchObject({
      password_enabled: false, password_last_used: null, access_key_1_active: true, access_key_1_last_used: null,
      access_key_2_active: true, access_key_2_last_used: '2025-03-11T02:00:00.000Z', last_used: '2025-03-11T02:00:00.000Z',
    });
  });

  it('tmp-vendor: created today with a password and MFA, never used', () => {
    expect(byUser.get('tmp-vendor')).toMatchObject({
      password_enabled: true, mfa_active: true, access_key_1_active: true, last_used: null, password_last_used: null,
      user_creation_time: '2025-03-11T10:20:01.000Z',
    });
  });
});

describe('parseCredentialReport on odd input', () => {
  it('rejects the short and the ;-separated rows of the malformed sample', () => {
    const { rows, rejects } = parseCredentialReport(MALFORMED, SNAPSHOT);
    expect(rows).toEqual([]);
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([[2, 'short_row'], [3, 'wrong_delimiter']]);
    expect(rejects[1].raw.startsWith('ops-legacy;arn:aws:iam::111122223333:user/ops-legacy')).toBe(true);
  });

  it('handles a UTF-8 BOM, CRLF line ends, quoted fields and no_information', () => {
    const quotedRow = [
      '"alice.admin"', '"arn:aws:iam::444455556666:user/ops/alice.admin"', '2020-01-01T00:00:00+00:00', 'true', 'no_information',
      'N/A', 'N/A', 'true', 'false', 'N/A', 'N/A', 'N/A', 'N/A', 'false', 'N/A', 'N/A', 'N/A', 'N/A', 'false', 'N/A', 'false', 'N/A',
    ].join(',');
    const text = `\uFEFF${HEADER}\r\n${quotedRow}\r\n\r\n`;
    const { rows, rejects } = parseCredentialReport(text, SNAPSHOT);
    expect(rejects).toEqual([]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      user: 'alice.admin', arn: 'arn:aws:iam::444455556666:user/ops/alice.admin', account_id: '444455556666',
      password_enabled: true, password_last_used: null, mfa_active: true, last_used: null,
    });
  });

  it('rejects bad values, unclosed quotes and long rows by line, keeping the good rows', () => {
    const lines = SAMPLE.trimEnd().split('\n');
    const badBool = lines[3].replace(',false,false,2023', ',maybe,false,2023');
    const badArn = lines[2].replace('arn:aws:iam::111122223333:user/ci-deployer', 'not-an-arn');
    const badTime = lines[4].replace('2018-09-21T14:03:50+00:00', '21/09/2018 14:03');
    const text = [lines[0], lines[1], badArn, badBool, badTime, `${lines[5]},extra`, '"unclosed,quote', lines[6]].join('\n');
    const { rows, rejects } = parseCredentialReport(text, SNAPSHOT);
    expect(rows.map((r) => r.user)).toEqual(['arn:aws:iam::111122223333:root', 'tmp-vendor']);
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [3, 'invalid_arn'], [4, 'invalid_value'], [5, 'invalid_time'], [6, 'long_row'], [7, 'invalid_csv'],
    ]);
  });

  it('rejects every line when the header is unusable, and an invalid snapshot time', () => {
    const semi = MALFORMED.split('\n').filter((l) => l.trim() !== '').map((l) => l.replaceAll(',', ';')).join('\n');
    expect(parseCredentialReport(semi, SNAPSHOT).rejects.map((r) => r.reason)).toEqual(['wrong_delimiter', 'invalid_header', 'invalid_header']);
    expect(parseCredentialReport('', SNAPSHOT)).toEqual({ rows: [], rejects: [] });
    expect(parseCredentialReport(SAMPLE, '11/03/2025')).toEqual({ rows: [], rejects: [{ line: 0, reason: 'invalid_time', raw: '11/03/2025' }] });
  });
});
