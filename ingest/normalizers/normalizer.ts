import type { AuthEvent, SourceId } from '../../schema/auth-event.ts';
import type { StepResult } from './step-result.ts';

/** Policy facts some normalizers need (from the config file's `policy` section). */
export interface NormalizerPolicy {
  /** Database roles that are superusers (PostgreSQL), lower-case. */
  readonly db_superusers: readonly string[];
  /** Resource glob patterns (`*` wildcard, case-insensitive) that are privileged. */
  readonly privileged_resources: readonly string[];
  /** First matching rule wins; `pattern` is a glob on the resource name. */
  readonly environment_rules: readonly { readonly pattern: string; readonly environment: 'prod' | 'staging' | 'dev' }[];
  /** Include read-only cloud API calls (Describe, List, Get calls) as api_call events instead of dropping them. */
  readonly store_read_only_cloud_calls: boolean;
}

/** What a normalizer may read besides the record itself. */
export interface NormalizeContext {
  readonly raw_sha256: string;
  readonly ingested_at: string;
  readonly policy: NormalizerPolicy;
}

/** One record produced by a LineAssembler: the raw text of the grouped lines and where they came from. */
export interface AssembledRecord {
  readonly raw: string;
  readonly input_ref: string;
}

/**
 * Stateful grouping of text lines into records (e.g. sshd lines of one connection, a pgaudit
 * statement continued on the next line). Connector-side: runs before the bus.
 */
export interface LineAssembler {
  /** Feed one line; returns the records completed by it (possibly none). */
  push(line: string, input_ref: string): AssembledRecord[];
  /** End of input (or idle timeout): emit every pending record. */
  flush(): AssembledRecord[];
}

/**
 * Normalizer: everything source-specific about turning upstream records into AuthEvents.
 * `format` tells the file reader how to frame input: JSON documents or text lines.
 */
export interface Normalizer {
  readonly source: SourceId;
  readonly format: 'json' | 'text';
  /**
   * JSON sources: split one decoded document into records (API pages, `records[]`, `EventList.items`,
   * Pub/Sub push envelopes...). Generic framing already split top-level arrays and `{"Records":[...]}`.
   * Absent = the document is one record.
   */
  unwrap?(doc: unknown): StepResult<unknown[]>;
  /** Text sources that merge several lines into one record. Absent = one line is one record. */
  createAssembler?(): LineAssembler;
  /**
   * Cheap extraction of the actor's key (login/email/ARN) from a record, used as the bus partition key
   * so one user's events stay ordered. Absent or '' = the source id alone.
   */
  partitionKey?(record: unknown): string;
  /** Pure: one record (parsed JSON value, or the raw text for text sources) → events. */
  normalize(record: unknown, ctx: NormalizeContext): StepResult<AuthEvent[]>;
}
