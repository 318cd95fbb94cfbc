/* eslint-disable no-console */
/**
 * The production poll (poll.ts `pollForJobs`) through n8n-core's PollContext, reading an in-memory job list
 * (model.ts) on a simulated clock: an hour of 10,000 jobs at n8n's one-minute cadence, jobs lasting up to 6 hours,
 * a burst of 2,000 jobs inside one poll interval, a budget that runs out mid-scan with expiring page tokens, and a
 * backlog of 10,000 finished jobs after downtime. Pages are capped at 100, many jobs share a created_at, some show
 * in the list late or are deleted, and n8n restarts rebuild the workflow from the static data it last saved.
 * Every scenario must emit each finished job once and nothing else, within the request and state bounds.
 */
import type { IDataObject, INode, Workflow } from 'n8n-workflow';

import {
	DEFAULT_LIMITS,
	idsToRecheck,
	IN_FLIGHT_WINDOW_MS,
	PAGE_SIZE,
	readState,
	type CursorLimits,
} from '../../nodes/LlamaExtractTrigger/cursor';
import { pollForJobs } from '../../nodes/LlamaExtractTrigger/poll';
import { buildWorkflow, makePollContext } from '../harness/n8n';
import { random } from '../harness/random';
import { jobIdsOf, ModelSource, SimClock, type FinalStatus, type ModelJob } from './model';

const NAME = 'LlamaExtract Trigger';
const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function node(parameters: IDataObject = { event: 'completed' }): INode {
	return {
		id: 'trigger',
		name: NAME,
		type: 'n8n-nodes-llamaextract.llamaExtractTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: parameters as INode['parameters'],
		credentials: { llamaCloudApi: { id: '1', name: 'LlamaCloud (model)' } },
	};
}

function copyStaticData(staticData: IDataObject): IDataObject {
	const stored = JSON.parse(JSON.stringify(staticData)) as IDataObject;
	delete stored.__dataChanged;
	return stored;
}

interface PollFigures {
	requests: number;
	/** Re-check and window requests, and the bound they must stay within. */
	listRequests: number;
	bound: number;
	refused: number;
	durationMs: number;
	stateBytes: number;
	open: number;
	unfinished: number;
}

/** n8n's side: the workflow, its saved static data, restarts, and one poll at a time on the simulated clock. */
class ModelTrigger {
	workflow: Workflow;
	private persisted: IDataObject | undefined;
	polls = 0;

	constructor(
		readonly source: ModelSource,
		readonly budgetMs: number,
		readonly parameters?: IDataObject,
		readonly limits?: CursorLimits,
		staticData?: IDataObject,
	) {
		this.persisted = staticData && copyStaticData(staticData);
		this.workflow = buildWorkflow(
			[node(parameters)],
			this.persisted && copyStaticData(this.persisted),
		);
	}

	cursor(): IDataObject | undefined {
		return (this.workflow.staticData[`node:${NAME}`] as IDataObject | undefined)?.cursor as
			| IDataObject
			| undefined;
	}

	/** n8n restarts: the workflow is rebuilt from the static data last saved. */
	restart(): void {
		this.workflow = buildWorkflow(
			[node(this.parameters)],
			this.persisted && copyStaticData(this.persisted),
		);
	}

	async poll(): Promise<{ ids: string[]; figures: PollFigures }> {
		this.polls++;
		const { source } = this;
		const before = readState(this.cursor());
		const recheck = before ? idsToRecheck(before).length : 0;
		const counts = { ...source.counts };
		const started = source.clock.nowMs;
		const context = makePollContext(this.workflow, NAME, {}, 'trigger', 'activate', this.budgetMs);
		const result = await pollForJobs.call(context, {
			source,
			now: source.clock.now,
			limits: this.limits,
		});
		if (result !== null || this.polls === 1)
			this.persisted = copyStaticData(this.workflow.staticData);
		const listRequests =
			source.counts.byIds - counts.byIds + (source.counts.window - counts.window);
		const windowItems = source.counts.itemsInWindow - counts.itemsInWindow;
		const cursor = this.cursor();
		return {
			ids: result ? jobIdsOf(result[0]) : [],
			figures: {
				requests: source.requests() - counts.window - counts.byIds - counts.get - counts.manual,
				listRequests,
				// A refused page token costs the refused request on top.
				bound:
					Math.ceil(recheck / PAGE_SIZE) +
					Math.max(1, Math.ceil(windowItems / PAGE_SIZE)) +
					(source.counts.refused - counts.refused),
				refused: source.counts.refused - counts.refused,
				durationMs: source.clock.nowMs - started,
				stateBytes: JSON.stringify(cursor).length,
				open: Object.keys((cursor?.open as IDataObject) ?? {}).length,
				unfinished: source.unfinished(source.clock.nowMs),
			},
		};
	}
}

