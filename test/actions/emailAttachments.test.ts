/**
 * Email attachments (issue 14): an item with attachment_0, attachment_1, … as n8n's IMAP, Gmail and Outlook
 * triggers make it. Each document becomes its own item, in attachment order and paired to its email; files
 * LlamaExtract cannot read are skipped and listed; an email without documents ends as When No Document says; with
 * Continue On Fail a bad attachment fails alone. Real WorkflowExecute against the emulator over HTTP.
 */
import type { IBinaryData, IDataObject, INodeExecutionData } from 'n8n-workflow';

import { expectedInvoiceResult, INVOICE_SCHEMA, makeInvoicePdf, SAMPLE_INVOICES } from '../../emulator/samples';
import type { Json } from '../harness/api';
import { pairedIndexes } from '../harness/documents';
import { useEmulator } from '../harness/emulator';

const rig = useEmulator({ jobMs: 120, resetBeforeEach: false });
const [invoiceA, invoiceB, invoiceC] = SAMPLE_INVOICES;
const pdf: Record<string, Buffer> = {};

beforeAll(async () => {
	for (const invoice of [invoiceA, invoiceB, invoiceC]) pdf[invoice.invoiceNumber] = await makeInvoicePdf(invoice);
});

function attachment(content: Buffer, fileName: string, mimeType: string): IBinaryData {
	return { data: content.toString('base64'), mimeType, fileName, fileSize: String(content.length) };
}

/** An email item as the IMAP trigger makes it: headers in json, attachments in attachment_<n>. */
function email(json: IDataObject, files: IBinaryData[]): INodeExecutionData {
	return { json, binary: Object.fromEntries(files.map((file, index) => [`attachment_${index}`, file])) };
}

/** A PNG header followed by `size` bytes: a signature logo to the type check. */
const png = (size: number) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(size, 7)]);
const winmail = Buffer.from([0x78, 0x9f, 0x3e, 0x22, 0x01, 0x00, 0x01, 0x06, 0x90, 0x08, 0x00]);

const extract = (options: IDataObject = {}): IDataObject => ({
	resource: 'extractJob',
	operation: 'extract',
	inputType: 'binary',
	binaryPropertyName: 'attachment_*',
	schemaSource: 'jsonSchema',
	jsonSchema: JSON.stringify(INVOICE_SCHEMA),
	options,
});

const source = (item: INodeExecutionData): Json => (item.json as Json)._llamaextract.source;

