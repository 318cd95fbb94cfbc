/**
 * LlamaExtract Trigger end to end: n8n-core's PollContext in trigger mode, static data carried between polls (and
 * through restarts), "Fetch Test Event" through WorkflowExecute, all against the emulator over HTTP on 127.0.0.1.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Emulator } from '../../emulator/server';
import type { SeedJobSpec } from '../../emulator/extractJobs';
import {
	emulatorCredentials,
	HELD_MS,
	seedInPast,
	useEmulator,
	type EmulatorCredentials,
} from '../harness/emulator';
import { random, shuffle } from '../harness/random';
import {
	cursorOf,
	expectEachOnce,
	expectQuiet,
	jobIdOf,
	pollUntil,
	TriggerRig,
	triggerNode,
} from '../harness/trigger';

const LIST_ROUTE = 'GET /api/v2/extract';
const GET_ROUTE = 'GET /api/v2/extract/{job_id}';

let emulator: Emulator;
let credentials: EmulatorCredentials;
const running = useEmulator();
beforeAll(() => ({ emulator, credentials } = running));

function rig(parameters: IDataObject = {}): TriggerRig {
	return new TriggerRig(triggerNode({ event: 'completed', ...parameters }), credentials);
}

const seed = async (specs: SeedJobSpec[]) => await seedInPast(emulator, specs);

/** Activates the trigger (its first poll) and returns the time before it, so seeded jobs count as new. */
async function activate(trigger: TriggerRig): Promise<number> {
	const activatedAt = Date.now();
	expect(await trigger.poll()).toBeNull();
	return activatedAt;
}

describe('exactly once', () => {
	test('a job created first and finished last is emitted after the later ones, once', async () => {
		const trigger = rig();
		const activatedAt = await activate(trigger);
		const [slow, quick1, quick2] = await seed([
			{ created_at: activatedAt + 1, complete_after_ms: HELD_MS },
			{ created_at: activatedAt + 2 },
			{ created_at: activatedAt + 3 },
		]);
		expect((await trigger.poll())?.map(jobIdOf).sort()).toEqual([quick1.id, quick2.id].sort());
		expect(await trigger.poll()).toBeNull();
		emulator.finishNow([slow.id]);
		expect((await trigger.poll())?.map(jobIdOf)).toEqual([slow.id]);
		await expectQuiet(trigger);
	});

	test('60 jobs sharing one timestamp, pages of 7, finishing in random order, restarted every third poll', async () => {
		emulator.config({ maxListPageSize: 7 });
		const trigger = rig();
		const activatedAt = await activate(trigger);
		const rand = random(60);
		const jobs = await seed(
			Array.from({ length: 60 }, () => ({
				created_at: activatedAt + 5,
				complete_after_ms: HELD_MS,
			})),
		);
		const finishOrder = shuffle(jobs, rand).map((job) => job.id);
		const emitted = await pollUntil(trigger, (items) => items.length >= 60, {
			between: (poll) => {
				if (poll % 3 === 2) trigger.restart();
				emulator.finishNow(finishOrder.splice(0, Math.floor(rand() * 6)));
			},
		});
		await expectQuiet(trigger);
		expectEachOnce(
			emitted,
			jobs.map((job) => job.id),
		);
	});

	test('a poll budget that runs out mid-scan resumes where it stopped, even across a restart', async () => {
		emulator.config({ maxListPageSize: 10 });
		const trigger = rig();
		const activatedAt = await activate(trigger);
		const jobs = await seed(
			Array.from({ length: 200 }, (_, index) => ({
				created_at: activatedAt + Math.floor(index / 3),
			})),
		);
		let cutShort = 0;
		const emitted = await pollUntil(trigger, (items) => items.length >= 200, {
			budgetMs: 1,
			maxPolls: 100,
			between: (poll) => {
				if (cursorOf(trigger)?.pass) cutShort++;
				if (poll === 7) trigger.restart();
			},
		});
		await expectQuiet(trigger);
		expectEachOnce(
			emitted,
			jobs.map((job) => job.id),
		);
		// 200 jobs at 10 per page and one page per poll: the scan was cut short and resumed many times.
		expect(cutShort).toBeGreaterThanOrEqual(15);
		expect(cursorOf(trigger).pass).toBeUndefined();
	});

	test('a saved page token the server refuses is dropped and the window scanned again, without duplicates', async () => {
		emulator.config({ maxListPageSize: 5 });
		const trigger = rig();
		const activatedAt = await activate(trigger);
		const jobs = await seed(
			Array.from({ length: 12 }, (_, index) => ({ created_at: activatedAt + index })),
		);
		const first = (await trigger.poll(1)) ?? [];
		expect(cursorOf(trigger).pass).toBeDefined();
		(cursorOf(trigger).pass as IDataObject).token = 'expired-token';
		emulator.resetStats();
		const rest = await pollUntil(trigger, (items) => first.length + items.length >= 12, {
			budgetMs: 1,
			maxPolls: 20,
		});
		expect(emulator.stats().byStatus['400']).toBe(1);
		await expectQuiet(trigger);
		expectEachOnce(
			[...first, ...rest],
			jobs.map((job) => job.id),
		);
	});

	test('when results must be fetched, a spent budget defers the rest to later polls without losing any', async () => {
		const trigger = rig({ options: { includeMetadata: true } });
		const activatedAt = await activate(trigger);
		const jobs = await seed(
			Array.from({ length: 23 }, (_, index) => ({ created_at: activatedAt + index })),
		);
		emulator.resetStats();
		const perPoll: number[] = [];
		const emitted: IDataObject[] = [];
		for (let poll = 0; poll < 20 && emitted.length < 23; poll++) {
			const items = (await trigger.poll(1)) ?? [];
			perPoll.push(items.length);
			emitted.push(...items);
		}
		await expectQuiet(trigger);
		expectEachOnce(
			emitted,
			jobs.map((job) => job.id),
		);
		// One batch of five fetches per poll once the budget is spent.
		expect(Math.max(...perPoll)).toBe(5);
		expect(emulator.stats().byRoute[GET_ROUTE]).toBe(23);
	});
});