interface RunOptions {
	jobs: ModelJob[];
	budgetMs: number;
	/** Poll times after activation (at T0). */
	pollAt: number[];
	restartChance: number;
	seed: number;
	tokenLifetimeMs?: number;
	parameters?: IDataObject;
}

interface RunFigures {
	jobs: number;
	expected: number;
	missed: string[];
	duplicated: string[];
	unexpected: string[];
	polls: PollFigures[];
	/** Polls whose re-check and window requests exceeded ceil(U/100) + max(1, ceil(listed/100)). */
	overBound: number;
	maxRequests: number;
	maxDurationMs: number;
	peakStateBytes: number;
	/** Largest state while at most 500 jobs were unfinished, and the largest open set seen then. */
	peakBytesUpTo500: number;
	tokenRefusals: number;
	trigger: ModelTrigger;
}

/** Should this job be emitted: completed, not deleted, and created after activation or still running then. */
function isExpected(job: ModelJob, activatedAt = T0): boolean {
	if (job.status !== 'COMPLETED' || Number.isFinite(job.deletedMs)) return false;
	if (job.createdMs >= activatedAt) return true;
	return job.createdMs >= activatedAt - IN_FLIGHT_WINDOW_MS && job.finishMs > activatedAt;
}

async function runModel(options: RunOptions): Promise<RunFigures> {
	const rand = random(options.seed);
	const clock = new SimClock(T0);
	const source = new ModelSource(options.jobs, clock);
	if (options.tokenLifetimeMs !== undefined) source.tokenLifetimeMs = options.tokenLifetimeMs;
	const trigger = new ModelTrigger(source, options.budgetMs, options.parameters);
	const counts = new Map<string, number>();
	const polls: PollFigures[] = [];
	for (const [index, at] of [0, ...options.pollAt].entries()) {
		clock.nowMs = Math.max(clock.nowMs, T0 + at);
		if (index > 0 && rand() < options.restartChance) trigger.restart();
		const { ids, figures } = await trigger.poll();
		for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
		polls.push(figures);
	}
	const expected = options.jobs.filter((job) => isExpected(job));
	const expectedIds = new Set(expected.map((job) => job.id));
	return {
		jobs: options.jobs.length,
		expected: expected.length,
		missed: expected.filter((job) => counts.get(job.id) !== 1).map((job) => job.id),
		duplicated: [...counts].filter(([, count]) => count > 1).map(([id]) => id),
		unexpected: [...counts.keys()].filter((id) => !expectedIds.has(id)),
		polls,
		overBound: polls.filter((poll) => poll.listRequests > poll.bound).length,
		maxRequests: Math.max(...polls.map((poll) => poll.requests)),
		maxDurationMs: Math.max(...polls.map((poll) => poll.durationMs)),
		peakStateBytes: Math.max(...polls.map((poll) => poll.stateBytes)),
		peakBytesUpTo500: Math.max(
			0,
			...polls.filter((poll) => poll.unfinished <= 500).map((poll) => poll.stateBytes),
		),
		tokenRefusals: source.counts.refused,
		trigger,
	};
}

/** A job id shaped like LlamaCloud's (ext- and a UUID), so state sizes are realistic. */
function jobId(seq: number): string {
	const hex = seq.toString(16).padStart(12, '0');
	return `ext-7f3c9a10-4b2e-4c1d-9e8f-${hex}`;
}

class JobMaker {
	private seq = 0;
	readonly jobs: ModelJob[] = [];

	constructor(private readonly rand: () => number) {}

	add(createdMs: number, runMs: number, options: Partial<ModelJob> = {}): ModelJob {
		const roll = this.rand();
		const status: FinalStatus = roll < 0.8 ? 'COMPLETED' : roll < 0.9 ? 'FAILED' : 'CANCELLED';
		// One job in ten shows in the list up to 20 s late (within the cursor's 30 s lag).
		const late = this.rand() < 0.1 ? Math.floor(this.rand() * 20_000) : 0;
		const job: ModelJob = {
			id: jobId(this.seq),
			seq: this.seq++,
			createdMs,
			visibleMs: createdMs + late,
			finishMs: createdMs + runMs,
			status,
			deletedMs: Number.POSITIVE_INFINITY,
			...options,
		};
		this.jobs.push(job);
		return job;
	}

	/** `count` jobs created over [from, from + spanMs), on whole seconds so many share a created_at. */
	spread(count: number, from: number, spanMs: number, runMs: () => number): void {
		for (let index = 0; index < count; index++) {
			const created = from + Math.floor((this.rand() * spanMs) / 1000) * 1000;
			this.add(created, runMs());
		}
	}
}