describe('several documents per email', () => {
	test('every invoice of every email comes out in attachment order, paired, with its source and only its own binary', async () => {
		const first = email({ from: 'billing@acme.test', subject: 'Two invoices' }, [
			attachment(png(600), 'logo.png', 'image/png'),
			attachment(pdf[invoiceA.invoiceNumber], 'Invoice A.pdf', 'application/pdf'),
			attachment(pdf[invoiceB.invoiceNumber], 'INVOICE B.PDF', 'application/octet-stream'),
			attachment(winmail, 'winmail.dat', 'application/ms-tnef'),
		]);
		const second = email({ from: 'ar@globex.test', subject: 'One scan' }, [attachment(pdf[invoiceC.invoiceNumber], 'scan', 'application/octet-stream')]);
		const { items, error } = await rig.run(extract({ minImageKb: 1, maxConcurrency: 2 }), [first, second]);
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.invoice_number)).toEqual([invoiceA.invoiceNumber, invoiceB.invoiceNumber, invoiceC.invoiceNumber]);
		expect(items.map((item) => item.json.vendor)).toEqual([invoiceA, invoiceB, invoiceC].map((invoice) => expectedInvoiceResult(invoice).vendor));
		expect(pairedIndexes(items)).toEqual([0, 0, 1]);
		expect(items.map(source).map(({ binary_field, file_name, mime_type, index, count }: Json) => ({ binary_field, file_name, mime_type, index, count }))).toEqual([
			{ binary_field: 'attachment_1', file_name: 'Invoice A.pdf', mime_type: 'application/pdf', index: 0, count: 2 },
			{ binary_field: 'attachment_2', file_name: 'INVOICE B.pdf', mime_type: 'application/pdf', index: 1, count: 2 },
			{ binary_field: 'attachment_0', file_name: 'scan.pdf', mime_type: 'application/pdf', index: 0, count: 1 },
		]);
		// The logo and winmail.dat are not lost: each document of that email lists them.
		expect(source(items[0]).skipped.map((file: Json) => [file.binary_field, file.file_name])).toEqual([
			['attachment_0', 'logo.png'],
			['attachment_3', 'winmail.dat'],
		]);
		expect(source(items[0]).skipped[0].reason).toMatch(/under Skip Images Smaller Than \(1 KB\)/);
		expect(source(items[0]).skipped[1].reason).toBe('.dat (application/ms-tnef) is not a document type LlamaExtract reads');
		expect(source(items[2]).skipped).toBeUndefined();
		// Include Input Binary keeps only the item's own document.
		expect(items.map((item) => Object.keys(item.binary ?? {}))).toEqual([['attachment_1'], ['attachment_2'], ['attachment_0']]);
		// What LlamaCloud received: three uploads, named so it can tell their type.
		expect(rig.count('POST /api/v1/beta/files')).toBeGreaterThanOrEqual(3);
		const { body } = await rig.api.get('/api/v1/beta/files', { query: { page_size: 100 } });
		const names = (body.items as Json[]).map((file) => file.name);
		expect(names).toEqual(expect.arrayContaining(['Invoice A.pdf', 'INVOICE B.pdf', 'scan.pdf']));
		expect(names).not.toContain('winmail.dat');
		expect(names).not.toContain('logo.png');
	});

	test('a list keeps its order, Document Types leaves out what the user does not want, Keep Input Fields copies the email’s fields', async () => {
		const message = {
			json: { from: 'billing@acme.test', subject: 'Invoice and receipt', date: '2026-11-29T10:00:00.000Z', vendor: 'from the email' },
			binary: {
				receipt: attachment(pdf[invoiceB.invoiceNumber], 'receipt.pdf', 'application/pdf'),
				invoice: attachment(pdf[invoiceA.invoiceNumber], 'invoice.pdf', 'application/pdf'),
				photo: attachment(png(2048), 'photo.png', 'image/png'),
			},
		};
		const { items, error } = await rig.run(
			{
				...extract({ documentTypes: ['pdf'], keepInputFields: 'selected', inputFieldsToKeep: 'from, subject, vendor, missing', keepBinary: false }),
				binaryPropertyName: 'invoice, receipt, photo',
			},
			[message],
		);
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.invoice_number)).toEqual([invoiceA.invoiceNumber, invoiceB.invoiceNumber]);
		expect(items[0].json).toMatchObject({ from: 'billing@acme.test', subject: 'Invoice and receipt', vendor: invoiceA.vendor });
		// The extracted vendor wins; the email's own is kept under _input, not dropped.
		expect(items[0].json._input).toEqual({ vendor: 'from the email' });
		expect(items[0].json).not.toHaveProperty('date');
		expect(source(items[1]).skipped).toEqual([
			{ binary_field: 'photo', file_name: 'photo.png', mime_type: 'image/png', reason: 'Document Types leaves out image files' },
		]);
		expect(items.every((item) => item.binary === undefined)).toBe(true);
	});

	test('Keep Input Fields = All puts every field of the email beside the extracted ones', async () => {
		const message = email({ from: 'a@b.test', subject: 'S', attributes: { uid: 7 } }, [attachment(pdf[invoiceC.invoiceNumber], 'c.pdf', 'application/pdf')]);
		const { items } = await rig.run(extract({ keepInputFields: 'all' }), [message]);
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({ from: 'a@b.test', subject: 'S', attributes: { uid: 7 }, invoice_number: invoiceC.invoiceNumber });
	});
});

describe('an email with no document', () => {
	const noAttachment = { json: { subject: 'Lunch?' } };
	const onlyWinmail = email({ subject: 'Outlook' }, [attachment(winmail, 'winmail.dat', 'application/ms-tnef')]);
	let withInvoice: INodeExecutionData;
	beforeAll(() => {
		withInvoice = email({ subject: 'Invoice' }, [attachment(pdf[invoiceA.invoiceNumber], 'a.pdf', 'application/pdf')]);
	});

	test('Error (default): the run fails on the first such item, naming the pattern and the fields there are', async () => {
		const { error } = await rig.run(extract(), [withInvoice, noAttachment]);
		expect(error?.message).toBe('Input Binary Field "attachment_*" matches no binary field on item 1');
		expect(error?.description).toMatch(/^The item has no binary data at all/);
		expect(error?.description).toMatch(/When No Document to Skip Item or Pass Item Through/);
	});

	test('Error with Continue On Fail: an error item per email that lists its files, the invoice still comes out', async () => {
		const { items, error } = await rig.run(extract(), [withInvoice, noAttachment, onlyWinmail], { onError: 'continueRegularOutput' });
		expect(error).toBeUndefined();
		expect(pairedIndexes(items)).toEqual([0, 1, 2]);
		expect(items[0].json.invoice_number).toBe(invoiceA.invoiceNumber);
		expect(items[1].json.error).toBe('Input Binary Field "attachment_*" matches no binary field on item 1');
		expect(items[2].json.error).toBe(
			'No document to extract on item 2: "attachment_0" (winmail.dat: .dat (application/ms-tnef) is not a document type LlamaExtract reads)',
		);
		expect((items[2].json as Json)._llamaextract.skipped[0].file_name).toBe('winmail.dat');
	});

	test('Error with On Error = error output: the email goes to the second output, paired to its item; the invoice to the first', async () => {
		const { run, items, error } = await rig.run(extract(), [withInvoice, noAttachment, onlyWinmail], {
			onError: 'continueErrorOutput',
		});
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.invoice_number)).toEqual([invoiceA.invoiceNumber]);
		const errorOutput = run.data.resultData.runData.LlamaExtract[0].data?.main[1] ?? [];
		expect(errorOutput.map((item) => item.json.error)).toEqual([
			'Input Binary Field "attachment_*" matches no binary field on item 1',
			expect.stringMatching(/^No document to extract on item 2: "attachment_0" \(winmail\.dat/),
		]);
		expect(pairedIndexes(errorOutput)).toEqual([1, 2]);
		// What does not fit n8n's error-output shape is kept under details.
		expect((errorOutput[1].json as Json).details._llamaextract.skipped[0].file_name).toBe('winmail.dat');
		expect((errorOutput[1].json as Json).details.description).toMatch(/^Options › Document Types/);
	});

	test('Skip Item outputs nothing for it; Pass Item Through outputs it unchanged', async () => {
		const skipped = await rig.run(extract({ whenNoDocument: 'skip' }), [noAttachment, withInvoice, onlyWinmail]);
		expect(skipped.error).toBeUndefined();
		expect(pairedIndexes(skipped.items)).toEqual([1]);
		const passed = await rig.run(extract({ whenNoDocument: 'passThrough' }), [noAttachment, withInvoice, onlyWinmail]);
		expect(passed.error).toBeUndefined();
		expect(pairedIndexes(passed.items)).toEqual([0, 1, 2]);
		expect(passed.items[0].json).toEqual({ subject: 'Lunch?' });
		expect(passed.items[2].json).toEqual({ subject: 'Outlook' });
		expect(Object.keys(passed.items[2].binary ?? {})).toEqual(['attachment_0']);
	});
});