describe('events and filters', () => {
	async function seedMixed(activatedAt: number) {
		return await seed([
			{ created_at: activatedAt + 1, status: 'COMPLETED', extract_result: { total: 1 } },
			{
				created_at: activatedAt + 2,
				status: 'FAILED',
				error_message: 'Document is password protected',
			},
			{ created_at: activatedAt + 3, status: 'CANCELLED' },
			{ created_at: activatedAt + 4, status: 'COMPLETED', extract_result: { total: 2 } },
			{ created_at: activatedAt + 5, complete_after_ms: 60_000 },
		]);
	}

	test('Job Failed emits failed jobs with their error, Job Cancelled the cancelled ones, Any all final ones', async () => {
		const failed = rig({ event: 'failed' });
		const cancelled = rig({ event: 'cancelled' });
		const any = rig({ event: 'any' });
		const activatedAt = Date.now();
		for (const trigger of [failed, cancelled, any]) expect(await trigger.poll()).toBeNull();
		const jobs = await seedMixed(activatedAt);

		const failedItems = (await failed.poll())!;
		expect(failedItems.map(jobIdOf)).toEqual([jobs[1].id]);
		expect(failedItems[0]._llamaextract).toMatchObject({
			status: 'FAILED',
			error_message: 'Document is password protected',
		});
		expect((await cancelled.poll())!.map(jobIdOf)).toEqual([jobs[2].id]);
		const anyItems = (await any.poll())!;
		expect(anyItems.map(jobIdOf).sort()).toEqual(
			jobs
				.slice(0, 4)
				.map((job) => job.id)
				.sort(),
		);
		for (const trigger of [failed, cancelled, any]) await expectQuiet(trigger, 1);
	});

	test('the configuration filter only emits jobs of that configuration; the file filter only that file', async () => {
		const byConfiguration = rig({
			configurationId: { __rl: true, mode: 'id', value: 'cfg-invoices' },
		});
		const byFile = rig({ filters: { fileInput: 'dfl-11111111-2222-3333-4444-555555555555' } });
		const activatedAt = Date.now();
		expect(await byConfiguration.poll()).toBeNull();
		expect(await byFile.poll()).toBeNull();
		const jobs = await seed([
			{ created_at: activatedAt + 1, configuration_id: 'cfg-invoices' },
			{ created_at: activatedAt + 2, configuration_id: 'cfg-receipts' },
			{ created_at: activatedAt + 3 },
			{
				created_at: activatedAt + 4,
				configuration_id: 'cfg-invoices',
				file_input: 'dfl-11111111-2222-3333-4444-555555555555',
			},
		]);
		expect((await byConfiguration.poll())!.map(jobIdOf).sort()).toEqual(
			[jobs[0].id, jobs[3].id].sort(),
		);
		expect((await byFile.poll())!.map(jobIdOf)).toEqual([jobs[3].id]);
		await expectQuiet(byConfiguration, 1);
	});

	test('changing the filters starts a fresh cursor instead of replaying the past', async () => {
		const activatedAt = Date.now();
		const trigger = rig();
		await activate(trigger);
		await seed([{ created_at: activatedAt + 1, configuration_id: 'cfg-a' }]);
		expect(await trigger.poll()).toHaveLength(1);
		const moved = new TriggerRig(
			triggerNode({
				event: 'completed',
				configurationId: { __rl: true, mode: 'id', value: 'cfg-a' },
			}),
			credentials,
			trigger.workflow.staticData,
		);
		expect(await moved.poll()).toBeNull();
		expect(JSON.parse(cursorOf(moved).filterKey as string)).toEqual(['completed', 'cfg-a', '']);
	});

	test('the first activation does not replay history, but Include Jobs From Last (Hours) does', async () => {
		const now = Date.now();
		const history = await seed([
			{ created_at: now - 3 * 3_600_000 },
			{ created_at: now - 30 * 60_000 },
			{ created_at: now - 60_000 },
		]);
		const plain = rig();
		expect(await plain.poll()).toBeNull();
		await expectQuiet(plain, 1);

		const withHistory = rig({ options: { lookbackHours: 2 } });
		const items = (await withHistory.poll())!;
		expect(items.map(jobIdOf).sort()).toEqual([history[1].id, history[2].id].sort());
		await expectQuiet(withHistory, 1);
	});

	test('a job still running at activation is emitted when it finishes', async () => {
		const [running] = await seed([
			{ created_at: Date.now() - 2 * 60_000, complete_after_ms: HELD_MS },
		]);
		const trigger = rig();
		expect(await trigger.poll()).toBeNull();
		expect(await trigger.poll()).toBeNull();
		emulator.finishNow([running.id]);
		expect((await trigger.poll())!.map(jobIdOf)).toEqual([running.id]);
		await expectQuiet(trigger, 1);
	});
});

