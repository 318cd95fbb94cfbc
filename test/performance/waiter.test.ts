/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/**
 * BatchJobWaiter against the emulator, inside real n8n-core executions: one list request per round for the whole
 * batch, results taken from that list or fetched once, paging, timeouts, cancellation and a new job's early poll.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { Emulator } from '../../emulator/server';
import { useEmulator, type EmulatorCredentials } from '../harness/emulator';
import { expectedInvoiceResult } from '../../emulator/samples';
import type { ExtractV2Job } from '../../nodes/shared/contract';
import {
	BatchJobWaiter,
	createExtractJob,
	type WaitOutcome,
	type WaiterSettings,
} from '../../nodes/shared/jobs';
import { getConnection } from '../../nodes/shared/transport';
import { batchInvoice, inExecution, INVOICE_SCHEMA_LITE, invoiceDocument } from './fixtures';

const API_KEY = 'llx-test-performance-waiter';
const LIST = 'GET /api/v2/extract';
const GET_ONE = 'GET /api/v2/extract/{job_id}';

let emulator: Emulator;
let credentials: EmulatorCredentials;
useEmulator({ apiKey: API_KEY, jobMs: 300 }, (started) => ({ emulator, credentials } = started));

function addDocuments(count: number, markers: (index: number) => string[] = () => []): string[] {
	return Array.from(
		{ length: count },
		(_, index) =>
			emulator.addFile(`invoice-${index}.txt`, invoiceDocument(index, markers(index)), {
				mimeType: 'text/plain',
			}).id,
	);
}

async function createJobs(ctx: IExecuteFunctions, fileIds: string[]): Promise<ExtractV2Job[]> {
	const connection = await getConnection.call(ctx);
	return await Promise.all(
		fileIds.map(
			async (fileInput, itemIndex) =>
				await createExtractJob.call(
					ctx,
					{ fileInput, configuration: { data_schema: INVOICE_SCHEMA_LITE }, itemIndex },
					connection,
				),
		),
	);
}

interface WaitedBatch {
	outcomes: Array<PromiseSettledResult<WaitOutcome>>;
	pollCount: number;
	jobFetchCount: number;
	jobs: ExtractV2Job[];
}

/** Creates one job per file in an execution and waits for all of them with one waiter. */
async function waitForBatch(
	fileIds: string[],
	settings: WaiterSettings = {},
	timeoutMs = 30_000,
): Promise<WaitedBatch> {
	const { value, error } = await inExecution(credentials, async (ctx) => {
		const jobs = await createJobs(ctx, fileIds);
		emulator.resetStats();
		const waiter = new BatchJobWaiter(ctx, await getConnection.call(ctx), settings);
		const outcomes = await Promise.allSettled(
			jobs.map(async (job, index) => await waiter.wait(job, index, timeoutMs)),
		);
		return { outcomes, pollCount: waiter.pollCount, jobFetchCount: waiter.jobFetchCount, jobs };
	});
	expect(error).toBeUndefined();
	return value!;
}

function finalJobs(batch: WaitedBatch): ExtractV2Job[] {
	return batch.outcomes.map((outcome) => {
		if (outcome.status !== 'fulfilled') throw outcome.reason;
		expect(outcome.value.kind).toBe('final');
		return outcome.value.job;
	});
}

