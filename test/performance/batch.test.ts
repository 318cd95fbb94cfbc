/**
 * Extract Data over a batch, through real n8n-core workflows against the emulator: items run concurrently up to
 * Max Concurrent Jobs, yet output order, pairedItem and Continue On Fail behave exactly as one at a time.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Emulator } from '../../emulator/server';
import { DEFAULT_MAX_CONCURRENT_JOBS } from '../../nodes/LlamaExtract/descriptions/batchOptions';
import { extractLiteParameters, invoiceDocument } from '../harness/documents';
import { useEmulator, type EmulatorCredentials } from '../harness/emulator';
import { binaryItem, runNode } from '../harness/n8n';

let emulator: Emulator;
let credentials: EmulatorCredentials;
const running = useEmulator({ jobMs: 300 });
beforeAll(() => ({ emulator, credentials } = running));

/** The most intervals that overlap at any instant. */
function maxOverlap(intervals: Array<[number, number]>): number {
	const edges = intervals.flatMap(([start, end]) => [
		[start, 1],
		[end, -1],
	]);
	// Ends before starts at the same instant: a slot freed and reused at once is not an overlap.
	edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
	let open = 0;
	let most = 0;
	for (const [, step] of edges) {
		open += step;
		most = Math.max(most, open);
	}
	return most;
}

const parameters = extractLiteParameters;

function invoiceItems(count: number, markers: (index: number) => string[] = () => []) {
	return Array.from({ length: count }, (_, index) =>
		binaryItem(
			invoiceDocument(index, markers(index)),
			`invoice-${index}.txt`,
			'text/plain',
			'data',
			{ index },
		),
	);
}

/** [created, completed] of every extract job, in creation order. */
function jobIntervals(): Array<[number, number]> {
	return emulator
		.jobs()
		.filter((job) => job.kind === 'extract')
		.map((job) => [job.createdAtMs, job.completedAtMs ?? Number.POSITIVE_INFINITY]);
}

describe('Extract Data over a batch', () => {
	test('output order and pairedItem follow the input even when later items finish first', async () => {
		const count = 6;
		// Item 0 takes longest, item 5 is quickest.
		const input = invoiceItems(count, (index) => [`EMULATOR_JOB_MS=${(count - index) * 150}`]);
		const { items, error } = await runNode({
			parameters: parameters({ maxConcurrency: count }),
			credentials,
			input,
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(count);
		items.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json.invoice_number).toBe(`PERF-${1000 + index}`);
		});
		// The test has teeth: on the server the jobs really did finish in reverse order.
		const completedAt = items.map((item) => {
			const jobId = (item.json._llamaextract as IDataObject).job_id as string;
			return emulator.job(jobId)!.completedAtMs!;
		});
		expect(completedAt[count - 1]).toBeLessThan(completedAt[0]);
	});

	test('never has more than Max Concurrent Jobs in flight, and does run them side by side', async () => {
		emulator.config({ jobMs: 400 });
		const { items, error } = await runNode({
			parameters: parameters({ maxConcurrency: 3 }),
			credentials,
			input: invoiceItems(9),
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(9);
		expect(maxOverlap(jobIntervals())).toBe(3);
	});

	test(`runs ${DEFAULT_MAX_CONCURRENT_JOBS} at once by default, with one upload and one create per item and shared polls`, async () => {
		emulator.config({ jobMs: 1500 });
		const count = DEFAULT_MAX_CONCURRENT_JOBS + 5;
		const { items, error } = await runNode({
			parameters: parameters(),
			credentials,
			input: invoiceItems(count),
		});
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.invoice_number)).toEqual(
			Array.from({ length: count }, (_, index) => `PERF-${1000 + index}`),
		);
		expect(maxOverlap(jobIntervals())).toBe(DEFAULT_MAX_CONCURRENT_JOBS);
		const byRoute = emulator.stats().byRoute;
		expect(byRoute['POST /api/v1/beta/files']).toBe(count);
		expect(byRoute['POST /api/v2/extract']).toBe(count);
		expect(byRoute['GET /api/v2/extract/{job_id}']).toBeUndefined();
		// Two waves of 1.5 s jobs at one list request per round: a handful of polls for 25 documents.
		expect(byRoute['GET /api/v2/extract']).toBeLessThan(count);
	});

	test('Continue On Fail turns each failed item into its own error item, in place, and the rest succeed', async () => {
		const input = invoiceItems(5, (index) => (index === 2 ? ['EMULATOR_FAIL'] : []));
		input[1] = { json: { index: 1 }, binary: { attachment: input[1].binary!.data } };
		const { items, error } = await runNode({
			parameters: parameters({ maxConcurrency: 5 }),
			credentials,
			input,
			onError: 'continueRegularOutput',
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(5);
		items.forEach((item, index) => expect(item.pairedItem).toEqual({ item: index }));
		expect(items[0].json.invoice_number).toBe('PERF-1000');
		expect(items[1].json.error).toMatch(/Input Binary Field "data"/);
		expect(items[1].json.job_id).toBeUndefined();
		const failedJob = emulator.jobs().find((job) => job.status === 'FAILED');
		expect(items[2].json.error).toMatch(/FAILED/);
		expect(items[2].json.job_id).toBe(failedJob?.id);
		expect(items[3].json.invoice_number).toBe('PERF-1003');
		expect(items[4].json.invoice_number).toBe('PERF-1004');
	});

	test('without Continue On Fail the run fails on the first failed item, naming it and its job', async () => {
		const input = invoiceItems(4, (index) => (index === 2 ? ['EMULATOR_FAIL'] : []));
		const { error, run } = await runNode({
			parameters: parameters({ maxConcurrency: 4 }),
			credentials,
			input,
		});
		expect(run.status).toBe('error');
		expect(error?.message).toMatch(/FAILED/);
		expect(error?.context?.itemIndex).toBe(2);
		const failedJob = emulator.jobs().find((job) => job.status === 'FAILED');
		expect(error?.message).toContain(failedJob!.id);
	});
});