describe('output options', () => {
	const perPageConfiguration = {
		extraction_target: 'per_page',
		data_schema: { type: 'object', properties: { total: { type: 'number' } } },
	};

	test('Split Into Items gives one item per page; Include Result off gives the job facts only', async () => {
		const split = rig({ options: { splitIntoItems: true } });
		const bare = rig({ options: { includeResult: false } });
		const raw = rig({ options: { simplify: false } });
		const activatedAt = Date.now();
		for (const trigger of [split, bare, raw]) expect(await trigger.poll()).toBeNull();
		const [job] = await seed([
			{
				created_at: activatedAt + 1,
				configuration: perPageConfiguration,
				extract_result: [{ total: 10 }, { total: 20 }],
				pages: 2,
			},
		]);

		const pages = (await split.poll())!;
		expect(pages.map((item) => item.total)).toEqual([10, 20]);
		expect(pages.map((item) => (item._llamaextract as IDataObject).page_index)).toEqual([0, 1]);
		expect(pages.every((item) => (item._llamaextract as IDataObject).job_id === job.id)).toBe(true);

		const [facts] = (await bare.poll())!;
		expect(Object.keys(facts)).toEqual(['_llamaextract']);
		expect(facts._llamaextract).toMatchObject({ job_id: job.id, status: 'COMPLETED' });

		const [full] = (await raw.poll())!;
		expect(full).toMatchObject({
			id: job.id,
			status: 'COMPLETED',
			extract_result: [{ total: 10 }, { total: 20 }],
		});
	});

	test('Include Usage fetches each job with expand=usage', async () => {
		const trigger = rig({ options: { includeUsage: true } });
		const activatedAt = await activate(trigger);
		await seed([{ created_at: activatedAt + 1, pages: 3 }]);
		emulator.resetStats();
		const [item] = (await trigger.poll())!;
		expect(emulator.stats().byRoute[GET_ROUTE]).toBe(1);
		expect((item._llamaextract as IDataObject).usage).toMatchObject({ credits: 15 });
	});
});

