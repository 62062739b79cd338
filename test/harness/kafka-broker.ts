import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';

// A real single-node Apache Kafka (KRaft, broker+controller in one JVM) for integration tests, started from
// Maven Central jars with the machine's `java`. No Docker. See /test/harness/kafka/fetch.sh for the jars.

const HARNESS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'kafka');
const HOST = '127.0.0.1';

/** Options for {@link startKafkaBroker}. */
export interface KafkaBrokerOptions {
  /** Extra server.properties entries; they override the test defaults. */
  readonly serverProperties?: Readonly<Record<string, string>>;
  /** How long to wait for the broker to serve metadata. Default 120 s. */
  readonly startTimeoutMs?: number;
  /** How long SIGTERM may take before SIGKILL. Default 30 s. */
  readonly stopTimeoutMs?: number;
  /** JVM heap. Default 512 MiB. */
  readonly heapMb?: number;
  /** Keep the working directory after stop() (for debugging). Default false. */
  readonly keepWorkDir?: boolean;
}

/** A running broker. */
export interface KafkaBroker {
  /** `host:port` of the PLAINTEXT listener. */
  readonly brokers: string[];
  /** Kafka's `log.dirs` (partition data and KRaft metadata); kept across restart(). */
  readonly logDir: string;
  /** Working directory: server.properties, log4j.properties, broker.log (stdout+stderr of the JVM). */
  readonly workDir: string;
  /** Current JVM pid, or undefined while stopped. */
  pid(): number | undefined;
  /** SIGTERM (SIGKILL after stopTimeoutMs) and remove the working directory. Idempotent. */
  stop(): Promise<void>;
  /** Stop and start the same broker: same ports, same log dir. `SIGKILL` simulates a crash. */
  restart(opts?: { readonly signal?: 'SIGTERM' | 'SIGKILL' }): Promise<void>;
}

/** Kafka version pinned in test/harness/kafka/pom.xml (the single source of truth). */
export function kafkaVersion(): string {
  const pom = readFileSync(join(HARNESS_DIR, 'pom.xml'), 'utf8');
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom);
  if (match?.[1] === undefined) throw new Error('kafka.version missing from test/harness/kafka/pom.xml');
  return match[1];
}

/** The jar directory: $ACCESSPROOF_KAFKA_LIBS or ~/.cache/accessproof/kafka-<version>/libs (same rule as fetch.sh). */
export function kafkaLibsDir(): string {
  const fromEnv = process.env['ACCESSPROOF_KAFKA_LIBS'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return join(homedir(), '.cache', 'accessproof', `kafka-${kafkaVersion()}`, 'libs');
}

/** Returns the jar directory, running fetch.sh first when the jars are not there yet. */
export function ensureKafkaLibs(): string {
  const dir = kafkaLibsDir();
  if (!hasKafkaJar(dir)) {
    const result = spawnSync('bash', [join(HARNESS_DIR, 'fetch.sh')], { stdio: ['ignore', 'pipe', 'inherit'] });
    if (result.status !== 0 || !hasKafkaJar(dir)) {
      throw new Error(`could not fetch the Kafka jars into ${dir} (test/harness/kafka/fetch.sh exit ${String(result.status)})`);
    }
  }
  return dir;
}

function hasKafkaJar(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).some((name) => name.startsWith('kafka_2.13-') && name.endsWith('.jar'));
}

