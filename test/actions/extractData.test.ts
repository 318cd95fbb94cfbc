/**
 * Extract Job › Extract Data, the parts issue 4 adds: every schema source (checked against what the emulator
 * received), URL / file / parse-job inputs, Split Into Items with pairing, and citations/confidence beside fields.
 */
import {
	expectedInvoiceResult,
	expectedLineItems,
	INVOICE_SCHEMA,
	LINE_ITEM_SCHEMA,
	makeInvoicePdf,
	makeTextPdf,
	SAMPLE_INVOICES,
} from '../../emulator/samples';
import type { Json } from '../harness/api';
import { pairedIndexes, serveFiles } from '../harness/documents';
import { useEmulator } from '../harness/emulator';
import { binaryItem } from '../harness/n8n';

const rig = useEmulator({ jobMs: 120, resetBeforeEach: false });
const invoice = SAMPLE_INVOICES[0];
const expected = expectedInvoiceResult(invoice);
let invoicePdf: Buffer;

beforeAll(async () => {
	invoicePdf = await makeInvoicePdf(invoice);
});

const extract = { resource: 'extractJob', operation: 'extract', inputType: 'binary', binaryPropertyName: 'data' };
const pdfItem = (json = {}) => binaryItem(invoicePdf, 'invoice.pdf', 'application/pdf', 'data', json);
const jobIdOf = (json: Json) => json._llamaextract.job_id as string;

describe('schema sources', () => {
	test('Fields: the builder’s schema (nested line items, date, required) reaches the server and extracts', async () => {
		const { items, error } = await rig.run(
			{
				...extract,
				schemaSource: 'fields',
				fields: {
					field: [
						{ name: 'vendor', type: 'string', description: 'Company that issued the invoice', required: true },
						{ name: 'invoice_date', type: 'date' },
						{ name: 'total', type: 'number', description: 'Amount due', required: true },
						{
							name: 'line_items',
							type: 'arrayOfObjects',
							subFields: {
								field: [
									{ name: 'description', type: 'string' },
									{ name: 'quantity', type: 'integer' },
									{ name: 'amount', type: 'number' },
								],
							},
						},
					],
				},
			},
			[pdfItem()],
		);
		expect(error).toBeUndefined();
		const configuration = await rig.api.receivedConfiguration(jobIdOf(items[0].json));
		expect(configuration.data_schema).toEqual({
			type: 'object',
			properties: {
				vendor: { type: 'string', description: 'Company that issued the invoice' },
				invoice_date: { type: 'string', format: 'date' },
				total: { type: 'number', description: 'Amount due' },
				line_items: {
					type: 'array',
					items: {
						type: 'object',
						properties: { description: { type: 'string' }, quantity: { type: 'integer' }, amount: { type: 'number' } },
					},
				},
			},
			required: ['vendor', 'total'],
		});
		expect(items[0].json.vendor).toBe(expected.vendor);
		expect(items[0].json.total).toBe(expected.total);
		expect(items[0].json.invoice_date).toBe(expected.invoice_date);
		expect(items[0].json.line_items).toEqual(
			expected.line_items.map(({ description, quantity, amount }) => ({ description, quantity, amount })),
		);
	});

	test('From a JSON Example: the inferred schema reaches the server and extracts', async () => {
		const { items, error } = await rig.run(
			{
				...extract,
				schemaSource: 'example',
				jsonExample: JSON.stringify({ vendor: 'Someone', invoice_number: 'X-1', due_date: '2026-01-01', total: 1 }),
			},
			[pdfItem()],
		);
		expect(error).toBeUndefined();
		const configuration = await rig.api.receivedConfiguration(jobIdOf(items[0].json));
		expect(configuration.data_schema).toEqual({
			type: 'object',
			properties: {
				vendor: { type: 'string' },
				invoice_number: { type: 'string' },
				due_date: { type: 'string', format: 'date' },
				total: { type: 'number' },
			},
		});
		expect(items[0].json).toMatchObject({
			vendor: expected.vendor,
			invoice_number: expected.invoice_number,
			due_date: expected.due_date,
			total: expected.total,
		});
	});

	test('JSON Schema: sent as written, with every extraction setting', async () => {
		const { items, error } = await rig.run(
			{
				...extract,
				schemaSource: 'jsonSchema',
				jsonSchema: JSON.stringify(INVOICE_SCHEMA),
				extractSettings: {
					tier: 'agentic',
					parseTier: 'fast',
					extractionTarget: 'per_doc',
					systemPrompt: 'Amounts in USD.',
					targetPages: ' 1 ',
					maxPages: 3,
					citeSources: true,
					confidenceScores: false,
					version: '2026-01-08',
				},
			},
			[pdfItem()],
		);
		expect(error).toBeUndefined();
		const configuration = await rig.api.receivedConfiguration(jobIdOf(items[0].json));
		expect(configuration.data_schema).toEqual(INVOICE_SCHEMA);
		expect(configuration).toMatchObject({
			tier: 'agentic',
			parse_tier: 'fast',
			extraction_target: 'per_doc',
			system_prompt: 'Amounts in USD.',
			target_pages: '1',
			max_pages: 3,
			cite_sources: true,
			confidence_scores: false,
		});
		expect(items[0].json.total).toBe(expected.total);
	});

	test('Saved Configuration: the job carries configuration_id (locator By ID) and no inline configuration', async () => {
		const saved = await rig.api.post('/api/v1/beta/configurations', {
			name: 'saved-source-test',
			parameters: { product_type: 'extract_v2', data_schema: { type: 'object', properties: { total: { type: 'number' } } } },
		});
		expect(saved.status).toBe(201);
		const { items, error } = await rig.run(
			{
				...extract,
				schemaSource: 'configuration',
				configurationId: { __rl: true, mode: 'id', value: saved.body.id },
			},
			[pdfItem()],
		);
		expect(error).toBeUndefined();
		const job = await rig.api.get(`/api/v2/extract/${jobIdOf(items[0].json)}`);
		expect(job.body.configuration_id).toBe(saved.body.id);
		expect(items[0].json).toEqual({ total: expected.total, _llamaextract: expect.any(Object) });
	});

	test('a bad field definition fails before anything is uploaded, naming the parameter and item', async () => {
		rig.emulator.resetStats();
		const { error } = await rig.run(
			{ ...extract, schemaSource: 'fields', fields: { field: [{ name: 'items', type: 'arrayOfObjects' }] } },
			[pdfItem()],
		);
		expect(error?.message).toBe('The "Fields" parameter on item 0: field "items" is a list of objects without sub-fields');
		expect(error?.description).toContain('Add sub-fields to "items"');
		expect(rig.count('POST /api/v1/beta/files')).toBe(0);
	});
});

