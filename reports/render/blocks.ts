import { LAYOUT, pdfText } from './pdf-document.ts';

// Text blocks of a report: headings, paragraphs, and key/value lists. All positions derive from the page margins.

type Doc = PDFKit.PDFDocument;

const contentWidth = (doc: Doc): number => doc.page.width - doc.page.margins.left - doc.page.margins.right;
const bottomOf = (doc: Doc): number => doc.page.height - doc.page.margins.bottom;

/** Starts a new page unless at least `needed` points remain on this one. */
export function ensureSpace(doc: Doc, needed: number): void {
  if (doc.y + needed > bottomOf(doc)) doc.addPage();
}

/** A heading: level 1 (section, starts a new page when asked), 2 (subsection) or 3. */
export function heading(doc: Doc, text: string, level: 1 | 2 | 3 = 1, opts: { newPage?: boolean } = {}): void {
  if (opts.newPage) doc.addPage();
  const size = level === 1 ? 15 : level === 2 ? 12 : 10.5;
  ensureSpace(doc, size * 4);
  if (level > 1 && doc.y > doc.page.margins.top + 1) doc.moveDown(0.6);
  doc.font(LAYOUT.bold).fontSize(size).fillColor('black').text(pdfText(text), doc.page.margins.left, doc.y, { width: contentWidth(doc) });
  doc.moveDown(0.35);
  doc.font(LAYOUT.font).fontSize(LAYOUT.body);
}

/** A paragraph of body text. */
export function paragraph(doc: Doc, text: string, opts: { size?: number; color?: string; bold?: boolean } = {}): void {
  doc.font(opts.bold ? LAYOUT.bold : LAYOUT.font).fontSize(opts.size ?? LAYOUT.body).fillColor(opts.color ?? 'black');
  doc.text(pdfText(text), doc.page.margins.left, doc.y, { width: contentWidth(doc), align: 'left' });
  doc.moveDown(0.4);
  doc.font(LAYOUT.font).fontSize(LAYOUT.body).fillColor('black');
}

/** Label/value lines, labels in bold in a fixed-width column. */
export function keyValues(doc: Doc, pairs: readonly (readonly [string, string])[], labelWidth = 150): void {
  const x = doc.page.margins.left;
  const w = contentWidth(doc) - labelWidth;
  for (const [k, v] of pairs) {
    doc.font(LAYOUT.font).fontSize(LAYOUT.body);
    const h = Math.max(doc.heightOfString(pdfText(v), { width: w }), 12);
    ensureSpace(doc, h + 2);
    const y = doc.y;
    doc.font(LAYOUT.bold).text(pdfText(k), x, y, { width: labelWidth - 8 });
    doc.font(LAYOUT.font).text(pdfText(v), x + labelWidth, y, { width: w });
    doc.y = Math.max(doc.y, y + h) + 2;
  }
  doc.x = x;
  doc.moveDown(0.3);
}
