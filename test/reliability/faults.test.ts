/* eslint-disable no-console */
/**
 * The fault suite: real workflows (n8n-core WorkflowExecute → LlamaExtract → emulator over HTTP) while the emulator
 * rate-limits, fails in bursts, drops connections before and after doing the work, answers slowly and fails jobs.
 * Nothing may be lost, nothing created twice, and every item ends as its own result or a clear error.
 */
import type { Emulator } from '../../emulator/server';
import type { FaultRule } from '../../emulator/faults';
import { makeInvoice, makeInvoiceText, type SampleInvoice } from '../../emulator/samples';
import { ApiClient } from '../harness/api';
import { API_KEY, emulatorCredentials, useEmulator } from '../harness/emulator';
import { errorOf, LeakWatch, LogCapture } from '../harness/logs';
import { binaryItem, runNode } from '../harness/n8n';

const SCHEMA = {
	type: 'object',
	properties: {
		vendor: { type: 'string', description: 'Company that issued the invoice' },
		invoice_number: { type: 'string', description: 'Invoice identifier' },
		total: { type: 'number', description: 'Amount due' },
	},
};

const DOCUMENTS = 100;

function invoice(index: number): SampleInvoice {
	return makeInvoice({
		vendor: `Vendor ${String(index).padStart(3, '0')} Ltd`,
		invoiceNumber: `INV-${String(index).padStart(4, '0')}`,
		invoiceDate: '2026-01-15',
		dueDate: '2026-02-14',
		currency: 'EUR',
		lineItems: [{ description: 'Consulting', quantity: 1 + (index % 4), unitPrice: 100 + index }],
	});
}

const parameters = {
	resource: 'extractJob',
	operation: 'extract',
	inputType: 'binary',
	binaryPropertyName: 'data',
	schemaSource: 'jsonSchema',
	jsonSchema: JSON.stringify(SCHEMA),
	options: { keepBinary: false },
};

/**
 * Deterministic rules come first, so each fault kind surely happens at least once; the random ones after them
 * make up the storm. 429s come with a short `retry-after-ms` (as LlamaCloud's SDKs read it), resets and most
 * 5xx with no hint at all, so the exponential backoff runs too.
 */
const STORM: FaultRule[] = [
	{ id: 'create-reset-after', route: 'POST /api/v2/extract', after: 5, times: 2, action: { type: 'reset', when: 'after' } },
	{ id: 'create-reset-before', route: 'POST /api/v2/extract', after: 20, times: 1, action: { type: 'reset', when: 'before' } },
	{ id: 'create-500-burst', route: 'POST /api/v2/extract', after: 40, times: 3, burst: 3, action: { type: 'status', status: 500 } },
	{ id: 'upload-reset-after', route: 'POST /api/v1/beta/files', after: 8, times: 2, action: { type: 'reset', when: 'after' } },
	{ id: 'upload-502-burst', route: 'POST /api/v1/beta/files', after: 30, times: 2, burst: 2, action: { type: 'status', status: 502 } },
	{ id: 'poll-503-burst', route: 'GET /api/v2/extract', after: 3, times: 3, burst: 3, action: { type: 'status', status: 503, retryAfterMs: 40 } },
	{ id: 'rate-limit', route: '*', probability: 0.3, action: { type: 'status', status: 429, retryAfterMs: 25 } },
	{ id: 'random-5xx', route: '*', probability: 0.03, burst: 2, action: { type: 'status', status: 502 } },
	{ id: 'random-reset-after', route: 'POST *', probability: 0.03, action: { type: 'reset', when: 'after' } },
	{ id: 'random-reset-before', route: '*', probability: 0.02, action: { type: 'reset', when: 'before' } },
	{ id: 'slow', route: '*', probability: 0.1, action: { type: 'delay', ms: 60 } },
];

let emulator: Emulator;
const summary: string[] = [];
const logs = new LogCapture();
const watch = new LeakWatch();

beforeAll(() => logs.install());
const running = useEmulator({ jobMs: 200 });
beforeAll(() => ({ emulator } = running));

afterAll(() => {
	logs.uninstall();
	if (summary.length) console.info(summary.join('\n'));
});