describe('cost', () => {
	test('an idle poll is exactly one request: after activation, after a drained run, and with a job still running', async () => {
		const trigger = rig();
		const activatedAt = Date.now();
		emulator.resetStats();
		expect(await trigger.poll()).toBeNull();
		expect(emulator.stats().total).toBe(1);

		const jobs = await seed(
			Array.from({ length: 80 }, (_, index) => ({
				created_at: Math.min(Date.now(), activatedAt + Math.floor(index / 4)),
			})),
		);
		expect(await trigger.poll()).toHaveLength(80);
		emulator.resetStats();
		expect(await trigger.poll()).toBeNull();
		expect(emulator.stats()).toMatchObject({ total: 1, byRoute: { [LIST_ROUTE]: 1 } });

		await seed([{ created_at: Date.now(), complete_after_ms: 60_000 }]);
		expect(await trigger.poll()).toBeNull();
		emulator.resetStats();
		expect(await trigger.poll()).toBeNull();
		expect(emulator.stats().total).toBe(1);
		expect(jobs).toHaveLength(80);
	});
});

describe('manual mode (Fetch Test Event)', () => {
	test('returns the newest matching finished job and leaves the cursor alone', async () => {
		const now = Date.now();
		const jobs = await seed([
			{ created_at: now - 3_000, extract_result: { total: 1 } },
			{ created_at: now - 2_000, extract_result: { total: 2 } },
			{ created_at: now - 1_000, status: 'FAILED' },
			{ created_at: now - 500, complete_after_ms: 60_000 },
		]);
		const completed = rig();
		const { items, error } = await completed.fetchTestEvent();
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json)).toEqual([
			expect.objectContaining({
				total: 2,
				_llamaextract: expect.objectContaining({ job_id: jobs[1].id }),
			}),
		]);
		expect(completed.staticData()).toBeUndefined();

		const any = rig({ event: 'any' });
		const anyRun = await any.fetchTestEvent();
		expect(anyRun.items.map((item) => jobIdOf(item.json))).toEqual([jobs[2].id]);
	});

	test('with no matching job it fails with a message that says how to make one', async () => {
		await seed([{ created_at: Date.now() - 1_000 }]);
		const trigger = rig({ configurationId: { __rl: true, mode: 'id', value: 'cfg-nothing-here' } });
		const { items, error } = await trigger.fetchTestEvent();
		expect(items).toEqual([]);
		expect(error?.message).toBe(
			'No finished extract job matches the filters: none is completed with configuration cfg-nothing-here',
		);
		expect(error?.description).toMatch(/Run an extraction that matches the filters/);
	});
});

describe('errors', () => {
	test('a wrong API key fails the poll with a 401 that does not contain the key, and saves no state', async () => {
		const wrongKey = 'llx-wrong-key-do-not-leak';
		const trigger = new TriggerRig(
			triggerNode({ event: 'completed' }),
			emulatorCredentials(emulator.url, wrongKey),
		);
		const error = await trigger.poll().then(
			() => undefined,
			(failure: Error & { httpCode?: string; description?: string }) => failure,
		);
		expect(error?.httpCode).toBe('401');
		expect(error?.description).toMatch(/API key/);
		expect(JSON.stringify(error)).not.toContain(wrongKey);
		expect(String(error?.stack)).not.toContain(wrongKey);
		expect(trigger.staticData()?.cursor).toBeUndefined();
	});

	test('a configuration ID that is not one names the parameter and how to fix it', async () => {
		const trigger = rig({ configurationId: { __rl: true, mode: 'id', value: 'invoices' } });
		await expect(trigger.poll()).rejects.toMatchObject({
			message: 'The "Configuration" ("invoices") is not a configuration ID (cfg-…)',
			description: expect.stringMatching(/cfg-….*Configuration list/),
		});
	});
});
