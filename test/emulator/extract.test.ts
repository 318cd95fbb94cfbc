 
/** Extract v2: create, lifecycle, get/expand, list/cursor/filters, cancel, delete, schema endpoints, parse inputs. */
import type { Emulator } from '../../emulator/server';
import {
	expectedInvoiceResult,
	expectedLineItems,
	INVOICE_SCHEMA,
	LINE_ITEM_SCHEMA,
	makeInvoicePdf,
	makeInvoiceText,
	makeTextPdf,
	SAMPLE_INVOICES,
} from '../../emulator/samples';
import type { ManualClock } from '../../emulator/clock';
import type { ApiClient } from '../harness/api';
import { useEmulator } from '../harness/emulator';

let emulator: Emulator;
let api: ApiClient;
let clock: ManualClock;
let invoiceFiles: string[];
let invoicePdfs: Buffer[];

const running = useEmulator({ jobMs: 120, manualClock: true });

beforeAll(async () => {
	({ emulator, api, clock } = running);
	invoicePdfs = await Promise.all(SAMPLE_INVOICES.map((invoice) => makeInvoicePdf(invoice)));
});

beforeEach(async () => {
	invoiceFiles = [];
	for (const [index, pdf] of invoicePdfs.entries()) invoiceFiles.push(await api.uploadId(pdf, `invoice-${index}.pdf`));
});

