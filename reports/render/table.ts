import { LAYOUT, pdfText } from './pdf-document.ts';

// Tables that flow across pages: when a row does not fit, a new page starts and the header row is drawn again,
// so every page of a long table can be read on its own.

type Doc = PDFKit.PDFDocument;

/** A column: header text, share of the content width, alignment. */
export interface TableColumn {
  readonly header: string;
  readonly width: number;
  readonly align?: 'left' | 'right' | 'center';
}

/** Longest cell text printed (longer values are cut with an ellipsis; the CSVs carry them in full). */
export const MAX_CELL_CHARS = 240;
const PAD = 3;

function cellText(v: string): string {
  const t = pdfText(v);
  return t.length > MAX_CELL_CHARS ? `${t.slice(0, MAX_CELL_CHARS - 3)}...` : t;
}

/** Draws a table at the current position; returns how many pages it spanned. */
export function drawTable(doc: Doc, columns: readonly TableColumn[], rows: readonly (readonly string[])[], opts: { size?: number } = {}): number {
  const size = opts.size ?? LAYOUT.small;
  const left = doc.page.margins.left;
  const total = doc.page.width - left - doc.page.margins.right;
  const share = columns.reduce((n, c) => n + c.width, 0);
  const widths = columns.map((c) => (c.width / share) * total);
  const xs = widths.map((_, i) => left + widths.slice(0, i).reduce((a, b) => a + b, 0));
  const bottom = (): number => doc.page.height - doc.page.margins.bottom;
  const heightOf = (cells: readonly string[], font: string): number => {
    doc.font(font).fontSize(size);
    return Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: (widths[i] as number) - 2 * PAD }))) + 2 * PAD;
  };
  const headers = columns.map((c) => pdfText(c.header));
  const headerH = heightOf(headers, LAYOUT.bold);
  let pages = 1;
  const drawRow = (cells: readonly string[], h: number, font: string, fill?: string): void => {
    const y = doc.y;
    if (fill) doc.rect(left, y, total, h).fill(fill);
    doc.fillColor('black').font(font).fontSize(size);
    cells.forEach((c, i) => {
      doc.text(c, (xs[i] as number) + PAD, y + PAD, { width: (widths[i] as number) - 2 * PAD, align: columns[i]?.align ?? 'left' });
    });
    doc.moveTo(left, y + h).lineTo(left + total, y + h).lineWidth(0.3).strokeColor('#bbbbbb').stroke();
    doc.y = y + h;
  };
  const drawHeader = (): void => drawRow(headers, headerH, LAYOUT.bold, '#e4e8ee');
  const firstH = rows.length ? heightOf(rows[0].map(cellText), LAYOUT.font) : 0;
  if (doc.y + headerH + firstH > bottom()) { doc.addPage(); pages++; }
  drawHeader();
  rows.forEach((raw, r) => {
    const cells = raw.map(cellText);
    const h = heightOf(cells, LAYOUT.font);
    if (doc.y + h > bottom()) { doc.addPage(); pages++; drawHeader(); }
    drawRow(cells, h, LAYOUT.font, r % 2 === 1 ? '#f6f7f9' : undefined);
  });
  doc.x = left;
  doc.font(LAYOUT.font).fontSize(LAYOUT.body).fillColor('black');
  doc.moveDown(0.6);
  return pages;
}
