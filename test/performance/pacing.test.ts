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
	requests: number;
}

/** Uploads and creates `count` documents through one client, all at once; virtual time runs until all are done. */
async function runBatch(count: number, limits: Partial<RateLimitSettings>): Promise<BatchRun> {
	emulator.limits.configure(limits);
	const clock = new ManualClock(emulatorClock.now());
	const startedAt = clock.now();
	const pacer = new RequestPacer(clock);
	const batch = inExecution(credentials, async (ctx: IExecuteFunctions) => {
		const client = LlamaCloudClient.open(ctx, { pacer });
		return await Promise.all(
			Array.from({ length: count }, async (_, itemIndex) => {
				client.limitRetriesUntil(itemIndex, startedAt + 15 * 60_000);
				const file = await client.uploadBytes(
					itemIndex,
					{ data: invoiceDocument(itemIndex), fileName: `invoice-${itemIndex}.txt`, mimeType: 'text/plain' },
					{ purpose: 'extract', maxBytes: 1_000_000 },
				);
				const job = await client.createJob({ fileInput: file.id, configuration: { data_schema: INVOICE_SCHEMA_LITE }, itemIndex });
				return { fileId: file.id, jobId: job.id };
			}),
		);
	});
	let finished = false;
	void batch.then(() => (finished = true));
	while (!finished) {
		const next = await Promise.race([clock.nextWakeUp(), batch.then(() => undefined)]);
		if (next === undefined) break;
		// Time stands still while a request is on the wire: its answer may wake the sleeper sooner.
		if (pacer.inFlight > 0) {
			await new Promise((resolve) => setImmediate(resolve));
			continue;
		}
		await emulatorClock.advance(Math.max(0, next - emulatorClock.now()));
		clock.advanceTo(next);
	}
	const run = await batch;
	if (run.thrown) throw run.thrown as Error;
	const stats = emulator.stats();
	return {
		elapsedMs: clock.now() - startedAt,
		fileIds: run.value!.map((item) => item.fileId),
		jobIds: run.value!.map((item) => item.jobId),
		refused: stats.byStatus['429'] ?? 0,
		requests: (stats.byRoute[UPLOAD] ?? 0) + (stats.byRoute[CREATE] ?? 0),
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

	test('a stricter upload limit than documented (another client shares the project) is learned from the refusals', async () => {
		const run = await runBatch(60, { uploads: { requests: 20, windowMs: 5_000 } });
		expectOnePerDocument(run, 60);
		expect(run.refused).toBeLessThanOrEqual(3);
	});
});
