import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import { systemClock, type Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { DeadLetter } from '../../schema/dead-letter.ts';
import type { RunningConnector } from '../connectors.ts';
import type { StatusRegistry } from '../sources/status-registry.ts';
import { sha256Hex } from '../normalizers/common.ts';
import { normalizerFor } from '../normalizers/index.ts';
import type { AssembledRecord } from '../normalizers/normalizer.ts';
import { deadLetterOf, type InboundRecord, type Pipeline } from '../pipeline.ts';
import { createTrackedAssembly, type TrackedAssembly } from './line-assembly.ts';
import { createRecordBatcher } from './record-batcher.ts';
import type { SyslogReceiverConfig } from './receivers-config.ts';
import { createSyslogDeframer } from './syslog-framing.ts';
import { parseSyslogMessage } from './syslog-message.ts';
import { postgresLine, routeProgram, sshdLine, type SyslogSource } from './syslog-route.ts';

/** What the syslog receiver needs. */
export interface SyslogReceiverDeps {
  readonly config: SyslogReceiverConfig;
  readonly pipeline: Pipeline;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Connector name in ingest_batches, logs and `GET /v1/sources`. */
  readonly name?: string;
  readonly status?: StatusRegistry;
}

/** A running syslog server; the ports are the bound ones (useful with port 0). */
export interface SyslogReceiver extends RunningConnector {
  readonly udp_port?: number;
  readonly tcp_port?: number;
  /** Emits records idle past `idle_flush_ms` and stores everything received so far. */
  flush(): Promise<void>;
}

/** Source of dead letters that could not be routed to a source. */
const UNROUTED = 'syslog';
/** Per-(source, host) assemblers kept at most; the least recently used one is flushed beyond that. */
const MAX_ASSEMBLIES = 10_000;
/** An assembler with nothing pending is forgotten after this long without lines. */
const FORGET_AFTER_MS = 10 * 60_000;

interface Peer {
  readonly proto: 'udp' | 'tcp';
  readonly address: string;
}

/**
 * Syslog server: RFC 5424 and RFC 3164 over UDP (one message per datagram, or per line in it) and TCP
 * (octet-counted or LF framing, detected per frame). Each message is routed to a text source (`config.source`,
 * or by program when `auto`), passed through that source's line assembler per sending host, and stored in
 * batches. Garbage never stops it: unparseable, unrouted and oversized messages become dead letters.
 */
export async function startSyslogReceiver(deps: SyslogReceiverDeps): Promise<SyslogReceiver> {
  const cfg = deps.config;
  const clock = deps.clock ?? systemClock;
  const name = deps.name ?? 'syslog';
  const log = deps.logger.child({ stage: 'receiving', connector: name });
  const sockets = new Set<Socket>();
  let seq = 0;
  let udpDropped = 0;
  let readingPaused = false;

  const report = (r: Parameters<StatusRegistry['report']>[1]): void => deps.status?.report(name, { source: '', kind: 'receiver', ...r });
  const batcher = createRecordBatcher({
    pipeline: deps.pipeline, connector: name, batch_size: cfg.batch_size, flush_ms: cfg.flush_ms, logger: log,
    onStored: (records) => report({ state: 'running', success: true, batch: { records } }),
    onFailure: (e) => report({ state: 'backoff', error: { code: 'ERR_STORE_WRITE', message: e.message } }),
    onBackpressure: (paused) => {
      log.warn({ paused, backlog: batcher.backlog }, 'syslog backpressure');
      readingPaused = paused;
      for (const s of sockets) if (paused) s.pause(); else s.resume();
    },
  });
  const assemblies = new Map<string, { source: SyslogSource; asm: TrackedAssembly }>();

  const toInbound = (source: string, recs: readonly AssembledRecord[], receivedAt: string): InboundRecord[] =>
    recs.map((r) => ({ source, raw: r.raw, input_ref: r.input_ref, received_at: receivedAt, raw_sha256: sha256Hex(r.raw), payload: r.raw }));

  function deadLetter(source: string, text: string, ref: string, reason: string, detail: string): void {
    const letter: DeadLetter = deadLetterOf({ source, raw: text, input_ref: ref, received_at: clock.now().toISOString() }, 'receiver', reason, detail);
    batcher.add([], [letter]);
    report({ add: { dead_letters_total: 1 } });
  }

  function assemblyFor(source: SyslogSource, host: string): TrackedAssembly {
    const key = `${source}\u0000${host}`;
    let entry = assemblies.get(key);
    if (entry) {
      assemblies.delete(key); // re-insert: Map order = least recently used first
    } else {
      const normalizer = normalizerFor(source);
      if (!normalizer) throw new Error(`no normalizer for ${source}`);
      entry = { source, asm: createTrackedAssembly(normalizer, { idle_ms: cfg.idle_flush_ms }) };
      while (assemblies.size >= MAX_ASSEMBLIES) {
        const [oldKey, old] = assemblies.entries().next().value as [string, { source: SyslogSource; asm: TrackedAssembly }];
        assemblies.delete(oldKey);
        batcher.add(toInbound(old.source, old.asm.flush(), clock.now().toISOString()));
      }
    }
    assemblies.set(key, entry);
    return entry.asm;
  }

  function receive(text: string, peer: Peer): void {
    const ref = `syslog/${peer.proto}/${peer.address}:${++seq}`;
    const now = clock.now();
    const nowIso = now.toISOString();
    const m = parseSyslogMessage(text);
    const fixed = cfg.source === 'auto' ? null : cfg.source;
    if (!m) {
      deadLetter(fixed ?? UNROUTED, text, ref, 'invalid_syslog', 'not an RFC 5424 or RFC 3164 syslog message');
      return;
    }
    const source = fixed ?? routeProgram(m.app);
    if (!source) {
      deadLetter(UNROUTED, text, ref, 'unrouted_program', `program "${m.app.slice(0, 64)}" is not routed to a source`);
      return;
    }
    const line = source === 'sshd' ? sshdLine(text, m, peer.address) : postgresLine(m, nowIso);
    if (line === null) {
      deadLetter(source, text, ref, 'invalid_time', `unusable syslog timestamp "${m.timestamp.slice(0, 40)}"`);
      return;
    }
    const records = assemblyFor(source, m.hostname || peer.address).push(line, ref, now.getTime());
    if (records.length) batcher.add(toInbound(source, records, nowIso));
  }

  function receiveSafely(text: string, peer: Peer): void {
    try {
      receive(text, peer);
    } catch (e) {
      // A bug on one message must not take the listener down; keep the message.
      log.error({ err: { message: (e as Error).message } }, 'syslog message handling failed');
      deadLetter(UNROUTED, text, `syslog/${peer.proto}/${peer.address}`, 'receiver_error', (e as Error).message);
    }
  }

  function idleSweep(): void {
    const nowMs = clock.now().getTime();
    const nowIso = new Date(nowMs).toISOString();
    for (const [key, { source, asm }] of assemblies) {
      const recs = asm.idle(nowMs);
      if (recs.length) batcher.add(toInbound(source, recs, nowIso));
      if (asm.pendingLines === 0 && nowMs - asm.lastPushMs > FORGET_AFTER_MS) assemblies.delete(key);
    }
  }
  // Silence must be the senders', not ours. NOTE: after the event loop was blocked (a large batch normalizing),
  // timers run before the socket data that waited; so a late tick skips a round, the sweep itself runs after
  // pending I/O (setImmediate), and nothing is swept while reading is paused for backpressure.
  const sweepEvery = Math.max(20, Math.min(250, Math.floor(cfg.idle_flush_ms / 2)));
  let lastTick = Date.now();
  const sweeper = setInterval(() => {
    const late = Date.now() - lastTick - sweepEvery;
    lastTick = Date.now();
    if (late > sweepEvery || readingPaused) return;
    setImmediate(idleSweep);
  }, sweepEvery);
  sweeper.unref();

  let tcp: Server | undefined;
  let udp: UdpSocket | undefined;
  try {
    if (cfg.tcp_port !== undefined) tcp = await listenTcp(cfg, sockets, receiveSafely, deadLetter, log);
    if (cfg.udp_port !== undefined) {
      udp = await bindUdp(cfg, (msg, address) => {
        if (batcher.backlog > cfg.batch_size * 40) {
          // UDP has no flow control: shed load instead of growing without bound while the store is down.
          if (udpDropped++ % 10_000 === 0) log.warn({ dropped: udpDropped }, 'syslog udp messages dropped (store backlog)');
          report({ add: { udp_dropped_total: 1 } });
          return;
        }
        if (msg.length > cfg.max_message_bytes) {
          deadLetter(UNROUTED, msg.toString('utf8', 0, 4096), `syslog/udp/${address}`, 'message_too_large', `${msg.length} bytes`);
          return;
        }
        for (const part of msg.toString('utf8').split('\n')) {
          const text = part.replace(/[\r\0]+$/, '');
          if (text.trim() !== '') receiveSafely(text, { proto: 'udp', address });
        }
      });
    }
  } catch (e) {
    clearInterval(sweeper);
    tcp?.close();
    udp?.close();
    throw e;
  }
  const tcpAddress = tcp?.address();
  const udpAddress = udp?.address();
  log.info({ host: cfg.host, tcp_port: typeof tcpAddress === 'object' ? tcpAddress?.port : undefined, udp_port: udpAddress?.port, source: cfg.source }, 'syslog receiver listening');
  report({ state: 'running' });

  let stopped = false;
  return {
    name,
    tcp_port: typeof tcpAddress === 'object' && tcpAddress ? tcpAddress.port : undefined,
    udp_port: udpAddress?.port,
    async flush() {
      idleSweep();
      await batcher.flush();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(sweeper);
      await Promise.all([
        tcp ? new Promise<void>((resolve) => tcp?.close(() => resolve())) : undefined,
        udp ? new Promise<void>((resolve) => udp?.close(() => resolve())) : undefined,
        ...[...sockets].map(closeGracefully),
      ]);
      const nowIso = clock.now().toISOString();
      for (const { source, asm } of assemblies.values()) batcher.add(toInbound(source, asm.flush(), nowIso));
      assemblies.clear();
      await batcher.close();
      log.info({ udp_dropped: udpDropped }, 'syslog receiver stopped');
      report({ state: 'stopped' });
    },
  };
}

/** Half-closes a connection and keeps reading what is already on its way for a moment, then drops it. */
function closeGracefully(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => socket.destroy(), 500);
    socket.once('close', () => { clearTimeout(timer); resolve(); });
    socket.resume();
    socket.end();
  });
}