describe('BatchJobWaiter', () => {
	test('one list request per round serves the whole batch, and each result arrives with it', async () => {
		const batch = await waitForBatch(addDocuments(12));
		const jobs = finalJobs(batch);
		jobs.forEach((job, index) => {
			expect(job.id).toBe(batch.jobs[index].id);
			expect(job.status).toBe('COMPLETED');
			const expected = expectedInvoiceResult(batchInvoice(index));
			expect(job.extract_result).toMatchObject({
				vendor: expected.vendor,
				invoice_number: expected.invoice_number,
			});
		});
		const stats = emulator.stats();
		expect(stats.byRoute[LIST]).toBe(batch.pollCount);
		// 12 jobs of 0.3 s: a couple of shared rounds, never one poll per job.
		expect(batch.pollCount).toBeGreaterThanOrEqual(1);
		expect(batch.pollCount).toBeLessThan(12);
		expect(stats.byRoute[GET_ONE]).toBeUndefined();
		expect(batch.jobFetchCount).toBe(0);
	});

	test('splits the IDs over several list requests per round, `idsPerRequest` at a time', async () => {
		emulator.config({ jobMs: 200 });
		const batch = await waitForBatch(addDocuments(7), { idsPerRequest: 3, minIntervalMs: 400 });
		expect(finalJobs(batch).every((job) => job.status === 'COMPLETED')).toBe(true);
		// Every job is done by the first round (0.4 s > 0.2 s): 3 + 3 + 1 IDs.
		expect(batch.pollCount).toBe(3);
		expect(emulator.stats().byRoute[LIST]).toBe(3);
	});

	test('follows next_page_token when the server returns fewer jobs per page than asked for', async () => {
		emulator.config({ jobMs: 200 });
		// The emulator caps list pages at 100 items; one request carries 120 IDs.
		const batch = await waitForBatch(addDocuments(120), {
			idsPerRequest: 120,
			minIntervalMs: 1500,
		});
		expect(finalJobs(batch)).toHaveLength(120);
		expect(batch.pollCount).toBe(2);
		expect(emulator.stats().byRoute[LIST]).toBe(2);
	});

	test('fetches each result once with a GET when an expand is needed that the list cannot give', async () => {
		const batch = await waitForBatch(addDocuments(4), { expand: ['usage'] });
		const jobs = finalJobs(batch);
		for (const job of jobs)
			expect(job.usage).toEqual(expect.objectContaining({ credits: expect.any(Number) }));
		expect(emulator.stats().byRoute[GET_ONE]).toBe(4);
		expect(batch.jobFetchCount).toBe(4);
	});

	test('a completed job listed with a null result is asked for once by GET (a list may leave results out)', async () => {
		const [seeded, normal] = emulator.seedJobs([
			{ complete_after_ms: 300, extract_result: null },
			{ complete_after_ms: 300, extract_result: { vendor: 'Listed' } },
		]);
		const { value } = await inExecution(credentials, async (ctx) => {
			emulator.resetStats();
			const waiter = new BatchJobWaiter(ctx, await getConnection.call(ctx));
			return await Promise.all([waiter.wait(seeded, 0, 10_000), waiter.wait(normal, 1, 10_000)]);
		});
		expect(value![0]).toMatchObject({
			kind: 'final',
			job: { id: seeded.id, status: 'COMPLETED', extract_result: null },
		});
		expect(value![1]).toMatchObject({
			kind: 'final',
			job: { id: normal.id, extract_result: { vendor: 'Listed' } },
		});
		expect(emulator.stats().byRoute[GET_ONE]).toBe(1);
	});

	test('asks for a job alone when the list does not return it, and fails only that job if it is gone', async () => {
		const fileIds = addDocuments(3, (index) => (index === 1 ? ['EMULATOR_STALL'] : []));
		const { value } = await inExecution(credentials, async (ctx) => {
			const jobs = await createJobs(ctx, fileIds);
			const connection = await getConnection.call(ctx);
			// The stalled job disappears (deleted elsewhere) before the waiter first polls.
			await ctx.helpers.httpRequestWithAuthentication.call(ctx, 'llamaCloudApi', {
				method: 'DELETE',
				url: `${connection.baseUrl}/api/v2/extract/${jobs[1].id}?force=true`,
			});
			const waiter = new BatchJobWaiter(ctx, connection);
			return await Promise.allSettled(
				jobs.map(async (job, index) => await waiter.wait(job, index, 30_000)),
			);
		});
		expect(value![0]).toMatchObject({
			status: 'fulfilled',
			value: { kind: 'final', job: { status: 'COMPLETED' } },
		});
		expect(value![2]).toMatchObject({
			status: 'fulfilled',
			value: { kind: 'final', job: { status: 'COMPLETED' } },
		});
		expect(value![1].status).toBe('rejected');
		const reason = (value![1] as PromiseRejectedResult).reason as {
			httpCode?: string;
			message: string;
		};
		expect(reason.httpCode).toBe('404');
	});

	test('a job that outlives its timeout comes back as timeout with its last state; the others finish', async () => {
		const fileIds = addDocuments(2, (index) => (index === 0 ? ['EMULATOR_STALL'] : []));
		const { value } = await inExecution(credentials, async (ctx) => {
			const jobs = await createJobs(ctx, fileIds);
			const waiter = new BatchJobWaiter(ctx, await getConnection.call(ctx));
			const started = Date.now();
			const outcomes = await Promise.all(
				jobs.map(async (job, index) => await waiter.wait(job, index, 1200)),
			);
			return { jobs, outcomes, elapsed: Date.now() - started };
		});
		const { jobs, outcomes, elapsed } = value!;
		expect(outcomes[0].kind).toBe('timeout');
		expect(outcomes[0].job.id).toBe(jobs[0].id);
		expect(outcomes[0].job.status).toBe('RUNNING');
		expect(outcomes[1]).toMatchObject({
			kind: 'final',
			job: { id: jobs[1].id, status: 'COMPLETED' },
		});
		// It waited for the deadline, not for ever.
		expect(elapsed).toBeGreaterThanOrEqual(1200);
		expect(elapsed).toBeLessThan(10_000);
	});

	test('a job registered while the loop sleeps long for older jobs is polled soon, not at the old wake-up', async () => {
		const [stalled, quick] = addDocuments(2, (index) => (index === 0 ? ['EMULATOR_STALL'] : []));
		const { value } = await inExecution(credentials, async (ctx) => {
			const [old, fresh] = await createJobs(ctx, [stalled, quick]);
			// Age fraction 1: the old job is polled at ~0.1, 0.2, 0.4, 0.8, 1.6, 3.2 s.
			const waiter = new BatchJobWaiter(ctx, await getConnection.call(ctx), {
				minIntervalMs: 100,
				ageFraction: 1,
				maxIntervalMs: 10_000,
			});
			const oldDone = waiter.wait(old, 0, 4000);
			await new Promise((resolve) => setTimeout(resolve, 1700));
			// `fresh` finished on the server long ago; the waiter learns it from its first poll.
			const registeredAt = Date.now();
			const freshOutcome = await waiter.wait(fresh, 1, 6000);
			const latency = Date.now() - registeredAt;
			await oldDone;
			return { freshOutcome, latency };
		});
		expect(value!.freshOutcome).toMatchObject({ kind: 'final', job: { status: 'COMPLETED' } });
		// Without waking, the next poll would come at ~3.2 s, 1.5 s after registering.
		expect(value!.latency).toBeLessThan(900);
	});

	test('a list request that fails for good fails every waiting job', async () => {
		const fileIds = addDocuments(2);
		emulator.faults.addRule({
			route: 'GET /api/v2/extract',
			action: { type: 'status', status: 400 },
		});
		const batch = await waitForBatch(fileIds);
		for (const outcome of batch.outcomes) {
			expect(outcome.status).toBe('rejected');
			expect(((outcome as PromiseRejectedResult).reason as { httpCode?: string }).httpCode).toBe(
				'400',
			);
		}
	});

	test('a result that cannot be read before the deadline ends the wait with that error, not as still running', async () => {
		emulator.faults.addRule({
			route: GET_ONE,
			action: { type: 'status', status: 503, headers: { 'x-should-retry': 'false' } },
		});
		const batch = await waitForBatch(addDocuments(2), { expand: ['usage'] }, 2500);
		// The jobs finished; only their usage could not be fetched. Each read was tried again on later rounds.
		expect(emulator.stats().byRoute[GET_ONE]).toBeGreaterThanOrEqual(4);
		for (const outcome of batch.outcomes) {
			expect(outcome.status).toBe('rejected');
			expect(((outcome as PromiseRejectedResult).reason as { httpCode?: string }).httpCode).toBe('503');
		}
	});

	test('stops polling when the execution is cancelled', async () => {
		const fileIds = addDocuments(3, () => ['EMULATOR_STALL']);
		const { run, thrown } = await inExecution(
			credentials,
			async (ctx) => {
				const jobs = await createJobs(ctx, fileIds);
				const waiter = new BatchJobWaiter(ctx, await getConnection.call(ctx), {
					minIntervalMs: 100,
					maxIntervalMs: 100,
				});
				return await Promise.all(
					jobs.map(async (job, index) => await waiter.wait(job, index, 30_000)),
				);
			},
			{ cancelAfterMs: 1000 },
		);
		expect(run.status).toBe('canceled');
		await new Promise((resolve) => setTimeout(resolve, 300));
		const pollsAfterCancel = emulator.stats().byRoute[LIST] ?? 0;
		expect(pollsAfterCancel).toBeGreaterThan(0);
		await new Promise((resolve) => setTimeout(resolve, 800));
		// At 100 ms intervals a live loop would have polled ~8 more times.
		expect(emulator.stats().byRoute[LIST] ?? 0).toBe(pollsAfterCancel);
		if (thrown) expect((thrown as Error).message).toMatch(/cancel/i);
	});
});
