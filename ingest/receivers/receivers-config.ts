import { z } from 'zod';

const textSource = z.enum(['sshd', 'postgres']);

/** Live receivers run by `accessproof start`: syslog server and file tailers. */
export const ReceiversConfig = z.object({
  syslog: z.object({
    host: z.string().default('127.0.0.1'),
    udp_port: z.number().int().min(0).max(65535).optional(),
    tcp_port: z.number().int().min(0).max(65535).optional(),
    /** Which normalizer parses the messages (by program name when `auto`). */
    source: z.union([textSource, z.literal('auto')]).default('auto'),
  }).strict().optional(),
  tail: z.array(z.object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/),
    path: z.string(),
    source: z.string(),
    poll_ms: z.number().int().min(50).default(1000),
  }).strict()).default([]),
}).strict();
export type ReceiversConfig = z.infer<typeof ReceiversConfig>;
