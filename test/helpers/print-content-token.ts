// Prints the insert tokens of one fixed batch, twice, as this process computes them (store-tokens.test.ts).
import { encodeBatch } from '../../schema/store/store.ts';

const batch = () => encodeBatch({
  raws: [{ raw_sha256: 'a'.repeat(64), source: 'okta', event_time: '2025-03-11T09:00:00.000Z', received_at: '2025-03-11T09:00:01.000Z', input_ref: 'f:1', raw: '{"a":1}' }],
  events: [], deadLetters: [], ingestBatches: [],
});
process.stdout.write(JSON.stringify([batch().parts.map((p) => p.token), batch().parts.map((p) => p.token)]));
