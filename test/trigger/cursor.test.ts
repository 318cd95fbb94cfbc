/**
 * cursor.ts on its own: the exactly-once rules, the valve, and a seeded-random model of the list endpoint
 * (newest-first keyset pages, equal timestamps, out-of-order finishing, budgets that cut scans short, restarts that
 * round-trip the state through JSON) driven through many polls.
 */
import {
	advance,
	DEFAULT_LIMITS,
	dueJobs,
	IN_FLIGHT_WINDOW_MS,
	initialState,
	pageSizeFor,
	parseTimestamp,
	readState,
	type CursorLimits,
	type CursorState,
	type JobStamp,
} from '../../nodes/LlamaExtractTrigger/cursor';
import { random } from '../harness/random';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
/** No lag, so the watermark follows the unsettled jobs exactly. */
const NO_LAG: CursorLimits = { ...DEFAULT_LIMITS, lagMs: 0 };

function stamp(
	id: string,
	createdMs: number,
	status: 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED',
): JobStamp {
	const final = status !== 'RUNNING';
	return { id, createdMs, final, wanted: status === 'COMPLETED' };
}

function completePoll(
	state: CursorState,
	scanned: JobStamp[],
	delivered: string[],
	limits?: CursorLimits,
) {
	return advance(
		state,
		{
			scanned,
			complete: true,
			stragglersChecked: false,
			stragglersSeen: [],
			delivered: new Set(delivered),
		},
		limits,
	);
}

