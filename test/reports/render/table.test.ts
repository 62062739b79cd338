import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { heading, keyValues, paragraph } from '../../../reports/render/blocks.ts';
import { createReportDocument, pdfText } from '../../../reports/render/pdf-document.ts';
import { drawTable } from '../../../reports/render/table.ts';

const dir = mkdtempSync(join(tmpdir(), 'ap-render-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function render(name: string, createdAt: string, rows: number): Promise<{ path: string; pages: number; tablePages: number }> {
  const path = join(dir, `${name}.pdf`);
  const r = createReportDocument(path, { title: 'T', subject: 'S', author: 'A', created_at: createdAt, running_header: 'Running header', footer: 'Footer text' });
  heading(r.doc, 'A long table');
  paragraph(r.doc, 'Rows with wrapped cells – and non-ASCII text → sanitized.');
  keyValues(r.doc, [['Key', 'Value']]);
  const tablePages = drawTable(r.doc, [{ header: 'Row number', width: 1 }, { header: 'Description column', width: 3 }, { header: 'Amount', width: 1, align: 'right' }],
    Array.from({ length: rows }, (_, i) => [`row-${i}`, i % 10 === 0 ? 'a longer description that has to wrap onto a second line inside its narrow cell' : 'short', String(i * 3)]));
  const done = await r.finish();
  return { path, pages: done.pages, tablePages };
}

describe('pdf rendering', () => {
  it('repeats the table header on every page the table spans and numbers every page', async () => {
    const out = await render('long', '2025-03-12T00:00:00.000Z', 300);
    const text = execFileSync('pdftotext', ['-layout', out.path, '-'], { encoding: 'utf8' });
    const pages = text.split('\f').filter((p) => p.trim());
    expect(pages).toHaveLength(out.pages);
    expect(out.tablePages).toBeGreaterThan(3);
    expect(out.tablePages).toBe(out.pages);
    pages.forEach((p, i) => {
      expect(p, `page ${i + 1}`).toMatch(/Row number +Description column +Amount/);
      expect(p).toContain(`Page ${i + 1} of ${pages.length}`);
      expect(p).toContain('Footer text');
      if (i > 0) expect(p).toContain('Running header');
    });
    for (const i of [0, 150, 299]) expect(text).toMatch(new RegExp(`row-${i} `));
  });

  it('fixed metadata dates make the output byte-identical; another date changes it', async () => {
    const a = await render('a', '2025-03-12T00:00:00.000Z', 40);
    const b = await render('b', '2025-03-12T00:00:00.000Z', 40);
    const c = await render('c', '2025-03-13T00:00:00.000Z', 40);
    expect(readFileSync(a.path).equals(readFileSync(b.path))).toBe(true);
    expect(readFileSync(a.path).equals(readFileSync(c.path))).toBe(false);
    const info = execFileSync('pdfinfo', [a.path], { encoding: 'utf8' });
    expect(info).toMatch(/CreationDate: +Wed Mar 12 00:00:00 2025 UTC/);
  });

  it('maps characters the standard fonts cannot show', () => {
    expect(pdfText('a – b → c “d” é 😀')).toBe('a - b -> c "d" é ?');
  });
});
