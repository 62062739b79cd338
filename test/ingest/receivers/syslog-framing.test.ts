import { describe, expect, it } from 'vitest';
import { createSyslogDeframer, type SyslogFrame } from '../../../ingest/receivers/syslog-framing.ts';

const texts = (frames: SyslogFrame[]): string[] => frames.map((f) => (f.kind === 'message' ? f.text : `!${f.reason}`));

describe('createSyslogDeframer', () => {
  it('splits LF-framed messages across chunk boundaries and drops CR/NUL trailers', () => {
    const d = createSyslogDeframer(1024);
    expect(texts(d.push(Buffer.from('<38>Mar 11 10:05:12 h sshd[1]: a\r\n<38>Mar 11 1')))).toEqual(['<38>Mar 11 10:05:12 h sshd[1]: a']);
    expect(texts(d.push(Buffer.from('0:05:13 h sshd[1]: b\0\n\n')))).toEqual(['<38>Mar 11 10:05:13 h sshd[1]: b']);
    expect(texts(d.end())).toEqual([]);
  });

  it('reads octet-counted frames, even when the length or the body is split', () => {
    const m1 = '<38>1 2025-03-11T13:14:03Z h sshd 1 - - one';
    const m2 = '<38>1 2025-03-11T13:14:04Z h sshd 1 - - two\nwith a newline inside';
    const stream = Buffer.from(`${Buffer.byteLength(m1)} ${m1}${Buffer.byteLength(m2)} ${m2}`);
    const d = createSyslogDeframer(1024);
    const out: SyslogFrame[] = [];
    for (let i = 0; i < stream.length; i += 7) out.push(...d.push(stream.subarray(i, i + 7)));
    expect(texts(out)).toEqual([m1, m2]);
  });

  it('drops the LF that rsyslog templates put inside octet-counted frames', () => {
    const m = '<38>1 2025-03-11T13:14:03Z h sshd 1 - - one\n';
    const d = createSyslogDeframer(1024);
    expect(texts(d.push(Buffer.from(`${Buffer.byteLength(m)} ${m}`)))).toEqual(['<38>1 2025-03-11T13:14:03Z h sshd 1 - - one']);
  });

  it('detects the framing per frame (a sender may mix them)', () => {
    const d = createSyslogDeframer(1024);
    expect(texts(d.push(Buffer.from('5 <1>ab<2>cd\n3 <3>')))).toEqual(['<1>ab', '<2>cd', '<3>']);
  });

  it('treats a digit run not followed by a space as LF-framed text', () => {
    const d = createSyslogDeframer(1024);
    expect(texts(d.push(Buffer.from('2025-03-11 09:12:30.412 UTC [30211] x\n')))).toEqual(['2025-03-11 09:12:30.412 UTC [30211] x']);
  });

  it('counts multi-byte characters in bytes for octet counting', () => {
    const m = '<38>1 - h app - - - caf\u00e9';
    const d = createSyslogDeframer(1024);
    expect(texts(d.push(Buffer.from(`${Buffer.byteLength(m)} ${m}`)))).toEqual([m]);
  });

  it('reports oversized messages and resynchronises after them', () => {
    const d = createSyslogDeframer(480);
    const big = 'x'.repeat(600);
    expect(texts(d.push(Buffer.from(`600 ${big}9 <1>after1`)))).toEqual(['!message_too_large', '<1>after1']);
    expect(texts(d.push(Buffer.from(`<1>${big}`)))).toEqual(['!message_too_large']);
    expect(texts(d.push(Buffer.from(`${big}\n<1>after2\n`)))).toEqual(['<1>after2']);
  });

  it('keeps a last message without LF when the connection ends', () => {
    const d = createSyslogDeframer(1024);
    expect(d.push(Buffer.from('<1>tail'))).toEqual([]);
    expect(texts(d.end())).toEqual(['<1>tail']);
  });
});