describe('create', () => {
	test('returns 200 with a PENDING ext- job', async () => {
		const response = await api.post('/api/v2/extract', {
			file_input: invoiceFiles[0],
			configuration: { data_schema: INVOICE_SCHEMA },
		});
		expect(response.status).toBe(200);
		expect(response.body).toMatchObject({
			file_input: invoiceFiles[0],
			status: 'PENDING',
			configuration_id: null,
			project_id: `prj-${emulator.projectId}`,
			extract_result: null,
		});
		expect(response.body.id).toMatch(/^ext-[0-9a-f-]{36}$/);
		expect(response.body.created_at).toBe(response.body.updated_at);
	});

	test('validation: missing file_input, both/neither configuration, bad schema, bad options', async () => {
		const missing = await api.post('/api/v2/extract', { configuration: { data_schema: INVOICE_SCHEMA } });
		expect(missing.status).toBe(422);
		expect(missing.body.detail).toEqual([{ type: 'missing', loc: ['body', 'file_input'], msg: 'Field required' }]);

		const neither = await api.post('/api/v2/extract', { file_input: invoiceFiles[0] });
		expect(neither.status).toBe(422);
		expect(neither.body.detail[0].msg).toBe('Provide exactly one of configuration or configuration_id');

		const both = await api.post('/api/v2/extract', {
			file_input: invoiceFiles[0],
			configuration: { data_schema: INVOICE_SCHEMA },
			configuration_id: 'cfg-11111111-2222-3333-4444-555555555555',
		});
		expect(both.status).toBe(422);
		expect(both.body.detail[0].msg).toMatch(/not both/);

		const rootArray = await api.post('/api/v2/extract', {
			file_input: invoiceFiles[0],
			configuration: { data_schema: { type: 'array', items: { type: 'string' } } },
		});
		expect(rootArray.status).toBe(422);
		expect(rootArray.body.detail[0]).toMatchObject({
			loc: ['body', 'configuration', 'data_schema', 'type'],
			type: 'value_error',
		});
		expect(rootArray.body.detail[0].msg).toMatch(/root of data_schema must have type "object"/);

		const badOptions = await api.post('/api/v2/extract', {
			file_input: invoiceFiles[0],
			configuration: { data_schema: INVOICE_SCHEMA, tier: 'premium', extraction_target: 'per_word', target_pages: '1-', max_pages: 0 },
		});
		expect(badOptions.status).toBe(422);
		const locs = badOptions.body.detail.map((entry: { loc: string[] }) => entry.loc.join('.'));
		expect(locs).toEqual(expect.arrayContaining(['body.configuration.max_pages']));
		const more = await api.post('/api/v2/extract', {
			file_input: invoiceFiles[0],
			configuration: { data_schema: INVOICE_SCHEMA, tier: 'premium', extraction_target: 'per_word', target_pages: '1-' },
		});
		expect(more.body.detail.map((entry: { loc: string[] }) => entry.loc.join('.'))).toEqual([
			'body.configuration.tier',
			'body.configuration.extraction_target',
			'body.configuration.target_pages',
		]);

		const notJson = await api.call('POST', '/api/v2/extract', { raw: { body: '{"file_input":', contentType: 'application/json' } });
		expect(notJson.status).toBe(422);
		expect(notJson.body.detail[0].type).toBe('json_invalid');
	});

	test('unknown file, unknown configuration, a v1 agent UUID, an unfinished parse job', async () => {
		const unknownFile = await api.post('/api/v2/extract', {
			file_input: 'dfl-00000000-0000-0000-0000-000000000000',
			configuration: { data_schema: INVOICE_SCHEMA },
		});
		expect(unknownFile.status).toBe(404);
		expect(unknownFile.body).toEqual({ detail: 'File not found: dfl-00000000-0000-0000-0000-000000000000' });

		const unknownConfig = await api.post('/api/v2/extract', {
			file_input: invoiceFiles[0],
			configuration_id: 'cfg-00000000-0000-0000-0000-000000000000',
		});
		expect(unknownConfig.status).toBe(404);
		expect(unknownConfig.body.detail).toBe('Configuration not found: cfg-00000000-0000-0000-0000-000000000000');

		const agentId = await api.post('/api/v1/extraction/extraction-agents', {
			name: 'legacy',
			data_schema: INVOICE_SCHEMA,
			config: {},
		});
		const v1Id = await api.post('/api/v2/extract', { file_input: invoiceFiles[0], configuration_id: agentId.body.id });
		// The shared ID rule (rules.ts checkId): a v1 UUID is the wrong kind of ID, refused before any look-up.
		expect(v1Id.status).toBe(422);
		expect(v1Id.body.detail[0]).toMatchObject({ loc: ['body', 'configuration_id'], msg: expect.stringMatching(/looks like a v1 extraction agent ID/) });

		// A parse job that stays unfinished for the whole test.
		const jobMs = emulator.config().jobMs;
		emulator.config({ jobMs: 10 * 60_000 });
		const parse = await api.post('/api/v2/parse', { file_id: invoiceFiles[0], tier: 'fast', version: 'latest' });
		emulator.config({ jobMs });
		expect(parse.status).toBe(200);
		const early = await api.post('/api/v2/extract', { file_input: parse.body.id, configuration: { data_schema: INVOICE_SCHEMA } });
		expect(early.status).toBe(400);
		expect(early.body.detail).toMatch(new RegExp(`^Parse job ${parse.body.id} is (PENDING|RUNNING); only a COMPLETED parse job`));
		const unknownParse = await api.post('/api/v2/extract', {
			file_input: 'pjb-00000000-0000-0000-0000-000000000000',
			configuration: { data_schema: INVOICE_SCHEMA },
		});
		expect(unknownParse.status).toBe(404);
	});
});

