/**
 * A one-page PDF grown to a given size: an incremental update appends one unreferenced stream of random bytes, so
 * the page (what the emulator reads) is unchanged, and the file is as large on disk and on the wire as asked
 * (random bytes do not compress). Cheap enough for a thousand files.
 */
import { randomBytes } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';

export async function paddedPdf(pdf: Buffer, totalBytes: number): Promise<Buffer> {
	// A classic xref table and trailer, which an incremental update extends.
	const doc = await PDFDocument.load(pdf, { updateMetadata: false });
	const base = Buffer.from(await doc.save({ useObjectStreams: false }));
	const text = base.toString('latin1');
	const trailer = /trailer\s*<<([\s\S]*?)>>\s*startxref\s*(\d+)\s*%%EOF\s*$/.exec(text);
	if (!trailer) throw new Error('no classic trailer in the PDF');
	const size = Number(/\/Size\s+(\d+)/.exec(trailer[1])?.[1]);
	const root = /\/Root\s+(\d+\s+\d+\s+R)/.exec(trailer[1])?.[1];
	if (!size || !root) throw new Error('no /Size or /Root in the PDF trailer');
	const length = Math.max(0, totalBytes - base.length - 300);
	const head = Buffer.from(`\n${size} 0 obj\n<< /Length ${length} >>\nstream\n`, 'latin1');
	const objectOffset = base.length + 1;
	const bodyEnd = base.length + head.length + length;
	const tail = Buffer.from(
		`\nendstream\nendobj\nxref\n${size} 1\n${String(objectOffset).padStart(10, '0')} 00000 n \ntrailer\n<< /Size ${size + 1} /Root ${root} /Prev ${trailer[2]} >>\nstartxref\n`,
		'latin1',
	);
	const xrefOffset = bodyEnd + 1 + '\nendstream\nendobj\n'.length - 1;
	return Buffer.concat([base, head, randomBytes(length), tail, Buffer.from(`${xrefOffset}\n%%EOF\n`, 'latin1')]);
}
