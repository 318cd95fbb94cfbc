/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/**
 * The client's pacer against the emulator's rate limits, inside real n8n-core executions: a batch of uploads and
 * creates through one LlamaCloudClient, concurrently, as Extract Data sends them. Time is virtual: the pacer runs
 * on a ManualClock and the emulator on its own, and the test moves both to each wake-up together, so a free-tier
 * minute takes no wall time and no assertion depends on the machine's speed.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { ManualClock as EmulatorClock } from '../../emulator/clock';
import type { RateLimitSettings } from '../../emulator/limits';
import type { Emulator } from '../../emulator/server';
import { LlamaCloudClient } from '../../nodes/shared/client';
import { RequestPacer } from '../../nodes/shared/pacer';
import { SharedPacers } from '../../nodes/shared/sharedPacers';
import { ManualClock } from '../harness/clock';
import { INVOICE_SCHEMA_LITE, invoiceDocument } from '../harness/documents';
import { useEmulator, type TestEmulator } from '../harness/emulator';
import { inExecution } from '../harness/n8n';

const UPLOAD = 'POST /api/v1/beta/files';
const CREATE = 'POST /api/v2/extract';

const emulatorClock = new EmulatorClock();
const running = useEmulator({ jobMs: 3_600_000, clock: emulatorClock });
let emulator: Emulator;
let credentials: TestEmulator['credentials'];
beforeAll(() => ({ emulator, credentials } = running));

interface BatchRun {
	elapsedMs: number;
	fileIds: string[];
	jobIds: string[];
	refused: number;
	/** Refused in the first second: the collision of pacers that each start at the documented limit. */
	refusedAtStart: number;
	requests: number;
	/** Pacers made: one per process and project. */
	pacers: number;
}

interface BatchOptions {
	/** Executions running at once, the documents split evenly between them. */
	executions?: number;
	/** Processes they run in (queue-mode workers): executions share their process's pacers. */
	processes?: number;
	/** Documents per execution, when not an even split. */
	sizes?: number[];
}

/**
 * Uploads and creates `count` documents through one client per execution, all at once, as Extract Data sends them;
 * virtual time runs until all are done.
 */
async function runBatch(count: number, limits: Partial<RateLimitSettings>, options: BatchOptions = {}): Promise<BatchRun> {
	const { executions = 1, processes = 1 } = options;
	emulator.limits.configure(limits);
	const clock = new ManualClock(emulatorClock.now());
	const startedAt = clock.now();
	const created: RequestPacer[] = [];
	const registries = Array.from(
		{ length: processes },
		() =>
			new SharedPacers({
				create: () => created[created.push(new RequestPacer(clock)) - 1],
				now: () => clock.now(),
			}),
	);
	const sizes = options.sizes ?? Array<number>(executions).fill(count / executions);
	const firstDocument = sizes.map((_, execution) => sizes.slice(0, execution).reduce((sum, size) => sum + size, 0));
	const runs = sizes.map(async (size, execution) =>
		await inExecution(credentials, async (ctx: IExecuteFunctions) => {
			const client = LlamaCloudClient.open(ctx, { pacers: registries[execution % processes] });
			return await Promise.all(
				Array.from({ length: size }, async (_, itemIndex) => {
					const documentIndex = firstDocument[execution] + itemIndex;
					client.limitRetriesUntil(itemIndex, startedAt + 15 * 60_000);
					const file = await client.uploadBytes(
						itemIndex,
						{ data: invoiceDocument(documentIndex), fileName: `invoice-${documentIndex}.txt`, mimeType: 'text/plain' },
						{ purpose: 'extract', maxBytes: 1_000_000 },
					);
					const job = await client.createJob({ fileInput: file.id, configuration: { data_schema: INVOICE_SCHEMA_LITE }, itemIndex });
					return { fileId: file.id, jobId: job.id };
				}),
			);
		}),
	);
	const batch = Promise.all(runs);
	let finished = false;
	void batch.then(() => (finished = true));
	let refusedAtStart: number | undefined;
	const refusedSoFar = () => emulator.stats().byStatus['429'] ?? 0;
	while (!finished) {
		const next = await Promise.race([clock.nextWakeUp(), batch.then(() => undefined)]);
		if (next === undefined) break;
		if (refusedAtStart === undefined && next > startedAt + 1_000 && created.every((pacer) => pacer.inFlight === 0)) {
			refusedAtStart = refusedSoFar();
		}
		// Time stands still while a request is on the wire: its answer may wake the sleeper sooner.
		if (created.some((pacer) => pacer.inFlight > 0)) {
			await new Promise((resolve) => setImmediate(resolve));
			continue;
		}
		await emulatorClock.advance(Math.max(0, next - emulatorClock.now()));
		clock.advanceTo(next);
	}
	const items = [];
	for (const run of await batch) {
		if (run.thrown) throw run.thrown as Error;
		items.push(...run.value!);
	}
	const stats = emulator.stats();
	return {
		elapsedMs: clock.now() - startedAt,
		fileIds: items.map((item) => item.fileId),
		jobIds: items.map((item) => item.jobId),
		refused: stats.byStatus['429'] ?? 0,
		refusedAtStart: refusedAtStart ?? refusedSoFar(),
		requests: (stats.byRoute[UPLOAD] ?? 0) + (stats.byRoute[CREATE] ?? 0),
		pacers: created.length,
	};
}