type DeadLetterFn = (source: string, text: string, ref: string, reason: string, detail: string) => void;

function listenTcp(cfg: SyslogReceiverConfig, sockets: Set<Socket>, receive: (text: string, peer: Peer) => void, dead: DeadLetterFn, log: Logger): Promise<Server> {
  const server = createServer((socket) => {
    sockets.add(socket);
    const address = socket.remoteAddress ?? 'unknown';
    const deframer = createSyslogDeframer(cfg.max_message_bytes);
    const handle = (frames: ReturnType<typeof deframer.push>): void => {
      for (const f of frames) {
        if (f.kind === 'message') receive(f.text, { proto: 'tcp', address });
        else dead(UNROUTED, f.raw, `syslog/tcp/${address}`, f.reason, `over ${cfg.max_message_bytes} bytes`);
      }
    };
    socket.on('data', (chunk: Buffer) => handle(deframer.push(chunk)));
    socket.on('end', () => handle(deframer.end()));
    socket.on('error', (e) => log.debug({ err: { message: e.message } }, 'syslog tcp connection error'));
    socket.on('close', () => sockets.delete(socket));
  });
  server.maxConnections = cfg.max_connections;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.tcp_port, cfg.host, () => {
      server.off('error', reject);
      server.on('error', (e) => log.error({ err: { message: e.message } }, 'syslog tcp server error'));
      resolve(server);
    });
  });
}

function bindUdp(cfg: SyslogReceiverConfig, onMessage: (msg: Buffer, address: string) => void): Promise<UdpSocket> {
  const socket = createSocket({ type: isIPv6(cfg.host) ? 'udp6' : 'udp4' });
  socket.on('message', (msg, rinfo) => onMessage(msg, rinfo.address));
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(cfg.udp_port, cfg.host, () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      try {
        // A larger kernel buffer rides out bursts while a batch is being stored (the kernel caps it at rmem_max).
        socket.setRecvBufferSize(8 << 20);
      } catch {
        // keep the system default
      }
      resolve(socket);
    });
  });
}