describe('lifecycle', () => {
	test('PENDING -> RUNNING -> COMPLETED with updated_at at each step and the right result', async () => {
		const created = await api.post('/api/v2/extract', { file_input: invoiceFiles[0], configuration: { data_schema: INVOICE_SCHEMA } });
		const id = created.body.id as string;
		const createdAt = Date.parse(created.body.created_at);
		const statusAt = async (ms: number) => {
			await clock.advance(createdAt + ms - clock.now());
			return (await api.get(`/api/v2/extract/${id}`)).body;
		};
		// 120 ms job: PENDING for 10% (12 ms), then RUNNING until 120 ms.
		expect(created.body).toMatchObject({ status: 'PENDING', updated_at: created.body.created_at });
		await emulator.plansReady();
		expect((await statusAt(11)).status).toBe('PENDING');
		expect(await statusAt(12)).toMatchObject({ status: 'RUNNING', updated_at: new Date(createdAt + 12).toISOString() });
		expect((await statusAt(119)).status).toBe('RUNNING');
		const done = await statusAt(120);
		expect(done).toMatchObject({ status: 'COMPLETED', updated_at: new Date(createdAt + 120).toISOString() });
		expect(done.extract_result).toEqual(expectedInvoiceResult(SAMPLE_INVOICES[0]));
		expect(done.metadata).toEqual({ usage: { num_pages_extracted: 1, num_pages_billed: 1 } });
		expect(done.extract_metadata).toBeNull();
		expect(emulator.job(id)?.completedAtMs).toBe(createdAt + 120);
	});

	test('each sample invoice: per_doc, per_page and per_table_row results', async () => {
		for (const [index, invoice] of SAMPLE_INVOICES.entries()) {
			const perDoc = await api.createJob(invoiceFiles[index], { data_schema: INVOICE_SCHEMA });
			const perRow = await api.createJob(invoiceFiles[index], { data_schema: LINE_ITEM_SCHEMA, extraction_target: 'per_table_row' });
			const perPage = await api.createJob(invoiceFiles[index], { data_schema: INVOICE_SCHEMA, extraction_target: 'per_page' });
			expect((await api.waitForJob(perDoc)).extract_result).toEqual(expectedInvoiceResult(invoice));
			expect((await api.waitForJob(perRow)).extract_result).toEqual(expectedLineItems(invoice));
			const pages = (await api.waitForJob(perPage)).extract_result as Array<{ line_items: unknown[] }>;
			expect(pages.flatMap((page) => page.line_items)).toEqual(expectedLineItems(invoice));
		}
	});

	test('text and markdown files work too', async () => {
		const text = await api.uploadId(Buffer.from(makeInvoiceText(SAMPLE_INVOICES[1])), 'invoice.txt', 'text/plain');
		const job = await api.waitForJob(await api.createJob(text, { data_schema: INVOICE_SCHEMA }));
		expect(job.extract_result).toEqual(expectedInvoiceResult(SAMPLE_INVOICES[1]));
	});

	test('a file containing EMULATOR_FAIL ends FAILED with an error_message', async () => {
		const pdf = await makeTextPdf([['Vendor: Broken Ltd', 'EMULATOR_FAIL']]);
		const id = await api.createJob(await api.uploadId(pdf, 'bad.pdf'), { data_schema: INVOICE_SCHEMA });
		const job = await api.waitForJob(id);
		expect(job.status).toBe('FAILED');
		expect(job.error_message).toMatch(/EMULATOR_FAIL/);
		expect(job.extract_result).toBeNull();
	});

	test('an unreadable file fails the job with a clear message', async () => {
		const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]);
		const id = await api.createJob(await api.uploadId(png, 'scan.png', 'image/png'), { data_schema: INVOICE_SCHEMA });
		const job = await api.waitForJob(id);
		expect(job.status).toBe('FAILED');
		expect(job.error_message).toMatch(/scan\.png.*PDF, \.txt and \.md/);
	});

	test('EMULATOR_JOB_MS sets this job\'s time', async () => {
		const pdf = await makeTextPdf([['Total: 5', 'EMULATOR_JOB_MS=400']]);
		const id = await api.createJob(await api.uploadId(pdf, 'slow.pdf'), { data_schema: INVOICE_SCHEMA });
		await api.waitForJob(id);
		const dump = emulator.job(id);
		expect((dump?.completedAtMs ?? 0) - (dump?.createdAtMs ?? 0)).toBe(400);
	});

	test('maxConcurrentJobs: jobs over the cap wait THROTTLED, at most N RUN at once', async () => {
		emulator.config({ maxConcurrentJobs: 2, jobMs: 150 });
		const ids = await Promise.all([0, 1, 2, 3].map(() => api.createJob(invoiceFiles[0], { data_schema: INVOICE_SCHEMA })));
		let maxRunning = 0;
		let sawThrottled = false;
		for (;;) {
			const list = await api.get('/api/v2/extract', { query: { job_ids: ids } });
			const statuses = list.body.items.map((job: { status: string }) => job.status);
			maxRunning = Math.max(maxRunning, statuses.filter((status: string) => status === 'RUNNING').length);
			sawThrottled ||= statuses.includes('THROTTLED');
			if (statuses.every((status: string) => status === 'COMPLETED')) break;
			await emulator.plansReady();
			if (!(await clock.next())) throw new Error(`no timer left, statuses ${statuses.join(', ')}`);
		}
		expect(maxRunning).toBe(2);
		expect(sawThrottled).toBe(true);
		const dumps = ids.map((id) => emulator.job(id));
		const lastDone = Math.max(...dumps.map((dump) => dump?.completedAtMs ?? 0));
		const firstCreated = Math.min(...dumps.map((dump) => dump?.createdAtMs ?? 0));
		// Two run at once: the first pair ends at 150 ms, the second pair starts then and runs its 135 ms.
		expect(lastDone - firstCreated).toBe(150 + 135);
	});
});

