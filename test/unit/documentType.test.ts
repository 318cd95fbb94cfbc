/**
 * Telling a file's type from its name, MIME type and first bytes (nodes/shared/documentType.ts), and the pattern
 * matching of Input Binary Field (actions/documents.ts): the pure parts of email attachments.
 */
import { detectDocumentType, sniffExtension, uploadFileName } from '../../nodes/shared/documentType';
import { matchBinaryFields, parseFieldPattern } from '../../nodes/LlamaExtract/actions/documents';

const bytes = (...values: number[]) => Uint8Array.from(values);
const ascii = (text: string) => Uint8Array.from(Buffer.from(text, 'latin1'));

describe('sniffExtension', () => {
	test.each([
		['pdf', ascii('%PDF-1.7\n%âãÏÓ')],
		['pdf', ascii('\r\n\r\n%PDF-1.4')], // junk before the header
		['png', bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13)],
		['jpg', bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10)],
		['gif', ascii('GIF89a')],
		['tiff', bytes(0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0)],
		['tiff', bytes(0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8)],
		['webp', ascii('RIFF\x10\x00\x00\x00WEBPVP8 ')],
		['docx', ascii('PK\x03\x04\x14\x00\x06\x00[Content_Types].xml......PK\x03\x04word/document.xml')],
		['xlsx', ascii('PK\x03\x04\x14\x00\x06\x00[Content_Types].xml......PK\x03\x04xl/workbook.xml')],
		['pptx', ascii('PK\x03\x04\x14\x00\x06\x00[Content_Types].xml......PK\x03\x04ppt/presentation.xml')],
	])('%s', (expected, head) => {
		expect(sniffExtension(head)).toBe(expected);
	});

	test.each([
		['a plain ZIP', ascii('PK\x03\x04\x14\x00\x00\x00photos/a.jpg')],
		['winmail.dat (TNEF)', bytes(0x78, 0x9f, 0x3e, 0x22, 0x01, 0x00)],
		['text', ascii('BEGIN:VCALENDAR\r\nVERSION:2.0')],
		['nothing', bytes()],
	])('%s is no document', (_name, head) => {
		expect(sniffExtension(head)).toBeUndefined();
	});
});

describe('detectDocumentType', () => {
	const pdfHead = ascii('%PDF-1.4');
	test('the name wins, whatever its case, and the MIME type to send follows it', () => {
		expect(detectDocumentType({ fileName: 'INVOICE 7.PDF', mimeType: 'application/octet-stream' })).toEqual({
			extension: 'pdf',
			kind: 'pdf',
			mimeType: 'application/pdf',
			by: 'name',
		});
	});
	test('the MIME type, when the name has no readable extension', () => {
		expect(detectDocumentType({ fileName: 'scan', mimeType: 'image/JPEG; name=scan' })).toMatchObject({ extension: 'jpg', by: 'mime' });
	});
	test('the first bytes, when name and MIME type say nothing', () => {
		expect(detectDocumentType({ fileName: 'document', mimeType: 'application/octet-stream', head: pdfHead })).toMatchObject({
			extension: 'pdf',
			by: 'bytes',
		});
		expect(detectDocumentType({ fileName: 'report.bin', mimeType: '', head: pdfHead })).toMatchObject({ extension: 'pdf', by: 'bytes' });
	});
	test.each([
		['winmail.dat', 'application/ms-tnef'],
		['invite.ics', 'text/calendar'],
		['smime.p7s', 'application/pkcs7-signature'],
		['contact.vcf', 'text/vcard'],
	])('%s (%s) is not a readable document', (fileName, mimeType) => {
		expect(detectDocumentType({ fileName, mimeType, head: ascii('not a document') }).extension).toBeUndefined();
	});
});

describe('uploadFileName', () => {
	test.each([
		['Rechnung März 2026.PDF', 'pdf', 'Rechnung März 2026.pdf'],
		['scan', 'pdf', 'scan.pdf'],
		['report.bin', 'pdf', 'report.bin.pdf'],
		['photo.jpeg', 'jpg', 'photo.jpeg'],
		['', 'png', 'document.png'],
		['請求書.pdf', 'pdf', '請求書.pdf'],
	])('%s as %s -> %s', (name, extension, expected) => {
		expect(uploadFileName(name, extension)).toBe(expected);
	});
});

describe('Input Binary Field patterns', () => {
	const fields = ['data', 'attachment_10', 'attachment_2', 'attachment_0', 'invoice', 'receipt'];
	test('a list keeps its order; a wildcard matches in natural order; each field once', () => {
		expect(parseFieldPattern(' attachment_* , ,invoice ')).toEqual(['attachment_*', 'invoice']);
		expect(matchBinaryFields(fields, ['attachment_*'])).toEqual(['attachment_0', 'attachment_2', 'attachment_10']);
		expect(matchBinaryFields(fields, ['receipt', 'invoice'])).toEqual(['receipt', 'invoice']);
		expect(matchBinaryFields(fields, ['invoice', '*'])).toEqual([
			'invoice',
			'attachment_0',
			'attachment_2',
			'attachment_10',
			'data',
			'receipt',
		]);
		expect(matchBinaryFields(fields, ['attachment_1*'])).toEqual(['attachment_10']);
		expect(matchBinaryFields(fields, ['file.*'])).toEqual([]);
		expect(matchBinaryFields(fields, ['missing'])).toEqual([]);
	});
});
