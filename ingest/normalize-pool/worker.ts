import { parentPort, workerData } from 'node:worker_threads';
import { packedBuffer } from '../../core/packed-bytes.ts';
import { releaseBodies } from '../../schema/store/native.ts';
import { adoptProcessNonce } from '../../schema/store/bodies.ts';
import { BytesRecord, prepareWrite, type InboundRecord } from '../pipeline.ts';
import type { JobMessage, RecycleMessage, ResultMessage, WorkerInit, WirePart } from './protocol.ts';
import { wireBody } from './protocol.ts';

// A normalise worker: the pipeline's CPU stage (parse, normalise, validate, encode the insert bodies) for the
// batches the pool hands it, with the same code the main thread runs for small batches.

const port = parentPort;
if (!port) throw new Error('normalize-pool/worker.ts runs only as a worker thread');
const init = workerData as WorkerInit;
adoptProcessNonce(init.nonce);

function run(job: JobMessage): void {
  const all = packedBuffer(job.bytes);
  const records: InboundRecord[] = new Array(job.sources.length);
  for (let i = 0; i < records.length; i++) {
    records[i] = new BytesRecord(job.sources[i] as string, job.inputRefs[i] as string, job.receivedAts[i] as string, job.sha256s[i] as string,
      all.subarray(job.offsets[i] as number, job.offsets[i + 1] as number));
  }
  const { counts, sources, events, encoded } = prepareWrite(records, init.policy, { ingestedAt: job.ingestedAt, now: job.now }, job.connector);
  const transfer: ArrayBuffer[] = [];
  const parts: WirePart[] = encoded.parts.map((p) => ({ table: p.table, columns: p.columns, format: p.format, token: p.token, body: wireBody(p.body, transfer) }));
  const result: ResultMessage = {
    type: 'result', id: job.id, parts, bytes: encoded.bytes, counts, sources: [...sources],
    eventIds: events.map((e) => e.event_id),
    eventSources: events.map((e) => e.source),
    eventTimes: events.map((e) => e.event_time),
    eventActions: events.map((e) => e.action),
  };
  port?.postMessage(result, transfer);
}

port.on('message', (m: JobMessage | RecycleMessage) => {
  if (m.type === 'recycle') {
    releaseBodies(m.buffers.map((ab) => Buffer.from(ab)));
    return;
  }
  try {
    run(m);
  } catch (e) {
    port.postMessage({ type: 'failure', id: m.id, message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
});