describe('inputs', () => {
	test('URL: downloaded without the API key, uploaded under the link’s file name, extracted', async () => {
		const files = await serveFiles({ '/docs/acme-invoice.pdf': { body: invoicePdf, type: 'application/pdf' } });
		try {
			const { items, error } = await rig.run(
				{
					resource: 'extractJob',
					operation: 'extract',
					inputType: 'url',
					url: `${files.url}/docs/acme-invoice.pdf`,
					schemaSource: 'jsonSchema',
					jsonSchema: JSON.stringify(INVOICE_SCHEMA),
				},
				[{ json: {} }],
			);
			expect(error).toBeUndefined();
			expect(items[0].json.total).toBe(expected.total);
			expect(files.requests).toHaveLength(1);
			expect(files.requests[0].headers.authorization).toBeUndefined();
			expect(JSON.stringify(files.requests[0].headers)).not.toContain('llx-');
			const file = await rig.api.get(`/api/v1/beta/files/${(items[0].json._llamaextract as Json).file_id}`);
			expect(file.body.name).toBe('acme-invoice.pdf');
		} finally {
			await files.close();
		}
	});

	test('URL that answers 404 gives an error naming the link, the status and the item', async () => {
		const files = await serveFiles({});
		try {
			const { error } = await rig.run(
				{ ...extract, inputType: 'url', url: `${files.url}/missing.pdf`, schemaSource: 'jsonSchema', jsonSchema: JSON.stringify(INVOICE_SCHEMA) },
				[{ json: {} }],
			);
			expect(error?.message).toBe(`Downloading 127.0.0.1:${files.url.split(':').pop()}/missing.pdf on item 0 failed with HTTP 404`);
			expect(error?.description).toContain('Check the link');
		} finally {
			await files.close();
		}
	});

	test('a non-http URL is refused before any request', async () => {
		const { error } = await rig.run(
			{ ...extract, inputType: 'url', url: 'file:///etc/passwd', schemaSource: 'jsonSchema', jsonSchema: JSON.stringify(INVOICE_SCHEMA) },
			[{ json: {} }],
		);
		expect(error?.message).toBe('The "Document URL" on item 0 must start with http:// or https://');
	});

	test('File ID (dfl-) extracts the stored file', async () => {
		const stored = rig.emulator.addFile('stored.pdf', invoicePdf);
		const { items, error } = await rig.run(
			{ ...extract, inputType: 'fileId', fileId: ` ${stored.id} `, schemaSource: 'jsonSchema', jsonSchema: JSON.stringify(INVOICE_SCHEMA) },
			[{ json: {} }],
		);
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ vendor: expected.vendor, _llamaextract: { file_id: stored.id } });
	});

	test('a parse job (pjb-) that is not finished gives a clear error; once COMPLETED it extracts', async () => {
		const stored = rig.emulator.addFile('parsed.pdf', invoicePdf);
		// Held until finishNow below, so the first run surely meets an unfinished parse job.
		const jobMs = rig.emulator.config().jobMs;
		rig.emulator.config({ jobMs: 10 * 60_000 });
		const parse = await rig.api.post('/api/v2/parse', { tier: 'fast', version: 'latest', file_id: stored.id });
		rig.emulator.config({ jobMs });
		expect(parse.status).toBe(200);
		const parameters = {
			...extract,
			inputType: 'fileId',
			fileId: parse.body.id,
			schemaSource: 'jsonSchema',
			jsonSchema: JSON.stringify(INVOICE_SCHEMA),
		};
		const early = await rig.run(parameters, [{ json: {} }]);
		expect(early.error?.message).toMatch(new RegExp(`^Parse job ${parse.body.id} on item 0 is (PENDING|RUNNING), not COMPLETED$`));
		expect(early.error?.description).toContain('Wait until it is COMPLETED');

		rig.emulator.finishNow([parse.body.id]);
		await rig.emulator.waitForJob(parse.body.id, { statuses: ['COMPLETED'] });
		const done = await rig.run(parameters, [{ json: {} }]);
		expect(done.error).toBeUndefined();
		expect(done.items[0].json).toMatchObject({ total: expected.total, _llamaextract: { file_id: parse.body.id } });
	});
});

