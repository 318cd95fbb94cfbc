/**
 * Extract Job › Create, Get, Get Many, Wait for Completion, Cancel, Delete, through real workflows against the
 * emulator. Request counts come from the emulator's own statistics.
 */
import { expectedInvoiceResult, INVOICE_SCHEMA, makeInvoicePdf, makeTextPdf, SAMPLE_INVOICES } from '../../emulator/samples';
import type { Json } from '../harness/api';
import { pairedIndexes } from '../harness/documents';
import { useEmulator } from '../harness/emulator';
import { binaryItem } from '../harness/n8n';

const rig = useEmulator({ jobMs: 120, resetBeforeEach: false });
const LIST = 'GET /api/v2/extract';
let invoicePdf: Buffer;

beforeAll(async () => {
	invoicePdf = await makeInvoicePdf(SAMPLE_INVOICES[1]);
});

afterEach(async () => {
	rig.emulator.configure({ jobMs: 120, maxConcurrentJobs: 0 });
});

const schemaParameters = { schemaSource: 'jsonSchema', jsonSchema: JSON.stringify(INVOICE_SCHEMA) };

/** A PDF whose extraction takes `ms` (the emulator reads the marker from the text). */
async function slowPdf(ms: number, total = '5.00'): Promise<Buffer> {
	return await makeTextPdf([[`Total: ${total}`, `EMULATOR_JOB_MS=${ms}`]]);
}

describe('Create and Wait for Completion', () => {
	test('Create returns the pending job at once; Wait for Completion turns each into its result, paired', async () => {
		const created = await rig.run(
			{ resource: 'extractJob', operation: 'create', inputType: 'binary', binaryPropertyName: 'data', ...schemaParameters },
			[
				binaryItem(invoicePdf, 'one.pdf', 'application/pdf', 'data', { n: 1 }),
				binaryItem(await makeInvoicePdf(SAMPLE_INVOICES[2]), 'two.pdf', 'application/pdf', 'data', { n: 2 }),
			],
		);
		expect(created.error).toBeUndefined();
		expect(created.items.map((item) => item.json.status)).toEqual(['PENDING', 'PENDING']);
		expect(created.items.map((item) => String(item.json.id).startsWith('ext-'))).toEqual([true, true]);
		expect(created.items[0].json.extract_result ?? null).toBeNull();
		expect(created.items[1].binary?.data.fileName).toBe('two.pdf');

		const waited = await rig.run(
			{ resource: 'extractJob', operation: 'wait', jobId: '={{ $json.id }}' },
			created.items.map((item) => ({ json: item.json })),
		);
		expect(waited.error).toBeUndefined();
		expect(waited.items.map((item) => item.json.vendor)).toEqual([SAMPLE_INVOICES[1].vendor, SAMPLE_INVOICES[2].vendor]);
		expect(waited.items.map((item) => item.json.total)).toEqual([
			expectedInvoiceResult(SAMPLE_INVOICES[1]).total,
			expectedInvoiceResult(SAMPLE_INVOICES[2]).total,
		]);
		expect(pairedIndexes(waited.items)).toEqual([0, 1]);
	});

	test('Wait for Completion with an unknown ID fails at once with a 404 that names the job', async () => {
		const started = Date.now();
		const { error } = await rig.run({ resource: 'extractJob', operation: 'wait', jobId: 'ext-00000000-0000-0000-0000-000000000000' });
		expect(Date.now() - started).toBeLessThan(5000);
		expect(error?.message).toContain('404');
		expect(error?.description).toContain('ext-00000000-0000-0000-0000-000000000000');
	});

	test('Wait for Completion on a job that failed is an error that keeps the job ID', async () => {
		const [job] = rig.emulator.seedJobs([{ status: 'FAILED', error_message: 'unreadable scan' }]);
		const { items } = await rig.run({ resource: 'extractJob', operation: 'wait', jobId: job.id }, [{ json: {} }], {
			onError: 'continueRegularOutput',
		});
		expect(items[0].json).toMatchObject({ error: `Extraction job ${job.id} ended FAILED: unreadable scan`, job_id: job.id });
	});

	test('a file ID given where a job ID belongs is caught before any request', async () => {
		rig.emulator.resetStats();
		const { error } = await rig.run({ resource: 'extractJob', operation: 'get', jobId: 'dfl-1234' });
		expect(error?.message).toBe('The "Job ID" on item 0 is the ID of a file ("dfl-1234"), not of an extract job');
		expect(rig.emulator.stats().total).toBe(0);
	});
});