function minutes(from: number, to: number, stepMs = MINUTE): number[] {
	const times: number[] = [];
	for (let at = from; at <= to; at += stepMs) times.push(at);
	return times;
}

function report(name: string, run: RunFigures) {
	const requests = run.polls.map((poll) => poll.requests);
	const mean = requests.reduce((a, b) => a + b, 0) / requests.length;
	console.log(
		`trigger model ${name}: ${run.jobs} jobs (${run.expected} to emit), ${run.missed.length} missed, ${run.duplicated.length} duplicates, ${run.polls.length} polls, requests per poll mean ${mean.toFixed(2)} max ${run.maxRequests}, longest poll ${(run.maxDurationMs / 1000).toFixed(1)} s, peak state ${run.peakStateBytes} bytes (${run.peakBytesUpTo500} while ≤ 500 jobs were unfinished), ${run.tokenRefusals} refused tokens`,
	);
}

function expectExact(run: RunFigures) {
	expect({ missed: run.missed, duplicated: run.duplicated, unexpected: run.unexpected }).toEqual({
		missed: [],
		duplicated: [],
		unexpected: [],
	});
}

/** After everything is out: idle polls are one request each and the state holds nothing but the watermark. */
async function expectIdle(run: RunFigures) {
	const { trigger } = run;
	for (let poll = 0; poll < 2; poll++) {
		trigger.source.clock.nowMs += MINUTE;
		const { ids, figures } = await trigger.poll();
		expect(ids).toEqual([]);
		expect(figures.requests).toBe(1);
	}
	expect(trigger.cursor()).toMatchObject({ open: {}, recent: {} });
}

