/**
 * BatchJobWaiter against the emulator, inside real n8n-core executions: one list request per round for the whole
 * batch, results taken from that list or fetched once, paging, timeouts, cancellation and a new job's early poll.
 * Where a test is about when the waiter polls, it runs on a ManualClock and seeded jobs the test finishes, so no
 * assertion depends on the wall clock.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { Emulator } from '../../emulator/server';
import { batchInvoice, INVOICE_SCHEMA_LITE, invoiceDocument } from '../harness/documents';
import { useEmulator, type EmulatorCredentials } from '../harness/emulator';
import { inExecution } from '../harness/n8n';
import { expectedInvoiceResult } from '../../emulator/samples';
import { LlamaCloudClient } from '../../nodes/shared/client';
import type { ExtractV2Job } from '../../nodes/shared/contract';
import type { WaitOutcome, WaiterSettings } from '../../nodes/shared/waiter';
import { ManualClock } from '../harness/clock';

const LIST = 'GET /api/v2/extract';
const GET_ONE = 'GET /api/v2/extract/{job_id}';

let emulator: Emulator;
let credentials: EmulatorCredentials;
const running = useEmulator({ jobMs: 300 });
beforeAll(() => ({ emulator, credentials } = running));

function addDocuments(count: number, markers: (index: number) => string[] = () => []): string[] {
	return Array.from(
		{ length: count },
		(_, index) =>
			emulator.addFile(`invoice-${index}.txt`, invoiceDocument(index, markers(index)), {
				mimeType: 'text/plain',
			}).id,
	);
}

type Client = LlamaCloudClient<IExecuteFunctions>;

async function createJobs(client: Client, fileIds: string[]): Promise<ExtractV2Job[]> {
	return await Promise.all(
		fileIds.map(
			async (fileInput, itemIndex) =>
				await client.createJob({ fileInput, configuration: { data_schema: INVOICE_SCHEMA_LITE }, itemIndex }),
		),
	);
}

/** Seeded jobs that run until the test finishes them (`emulator.finishNow`). */
function seedRunningJobs(count: number, extra: Record<string, unknown> = {}): ExtractV2Job[] {
	return emulator.seedJobs(Array.from({ length: count }, () => ({ complete_after_ms: 3_600_000, ...extra })));
}