describe('get and expand', () => {
	test('expand=configuration, usage; extract_metadata auto-included with cite_sources/confidence_scores', async () => {
		const id = await api.createJob(invoiceFiles[0], {
			data_schema: INVOICE_SCHEMA,
			tier: 'agentic',
			cite_sources: true,
			confidence_scores: true,
		});
		await api.waitForJob(id);
		const plain = await api.get(`/api/v2/extract/${id}`);
		expect(plain.body.configuration).toBeNull();
		expect(plain.body.usage).toBeNull();
		const fields = plain.body.extract_metadata.field_metadata.document_metadata;
		expect(fields.vendor).toEqual({ citation: [{ page: 1, matching_text: 'Acme Corporation' }], confidence: 0.98 });
		expect(fields.line_items).toHaveLength(3);
		expect(fields.line_items[0].amount).toEqual({ citation: [{ page: 1, matching_text: '$250.00' }], confidence: 0.98 });
		expect(plain.body.extract_metadata.parse_job_id).toMatch(/^pjb-/);
		expect(plain.body.extract_metadata.parse_tier).toBe('agentic');

		const expanded = await api.get(`/api/v2/extract/${id}`, { query: { expand: ['configuration', 'usage'] } });
		expect(expanded.body.configuration).toMatchObject({ tier: 'agentic', version: '2026-08-20', extraction_target: 'per_doc' });
		expect(expanded.body.usage).toEqual({ credits: 15, extract_credits: 15, parse_credits: 0 });
	});

	test('citations without confidence; expand=extract_metadata without either gives no field metadata', async () => {
		const citeOnly = await api.createJob(invoiceFiles[2], { data_schema: INVOICE_SCHEMA, cite_sources: true, target_pages: '2-3' });
		const job = await api.waitForJob(citeOnly, ['usage']);
		expect(job.extract_metadata.field_metadata.document_metadata.total).toEqual({
			citation: [{ page: 3, matching_text: expect.stringMatching(/^£/) }],
		});
		expect(job.metadata.usage.num_pages_extracted).toBe(2);
		expect(job.usage.credits).toBe(10);

		const none = await api.createJob(invoiceFiles[0], { data_schema: INVOICE_SCHEMA });
		const expanded = await api.waitForJob(none, ['extract_metadata']);
		expect(expanded.extract_metadata).toMatchObject({ field_metadata: null, parse_job_id: expect.stringMatching(/^pjb-/) });
	});

	test('per_page and per_table_row metadata', async () => {
		const perPage = await api.waitForJob(
			await api.createJob(invoiceFiles[2], { data_schema: INVOICE_SCHEMA, extraction_target: 'per_page', confidence_scores: true }),
		);
		expect(perPage.extract_metadata.field_metadata.page_metadata).toHaveLength(3);
		expect(perPage.extract_metadata.field_metadata.page_metadata[0].vendor).toEqual({ confidence: 0.98 });
		expect(perPage.extract_metadata.field_metadata.page_metadata[1].vendor).toEqual({ confidence: 0 });
		const perRow = await api.waitForJob(
			await api.createJob(invoiceFiles[0], { data_schema: LINE_ITEM_SCHEMA, extraction_target: 'per_table_row', cite_sources: true }),
		);
		expect(perRow.extract_metadata.field_metadata.row_metadata[2].description).toEqual({
			citation: [{ page: 1, matching_text: 'Shipping and handling' }],
		});
	});

	test('unknown job is 404', async () => {
		const response = await api.get('/api/v2/extract/ext-00000000-0000-0000-0000-000000000000');
		expect(response.status).toBe(404);
		expect(response.body).toEqual({ detail: 'Extract job not found: ext-00000000-0000-0000-0000-000000000000' });
	});
});