describe('Get', () => {
	test('Get with Expand usage and configuration; Simplify gives fields plus _llamaextract', async () => {
		const [job] = rig.emulator.seedJobs([
			{ extract_result: { total: 12.5 }, configuration: { data_schema: { type: 'object', properties: { total: { type: 'number' } } } }, pages: 3 },
		]);
		const raw = await rig.run({
			resource: 'extractJob',
			operation: 'get',
			jobId: job.id,
			simplify: false,
			options: { expand: ['configuration', 'usage'] },
		});
		expect(raw.error).toBeUndefined();
		expect(raw.items[0].json).toMatchObject({ id: job.id, status: 'COMPLETED', extract_result: { total: 12.5 } });
		expect((raw.items[0].json.configuration as Json).data_schema.properties.total.type).toBe('number');
		expect(raw.items[0].json.usage).toEqual(expect.objectContaining({ credits: expect.any(Number) }));

		const simple = await rig.run({ resource: 'extractJob', operation: 'get', jobId: job.id, options: { expand: ['usage'] } });
		expect(simple.items[0].json).toEqual({
			total: 12.5,
			_llamaextract: expect.objectContaining({ job_id: job.id, status: 'COMPLETED', usage: expect.any(Object) }),
		});
	});
});

describe('Get Many', () => {
	beforeAll(async () => {
		await rig.emulator.reset();
		const base = Date.parse('2026-03-01T00:00:00Z');
		rig.emulator.seedJobs(
			Array.from({ length: 250 }, (_, index) => ({ created_at: base + index * 60_000, file_input: `dfl-seed-${index % 5}` })),
		);
	});

	test('Return All walks every page (page size 100: three requests for 250 jobs)', async () => {
		rig.emulator.resetStats();
		const { items, error } = await rig.run({ resource: 'extractJob', operation: 'getAll', returnAll: true });
		expect(error).toBeUndefined();
		expect(items).toHaveLength(250);
		expect(new Set(items.map((item) => item.json.id)).size).toBe(250);
		expect(rig.count(LIST)).toBe(3);
	});

	test('Limit stops paging as soon as it is reached', async () => {
		rig.emulator.resetStats();
		const small = await rig.run({ resource: 'extractJob', operation: 'getAll', returnAll: false, limit: 7 });
		expect(small.items).toHaveLength(7);
		expect(rig.count(LIST)).toBe(1);

		rig.emulator.resetStats();
		const spanning = await rig.run({ resource: 'extractJob', operation: 'getAll', returnAll: false, limit: 130 });
		expect(spanning.items).toHaveLength(130);
		// 100 + 30: the third page of the full listing is never asked for.
		expect(rig.count(LIST)).toBe(2);
	});

	test('filters: file input, created-at range and job IDs reach the server and narrow the list', async () => {
		const byFile = await rig.run({
			resource: 'extractJob',
			operation: 'getAll',
			returnAll: true,
			filters: { fileInput: 'dfl-seed-3' },
		});
		expect(byFile.items).toHaveLength(50);
		expect(byFile.items.every((item) => item.json.file_input === 'dfl-seed-3')).toBe(true);

		const byTime = await rig.run({
			resource: 'extractJob',
			operation: 'getAll',
			returnAll: true,
			filters: { createdAfter: '2026-03-01T01:00:00Z', createdBefore: '2026-03-01T01:09:00Z' },
		});
		expect(byTime.items.map((item) => item.json.created_at)).toHaveLength(10);

		const some = byTime.items.slice(0, 3).map((item) => String(item.json.id));
		const byIds = await rig.run({
			resource: 'extractJob',
			operation: 'getAll',
			returnAll: true,
			filters: { jobIds: some.join(', ') },
		});
		expect(byIds.items.map((item) => item.json.id).sort()).toEqual([...some].sort());
	});

	test('status THROTTLED and a configuration from the locator filter the list', async () => {
		const saved = await rig.api.post('/api/v1/beta/configurations', {
			name: 'throttle-test',
			parameters: { product_type: 'extract_v2', data_schema: { type: 'object', properties: { total: { type: 'number' } } } },
		});
		rig.emulator.configure({ maxConcurrentJobs: 1 });
		const slow = rig.emulator.addFile('slow.pdf', await slowPdf(3000));
		const ids: string[] = [];
		for (let index = 0; index < 3; index++) {
			const created = await rig.api.post('/api/v2/extract', { file_input: slow.id, configuration_id: saved.body.id });
			ids.push(created.body.id);
		}
		// New jobs show PENDING for a moment before the scheduler holds them back as THROTTLED.
		await rig.emulator.waitForJob(ids[2], { statuses: ['THROTTLED'] });
		await rig.emulator.waitForJob(ids[1], { statuses: ['THROTTLED'] });
		const throttled = await rig.run({
			resource: 'extractJob',
			operation: 'getAll',
			returnAll: true,
			filters: { status: 'THROTTLED', configuration: { __rl: true, mode: 'list', value: saved.body.id } },
		});
		expect(throttled.error).toBeUndefined();
		expect(throttled.items.map((item) => item.json.status)).toEqual(['THROTTLED', 'THROTTLED']);
		expect(throttled.items.every((item) => item.json.configuration_id === saved.body.id)).toBe(true);
		for (const id of ids) await rig.api.post(`/api/v2/extract/${id}/cancel`);
	});
});