describe('cursor rules', () => {
	test('the first state starts watching a little before activation and marks older jobs as history', () => {
		const state = initialState(T0, 0, 'k');
		expect(state.watermark).toBe(T0 - IN_FLIGHT_WINDOW_MS);
		expect(state.baseline).toBe(T0);
		const withLookback = initialState(T0, 2 * 3_600_000, 'k');
		expect(withLookback.baseline).toBe(T0 - 2 * 3_600_000);
	});

	test('history that is final at first sight is settled silently; a job still running then is emitted later', () => {
		let state = initialState(T0, 0, 'k');
		const history = stamp('old-done', T0 - 60_000, 'COMPLETED');
		const inFlight = stamp('old-running', T0 - 30_000, 'RUNNING');
		const fresh = stamp('new-done', T0 + 1_000, 'COMPLETED');
		const first = [history, inFlight, fresh];
		expect(dueJobs(state, first).map((job) => job.id)).toEqual(['new-done']);
		state = completePoll(state, first, ['new-done']).state;
		expect(state.baseline).toBeUndefined();
		expect(state.watermark).toBe(inFlight.createdMs);

		const second = [history, stamp('old-running', T0 - 30_000, 'COMPLETED'), fresh];
		expect(dueJobs(state, second).map((job) => job.id)).toEqual(['old-running']);
	});

	test('a settled job is never due again, and unwanted final jobs settle without being due', () => {
		let state = initialState(T0, 0, 'k');
		const jobs = [
			stamp('a', T0 + 1, 'COMPLETED'),
			stamp('b', T0 + 1, 'FAILED'),
			stamp('c', T0 + 1, 'RUNNING'),
		];
		expect(dueJobs(state, jobs).map((job) => job.id)).toEqual(['a']);
		state = completePoll(state, jobs, ['a'], NO_LAG).state;
		expect(Object.keys(state.settled).sort()).toEqual(['a', 'b']);
		expect(dueJobs(state, jobs)).toEqual([]);
		// c still runs, so W stays at its creation time.
		expect(state.watermark).toBe(T0 + 1);
	});

	test('with nothing unsettled the watermark trails the server clock by the lag, and never goes back', () => {
		let state = initialState(T0, 0, 'k');
		const jobs = [stamp('a', T0 + 100_000, 'COMPLETED'), stamp('b', T0 + 200_000, 'COMPLETED')];
		const observe = (serverTimeMs?: number) => ({
			scanned: jobs,
			complete: true,
			serverTimeMs,
			stragglersChecked: false,
			stragglersSeen: [],
			delivered: new Set(['a', 'b']),
		});
		state = advance(state, observe(T0 + 210_000)).state;
		expect(state.watermark).toBe(T0 + 210_000 - DEFAULT_LIMITS.lagMs);
		expect(Object.keys(state.settled)).toEqual(['b']);
		// Once the server clock is a lag past the newest job, nothing stays in the state.
		state = advance(state, observe(T0 + 300_000)).state;
		expect(state.settled).toEqual({});
		// Without a server clock, W trails the newest job seen; it never moves back.
		const before = state.watermark;
		expect(advance(state, observe(undefined)).state.watermark).toBe(before);
		expect(advance(initialState(T0, 0, 'k'), observe(undefined)).state.watermark).toBe(
			T0 + 200_000 - DEFAULT_LIMITS.lagMs,
		);
	});

	test('a deferred due job (not delivered) holds the watermark and stays due', () => {
		let state = initialState(T0, 0, 'k');
		const jobs = [stamp('a', T0 + 10, 'COMPLETED'), stamp('b', T0 + 20, 'COMPLETED')];
		state = completePoll(state, jobs, ['b'], NO_LAG).state;
		expect(state.watermark).toBe(T0 + 10);
		expect(dueJobs(state, jobs).map((job) => job.id)).toEqual(['a']);
	});

	test('a cut-short scan keeps the watermark and saves where to resume', () => {
		const state = initialState(T0, 0, 'k');
		const next = advance(state, {
			scanned: [stamp('x', T0 + 50, 'RUNNING'), stamp('y', T0 + 40, 'COMPLETED')],
			complete: false,
			nextToken: 'tok',
			stragglersChecked: false,
			stragglersSeen: [],
			delivered: new Set(['y']),
		}).state;
		expect(next.watermark).toBe(state.watermark);
		expect(next.pass).toEqual({
			token: 'tok',
			low: T0 + 50,
			newest: T0 + 50,
			upper: T0 + 40,
			clock: null,
		});
		expect(next.baseline).toBe(state.baseline);
		// Finishing the pass later: W may not pass x, seen running by the earlier poll.
		const done = completePoll(next, [stamp('z', T0 + 30, 'COMPLETED')], ['z'], NO_LAG).state;
		expect(done.pass).toBeUndefined();
		expect(done.watermark).toBe(T0 + 50);
	});

	test('the valve raises the watermark past a stuck job, watches it by id, and emits it once when it ends', () => {
		const limits: CursorLimits = { ...DEFAULT_LIMITS, settledCap: 5, stragglerCap: 2, lagMs: 0 };
		let state = initialState(T0, 0, 'k');
		const stuck = stamp('stuck', T0 + 1, 'RUNNING');
		const done = Array.from({ length: 8 }, (_, index) =>
			stamp(`d${index}`, T0 + 10 + index, 'COMPLETED'),
		);
		state = completePoll(
			state,
			[stuck, ...done],
			done.map((job) => job.id),
			limits,
		).state;
		expect(Object.keys(state.settled).length).toBeLessThanOrEqual(5);
		expect(state.stragglers).toEqual(['stuck']);
		expect(state.watermark).toBeGreaterThan(stuck.createdMs);

		const finished = stamp('stuck', T0 + 1, 'COMPLETED');
		expect(dueJobs(state, [finished]).map((job) => job.id)).toEqual(['stuck']);
		const after = advance(
			state,
			{
				scanned: [],
				complete: true,
				stragglersChecked: true,
				stragglersSeen: [finished],
				delivered: new Set(['stuck']),
			},
			limits,
		).state;
		expect(after.stragglers).toEqual([]);
		expect(dueJobs(after, [finished])).toEqual([]);
	});

	test('stragglers over the cap are given up oldest first and reported; deleted ones are dropped', () => {
		const limits: CursorLimits = { ...DEFAULT_LIMITS, settledCap: 2, stragglerCap: 2, lagMs: 0 };
		let state = initialState(T0, 0, 'k');
		const stuck = [1, 2, 3].map((n) => stamp(`s${n}`, T0 + n, 'RUNNING'));
		const done = Array.from({ length: 4 }, (_, index) =>
			stamp(`d${index}`, T0 + 10 + index, 'COMPLETED'),
		);
		const result = completePoll(
			state,
			[...stuck, ...done],
			done.map((job) => job.id),
			limits,
		);
		expect(result.givenUp).toEqual(['s1']);
		state = result.state;
		expect(state.stragglers).toEqual(['s2', 's3']);
		const checked = advance(
			state,
			{
				scanned: [],
				complete: true,
				stragglersChecked: true,
				stragglersSeen: [stuck[2]],
				delivered: new Set(),
			},
			limits,
		).state;
		expect(checked.stragglers).toEqual(['s3']);
	});

	test('the valve never raises the watermark above the part of the window the completing poll read', () => {
		const limits: CursorLimits = { ...DEFAULT_LIMITS, settledCap: 2, stragglerCap: 5, lagMs: 0 };
		const state: CursorState = {
			...initialState(T0, 0, 'k'),
			baseline: undefined,
			settled: { n1: T0 + 100, n2: T0 + 101, n3: T0 + 102 },
			pass: { token: 't', low: null, newest: T0 + 102, upper: T0 + 100, clock: null },
		};
		const next = completePoll(
			state,
			[stamp('o1', T0 + 5, 'COMPLETED'), stamp('r', T0 + 4, 'RUNNING')],
			['o1'],
			limits,
		);
		expect(next.state.watermark).toBe(T0 + 4);
		expect(next.state.stragglers).toEqual([]);
	});

	test('page size covers what the window held last time, within bounds', () => {
		const state = initialState(T0, 0, 'k');
		expect(pageSizeFor(state)).toBe(DEFAULT_LIMITS.minPageSize);
		const settled = Object.fromEntries(
			Array.from({ length: 300 }, (_, index) => [`j${index}`, T0 + index]),
		);
		const busy = { ...state, settled, openCount: 20 };
		expect(pageSizeFor(busy)).toBeGreaterThanOrEqual(320);
		expect(pageSizeFor({ ...busy, openCount: 5000 })).toBe(DEFAULT_LIMITS.maxPageSize);
	});

	test('readState accepts what advance writes (after JSON) and rejects anything else', () => {
		const state = completePoll(
			initialState(T0, 0, 'k'),
			[stamp('a', T0 + 1, 'COMPLETED')],
			['a'],
		).state;
		expect(readState(JSON.parse(JSON.stringify(state)))).toEqual(state);
		expect(readState(undefined)).toBeUndefined();
		expect(readState({ version: 2 })).toBeUndefined();
		expect(readState({ ...state, settled: { a: 'x' } })).toBeUndefined();
	});

	test('parseTimestamp reads zoned, naive (UTC) and microsecond timestamps', () => {
		expect(parseTimestamp('2026-03-01T12:00:00Z')).toBe(T0);
		expect(parseTimestamp('2026-03-01T12:00:00.123456Z')).toBe(T0 + 123);
		expect(parseTimestamp('2026-03-01T12:00:00.123456')).toBe(T0 + 123);
		expect(parseTimestamp('2026-03-01T13:00:00.5+01:00')).toBe(T0 + 500);
		expect(parseTimestamp('2026-03-01 12:00:00')).toBe(T0);
		expect(Number.isNaN(parseTimestamp('yesterday'))).toBe(true);
	});
});