describe('list', () => {
	test('newest first, cursor pages until next_page_token is null, extract_result on completed items', async () => {
		const ids: string[] = [];
		for (let index = 0; index < 7; index++) ids.push(await api.createJob(invoiceFiles[index % 3], { data_schema: INVOICE_SCHEMA }));
		await Promise.all(ids.map((id) => emulator.waitForJob(id)));
		const seen: string[] = [];
		let token: string | undefined;
		let pages = 0;
		do {
			const response = await api.get('/api/v2/extract', { query: token ? { page_size: 3, page_token: token } : { page_size: 3 } });
			expect(response.status).toBe(200);
			for (const item of response.body.items) {
				seen.push(item.id);
				expect(item.extract_result).not.toBeNull();
			}
			token = response.body.next_page_token ?? undefined;
			pages++;
		} while (token);
		expect(pages).toBe(3);
		expect(seen).toEqual([...ids].reverse());
	});

	test('a job created while paging does not shift later pages', async () => {
		const ids: string[] = [];
		for (let index = 0; index < 4; index++) ids.push(await api.createJob(invoiceFiles[0], { data_schema: INVOICE_SCHEMA }));
		const first = await api.get('/api/v2/extract', { query: { page_size: 2 } });
		await api.createJob(invoiceFiles[0], { data_schema: INVOICE_SCHEMA });
		const second = await api.get('/api/v2/extract', { query: { page_size: 2, page_token: first.body.next_page_token } });
		expect(second.body.items.map((item: { id: string }) => item.id)).toEqual([ids[1], ids[0]]);
		expect(second.body.next_page_token).toBeNull();
	});

	test('filters: status, configuration_id, file_input, document_input_type, job_ids, created_at window', async () => {
		const now = clock.now();
		const seeded = emulator.seedJobs([
			{ created_at: now - 60_000, status: 'COMPLETED', file_input: 'dfl-a', configuration_id: 'cfg-x' },
			{ created_at: now - 50_000, status: 'FAILED', file_input: 'dfl-b' },
			{ created_at: now - 40_000, status: 'CANCELLED', file_input: 'pjb-c', configuration_id: 'cfg-x' },
			{ created_at: now - 30_000, complete_after_ms: 60_000, file_input: 'dfl-a' },
		]);
		const ids = seeded.map((job) => job.id);
		const query = async (query: Record<string, string | string[]>) =>
			(await api.get('/api/v2/extract', { query })).body.items.map((item: { id: string }) => item.id);
		expect(await query({ status: 'FAILED' })).toEqual([ids[1]]);
		expect(await query({ status: 'RUNNING' })).toEqual([ids[3]]);
		expect(await query({ configuration_id: 'cfg-x' })).toEqual([ids[2], ids[0]]);
		expect(await query({ file_input: 'dfl-a' })).toEqual([ids[3], ids[0]]);
		expect(await query({ document_input_value: 'dfl-b' })).toEqual([ids[1]]);
		expect(await query({ document_input_type: 'parse_job_id' })).toEqual([ids[2]]);
		expect(await query({ job_ids: [ids[0], ids[3]] })).toEqual([ids[3], ids[0]]);
		expect(
			await query({
				created_at_on_or_after: new Date(now - 50_000).toISOString(),
				created_at_on_or_before: new Date(now - 40_000).toISOString(),
			}),
		).toEqual([ids[2], ids[1]]);
		const badStatus = await api.get('/api/v2/extract', { query: { status: 'DONE' } });
		expect(badStatus.status).toBe(422);
		expect(badStatus.body.detail[0]).toMatchObject({ loc: ['query', 'status'], type: 'enum' });
		const badDate = await api.get('/api/v2/extract', { query: { created_at_on_or_after: 'yesterday' } });
		expect(badDate.status).toBe(422);
	});

	test('page_size defaults to 50 and is capped at 100; expand applies to list items', async () => {
		const now = clock.now();
		emulator.seedJobs(Array.from({ length: 120 }, (_, index) => ({ created_at: now - index * 1000, extract_result: { n: index } })));
		const defaults = await api.get('/api/v2/extract');
		expect(defaults.body.items).toHaveLength(50);
		const capped = await api.get('/api/v2/extract', { query: { page_size: 500, expand: 'configuration' } });
		expect(capped.body.items).toHaveLength(100);
		expect(capped.body.items[0].configuration).not.toBeNull();
		expect(capped.body.items[0].extract_result).toEqual({ n: 0 });
	});
});

