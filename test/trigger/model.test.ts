/**
 * The production poll (poll.ts `pollForJobs`) through n8n-core's PollContext, reading an in-memory job list
 * (model.ts) on a simulated clock: an hour of 10,000 jobs at n8n's one-minute cadence, jobs lasting up to 6 hours,
 * a burst of 2,000 jobs inside one poll interval, a budget that runs out mid-scan with expiring page tokens, and a
 * backlog of 10,000 finished jobs after downtime. Pages are capped at 100, many jobs share a created_at, some show
 * in the list late or are deleted, and n8n restarts rebuild the workflow from the static data it last saved.
 * Every scenario must emit each finished job once and nothing else, within the request and state bounds.
 */
import { DEFAULT_LIMITS, type CursorLimits } from '../../nodes/LlamaExtractTrigger/cursor';
import { random } from '../harness/random';
import { ModelSource, SimClock } from './model';
import {
	expectExact,
	expectIdle,
	HOUR,
	isExpected,
	JobMaker,
	minutes,
	MINUTE,
	ModelTrigger,
	report,
	runModel,
	T0,
} from './modelRun';

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