describe('Cancel and Delete', () => {
	test('Cancel stops a running job: the node outputs it CANCELLED and the emulator shows it so', async () => {
		const created = await rig.run(
			{ resource: 'extractJob', operation: 'create', inputType: 'binary', binaryPropertyName: 'data', ...schemaParameters },
			[binaryItem(await slowPdf(5000), 'slow.pdf', 'application/pdf')],
		);
		const jobId = String(created.items[0].json.id);
		await rig.emulator.waitForJob(jobId, { statuses: ['RUNNING'] });
		const { items, error } = await rig.run({ resource: 'extractJob', operation: 'cancel', jobId });
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ id: jobId, status: 'CANCELLED' });
		expect(rig.emulator.job(jobId)?.status).toBe('CANCELLED');
	});

	test('Cancel of a finished job says it already finished and points to Delete, keeping the job ID', async () => {
		const [job] = rig.emulator.seedJobs([{ extract_result: { total: 1 } }]);
		rig.emulator.resetStats();
		const { error } = await rig.run({ resource: 'extractJob', operation: 'cancel', jobId: job.id });
		expect(rig.count('POST /api/v2/extract/{job_id}/cancel')).toBe(0);
		expect(error?.message).toBe(`Extract job ${job.id} is already COMPLETED, so it cannot be cancelled`);
		expect(error?.description).toContain('Extract Job › Delete');
		const { items } = await rig.run({ resource: 'extractJob', operation: 'cancel', jobId: job.id }, [{ json: {} }], {
			onError: 'continueRegularOutput',
		});
		expect(items[0].json.job_id).toBe(job.id);
	});

	test('Delete removes a finished job; deleting it again is a 404 that says it may be gone', async () => {
		const [job] = rig.emulator.seedJobs([{ extract_result: { total: 1 } }]);
		const { items, error } = await rig.run({ resource: 'extractJob', operation: 'delete', jobId: job.id });
		expect(error).toBeUndefined();
		expect(items[0].json).toEqual({ job_id: job.id, deleted: true });
		expect(rig.emulator.job(job.id)).toBeUndefined();
		const again = await rig.run({ resource: 'extractJob', operation: 'delete', jobId: job.id });
		expect(again.error?.message).toContain('404');
		expect(again.error?.description).toContain('already be deleted');
	});

	test('Delete of a running job is refused at once with a clear error, and the job is left alone', async () => {
		const slow = rig.emulator.addFile('slow-delete.pdf', await slowPdf(4000));
		const created = await rig.api.post('/api/v2/extract', {
			file_input: slow.id,
			configuration: { data_schema: { type: 'object', properties: { total: { type: 'number' } } } },
		});
		rig.emulator.resetStats();
		const started = Date.now();
		const { error } = await rig.run({ resource: 'extractJob', operation: 'delete', jobId: created.body.id });
		expect(Date.now() - started).toBeLessThan(2000);
		expect(error?.message).toMatch(new RegExp(`^Extract job ${created.body.id} is still (PENDING|RUNNING), so it cannot be deleted yet$`));
		expect(error?.description).toContain('Extract Job › Cancel');
		expect(rig.count('DELETE /api/v2/extract/{job_id}')).toBe(0);
		expect(rig.emulator.job(created.body.id)).toBeDefined();
		await rig.api.post(`/api/v2/extract/${created.body.id}/cancel`);
	});
});