describe('Continue On Fail per document', () => {
	test('an empty attachment fails alone, paired to its email; its siblings and the next email come out', async () => {
		const first = email({ subject: 'broken' }, [
			attachment(pdf[invoiceA.invoiceNumber], 'a.pdf', 'application/pdf'),
			attachment(Buffer.alloc(0), 'empty.pdf', 'application/pdf'),
			attachment(pdf[invoiceB.invoiceNumber], 'b.pdf', 'application/pdf'),
		]);
		const second = email({ subject: 'fine' }, [attachment(pdf[invoiceC.invoiceNumber], 'c.pdf', 'application/pdf')]);
		const { items, error } = await rig.run(extract(), [first, second], { onError: 'continueRegularOutput' });
		expect(error).toBeUndefined();
		expect(pairedIndexes(items)).toEqual([0, 0, 0, 1]);
		expect(items.map((item) => item.json.invoice_number ?? item.json.error)).toEqual([
			invoiceA.invoiceNumber,
			'The file "empty.pdf" in Input Binary Field "attachment_1" on item 0 is empty (0 bytes)',
			invoiceB.invoiceNumber,
			invoiceC.invoiceNumber,
		]);
		expect(source(items[1])).toMatchObject({ binary_field: 'attachment_1', file_name: 'empty.pdf', index: 1, count: 3 });
	});

	test('without Continue On Fail the run fails with the first failed document’s error', async () => {
		const first = email({}, [attachment(Buffer.alloc(0), 'empty.pdf', 'application/pdf')]);
		const { error } = await rig.run(extract(), [first]);
		expect(error?.message).toBe('The file "empty.pdf" in Input Binary Field "attachment_0" on item 0 is empty (0 bytes)');
	});
});

describe('the other operations read several documents too', () => {
	let message: INodeExecutionData;
	beforeAll(() => {
		message = email({ subject: 'two' }, [
			attachment(pdf[invoiceA.invoiceNumber], 'a.pdf', 'application/pdf'),
			attachment(png(10), 'tiny.png', 'image/png'),
			attachment(pdf[invoiceB.invoiceNumber], 'b.PDF', ''),
		]);
	});

	test('File › Upload: one file per document, each item with its own binary', async () => {
		const { items, error } = await rig.run(
			{ resource: 'file', operation: 'upload', inputType: 'binary', binaryPropertyName: '*', options: { minImageKb: 1 } },
			[message],
		);
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.name)).toEqual(['a.pdf', 'b.pdf']);
		expect(items.map((item) => Object.keys(item.binary ?? {}))).toEqual([['attachment_0'], ['attachment_2']]);
		expect(pairedIndexes(items)).toEqual([0, 0]);
	});

	test('Extract Job › Create: one job per document, sharing the email’s pairing', async () => {
		const { items, error } = await rig.run(
			{ ...extract({ minImageKb: 1 }), operation: 'create' },
			[message],
		);
		expect(error).toBeUndefined();
		expect(items).toHaveLength(2);
		expect(new Set(items.map((item) => item.json.id)).size).toBe(2);
		expect(items.map((item) => source(item).binary_field)).toEqual(['attachment_0', 'attachment_2']);
	});
});
