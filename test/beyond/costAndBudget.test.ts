/**
 * What a run costs (usage on every item, running totals, credits by tier) and Max Pages per Run, through n8n-core's
 * WorkflowExecute against the emulator; PDF page counting on its own.
 */
import { PDFDocument } from 'pdf-lib';

import { makeTextPdf } from '../../emulator/samples';
import { countDocumentPages, countPdfPages } from '../../nodes/shared/pageBudget';
import { binaryItem } from '../harness/n8n';
import type { Json } from '../harness/api';
import { useEmulator } from '../harness/emulator';

const rig = useEmulator({ jobMs: 120, resetBeforeEach: false });

const pageOf = (label: string) => [`Invoice Number: ${label}`, 'Total: 10.00'];
const pdfWithPages = async (count: number, label = 'INV-1') =>
	await makeTextPdf(Array.from({ length: count }, () => pageOf(label)));

const parameters = (options: Json = {}, extractSettings: Json = {}) => ({
	resource: 'extractJob',
	operation: 'extract',
	inputType: 'binary',
	binaryPropertyName: 'data',
	schemaSource: 'jsonSchema',
	jsonSchema: JSON.stringify({ type: 'object', properties: { invoice_number: { type: 'string' }, total: { type: 'number' } } }),
	extractSettings,
	options,
});

const pdfItem = (pdf: Buffer, index: number) => binaryItem(pdf, `doc-${index}.pdf`, 'application/pdf', 'data', { index });

describe('usage on every item', () => {
	test('pages, pages billed and credits at the tier’s price, with running totals in item order', async () => {
		const input = [pdfItem(await pdfWithPages(2), 0), pdfItem(await pdfWithPages(1), 1), pdfItem(await pdfWithPages(3), 2)];
		rig.emulator.resetStats();
		const { items, error } = await rig.run(parameters({}, { tier: 'agentic' }), input);
		expect(error).toBeUndefined();
		const meta = items.map((item) => item.json._llamaextract as Json);
		expect(meta.map((entry) => entry.usage)).toEqual([
			{ num_pages_extracted: 2, num_pages_billed: 2, credits: 30, credits_estimated: true },
			{ num_pages_extracted: 1, num_pages_billed: 1, credits: 15, credits_estimated: true },
			{ num_pages_extracted: 3, num_pages_billed: 3, credits: 45, credits_estimated: true },
		]);
		expect(meta.map((entry) => [entry.run_usage.jobs, entry.run_usage.num_pages_billed, entry.run_usage.credits])).toEqual([
			[1, 2, 30],
			[2, 3, 45],
			[3, 6, 90],
		]);
		// No request per job for usage: jobs are only read by the shared list poll.
		expect(rig.count('GET /api/v2/extract/:job_id')).toBe(0);
	});

	test('the estimate agrees with LlamaCloud’s own figure (GET expand=usage) for every tier', async () => {
		const pdf = await pdfWithPages(2);
		for (const [tier, perPage] of [['cost_effective', 5], ['agentic', 15], ['agentic_plus', 50]] as const) {
			const { items } = await rig.run(parameters({}, { tier }), [pdfItem(pdf, 0)]);
			const meta = items[0].json._llamaextract as Json;
			const { body } = await rig.api.get(`/api/v2/extract/${meta.job_id}`, { query: { expand: 'usage' } });
			expect(meta.usage.credits).toBe(2 * perPage);
			expect(body.usage.credits).toBe(meta.usage.credits);
			// The list does not document expand=usage (API.md §4), and the emulator does not give it there.
			const listed = await rig.api.get('/api/v2/extract', { query: { job_ids: String(meta.job_id), expand: 'usage' } });
			expect(listed.body.items[0].usage).toBeNull();
			expect(listed.body.items[0].metadata.usage).toEqual({ num_pages_extracted: 2, num_pages_billed: 2 });
		}
	});

	test('Split Into Items: the job’s usage is counted once in the totals', async () => {
		const { items } = await rig.run(parameters({ splitIntoItems: true }, { extractionTarget: 'per_page' }), [pdfItem(await pdfWithPages(3), 0)]);
		expect(items).toHaveLength(3);
		expect(items.map((item) => (item.json._llamaextract as Json).run_usage.num_pages_billed)).toEqual([3, 3, 3]);
	});
});

