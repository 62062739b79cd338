import type { BenchOptions } from './main.ts';

/** The Kafka leg (`npm run bench:kafka`): consume + normalise ÷ normalise alone, against a real broker. */
export async function runKafkaLeg(_opts: BenchOptions, log: (s: string) => void): Promise<number> {
  log('kafka leg: not implemented yet');
  return 2;
}