/* ------------------------------------------------------------------------------------------------
 * A model of the list endpoint and a driver that uses the cursor the way the node does.
 * ---------------------------------------------------------------------------------------------- */

type FinalStatus = 'COMPLETED' | 'FAILED' | 'CANCELLED';

interface ModelJob {
	id: string;
	seq: number;
	createdMs: number;
	/** Visible from this time on (≥ createdMs: a late commit). */
	visibleMs: number;
	/** Final from this time on; Infinity = never. */
	finishMs: number;
	status: FinalStatus;
}

class ModelServer {
	requests = 0;

	constructor(
		readonly jobs: ModelJob[],
		readonly maxPage: number,
	) {}

	private view(job: ModelJob, now: number): JobStamp {
		const final = now >= job.finishMs;
		return {
			id: job.id,
			createdMs: job.createdMs,
			final,
			wanted: final && job.status === 'COMPLETED',
		};
	}

	list(now: number, from: number, pageSize: number, token?: string) {
		this.requests++;
		const sorted = this.jobs
			.filter((job) => job.visibleMs <= now && job.createdMs >= from)
			.sort((a, b) => b.createdMs - a.createdMs || b.seq - a.seq);
		let start = 0;
		if (token) {
			const [c, s] = JSON.parse(token) as [number, number];
			start = sorted.findIndex((job) => job.createdMs < c || (job.createdMs === c && job.seq < s));
			if (start < 0) start = sorted.length;
		}
		const size = Math.min(pageSize, this.maxPage);
		const page = sorted.slice(start, start + size);
		const last = page[page.length - 1];
		const more = start + size < sorted.length;
		return {
			items: page.map((job) => this.view(job, now)),
			next: more && last ? JSON.stringify([last.createdMs, last.seq]) : undefined,
		};
	}