describe('cancel and delete', () => {
	test('cancel a running job; cancelling a terminal job is 400', async () => {
		emulator.config({ jobMs: 5000 });
		const id = await api.createJob(invoiceFiles[0], { data_schema: INVOICE_SCHEMA });
		const cancelled = await api.post(`/api/v2/extract/${id}/cancel`);
		expect(cancelled.status).toBe(200);
		expect(cancelled.body.status).toBe('CANCELLED');
		const again = await api.post(`/api/v2/extract/${id}/cancel`);
		expect(again.status).toBe(400);
		expect(again.body).toEqual({ detail: `Job ${id} is already CANCELLED and cannot be cancelled` });

		emulator.config({ jobMs: 60 });
		const done = await api.createJob(invoiceFiles[0], { data_schema: INVOICE_SCHEMA });
		await api.waitForJob(done);
		const late = await api.post(`/api/v2/extract/${done}/cancel`);
		expect(late.status).toBe(400);
		expect(late.body.detail).toBe(`Job ${done} is already COMPLETED and cannot be cancelled`);
	});

	test('delete: terminal 200 {}, running 409 unless force=true, then 404', async () => {
		emulator.config({ jobMs: 5000 });
		const running = await api.createJob(invoiceFiles[0], { data_schema: INVOICE_SCHEMA });
		const refused = await api.delete(`/api/v2/extract/${running}`);
		expect(refused.status).toBe(409);
		expect(refused.body.detail).toMatch(/cancel it first, or pass force=true/);
		const forced = await api.delete(`/api/v2/extract/${running}`, { query: { force: true } });
		expect(forced.status).toBe(200);
		expect(forced.body).toEqual({});
		expect((await api.get(`/api/v2/extract/${running}`)).status).toBe(404);

		const [seeded] = emulator.seedJobs([{ status: 'COMPLETED' }]);
		const removed = await api.delete(`/api/v2/extract/${seeded.id}`);
		expect(removed.status).toBe(200);
		expect(removed.body).toEqual({});
	});
});