describe('Max Pages per Run', () => {
	test('items past the budget are not submitted; each says so and how to raise it; nothing is left half-done', async () => {
		const input = [2, 2, 1, 3].map((pages, index) => ({ pages, index }));
		const items = await Promise.all(input.map(async ({ pages, index }) => pdfItem(await pdfWithPages(pages), index)));
		rig.emulator.resetStats();
		const { run } = await rig.run(parameters({ maxPagesPerRun: 5, maxConcurrency: 4 }), items, { onError: 'continueRegularOutput' });
		const out = run.data.resultData.runData.LlamaExtract[0].data!.main[0]!;
		expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(out.slice(0, 3).every((item) => (item.json._llamaextract as Json)?.status === 'COMPLETED')).toBe(true);
		expect(out[3].json.error).toBe(
			'Max Pages per Run reached: item 3 (3 page(s)) was not submitted, because this run already sent 5 of its 5 pages',
		);
		// Three uploads and three jobs: the refused item sent nothing.
		expect(rig.count('POST /api/v1/beta/files')).toBe(3);
		expect(rig.count('POST /api/v2/extract')).toBe(3);
	});

	test('several documents per item (attachment_*): each document takes its own turn, in attachment order', async () => {
		const pdf = async (pages: number, name: string) => {
			const data = await pdfWithPages(pages);
			return { data: data.toString('base64'), mimeType: 'application/pdf', fileName: name, fileSize: String(data.length) };
		};
		const email = {
			json: { subject: 'Two invoices' },
			binary: { attachment_0: await pdf(2, 'a.pdf'), attachment_1: await pdf(2, 'b.pdf'), attachment_2: await pdf(1, 'c.pdf') },
		};
		rig.emulator.resetStats();
		const { run } = await rig.run(
			{ ...parameters({ maxPagesPerRun: 3, maxConcurrency: 3 }), binaryPropertyName: 'attachment_*' },
			[email],
			{ onError: 'continueRegularOutput' },
		);
		const out = run.data.resultData.runData.LlamaExtract[0].data!.main[0]!;
		expect(out.map((item) => item.json.error ?? (item.json._llamaextract as Json).source.file_name)).toEqual([
			'a.pdf',
			'Max Pages per Run reached: item 0 (2 page(s)) was not submitted, because this run already sent 2 of its 3 pages',
			'c.pdf',
		]);
		expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 0 }]);
		expect(rig.count('POST /api/v1/beta/files')).toBe(2);
		expect(rig.count('POST /api/v2/extract')).toBe(2);
	});

	test('the error names the option and the way to raise it', async () => {
		const { error } = await rig.run(parameters({ maxPagesPerRun: 1 }), [pdfItem(await pdfWithPages(2), 0)]);
		expect(error?.message).toBe('Max Pages per Run reached: item 0 (2 page(s)) was not submitted, because this run already sent 0 of its 1 pages');
		expect(error?.description).toMatch(/Options › Max Pages per Run \(now 1\); raise it, or set it to 0 for no limit/);
	});

	test('Max Pages (an extraction setting) caps what a document counts against the budget', async () => {
		const items = [pdfItem(await pdfWithPages(4), 0), pdfItem(await pdfWithPages(4), 1)];
		const { items: out, error } = await rig.run(parameters({ maxPagesPerRun: 2 }, { maxPages: 1 }), items);
		expect(error).toBeUndefined();
		expect(out.map((item) => (item.json._llamaextract as Json).usage.num_pages_billed)).toEqual([1, 1]);
	});

	test('a document whose pages cannot be counted takes one page of the budget', async () => {
		const unreadable = binaryItem(Buffer.from('Invoice Number: INV-9\nTotal: 1.00\n'), 'note.txt', 'text/plain', 'data');
		const items = [unreadable, unreadable, unreadable];
		const { run } = await rig.run(parameters({ maxPagesPerRun: 2 }), items, { onError: 'continueRegularOutput' });
		const out = run.data.resultData.runData.LlamaExtract[0].data!.main[0]!;
		expect(out.map((item) => item.json.error ?? 'ok')).toEqual([
			'ok',
			'ok',
			'Max Pages per Run reached: item 2 (pages that could not be counted (one page charged)) was not submitted, because this run already sent 2 of its 2 pages',
		]);
	});
});

describe('PDF page counting', () => {
	test('counts page objects, not the /Pages tree', async () => {
		expect(countPdfPages(await pdfWithPages(1))).toBe(1);
		expect(countPdfPages(await pdfWithPages(7))).toBe(7);
	});

	test('object streams: trusted only when the page tree agrees, else unknown', async () => {
		const doc = await PDFDocument.create();
		for (let i = 0; i < 4; i++) doc.addPage();
		const compressed = Buffer.from(await doc.save({ useObjectStreams: true }));
		expect(/\/ObjStm/.test(compressed.toString('latin1'))).toBe(true);
		// pdf-lib puts the page objects into the compressed streams: the count cannot be read.
		expect(countPdfPages(compressed)).toBeUndefined();
	});

	test('not a PDF, or a broken one: unknown; an image is one page', () => {
		expect(countPdfPages(Buffer.from('hello'))).toBeUndefined();
		expect(countPdfPages(Buffer.from('%PDF-1.7\n garbage without pages'))).toBeUndefined();
		expect(countDocumentPages(Buffer.from([0x89, 0x50]), 'image/png')).toBe(1);
		expect(countDocumentPages(Buffer.from('a,b'), 'text/csv')).toBeUndefined();
	});
});