	byIds(now: number, ids: string[]): JobStamp[] {
		this.requests++;
		return this.jobs
			.filter((job) => ids.includes(job.id) && job.visibleMs <= now)
			.map((job) => this.view(job, now));
	}
}

interface DriveOptions {
	rand: () => number;
	server: ModelServer;
	startMs: number;
	stepMs: number;
	polls: number;
	limits?: CursorLimits;
	/** Most pages one poll may read before its budget runs out (random 1..n); undefined = unlimited. */
	maxPagesPerPoll?: number;
	/** Chance that a poll delivers only part of what is due (result fetches cut by the budget). */
	partialDeliveryChance?: number;
	restartChance?: number;
	lookbackMs?: number;
}

function drive(options: DriveOptions) {
	const { rand, server } = options;
	const limits = options.limits ?? DEFAULT_LIMITS;
	const emitted = new Map<string, number>();
	let stored: unknown = initialState(options.startMs, options.lookbackMs ?? 0, 'k');
	let maxSettled = 0;
	let maxStragglers = 0;
	const givenUp: string[] = [];
	for (let poll = 0; poll < options.polls; poll++) {
		const now = options.startMs + poll * options.stepMs;
		if (rand() < (options.restartChance ?? 0)) stored = JSON.parse(JSON.stringify(stored));
		const state = readState(stored);
		if (!state) throw new Error('state did not survive JSON');

		const stragglersSeen = state.stragglers.length > 0 ? server.byIds(now, state.stragglers) : [];
		const pageBudget = options.maxPagesPerPoll
			? 1 + Math.floor(rand() * options.maxPagesPerPoll)
			: Infinity;
		const scanned: JobStamp[] = [];
		let token = state.pass?.token;
		let complete = false;
		for (let pages = 0; pages < pageBudget; pages++) {
			const page = server.list(now, state.watermark, pageSizeFor(state, limits), token);
			scanned.push(...page.items);
			token = page.next;
			if (!token) {
				complete = true;
				break;
			}
		}

		const due = dueJobs(state, [...stragglersSeen, ...scanned]);
		const deliverCount =
			due.length > 0 && rand() < (options.partialDeliveryChance ?? 0)
				? 1 + Math.floor(rand() * due.length)
				: due.length;
		const delivered = due.slice(0, deliverCount).map((job) => job.id);
		for (const id of delivered) emitted.set(id, (emitted.get(id) ?? 0) + 1);

		const result = advance(
			state,
			{
				scanned,
				complete,
				nextToken: complete ? undefined : token,
				// Always the current clock: the cursor must use the one from when a resumed pass began.
				serverTimeMs: now,
				stragglersChecked: state.stragglers.length > 0,
				stragglersSeen,
				delivered: new Set(delivered),
			},
			limits,
		);
		givenUp.push(...result.givenUp);
		maxSettled = Math.max(maxSettled, Object.keys(result.state.settled).length);
		maxStragglers = Math.max(maxStragglers, result.state.stragglers.length);
		expect(result.state.watermark).toBeGreaterThanOrEqual(state.watermark);
		stored = result.state;
	}
	return { emitted, maxSettled, maxStragglers, givenUp, state: readState(stored)! };
}