function expectOnePerDocument(run: BatchRun, count: number): void {
	expect(new Set(run.fileIds).size).toBe(count);
	expect(new Set(run.jobIds).size).toBe(count);
	expect(emulator.jobs().filter((job) => job.kind === 'extract')).toHaveLength(count);
}

describe('pacing at the server limits', () => {
	test('120 uploads under the documented 50 per 5 s: none refused, at the limit', async () => {
		const run = await runBatch(120, { uploads: { requests: 50, windowMs: 5_000 } });
		expectOnePerDocument(run, 120);
		expect(run.refused).toBe(0);
		// Two full windows of waiting for the last 20 uploads, and no more.
		expect(run.elapsedMs).toBeGreaterThanOrEqual(10_000);
		expect(run.elapsedMs).toBeLessThanOrEqual(10_500);
	});

	test('free tier, 30 documents: one refusal teaches the limit; 61 requests (one refused) in two minutes', async () => {
		const run = await runBatch(30, { plan: 'free' });
		expectOnePerDocument(run, 30);
		expect(run.refused).toBe(1);
		expect(run.requests).toBe(61);
		// Requests 1-20 at once, 21-40 a minute later, 41-60 at two minutes.
		expect(run.elapsedMs).toBeLessThanOrEqual(2 * 60_000 + 1_000);
	});

	test('free tier on a server that counts refusals and sends no Retry-After: silence for a window, then paced', async () => {
		const run = await runBatch(30, { plan: 'free', retryAfter: false, countRefused: true });
		expectOnePerDocument(run, 30);
		expect(run.refused).toBe(1);
		// The pause is a full window from the refusal, and the refused request still counts: within 1.25 × the bound.
		expect(run.elapsedMs).toBeLessThanOrEqual(1.25 * 3 * 60_000);
	});

	test('4 executions in one process share its pacer: 120 uploads, none refused, at the limit', async () => {
		const run = await runBatch(120, { uploads: { requests: 50, windowMs: 5_000 } }, { executions: 4 });
		expectOnePerDocument(run, 120);
		expect(run.pacers).toBe(1);
		expect(run.refused).toBe(0);
		expect(run.elapsedMs).toBeLessThanOrEqual(10_500);
	});

	test('2 processes (queue-mode workers), 2 executions each: each process paces itself and they share the limit', async () => {
		const run = await runBatch(200, { uploads: { requests: 50, windowMs: 5_000 } }, { executions: 4, processes: 2 });
		expectOnePerDocument(run, 200);
		expect(run.pacers).toBe(2);
		// Both start at the documented 50, so their first windows collide (at most a window's worth is refused);
		// from then on each keeps to its share, and probing for more costs a refusal now and then.
		expect(run.refusedAtStart).toBeLessThanOrEqual(50);
		expect(run.refused - run.refusedAtStart).toBeLessThanOrEqual(3);
		// The bound is 200 uploads at 50 per 5 s (the last window starts at 15 s); the collision costs a pause.
		expect(run.elapsedMs).toBeLessThanOrEqual(1.5 * 20_000);
	});

	test('2 workers, one done early: the other takes the whole limit back within a few windows', async () => {
		const run = await runBatch(300, { uploads: { requests: 50, windowMs: 5_000 } }, { processes: 2, sizes: [50, 250] });
		expectOnePerDocument(run, 300);
		// 300 uploads at 50 per 5 s: 30 s. The first worker is done after its 50; from then on the other's share grows
		// 1, 2, 4, 8 a window instead of one (45 s), back to the whole limit.
		expect(run.elapsedMs).toBeLessThanOrEqual(1.25 * 30_000);
		expect(run.refused - run.refusedAtStart).toBeLessThanOrEqual(3);
	});

	test('a stricter upload limit than documented (another client shares the project) is learned from the refusals', async () => {
		const run = await runBatch(60, { uploads: { requests: 20, windowMs: 5_000 } });
		expectOnePerDocument(run, 60);
		expect(run.refused).toBeLessThanOrEqual(3);
	});
});
