import type { AssembledRecord, LineAssembler } from '../normalizer.ts';
import { joinRefs } from '../sshd/assembler.ts';
import { isContinuation, parsePgLine, type PgLine } from './pg-line.ts';

/** Bounds of the PostgreSQL assembler. */
export interface PostgresAssemblerOptions {
  /** Connections between `connection received` and `connection authorized`/FATAL kept at most. */
  readonly max_pending: number;
  /** Lines per record before it is emitted anyway (a runaway continuation). */
  readonly max_record_lines: number;
}

/** Defaults for one server's log stream. */
export const POSTGRES_ASSEMBLER_DEFAULTS: PostgresAssemblerOptions = { max_pending: 1024, max_record_lines: 2000 };

interface Rec {
  readonly pid: string;
  readonly seq: number;
  readonly lines: string[];
  readonly refs: string[];
  /** Still collecting the handshake (received/authenticated) of its pid. */
  handshake: boolean;
}

// Lines that belong to the message just before them in the same backend (written in one piece by the server).
const SECONDARY = /^(DETAIL|HINT|CONTEXT|STATEMENT|QUERY|LOCATION)$/;
const RECEIVED = /^connection received:/;
const HANDSHAKE = /^connection authenticated:/;
const AUTHORIZED = /^(?:replication )?connection (?:authorized|ready):/;

/**
 * Joins tab-indented continuation lines and DETAIL/HINT/... lines to the message before them, and merges the
 * `connection received` / `connection authenticated` / `connection authorized` (or the FATAL that ends the
 * attempt) lines of one pid into one record, so the identity and method land on the authorized event.
 * Every other message is its own record.
 */
export function createPostgresAssembler(options: Partial<PostgresAssemblerOptions> = {}): LineAssembler {
  const opt: PostgresAssemblerOptions = { ...POSTGRES_ASSEMBLER_DEFAULTS, ...options };
  const handshakes = new Map<string, Rec>();
  let current: Rec | null = null;
  let currentParsed: PgLine | null = null;
  let seq = 0;

  const newRec = (pid: string, handshake: boolean): Rec => ({ pid, seq: seq++, lines: [], refs: [], handshake });
  const toRecord = (r: Rec): AssembledRecord => ({ raw: r.lines.join('\n'), input_ref: joinRefs(r.refs) });

  /** Closes `current`: emitted unless it is a handshake still waiting for its pid's next line. */
  function closeCurrent(out: AssembledRecord[]): void {
    if (current && !current.handshake) out.push(toRecord(current));
    current = null;
    currentParsed = null;
  }

  function push(line: string, ref: string): AssembledRecord[] {
    const out: AssembledRecord[] = [];
    if (isContinuation(line) && current) {
      current.lines.push(line);
      current.refs.push(ref);
      if (current.lines.length >= opt.max_record_lines) {
        if (current.handshake) handshakes.delete(current.pid);
        current.handshake = false;
        closeCurrent(out);
      }
      return out;
    }
    const p = parsePgLine(line);
    if (!p) {
      closeCurrent(out);
      out.push({ raw: line, input_ref: ref });
      return out;
    }
    if (current && currentParsed && SECONDARY.test(p.severity) && p.pid === current.pid) {
      current.lines.push(line);
      current.refs.push(ref);
      return out;
    }
    closeCurrent(out);
    let rec: Rec;
    const open = handshakes.get(p.pid);
    if (RECEIVED.test(p.message)) {
      if (open) {
        handshakes.delete(p.pid);
        out.push(toRecord(open));
      }
      rec = newRec(p.pid, true);
      handshakes.set(p.pid, rec);
    } else if (open && (HANDSHAKE.test(p.message) || AUTHORIZED.test(p.message) || p.severity === 'FATAL')) {
      rec = open;
      if (!HANDSHAKE.test(p.message)) {
        // Authorized or failed: the handshake is over; the record closes with the next message line.
        handshakes.delete(p.pid);
        rec.handshake = false;
      }
    } else {
      rec = newRec(p.pid, false);
    }
    rec.lines.push(line);
    rec.refs.push(ref);
    current = rec;
    currentParsed = p;
    while (handshakes.size > opt.max_pending) {
      const oldest = handshakes.values().next().value as Rec;
      handshakes.delete(oldest.pid);
      oldest.handshake = false;
      if (oldest !== current) out.push(toRecord(oldest));
    }
    return out;
  }

  function flush(): AssembledRecord[] {
    const out: Rec[] = [...handshakes.values()];
    if (current && !current.handshake) out.push(current);
    handshakes.clear();
    current = null;
    currentParsed = null;
    return out.sort((a, b) => a.seq - b.seq).map(toRecord);
  }

  return { push, flush };
}