/** Waits for seeded jobs with one waiter on a ManualClock, letting virtual time pass until every wait settles. */
async function waitOnClock(
	jobs: ExtractV2Job[],
	settings: WaiterSettings,
	timeoutMs: number,
): Promise<WaitedBatch & { clock: ManualClock; startedAt: number }> {
	const clock = new ManualClock();
	const startedAt = clock.now();
	const { value, error } = await inExecution(credentials, async (ctx) => {
		emulator.resetStats();
		const waiter = LlamaCloudClient.open(ctx).waiter({ ...settings, clock });
		const settled = Promise.allSettled(jobs.map(async (job, index) => await waiter.wait(job, index, timeoutMs)));
		await clock.runUntil(settled);
		return { outcomes: await settled, pollCount: waiter.pollCount, jobFetchCount: waiter.jobFetchCount, jobs };
	});
	expect(error).toBeUndefined();
	return { ...value!, clock, startedAt };
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
		const client = LlamaCloudClient.open(ctx);
		const jobs = await createJobs(client, fileIds);
		emulator.resetStats();
		const waiter = client.waiter(settings);
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
		const jobs = seedRunningJobs(7, { extract_result: { vendor: 'Seeded' } });
		emulator.finishNow(jobs.map((job) => job.id));
		const batch = await waitOnClock(jobs, { idsPerRequest: 3, minIntervalMs: 400 }, 30_000);
		expect(finalJobs(batch).every((job) => job.status === 'COMPLETED')).toBe(true);
		// Every job is done by the first round, which goes once the minimum interval has passed: 3 + 3 + 1 IDs.
		expect(batch.clock.now() - batch.startedAt).toBe(400);
		expect(batch.pollCount).toBe(3);
		expect(emulator.stats().byRoute[LIST]).toBe(3);
	});

	test('follows next_page_token when the server returns fewer jobs per page than asked for', async () => {
		const jobs = seedRunningJobs(120, { extract_result: { vendor: 'Seeded' } });
		emulator.finishNow(jobs.map((job) => job.id));
		// The emulator caps list pages at 100 items; one request carries 120 IDs.
		const batch = await waitOnClock(jobs, { idsPerRequest: 120, minIntervalMs: 1500 }, 30_000);
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
		const [seeded, normal] = seedRunningJobs(1, { extract_result: null }).concat(
			seedRunningJobs(1, { extract_result: { vendor: 'Listed' } }),
		);
		emulator.finishNow([seeded.id, normal.id]);
		const batch = await waitOnClock([seeded, normal], {}, 10_000);
		const value = batch.outcomes.map((outcome) => (outcome as PromiseFulfilledResult<WaitOutcome>).value);
		expect(value[0]).toMatchObject({
			kind: 'final',
			job: { id: seeded.id, status: 'COMPLETED', extract_result: null },
		});
		expect(value[1]).toMatchObject({
			kind: 'final',
			job: { id: normal.id, extract_result: { vendor: 'Listed' } },
		});
		expect(emulator.stats().byRoute[GET_ONE]).toBe(1);
	});

	test('asks for a job alone when the list does not return it, and fails only that job if it is gone', async () => {
		const fileIds = addDocuments(3, (index) => (index === 1 ? ['EMULATOR_STALL'] : []));
		const { value } = await inExecution(credentials, async (ctx) => {
			const client = LlamaCloudClient.open(ctx);
			const jobs = await createJobs(client, fileIds);
			// The stalled job disappears (deleted elsewhere) before the waiter first polls.
			await ctx.helpers.httpRequestWithAuthentication.call(ctx, 'llamaCloudApi', {
				method: 'DELETE',
				url: `${(await client.connect()).baseUrl}/api/v2/extract/${jobs[1].id}?force=true`,
			});
			const waiter = client.waiter();
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

	test('a job that outlives its timeout comes back as timeout with its last state, at its deadline; the others finish', async () => {
		const [stalled, done] = seedRunningJobs(2);
		emulator.finishNow([done.id]);
		const batch = await waitOnClock([stalled, done], {}, 1200);
		const [timedOut, finished] = batch.outcomes.map((outcome) => (outcome as PromiseFulfilledResult<WaitOutcome>).value);
		expect(timedOut).toMatchObject({ kind: 'timeout', job: { id: stalled.id } });
		expect(['PENDING', 'RUNNING']).toContain(timedOut.job.status);
		expect(finished).toMatchObject({ kind: 'final', job: { id: done.id, status: 'COMPLETED' } });
		// It waited exactly until the deadline, not for ever.
		expect(batch.clock.now() - batch.startedAt).toBe(1200);
	});

	test('a job registered while the loop sleeps long for older jobs is polled soon, not at the old wake-up', async () => {
		const [old, fresh] = seedRunningJobs(2);
		// `fresh` finished on the server long ago; the waiter learns it from its first poll.
		emulator.finishNow([fresh.id]);
		const clock = new ManualClock();
		const startedAt = clock.now();
		const { value, error } = await inExecution(credentials, async (ctx) => {
			// Age fraction 1: the old job is polled at 0.1, 0.2, 0.4, 0.8, 1.6, 3.2 s.
			const waiter = LlamaCloudClient.open(ctx).waiter({ minIntervalMs: 100, ageFraction: 1, maxIntervalMs: 10_000, clock });
			const oldDone = waiter.wait(old, 0, 4000);
			const oldPolls: number[] = [];
			let wakeAt = await clock.nextWakeUp();
			while (wakeAt - startedAt < 3200) {
				oldPolls.push(wakeAt - startedAt);
				clock.advanceTo(wakeAt);
				wakeAt = await clock.nextWakeUp();
			}
			// The loop now sleeps from 1.6 s until 3.2 s.
			const registeredAt = clock.now();
			const freshOutcome = waiter.wait(fresh, 1, 6000);
			const freshPollAt = await clock.nextWakeUp();
			clock.advanceTo(freshPollAt);
			const outcome = await freshOutcome;
			await clock.runUntil(oldDone);
			return { oldPolls, plannedWake: wakeAt - registeredAt, freshDelay: freshPollAt - registeredAt, outcome };
		});
		expect(error).toBeUndefined();
		expect(value!.oldPolls).toEqual([100, 200, 400, 800, 1600]);
		expect(value!.plannedWake).toBe(1600);
		// Woken for the new job: its first poll comes after the minimum interval, not 1.6 s later.
		expect(value!.freshDelay).toBe(100);
		expect(value!.outcome).toMatchObject({ kind: 'final', job: { id: fresh.id, status: 'COMPLETED' } });
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
		const jobs = seedRunningJobs(2);
		emulator.finishNow(jobs.map((job) => job.id));
		const batch = await waitOnClock(jobs, { expand: ['usage'] }, 2500);
		// The jobs finished; only their usage could not be fetched. Each read was tried again on later rounds.
		expect(emulator.stats().byRoute[GET_ONE]).toBeGreaterThanOrEqual(4);
		for (const outcome of batch.outcomes) {
			expect(outcome.status).toBe('rejected');
			expect(((outcome as PromiseRejectedResult).reason as { httpCode?: string }).httpCode).toBe('503');
		}
	});

	test('stops polling when the execution is cancelled', async () => {
		const jobs = seedRunningJobs(3);
		const clock = new ManualClock();
		let stop!: () => void;
		const stopped = new Promise<void>((resolve) => (stop = resolve));
		let waits: Promise<Array<PromiseSettledResult<WaitOutcome>>> | undefined;
		const execution = inExecution(
			credentials,
			async (ctx) => {
				emulator.resetStats();
				const waiter = LlamaCloudClient.open(ctx).waiter({ clock, minIntervalMs: 100, maxIntervalMs: 100 });
				waits = Promise.allSettled(jobs.map(async (job, index) => await waiter.wait(job, index, 30_000)));
				return await waits;
			},
			{ cancelWhen: stopped },
		);
		// Three rounds of polls, 100 ms apart on the test's clock; n8n cancels while the waiter sleeps before the fourth.
		for (let round = 0; round < 3; round++) clock.advanceTo(await clock.nextWakeUp());
		await clock.nextWakeUp();
		const pollsBeforeCancel = emulator.stats().byRoute[LIST] ?? 0;
		expect(pollsBeforeCancel).toBe(3);
		stop();
		const { run } = await execution;
		expect(run.status).toBe('canceled');
		// n8n's cancel signal ended the sleep: nobody sleeps on, every wait fails as cancelled, and time passing (a
		// live loop would poll 8 more times in 800 ms) sends nothing.
		expect(clock.sleeping).toBe(0);
		const outcomes = await waits!;
		expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
		for (const outcome of outcomes) {
			expect(((outcome as PromiseRejectedResult).reason as Error).message).toMatch(/cancelled/i);
		}
		clock.advanceTo(clock.now() + 800);
		expect(clock.sleeping).toBe(0);
		expect(emulator.stats().byRoute[LIST] ?? 0).toBe(pollsBeforeCancel);
	});
});