function expectExactlyOnce(
	jobs: ModelJob[],
	emitted: Map<string, number>,
	expected: (job: ModelJob) => boolean,
) {
	const missed = jobs
		.filter((job) => expected(job) && emitted.get(job.id) !== 1)
		.map((job) => job.id);
	const duplicated = [...emitted].filter(([, count]) => count > 1).map(([id]) => id);
	const unexpected = jobs
		.filter((job) => !expected(job) && emitted.has(job.id))
		.map((job) => job.id);
	expect({ missed, duplicated, unexpected }).toEqual({
		missed: [],
		duplicated: [],
		unexpected: [],
	});
}

/** Jobs created over `spanMs` after `startMs`, many sharing a timestamp, finishing in random order. */
function makeJobs(
	rand: () => number,
	count: number,
	startMs: number,
	spanMs: number,
	maxRunMs: number,
): ModelJob[] {
	const jobs: ModelJob[] = [];
	let created = startMs;
	for (let index = 0; index < count; index++) {
		// A third of the jobs share the previous job's timestamp.
		if (rand() > 0.33) created += Math.floor(rand() * ((2 * spanMs) / count));
		const roll = rand();
		jobs.push({
			id: `ext-${index}`,
			seq: index,
			createdMs: created,
			visibleMs: created,
			finishMs: created + Math.floor(rand() * maxRunMs),
			status: roll < 0.8 ? 'COMPLETED' : roll < 0.9 ? 'FAILED' : 'CANCELLED',
		});
	}
	return jobs;
}

