import { describe, expect, it } from 'vitest';
import { generateCorpus } from '../../bench/corpus/index.ts';
import { runLadder } from '../../bench/ladder.ts';

describe('stage ladder', () => {
  it('runs parse, validate (events validated right after their mapping) and normalise on every source', async () => {
    const corpus = generateCorpus(11, 40);
    const groups = (['okta', 'entra', 'cloudtrail', 'teleport'] as const).map((name) => ({ name, messages: corpus.messages[name], endToEnd: false }));
    const lines: string[] = [];
    const results = await runLadder(groups, 1, 20, null, (l) => lines.push(l));
    for (const g of groups) {
      const r = results[g.name];
      for (const stage of ['parse', 'validate', 'normalise'] as const) {
        const s = r?.[stage];
        expect(s?.events, `${g.name} ${stage}`).toBe(40);
        expect(s && Number.isFinite(s.eps_median) && s.eps_median > 0, `${g.name} ${stage}`).toBe(true);
        expect(s && Number.isFinite(s.ratio_to_parse) && s.ratio_to_parse > 0, `${g.name} ${stage}`).toBe(true);
      }
      // No store, no workers: the stages that need them are not run.
      expect(r?.end_to_end).toBeUndefined();
      expect(r?.normalise_pool).toBeUndefined();
    }
    expect(lines).toHaveLength(groups.length);
  });
});