describe('schema endpoints', () => {
	test('validation normalises or lists the problems', async () => {
		const ok = await api.post('/api/v2/extract/schema/validation', {
			data_schema: {
				properties: { buyer: { $ref: '#/$defs/party' } },
				$defs: { party: { type: 'object', properties: { name: { type: 'string' } } } },
			},
		});
		expect(ok.status).toBe(200);
		expect(ok.body.data_schema).toEqual({
			type: 'object',
			properties: { buyer: { type: 'object', properties: { name: { type: 'string' } } } },
		});
		const bad = await api.post('/api/v2/extract/schema/validation', {
			data_schema: {
				type: 'object',
				properties: { tags: { type: 'array' }, amount: { type: 'money' } },
				required: ['total'],
			},
		});
		expect(bad.status).toBe(422);
		expect(bad.body.detail.map((entry: { msg: string }) => entry.msg)).toEqual([
			'An array field needs an "items" schema object',
			'Unknown type "money"; use one of string, number, integer, boolean, object, array, null',
			'"required" names "total", which is not under "properties"',
		]);
		let deep: Record<string, unknown> = { type: 'string' };
		for (let level = 0; level < 8; level++) deep = { type: 'object', properties: { inner: deep } };
		const tooDeep = await api.post('/api/v2/extract/schema/validation', { data_schema: deep });
		expect(tooDeep.status).toBe(422);
		expect(tooDeep.body.detail[0].msg).toMatch(/at most 7/);
	});

	test('generate from a prompt and from a file', async () => {
		const fromPrompt = await api.post('/api/v2/extract/schema/generate', {
			name: 'invoice_extraction',
			prompt: 'Extract vendor name, invoice number, date, line items with descriptions and amounts, and total amount from invoices.',
		});
		expect(fromPrompt.status).toBe(200);
		expect(fromPrompt.body).toEqual({
			name: 'invoice_extraction',
			parameters: {
				product_type: 'extract_v2',
				tier: 'cost_effective',
				extraction_target: 'per_doc',
				version: 'latest',
				data_schema: {
					type: 'object',
					properties: {
						vendor_name: { type: 'string', description: 'vendor name' },
						invoice_number: { type: 'string', description: 'invoice number' },
						date: { type: 'string', format: 'date', description: 'date' },
						line_items: {
							type: 'array',
							description: 'line items',
							items: {
								type: 'object',
								properties: {
									description: { type: 'string', description: 'descriptions' },
									amount: { type: 'number', description: 'amounts' },
								},
							},
						},
						total_amount: { type: 'number', description: 'total amount' },
					},
				},
			},
		});
		const fromFile = await api.post('/api/v2/extract/schema/generate', { file_id: invoiceFiles[0] });
		expect(fromFile.status).toBe(200);
		expect(fromFile.body.name).toBe('invoice_0_schema');
		const properties = fromFile.body.parameters.data_schema.properties;
		expect(Object.keys(properties)).toEqual([
			'vendor', 'bill_to', 'invoice_number', 'invoice_date', 'due_date', 'currency', 'line_items', 'subtotal', 'tax', 'total',
		]);
		expect(properties.invoice_date).toMatchObject({ type: 'string', format: 'date' });
		expect(properties.total.type).toBe('number');
		expect(Object.keys(properties.line_items.items.properties)).toEqual(['description', 'quantity', 'unit_price', 'amount']);

		// The generated configuration is usable as is.
		const saved = await api.post('/api/v1/beta/configurations', fromFile.body);
		expect(saved.status).toBe(201);
		const nothing = await api.post('/api/v2/extract/schema/generate', {});
		expect(nothing.status).toBe(422);
	});
});

describe('parse jobs as input', () => {
	test('a completed pjb- job can be extracted; so can the parse job an extraction made', async () => {
		const parse = await api.post('/api/v2/parse', { file_id: invoiceFiles[1], tier: 'cost_effective', version: 'latest' });
		expect(parse.body).toMatchObject({ status: 'PENDING', tier: 'cost_effective' });
		let status = parse.body.status;
		while (status !== 'COMPLETED') {
			if (!(await clock.next())) throw new Error(`parse job stuck ${status}`);
			status = (await api.get(`/api/v2/parse/${parse.body.id}`)).body.job.status;
		}
		const text = await api.get(`/api/v2/parse/${parse.body.id}`, { query: { expand: 'text' } });
		expect(text.body.text.pages[0].text).toContain('Vendor: Müller & Söhne GmbH');
		const job = await api.waitForJob(await api.createJob(parse.body.id, { data_schema: INVOICE_SCHEMA, confidence_scores: true }));
		expect(job.extract_result).toEqual(expectedInvoiceResult(SAMPLE_INVOICES[1]));
		expect(job.extract_metadata.parse_job_id).toBe(parse.body.id);
		const listed = await api.get('/api/v2/extract', { query: { document_input_type: 'parse_job_id' } });
		expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual([job.id]);

		const reused = await api.waitForJob(await api.createJob(job.extract_metadata.parse_job_id, { data_schema: LINE_ITEM_SCHEMA, extraction_target: 'per_table_row' }));
		expect(reused.extract_result).toEqual(expectedLineItems(SAMPLE_INVOICES[1]));
	});
});
