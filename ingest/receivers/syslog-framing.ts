/** One unit cut from a TCP syslog stream. */
export type SyslogFrame =
  | { readonly kind: 'message'; readonly text: string }
  | { readonly kind: 'error'; readonly reason: 'message_too_large'; readonly raw: string };

/** Splits a TCP byte stream into syslog messages. */
export interface SyslogDeframer {
  push(chunk: Buffer): SyslogFrame[];
  /** The connection closed: a last message without its newline still counts. */
  end(): SyslogFrame[];
}

const LF = 0x0a;
/** Bytes of an oversized message kept in its dead letter. */
const KEPT_BYTES = 4096;

// rsyslog's RSYSLOG_SyslogProtocol23Format ends in LF even with octet counting: trailing LF, CR and NUL go.
function clean(buf: Buffer): string {
  let end = buf.length;
  while (end > 0 && (buf[end - 1] === 0x0a || buf[end - 1] === 0x0d || buf[end - 1] === 0x00)) end--;
  return buf.toString('utf8', 0, end);
}

/**
 * RFC 6587 framing, detected per frame: `MSG-LEN SP MSG` (octet counting, what rsyslog sends with
 * `TCP_Framing="octet-counted"`) when the frame starts with a non-zero digit run and a space, else one message
 * per LF (non-transparent framing; CR and NUL before the LF are dropped). A syslog message itself starts with
 * `<`, so the two never collide. Oversized messages become `message_too_large` errors and are skipped.
 */
export function createSyslogDeframer(maxBytes: number): SyslogDeframer {
  let buf: Buffer = Buffer.alloc(0);
  /** Bytes still to discard from an oversized octet-counted frame. */
  let skipBytes = 0;
  /** Discarding an oversized LF-framed message up to its LF. */
  let skipLine = false;

  function next(out: SyslogFrame[]): boolean {
    if (skipBytes > 0) {
      const n = Math.min(skipBytes, buf.length);
      skipBytes -= n;
      buf = buf.subarray(n);
      return buf.length > 0;
    }
    if (skipLine) {
      const nl = buf.indexOf(LF);
      if (nl < 0) { buf = Buffer.alloc(0); return false; }
      skipLine = false;
      buf = buf.subarray(nl + 1);
      return true;
    }
    if (buf.length === 0) return false;
    const first = buf[0] as number;
    if (first >= 0x31 && first <= 0x39) {
      let i = 1;
      while (i < buf.length && i < 10 && (buf[i] as number) >= 0x30 && (buf[i] as number) <= 0x39) i++;
      if (i === buf.length && i < 10) return false; // the length is not complete yet
      if (buf[i] === 0x20) {
        const len = Number(buf.toString('latin1', 0, i));
        const start = i + 1;
        if (len > maxBytes) {
          out.push({ kind: 'error', reason: 'message_too_large', raw: buf.toString('utf8', start, Math.min(buf.length, start + KEPT_BYTES)) });
          skipBytes = len;
          buf = buf.subarray(start);
          return true;
        }
        if (buf.length < start + len) return false;
        const text = clean(buf.subarray(start, start + len));
        buf = buf.subarray(start + len);
        if (text.trim() !== '') out.push({ kind: 'message', text });
        return true;
      }
    }
    const nl = buf.indexOf(LF);
    if (nl < 0) {
      if (buf.length > maxBytes) {
        out.push({ kind: 'error', reason: 'message_too_large', raw: buf.toString('utf8', 0, KEPT_BYTES) });
        buf = Buffer.alloc(0);
        skipLine = true;
      }
      return false;
    }
    if (nl > maxBytes) {
      out.push({ kind: 'error', reason: 'message_too_large', raw: buf.toString('utf8', 0, KEPT_BYTES) });
    } else {
      const text = clean(buf.subarray(0, nl));
      if (text.trim() !== '') out.push({ kind: 'message', text });
    }
    buf = buf.subarray(nl + 1);
    return true;
  }

  return {
    push(chunk) {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      const out: SyslogFrame[] = [];
      while (next(out));
      // Keep the unconsumed tail in its own buffer so a long-lived connection does not pin old chunks.
      if (buf.length > 0 && buf.byteOffset > 0) buf = Buffer.from(buf);
      return out;
    },
    end() {
      const out: SyslogFrame[] = [];
      if (!skipLine && skipBytes === 0 && buf.length > 0) {
        const text = clean(buf);
        if (text.trim() !== '') out.push({ kind: 'message', text });
      }
      buf = Buffer.alloc(0);
      return out;
    },
  };
}