/** Formats a fresh KRaft storage in a temp dir and starts a broker on free loopback ports. */
export async function startKafkaBroker(opts: KafkaBrokerOptions = {}): Promise<KafkaBroker> {
  const libs = ensureKafkaLibs();
  const startTimeoutMs = opts.startTimeoutMs ?? 120_000;
  const stopTimeoutMs = opts.stopTimeoutMs ?? 30_000;
  const workDir = mkdtempSync(join(tmpdir(), 'accessproof-kafka-'));
  const logDir = join(workDir, 'data');
  const [brokerPort, controllerPort] = await freePorts(2);
  const propsPath = join(workDir, 'server.properties');
  const log4jPath = join(workDir, 'log4j.properties');
  const logPath = join(workDir, 'broker.log');
  writeFileSync(propsPath, renderProperties({ ...defaultProperties(brokerPort, controllerPort, logDir), ...opts.serverProperties }));
  writeFileSync(log4jPath, LOG4J);

  const jvm = [
    `-Xms${String(Math.min(256, opts.heapMb ?? 512))}m`,
    `-Xmx${String(opts.heapMb ?? 512)}m`,
    // C1 only: the broker starts faster and tests never run long enough for C2 to pay off.
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseG1GC',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${log4jPath}`,
    '-cp',
    join(libs, '*'),
  ];
  const format = spawnSync('java', [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', propsPath], {
    encoding: 'utf8',
  });
  if (format.status !== 0) {
    rmSync(workDir, { recursive: true, force: true });
    throw new Error(`kafka storage format failed (exit ${String(format.status)}): ${format.stderr.slice(-2000)}`);
  }

  const brokers = [`${HOST}:${String(brokerPort)}`];
  let child: ChildProcess | undefined;
  let stopped = false;
  const killOnExit = (): void => {
    if (child?.pid !== undefined && child.exitCode === null) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);

  const launch = async (): Promise<void> => {
    const out = openSync(logPath, 'a');
    try {
      child = spawn('java', [...jvm, 'kafka.Kafka', propsPath], { stdio: ['ignore', out, out] });
    } finally {
      closeSync(out);
    }
    await waitReady(child, brokers, brokerPort, logPath, startTimeoutMs);
  };
  const halt = async (signal: 'SIGTERM' | 'SIGKILL'): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(signal);
    const timer = setTimeout(() => running.kill('SIGKILL'), signal === 'SIGKILL' ? 0 : stopTimeoutMs);
    await exited;
    clearTimeout(timer);
  };

  try {
    await launch();
  } catch (error) {
    await halt('SIGKILL');
    process.off('exit', killOnExit);
    if (opts.keepWorkDir !== true) rmSync(workDir, { recursive: true, force: true });
    throw error;
  }

  return {
    brokers,
    logDir,
    workDir,
    pid: () => child?.pid,
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt('SIGTERM');
      process.off('exit', killOnExit);
      if (opts.keepWorkDir !== true) rmSync(workDir, { recursive: true, force: true });
    },
    async restart(restartOpts) {
      if (stopped) throw new Error('kafka broker already stopped');
      await halt(restartOpts?.signal ?? 'SIGTERM');
      await launch();
    },
  };
}

function defaultProperties(brokerPort: number, controllerPort: number, logDir: string): Record<string, string> {
  return {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': `1@${HOST}:${String(controllerPort)}`,
    listeners: `PLAINTEXT://${HOST}:${String(brokerPort)},CONTROLLER://${HOST}:${String(controllerPort)}`,
    'advertised.listeners': `PLAINTEXT://${HOST}:${String(brokerPort)}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': logDir,
    // NOTE: production topics are created explicitly (`accessproof kafka init`); tests must do the same.
    'auto.create.topics.enable': 'false',
    'num.partitions': '1',
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '3',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'transaction.state.log.num.partitions': '1',
    'group.initial.rebalance.delay.ms': '0',
    // Worker tests kill consumers on purpose; a short session lets the replacement join within seconds.
    'group.min.session.timeout.ms': '1000',
    // After a SIGKILL the controller keeps the dead incarnation registered until this session expires.
    'broker.session.timeout.ms': '3000',
    'broker.heartbeat.interval.ms': '500',
    'num.network.threads': '2',
    'num.io.threads': '2',
    'background.threads': '2',
    'log.segment.bytes': String(1024 * 1024),
    'log.retention.hours': '1',
    'log.retention.check.interval.ms': '10000',
    'log.cleaner.dedupe.buffer.size': String(8 * 1024 * 1024),
  };
}

function renderProperties(props: Record<string, string>): string {
  return `${Object.entries(props)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`;
}

const LOG4J = [
  'log4j.rootLogger=INFO, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.kafka.request.logger=WARN',
  'log4j.logger.org.apache.kafka.raft=WARN',
  '',
].join('\n');

/** KRaft cluster id: a Kafka Uuid, i.e. 16 random bytes in URL-safe base64 without padding. */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    // Kafka's own generator avoids a leading '-' because the CLI would read it as an option.
    if (!id.startsWith('-')) return id;
  }
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => {
      return new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, HOST, () => resolve(server));
      });
    }),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}

async function waitReady(
  child: ChildProcess,
  brokers: string[],
  port: number,
  logPath: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const failIfDead = (): void => {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`kafka broker exited during startup (${String(child.exitCode ?? child.signalCode)}):\n${tail(logPath)}`);
    }
  };
  while (!(await portAccepts(port))) {
    failIfDead();
    if (Date.now() > deadline) throw new Error(`kafka broker port ${String(port)} not open after ${String(timeoutMs)} ms:\n${tail(logPath)}`);
    await sleep(100);
  }
  const admin = new Kafka({
    clientId: 'accessproof-harness',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  }).admin();
  try {
    for (;;) {
      failIfDead();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length > 0 && cluster.controller !== null) return;
      } catch {
        // not ready yet: KRaft registers and unfences the broker shortly after the port opens
      }
      if (Date.now() > deadline) throw new Error(`kafka broker not ready after ${String(timeoutMs)} ms:\n${tail(logPath)}`);
      await sleep(200);
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-40).join('\n');
  } catch {
    return '(no broker.log)';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