describe('trigger model (production poll, simulated clock)', () => {
	test('10,000 jobs in an hour, up to 500 unfinished, some running 6 hours, deleted or late, with restarts', async () => {
		const rand = random(12);
		const maker = new JobMaker(rand);
		// Running at activation (emitted when they end) and finished before it (history, not emitted).
		for (let index = 0; index < 40; index++) {
			const created = T0 - Math.floor(rand() * 9 * MINUTE);
			const runMs =
				rand() < 0.5 ? T0 - created - 2_000 : T0 - created + 30_000 + rand() * 20 * MINUTE;
			maker.add(created, Math.max(0, Math.floor(runMs)), { visibleMs: created });
		}
		maker.spread(10_000, T0 + 1_000, HOUR, () =>
			rand() < 0.025
				? 10 * MINUTE + Math.floor(rand() * (6 * HOUR - 10 * MINUTE))
				: 2_000 + Math.floor(rand() * 150_000),
		);
		// A few long jobs are deleted while they run: never emitted, and they leave the state.
		for (const job of maker.jobs
			.filter((entry) => entry.finishMs - entry.createdMs > HOUR)
			.slice(0, 10)) {
			job.deletedMs = job.createdMs + 30 * MINUTE;
		}
		const run = await runModel({
			jobs: maker.jobs,
			budgetMs: MINUTE,
			pollAt: minutes(MINUTE, 7 * HOUR + 5 * MINUTE),
			restartChance: 0.2,
			seed: 12,
		});
		report('hour', run);
		expectExact(run);
		expect(Math.max(...run.polls.map((poll) => poll.unfinished))).toBeLessThanOrEqual(520);
		expect(Math.max(...run.polls.map((poll) => poll.open))).toBeGreaterThan(300);
		expect(run.overBound).toBe(0);
		expect(run.maxDurationMs).toBeLessThanOrEqual(MINUTE);
		expect(run.peakBytesUpTo500).toBeLessThanOrEqual(64 * 1024);
		await expectIdle(run);
	});

	test('a burst of 2,000 jobs inside one poll interval, pages of 100, restarts', async () => {
		const rand = random(2000);
		const maker = new JobMaker(rand);
		maker.spread(500, T0 + 1_000, 30 * MINUTE, () => 1_000 + Math.floor(rand() * 10 * MINUTE));
		maker.spread(2_000, T0 + 10 * MINUTE + 5_000, 50_000, () => Math.floor(rand() * 5 * MINUTE));
		const run = await runModel({
			jobs: maker.jobs,
			budgetMs: MINUTE,
			pollAt: minutes(MINUTE, 45 * MINUTE),
			restartChance: 0.25,
			seed: 2000,
		});
		report('burst', run);
		expectExact(run);
		expect(run.overBound).toBe(0);
		expect(run.maxDurationMs).toBeLessThanOrEqual(MINUTE);
		await expectIdle(run);
	});

	test.each([1, 2, 3])(
		'seed %i: a poll budget that runs out mid-scan, page tokens that expire, equal created_at, restarts',
		async (seed) => {
			const rand = random(seed);
			const maker = new JobMaker(rand);
			// Created on 10-second steps: dozens of jobs share each created_at.
			for (let index = 0; index < 3_000; index++) {
				const created = T0 + 1_000 + Math.floor(rand() * 120) * 10_000;
				maker.add(created, Math.floor(rand() * (rand() < 0.1 ? 3 * HOUR : 4 * MINUTE)));
			}
			const run = await runModel({
				jobs: maker.jobs,
				// About four requests fit before the scan's share of the budget is spent.
				budgetMs: 1_500,
				pollAt: minutes(MINUTE, 4 * HOUR),
				restartChance: 0.3,
				seed,
				tokenLifetimeMs: 45_000,
			});
			report(`budget seed ${seed}`, run);
			expectExact(run);
			expect(run.overBound).toBe(0);
			expect(run.polls.filter((poll) => poll.durationMs > 1_500)).toEqual([]);
			expect(run.tokenRefusals).toBeGreaterThan(0);
			await expectIdle(run);
		},
	);

	test('a backlog of 10,000 jobs that finished during an hour of downtime drains across polls within the budget', async () => {
		const rand = random(10_000);
		const maker = new JobMaker(rand);
		maker.spread(10_000, T0 + 1_000, 55 * MINUTE, () => Math.floor(rand() * 4 * MINUTE));
		const budgetMs = 20_000;
		const run = await runModel({
			jobs: maker.jobs,
			budgetMs,
			// Activation, then nothing for an hour, then one poll a minute.
			pollAt: minutes(HOUR, HOUR + 20 * MINUTE),
			restartChance: 0.2,
			seed: 10_000,
		});
		report('backlog', run);
		expectExact(run);
		expect(run.maxDurationMs).toBeLessThanOrEqual(budgetMs);
		// It took several polls: one poll's budget cannot read 100 pages.
		expect(run.polls.filter((poll) => poll.requests > 20).length).toBeGreaterThan(1);
		await expectIdle(run);
	});

	test('with Include Usage every due job is fetched; what the budget cannot fetch waits for later polls, once', async () => {
		const rand = random(77);
		const maker = new JobMaker(rand);
		maker.spread(1_500, T0 + 1_000, 10 * MINUTE, () => Math.floor(rand() * 3 * MINUTE));
		const budgetMs = 5_000;
		const run = await runModel({
			jobs: maker.jobs,
			budgetMs,
			pollAt: minutes(MINUTE, HOUR),
			restartChance: 0.3,
			seed: 77,
			parameters: { event: 'completed', options: { includeUsage: true } },
		});
		report('fetches', run);
		expectExact(run);
		// A batch of five fetches may start just before the fetch share (80 %) ends.
		expect(run.maxDurationMs).toBeLessThanOrEqual(budgetMs);
		expect(run.trigger.source.counts.get).toBeGreaterThanOrEqual(run.expected);
	});

	test('when the state would pass its cap, the poll fails naming the cap, saves nothing, and goes on once jobs end', async () => {
		const rand = random(9);
		const maker = new JobMaker(rand);
		maker.spread(300, T0 + 1_000, 2 * MINUTE, () => 20 * MINUTE + Math.floor(rand() * 10 * MINUTE));
		const clock = new SimClock(T0);
		const source = new ModelSource(maker.jobs, clock);
		const limits: CursorLimits = { ...DEFAULT_LIMITS, maxTracked: 200 };
		const trigger = new ModelTrigger(source, MINUTE, undefined, limits);
		expect((await trigger.poll()).ids).toEqual([]);
		const saved = JSON.stringify(trigger.cursor());
		clock.nowMs = T0 + 5 * MINUTE;
		await expect(trigger.poll()).rejects.toMatchObject({
			message: expect.stringMatching(
				/^LlamaExtract Trigger is tracking 300 jobs \(300 unfinished, 0 just finished\), more than its limit of 200$/,
			),
			description: expect.stringMatching(/Nothing was skipped/),
		});
		expect(JSON.stringify(trigger.cursor())).toBe(saved);
		const counts = new Map<string, number>();
		for (let at = 6 * MINUTE; at <= HOUR; at += MINUTE) {
			clock.nowMs = Math.max(clock.nowMs, T0 + at);
			try {
				for (const id of (await trigger.poll()).ids) counts.set(id, (counts.get(id) ?? 0) + 1);
			} catch (error) {
				expect((error as Error).message).toMatch(/more than its limit of 200/);
			}
		}
		const expected = maker.jobs.filter((job) => isExpected(job)).map((job) => job.id);
		expect([...counts.keys()].sort()).toEqual(expected.sort());
		expect([...counts.values()].every((count) => count === 1)).toBe(true);
	});
});