describe('fault suite', () => {
	test('100 documents under 30% 429s, 5xx bursts, resets and failing jobs: none lost, none duplicated', async () => {
		const invoices = Array.from({ length: DOCUMENTS }, (_, index) => invoice(index));
		const input = invoices.map((doc, index) =>
			binaryItem(Buffer.from(makeInvoiceText(doc)), `invoice-${index}.txt`, 'text/plain'),
		);
		emulator.faults.configure({
			seed: 20260901,
			rules: STORM,
			jobs: [{ id: 'failing-jobs', outcome: 'fail', probability: 0.05, errorMessage: 'Document could not be read' }],
		});
		const adoptedBefore = logs.matching(/had gone through/).length;

		const startedAt = Date.now();
		const { items, error } = watch.record(
			await runNode({
				parameters,
				credentials: emulatorCredentials(emulator.url),
				input,
				onError: 'continueRegularOutput',
			}),
		);
		const elapsedMs = Date.now() - startedAt;
		const faults = emulator.faults.snapshot();
		emulator.faults.clear();

		// No item lost: one output per input, in order, each paired to its source.
		expect(error).toBeUndefined();
		expect(items).toHaveLength(DOCUMENTS);
		expect(items.map((item) => item.pairedItem)).toEqual(invoices.map((_, item) => ({ item })));

		// The storm really happened: every deterministic rule fired, and the random ones fired often.
		const fired = Object.fromEntries(faults.rules.map((rule) => [rule.id, rule.fired]));
		expect(fired).toEqual(
			expect.objectContaining({
				'create-reset-after': 2,
				'create-reset-before': 1,
				'create-500-burst': 3,
				'upload-reset-after': 2,
				'upload-502-burst': 2,
				'poll-503-burst': 3,
			}),
		);
		const stats = emulator.stats();
		expect(fired['rate-limit']).toBeGreaterThan(0.2 * stats.total);
		expect(fired['random-5xx'] + fired['random-reset-after'] + fired['random-reset-before']).toBeGreaterThan(5);
		const failedJobs = faults.jobs[0].fired;

		// Every item is its own document's result, or a clear error that keeps its job ID.
		const jobs = emulator.jobs().filter((job) => job.kind === 'extract');
		const jobsById = new Map(jobs.map((job) => [job.id, job]));
		let results = 0;
		let errors = 0;
		items.forEach((item, index) => {
			const failure = errorOf(item);
			if (failure) {
				errors++;
				expect(failure.description?.length).toBeGreaterThan(20);
				const jobId = (item.json as { job_id?: string }).job_id;
				expect(jobId).toMatch(/^ext-/);
				expect(jobsById.get(jobId!)?.status).toBe('FAILED');
				expect(failure.error).toBe(`Extraction job ${jobId} ended FAILED: Document could not be read`);
				return;
			}
			results++;
			const json = item.json as Record<string, unknown>;
			expect(json.vendor).toBe(invoices[index].vendor);
			expect(json.invoice_number).toBe(invoices[index].invoiceNumber);
			expect(json.total).toBe(invoices[index].total);
			const meta = json._llamaextract as { job_id: string };
			expect(jobsById.get(meta.job_id)?.status).toBe('COMPLETED');
		});
		expect(results + errors).toBe(DOCUMENTS);
		expect(errors).toBe(failedJobs);

		// Nothing created twice: one upload per document, one job per uploaded file, one item per job.
		const files = await new ApiClient(emulator, API_KEY).read<{ items: Array<{ id: string; name: string }> }>(
			'/api/v1/beta/files',
			{ query: { page_size: 1000 } },
		);
		const uploadsPerName = new Map<string, number>();
		for (const file of files.items) uploadsPerName.set(file.name, (uploadsPerName.get(file.name) ?? 0) + 1);
		expect(uploadsPerName.size).toBe(DOCUMENTS);
		expect([...uploadsPerName.values()].every((count) => count === 1)).toBe(true);
		const jobsPerFile = new Map<string, number>();
		for (const job of jobs) jobsPerFile.set(job.fileInput!, (jobsPerFile.get(job.fileInput!) ?? 0) + 1);
		expect(jobs).toHaveLength(DOCUMENTS);
		expect([...jobsPerFile.values()].every((count) => count === 1)).toBe(true);
		const itemJobIds = items.map(
			(item) => (item.json as { job_id?: string }).job_id ?? (item.json._llamaextract as { job_id: string }).job_id,
		);
		expect(new Set(itemJobIds).size).toBe(DOCUMENTS);

		// The creates and uploads that were answered by a reset after the work was done were adopted, not resent.
		const adopted = logs.matching(/had gone through/).length - adoptedBefore;
		expect(adopted).toBeGreaterThanOrEqual(fired['create-reset-after'] + fired['upload-reset-after']);

		summary.push(
			`fault suite: ${DOCUMENTS} documents in ${elapsedMs} ms, ${stats.total} requests, ${fired['rate-limit']} × 429, ` +
				`${adopted} adopted after a lost answer, ${results} results, ${errors} failed jobs`,
		);
		expect(elapsedMs).toBeLessThan(30_000);
	});
});

describe('secrets', () => {
	test('the sentinel API key never appears in any output item, error or log line', () => {
		expect(watch.recorded).toBeGreaterThan(0);
		expect(logs.lines.length).toBeGreaterThan(0);
		expect(watch.findLeaks(API_KEY, logs)).toEqual([]);
	});
});