describe('cursor against a model list endpoint', () => {
	test.each([1, 2, 3, 4, 5, 6, 7, 8])(
		'seed %i: out-of-order finishing, equal timestamps, small pages, cut-short scans, partial delivery, restarts',
		(seed) => {
			const rand = random(seed);
			const start = T0;
			const jobs = makeJobs(rand, 400, start + 1_000, 600_000, 300_000);
			const server = new ModelServer(jobs, 7);
			const { emitted, maxSettled } = drive({
				rand,
				server,
				startMs: start,
				stepMs: 7_000,
				polls: 300,
				maxPagesPerPoll: 4,
				partialDeliveryChance: 0.3,
				restartChance: 0.3,
			});
			expectExactlyOnce(jobs, emitted, (job) => job.status === 'COMPLETED');
			expect(maxSettled).toBeLessThanOrEqual(DEFAULT_LIMITS.settledCap);
		},
	);

	test('history is not replayed at activation; jobs running at activation and the lookback window are', () => {
		const rand = random(42);
		const activation = T0;
		const jobs: ModelJob[] = [
			// finished long before activation: history
			{
				id: 'h1',
				seq: 1,
				createdMs: activation - 5 * 3_600_000,
				visibleMs: 0,
				finishMs: activation - 4 * 3_600_000,
				status: 'COMPLETED',
			},
			// created 3 minutes before activation, finished before it: history
			{
				id: 'h2',
				seq: 2,
				createdMs: activation - 180_000,
				visibleMs: 0,
				finishMs: activation - 60_000,
				status: 'COMPLETED',
			},
			// created 3 minutes before activation, still running at it: emitted when it finishes
			{
				id: 'r1',
				seq: 3,
				createdMs: activation - 180_000,
				visibleMs: 0,
				finishMs: activation + 120_000,
				status: 'COMPLETED',
			},
			// created after activation
			{
				id: 'n1',
				seq: 4,
				createdMs: activation + 10_000,
				visibleMs: activation + 10_000,
				finishMs: activation + 20_000,
				status: 'COMPLETED',
			},
		];
		const none = drive({
			rand,
			server: new ModelServer(jobs, 50),
			startMs: activation,
			stepMs: 60_000,
			polls: 10,
		});
		expectExactlyOnce(jobs, none.emitted, (job) => ['r1', 'n1'].includes(job.id));

		const lookback = drive({
			rand,
			server: new ModelServer(jobs, 50),
			startMs: activation,
			stepMs: 60_000,
			polls: 10,
			lookbackMs: 6 * 3_600_000,
		});
		expectExactlyOnce(jobs, lookback.emitted, () => true);
	});

	test('a job that shows in the list late (within the lag) after newer ones is still emitted', () => {
		const rand = random(7);
		const jobs: ModelJob[] = [
			{
				id: 'early',
				seq: 1,
				createdMs: T0 + 1_000,
				visibleMs: T0 + 29_000,
				finishMs: T0 + 1_000,
				status: 'COMPLETED',
			},
			{
				id: 'late',
				seq: 2,
				createdMs: T0 + 10_000,
				visibleMs: T0 + 10_000,
				finishMs: T0 + 10_000,
				status: 'COMPLETED',
			},
		];
		const { emitted } = drive({
			rand,
			server: new ModelServer(jobs, 50),
			startMs: T0,
			stepMs: 5_000,
			polls: 20,
		});
		expectExactlyOnce(jobs, emitted, () => true);
	});

	test('a job created while a long pass runs is caught by the next pass, even when the pass outlasts the lag', () => {
		const rand = random(5);
		const jobs: ModelJob[] = Array.from({ length: 30 }, (_, index) => ({
			id: `old-${index}`,
			seq: index,
			createdMs: T0 + 1 + index,
			visibleMs: T0 + 1 + index,
			finishMs: T0 + 1 + index,
			status: 'COMPLETED' as const,
		}));
		// Created (and finished) after the pass has read the newest page, while it works through older ones.
		jobs.push({
			id: 'during',
			seq: 99,
			createdMs: T0 + 45_000,
			visibleMs: T0 + 45_000,
			finishMs: T0 + 45_000,
			status: 'COMPLETED',
		});
		const run = drive({
			rand,
			server: new ModelServer(jobs, 2),
			startMs: T0,
			stepMs: 10_000,
			polls: 40,
			maxPagesPerPoll: 1,
		});
		expectExactlyOnce(jobs, run.emitted, () => true);
	});

	test('idle polls read one page, and the state stays small once jobs are done', () => {
		const rand = random(3);
		const jobs = makeJobs(rand, 200, T0 + 1_000, 60_000, 20_000);
		const server = new ModelServer(jobs, 1000);
		const run = drive({ rand, server, startMs: T0, stepMs: 10_000, polls: 20 });
		expectExactlyOnce(jobs, run.emitted, (job) => job.status === 'COMPLETED');
		const before = server.requests;
		const state = run.state;
		const page = server.list(T0 + 10_000_000, state.watermark, pageSizeFor(state), undefined);
		expect(page.next).toBeUndefined();
		expect(server.requests - before).toBe(1);
		// Long after the last job, nothing remains but the watermark.
		expect(state.settled).toEqual({});
		expect(page.items).toEqual([]);
	});

	test('jobs stuck running: the valve bounds the state, stragglers are emitted once when they end, overflow is given up', () => {
		const rand = random(11);
		const limits: CursorLimits = {
			...DEFAULT_LIMITS,
			settledCap: 40,
			stragglerCap: 3,
			lagMs: 1_000,
		};
		const jobs = makeJobs(rand, 300, T0 + 1_000, 600_000, 30_000);
		// Five early jobs run for a very long time.
		for (const job of jobs.slice(0, 5)) job.finishMs = T0 + 2_000_000;
		const server = new ModelServer(jobs, 10);
		const run = drive({
			rand,
			server,
			startMs: T0,
			stepMs: 10_000,
			polls: 250,
			limits,
			maxPagesPerPoll: 50,
			restartChance: 0.2,
		});
		expect(run.givenUp.length).toBe(2);
		expect(run.maxSettled).toBeLessThanOrEqual(limits.settledCap);
		expect(run.maxStragglers).toBeLessThanOrEqual(limits.stragglerCap);
		const gaveUp = new Set(run.givenUp);
		expectExactlyOnce(
			jobs,
			run.emitted,
			(job) => job.status === 'COMPLETED' && !gaveUp.has(job.id),
		);
	});
});
