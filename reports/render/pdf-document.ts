import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import PDFDocument from 'pdfkit';

// A report document with fixed metadata (creation/modification dates are parameters, never the wall clock), so
// the same content renders to the same bytes; every page gets a running header and "Page X of Y" when finished.
// Only the PDF standard fonts are used (no embedded font files), so output does not depend on the machine.

/** Layout constants shared by the blocks (points; A4 portrait). */
export const LAYOUT = {
  margin: 50,
  top: 62,
  bottom: 58,
  body: 9.5,
  small: 7.5,
  font: 'Helvetica',
  bold: 'Helvetica-Bold',
} as const;

/** Metadata of a report. */
export interface ReportMeta {
  readonly title: string;
  readonly subject: string;
  readonly author: string;
  readonly keywords?: string;
  /** The recorded generation time (ISO); used for CreationDate and ModDate. */
  readonly created_at: string;
  /** Running header text (left) on every page but the first. */
  readonly running_header: string;
  /** Footer text (left) on every page; the page number is printed right. */
  readonly footer: string;
}

/** A report being written. */
export interface ReportDocument {
  readonly doc: PDFKit.PDFDocument;
  /** Decorates every page, ends the document and resolves when the file is written, with its size and SHA-256. */
  finish(): Promise<{ size: number; sha256: string; pages: number }>;
}

/** Replaces characters the standard fonts cannot show (WinAnsi) so text never renders as garbage. */
export function pdfText(s: string): string {
  return s
    .replace(/[\u2010-\u2015]/g, '-')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\u2026/g, '...')
    .replace(/[\u2190-\u21ff]/g, '->')
    .replace(/[^\x20-\x7e\xa0-\xff\n]/gu, '?');
}

/** Creates a document that streams to `path`. */
export function createReportDocument(path: string, meta: ReportMeta): ReportDocument {
  const created = new Date(meta.created_at);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: LAYOUT.top, bottom: LAYOUT.bottom, left: LAYOUT.margin, right: LAYOUT.margin },
    bufferPages: true,
    compress: true,
    info: {
      Title: pdfText(meta.title), Subject: pdfText(meta.subject), Author: pdfText(meta.author), Keywords: pdfText(meta.keywords ?? ''),
      Creator: 'accessproof', Producer: 'accessproof (PDFKit)', CreationDate: created, ModDate: created,
    },
  });
  doc.font(LAYOUT.font).fontSize(LAYOUT.body);
  const hash = createHash('sha256');
  let size = 0;
  const out = createWriteStream(path);
  doc.on('data', (chunk: Buffer) => { hash.update(chunk); size += chunk.length; });
  doc.pipe(out);
  return {
    doc,
    finish: () => new Promise((resolve, reject) => {
      const range = doc.bufferedPageRange();
      const total = range.count;
      for (let i = range.start; i < range.start + total; i++) {
        doc.switchToPage(i);
        const m = doc.page.margins;
        const saved = m.bottom;
        m.bottom = 0;
        const width = doc.page.width - 2 * LAYOUT.margin;
        doc.font(LAYOUT.font).fontSize(LAYOUT.small).fillColor('#555555');
        if (i > range.start) doc.text(pdfText(meta.running_header), LAYOUT.margin, 30, { width, lineBreak: false, ellipsis: true });
        const y = doc.page.height - 38;
        doc.text(pdfText(meta.footer), LAYOUT.margin, y, { width: width - 90, lineBreak: false, ellipsis: true });
        doc.text(`Page ${i - range.start + 1} of ${total}`, LAYOUT.margin + width - 90, y, { width: 90, align: 'right', lineBreak: false });
        doc.moveTo(LAYOUT.margin, y - 6).lineTo(LAYOUT.margin + width, y - 6).lineWidth(0.5).strokeColor('#999999').stroke();
        m.bottom = saved;
      }
      doc.fillColor('black');
      out.on('finish', () => resolve({ size, sha256: hash.digest('hex'), pages: total }));
      out.on('error', reject);
      doc.end();
    }),
  };
}