describe('outputs', () => {
	test('Split Into Items, per_page: one item per page, each paired to its own source item', async () => {
		const twoPages = await makeTextPdf([['Total: 10.00'], ['Total: 20.00']]);
		const threePages = await makeTextPdf([['Total: 30.00'], ['Total: 40.00'], ['Total: 50.00']]);
		const { items, error } = await rig.run(
			{
				...extract,
				schemaSource: 'jsonSchema',
				jsonSchema: JSON.stringify({ type: 'object', properties: { total: { type: 'number' } } }),
				extractSettings: { extractionTarget: 'per_page' },
				options: { splitIntoItems: true },
			},
			[
				binaryItem(twoPages, 'a.pdf', 'application/pdf', 'data', { source: 'a' }),
				binaryItem(threePages, 'b.pdf', 'application/pdf', 'data', { source: 'b' }),
			],
		);
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.total)).toEqual([10, 20, 30, 40, 50]);
		expect(pairedIndexes(items)).toEqual([0, 0, 1, 1, 1]);
		expect(items.map((item) => (item.json._llamaextract as Json).page_index)).toEqual([0, 1, 0, 1, 2]);
		expect(items.map((item) => item.binary?.data.fileName)).toEqual(['a.pdf', 'a.pdf', 'b.pdf', 'b.pdf', 'b.pdf']);
	});

	test('Split Into Items, per_table_row: one item per line item', async () => {
		const { items, error } = await rig.run(
			{
				...extract,
				schemaSource: 'jsonSchema',
				jsonSchema: JSON.stringify(LINE_ITEM_SCHEMA),
				extractSettings: { extractionTarget: 'per_table_row', confidenceScores: true },
				options: { splitIntoItems: true, keepBinary: false },
			},
			[pdfItem()],
		);
		expect(error).toBeUndefined();
		const rows = expectedLineItems(invoice);
		expect(items.map(({ json }) => ({ ...json, _llamaextract: undefined }))).toEqual(
			rows.map((row) => ({ ...row, _llamaextract: undefined })),
		);
		expect(pairedIndexes(items)).toEqual(rows.map(() => 0));
		expect(items.map((item) => (item.json._llamaextract as Json).row_index)).toEqual(rows.map((_, index) => index));
		expect(typeof (items[0].json._llamaextract as Json).fields.amount.confidence).toBe('number');
		expect(items.every((item) => item.binary === undefined)).toBe(true);
	});

	test('without Split Into Items a per_page result is one item with a data list', async () => {
		const pdf = await makeTextPdf([['Total: 1.00'], ['Total: 2.00']]);
		const { items } = await rig.run(
			{
				...extract,
				schemaSource: 'jsonSchema',
				jsonSchema: JSON.stringify({ type: 'object', properties: { total: { type: 'number' } } }),
				extractSettings: { extractionTarget: 'per_page' },
			},
			[binaryItem(pdf, 'p.pdf', 'application/pdf')],
		);
		expect(items).toHaveLength(1);
		expect(items[0].json.data).toEqual([{ total: 1 }, { total: 2 }]);
	});

	test('citations and confidence sit beside each field, ready for an IF on confidence < 0.8', async () => {
		rig.emulator.resetStats();
		const { items, error } = await rig.run(
			{
				...extract,
				schemaSource: 'jsonSchema',
				jsonSchema: JSON.stringify(INVOICE_SCHEMA),
				extractSettings: { citeSources: true, confidenceScores: true },
			},
			[pdfItem()],
		);
		expect(error).toBeUndefined();
		const meta = items[0].json._llamaextract as Json;
		expect(items[0].json.total).toBe(expected.total);
		expect(meta.fields.total.confidence).toBeGreaterThan(0);
		expect(meta.fields.total.confidence).toBeLessThanOrEqual(1);
		expect(meta.fields.total.citations[0]).toMatchObject({ page: 1, matching_text: expect.stringContaining('1,') });
		expect(meta.fields.line_items).toHaveLength(invoice.lineItems.length);
		expect(meta.fields.line_items[0].amount).toEqual({ confidence: expect.any(Number), citations: expect.any(Array) });
		// The metadata came with the shared status poll (expand=extract_metadata), not with one more GET per job.
		expect(rig.count('GET /api/v2/extract/{job_id}')).toBe(0);
		const all: number[] = [];
		const collect = (node: Json): void => {
			if (Array.isArray(node)) node.forEach(collect);
			else if (node && typeof node.confidence === 'number' && Array.isArray(node.citations)) all.push(node.confidence);
			else if (node && typeof node === 'object') Object.values(node).forEach(collect);
		};
		collect(meta.fields);
		expect(meta.min_confidence).toBe(Math.min(...all));
		// The top level holds only the schema's fields, so a Set or Sheets node maps them one to one.
		expect(Object.keys(items[0].json).filter((key) => key !== '_llamaextract').sort()).toEqual(
			Object.keys(expected).filter((key) => key in items[0].json).sort(),
		);
	});

	test('the input binary is kept by default and dropped with Include Input Binary off', async () => {
		const kept = await rig.run({ ...extract, schemaSource: 'jsonSchema', jsonSchema: JSON.stringify(INVOICE_SCHEMA) }, [pdfItem()]);
		expect(kept.items[0].binary?.data.fileName).toBe('invoice.pdf');
		const dropped = await rig.run(
			{ ...extract, schemaSource: 'jsonSchema', jsonSchema: JSON.stringify(INVOICE_SCHEMA), options: { keepBinary: false } },
			[pdfItem()],
		);
		expect(dropped.items[0].binary).toBeUndefined();
	});
});
