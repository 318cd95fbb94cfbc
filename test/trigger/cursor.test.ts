/**
 * cursor.ts rules on their own. The exactly-once behaviour as a whole is tested through the production poll:
 * model.test.ts (in memory, simulated clock) and trigger.test.ts / upgrade.test.ts (emulator over HTTP).
 */
import {
	advance,
	DEFAULT_LIMITS,
	dueJobs,
	idsToRecheck,
	IN_FLIGHT_WINDOW_MS,
	initialState,
	parseTimestamp,
	readState,
	type CursorState,
	type JobStamp,
	type PollObservation,
} from '../../nodes/LlamaExtractTrigger/cursor';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const LAG = DEFAULT_LIMITS.lagMs;

function stamp(
	id: string,
	createdMs: number,
	status: 'RUNNING' | 'COMPLETED' | 'FAILED',
): JobStamp {
	const final = status !== 'RUNNING';
	return { id, createdMs, final, wanted: status === 'COMPLETED' };
}

function observe(
	seen: JobStamp[],
	delivered: string[],
	scan: Partial<PollObservation['scan']> = {},
): PollObservation {
	return {
		seen,
		rechecked: [],
		gone: [],
		scan: { complete: true, newest: null, oldest: null, ...scan },
		delivered: new Set(delivered),
	};
}

describe('cursor rules', () => {
	test('the first state watches a little before activation and treats older final jobs as history', () => {
		const state = initialState(T0, 0, 'k');
		expect(state).toEqual({
			version: 2,
			filterKey: 'k',
			watermark: T0 - IN_FLIGHT_WINDOW_MS,
			open: {},
			recent: {},
			baseline: T0,
		});
		const jobs = [
			stamp('old-done', T0 - 60_000, 'COMPLETED'),
			stamp('old-running', T0 - 30_000, 'RUNNING'),
			stamp('new', T0 + 1, 'COMPLETED'),
		];
		expect(dueJobs(state, jobs).map((job) => job.id)).toEqual(['new']);
		const next = advance(state, observe(jobs, ['new'], { serverTimeMs: T0 + 5_000 }));
		expect(next.baseline).toBeUndefined();
		expect(next.watermark).toBe(T0 + 5_000 - LAG);
		expect(next.open).toEqual({ 'old-running': T0 - 30_000 });
		// The running job created before activation is emitted when it ends, though it predates the baseline.
		expect(
			dueJobs(next, [stamp('old-running', T0 - 30_000, 'COMPLETED')]).map((job) => job.id),
		).toEqual(['old-running']);
	});

	test('settled jobs stay in recent until the watermark passes them; a deferred due job stays open', () => {
		const state: CursorState = { ...initialState(T0, 0, 'k'), baseline: undefined };
		const jobs = [
			stamp('a', T0 + 10, 'COMPLETED'),
			stamp('b', T0 + 20, 'COMPLETED'),
			stamp('c', T0 + 30, 'FAILED'),
		];
		const next = advance(state, observe(jobs, ['b'], { serverTimeMs: T0 + 40 }));
		expect(next.recent).toEqual({ b: T0 + 20, c: T0 + 30 });
		expect(next.open).toEqual({ a: T0 + 10 });
		expect(dueJobs(next, jobs).map((job) => job.id)).toEqual(['a']);
		const later = advance(next, observe([], [], { serverTimeMs: T0 + LAG + 25 }));
		expect(later.recent).toEqual({ c: T0 + 30 });
		expect(later.open).toEqual({ a: T0 + 10 });
	});

	test('open jobs are re-checked by id below the watermark, and all of them while a pass is resumed, least recently checked first', () => {
		const state: CursorState = {
			...initialState(T0, 0, 'k'),
			watermark: T0,
			open: { old1: T0 - 5, inWindow: T0 + 5, old2: T0 - 1 },
		};
		expect(idsToRecheck(state)).toEqual(['old1', 'old2']);
		expect(
			idsToRecheck({ ...state, pass: { token: 't', upper: T0 + 9, horizon: T0 + 10 } }),
		).toEqual(['old1', 'inWindow', 'old2']);
		const next = advance(state, { ...observe([], []), rechecked: ['old1'], gone: ['old2'] });
		expect(Object.keys(next.open)).toEqual(['inWindow', 'old1']);
	});

	test('a cut-short scan keeps W and saves the pass; it drops only recent ids the pass has read that the next pass will not list', () => {
		const state: CursorState = {
			...initialState(T0, 0, 'k'),
			baseline: undefined,
			watermark: T0,
			recent: { ahead: T0 + 100, boundary: T0 + 500, read: T0 + 800, overlap: T0 + 5_000 + 10 },
		};
		const next = advance(
			state,
			observe([], [], {
				complete: false,
				nextToken: 'tok',
				serverTimeMs: T0 + 5_000 + LAG,
				newest: T0 + 6_000,
				oldest: T0 + 500,
			}),
		);
		expect(next.watermark).toBe(T0);
		expect(next.pass).toEqual({ token: 'tok', upper: T0 + 500, horizon: T0 + 5_000 + LAG });
		expect(Object.keys(next.recent).sort()).toEqual(['ahead', 'boundary', 'overlap']);
		// Completing the pass moves W to its horizon − lag, whatever the clock says now.
		const done = advance(next, observe([], [], { serverTimeMs: T0 + 99_000_000, oldest: T0 + 1 }));
		expect(done.watermark).toBe(T0 + 5_000);
		expect(done.pass).toBeUndefined();
		expect(done.recent).toEqual({ overlap: T0 + 5_010 });
	});

	test('a version-1 state becomes version 2: settled ids to recent, stragglers to open, the pass dropped', () => {
		const v1 = {
			version: 1,
			watermark: T0,
			settled: { s1: T0 + 1, s2: T0 + 2 },
			stragglers: ['x1', 'x2'],
			openCount: 4,
			pass: { token: 't', low: T0 + 3, newest: T0 + 9, upper: T0 + 4, clock: T0 + 10 },
			filterKey: 'k',
		};
		expect(readState(v1)).toEqual({
			version: 2,
			filterKey: 'k',
			watermark: T0,
			open: { x1: 0, x2: 0 },
			recent: { s1: T0 + 1, s2: T0 + 2 },
		});
		expect(readState({ ...v1, baseline: T0 - 5 })?.baseline).toBe(T0 - 5);
	});

	test('readState accepts what advance writes (after JSON) and rejects anything else', () => {
		const state = advance(
			initialState(T0, 0, 'k'),
			observe([stamp('a', T0 + 1, 'RUNNING')], [], { serverTimeMs: T0 }),
		);
		expect(readState(JSON.parse(JSON.stringify(state)))).toEqual(state);
		expect(readState(undefined)).toBeUndefined();
		expect(readState({ version: 3 })).toBeUndefined();
		expect(readState({ ...state, open: { a: 'x' } })).toBeUndefined();
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
