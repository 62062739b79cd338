import { z } from 'zod';
import { SourceId } from '../../schema/auth-event.ts';

const textSource = z.enum(['sshd', 'postgres']);
const port = z.number().int().min(0).max(65535);
const ms = (min: number, max: number, def: number) => z.number().int().min(min).max(max).default(def);

/**
 * Syslog server (RFC 5424 / RFC 3164 over UDP and TCP). Port 0 binds a free port (tests).
 * `idle_flush_ms`: how long a host's pending multi-line record (an sshd connection) waits for its next line once
 * the host went quiet; an sshd login still waiting for its second factor is held longer (see idle-policy.ts).
 */
export const SyslogReceiverConfig = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  udp_port: port.optional(),
  tcp_port: port.optional(),
  /** Which normalizer parses the messages; `auto` routes by APP-NAME / program tag. */
  source: z.union([textSource, z.literal('auto')]).default('auto'),
  /** Largest accepted message (TCP frame or datagram); longer ones are dead-lettered. */
  max_message_bytes: z.number().int().min(480).max(1 << 20).default(64 * 1024),
  /** Records per store batch, and the longest a received record waits for its batch. */
  batch_size: z.number().int().min(1).max(100_000).default(2000),
  flush_ms: ms(10, 60_000, 500),
  idle_flush_ms: ms(50, 600_000, 2000),
  max_connections: z.number().int().min(1).max(100_000).default(1024),
}).strict().refine((s) => s.udp_port !== undefined || s.tcp_port !== undefined, { message: 'set udp_port and/or tcp_port' });
export type SyslogReceiverConfig = z.infer<typeof SyslogReceiverConfig>;

/**
 * One tailed log file or directory (every file in it; new files are picked up). Text sources go through the
 * source's line assembler; JSON sources are read as JSON lines.
 */
export const TailConfig = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/),
  path: z.string().min(1),
  source: SourceId,
  poll_ms: ms(50, 60_000, 1000),
  idle_flush_ms: ms(50, 600_000, 2000),
  /** Files found at the very first start (no saved cursor): read them whole, or only what is appended later. */
  start_at: z.enum(['beginning', 'end']).default('beginning'),
  /** Directory tails: `*` glob on file names. Default: every file but compressed rotations (.gz, .bz2, .xz, .zst). */
  include: z.string().min(1).optional(),
  /** A rotated-away (renamed or deleted) file is still read until it has not grown for this long. */
  rotate_wait_ms: ms(0, 600_000, 5000),
  /** Longer lines are dead-lettered (reason line_too_long) and skipped. */
  max_line_bytes: z.number().int().min(1024).max(64 << 20).default(1 << 20),
  /** Lines read per store batch. */
  batch_lines: z.number().int().min(1).max(1_000_000).default(5000),
}).strict();
export type TailConfig = z.infer<typeof TailConfig>;

/** Live receivers run by `accessproof start`: syslog server and file tailers. */
export const ReceiversConfig = z.object({
  syslog: SyslogReceiverConfig.optional(),
  tail: z.array(TailConfig).default([]).superRefine((tails, ctx) => {
    const seen = new Set<string>();
    tails.forEach((t, i) => {
      if (seen.has(t.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate tail name "${t.name}"` });
      seen.add(t.name);
    });
  }),
}).strict();
export type ReceiversConfig = z.infer<typeof ReceiversConfig>;
