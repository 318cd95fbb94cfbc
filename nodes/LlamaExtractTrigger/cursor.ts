/**
 * The trigger's exactly-once cursor. Pure: no I/O, no clock; the node feeds it what the list endpoint returned.
 *
 * ## Problem
 * `GET /api/v2/extract` filters only on `created_at` and pages newest-first, but a job matters when it *finishes*,
 * which can be hours after it was created and in any order. "Created after the last poll" misses every job that
 * was still running at that poll.
 *
 * ## State (JSON, in workflow static data)
 * - `watermark` W (ms): every matching job created before W is settled, except the `stragglers`.
 * - `settled`: id → created ms of the settled jobs created at or after W. Settled = emitted, or final but not wanted
 *   (another event, or history at the first activation).
 * - `stragglers`: ids of unsettled jobs created before W, re-checked by id (only the give-up valve adds them).
 * - `pass`: a scan of [W, ∞) that the poll budget cut short: the page token to resume with, the lowest created time
 *   of an unsettled job seen so far, the newest and oldest created times seen, and the server clock at its start.
 * - `baseline`: until the first pass completes, jobs created before this instant that are final at first sight are
 *   history, settled without being emitted (no flood at activation); jobs still running then are emitted later.
 *
 * ## One poll
 * 1. Re-check the stragglers with `job_ids=` (only when there are any).
 * 2. Scan jobs created at or after W newest-first, page by page (resuming `pass.token`), until the last page or the
 *    budget. The page size covers what the window held last time, so an idle poll is one request.
 * 3. Due = jobs seen final, wanted, not settled, created at or after W (or stragglers). The node emits those it can
 *    fetch in time; the rest stay unsettled ("deferred").
 * 4. `advance`: settle the emitted and the unwanted final jobs. Scan cut short: keep W, save the pass. Scan complete:
 *    W' = max(W, min(lowest created time of an unsettled job in the pass, T − lag)), where T is the server's clock
 *    (HTTP Date) when the pass began, or the newest created time seen if the server sent no date; then drop the
 *    settled ids created before W'.
 *
 * ## Why each finished job is emitted exactly once (proof sketch)
 * Assumption: a job shows in the list within `lag` of its created_at, and page tokens are keyset positions (a
 * resumed pass skips nothing; new jobs sort first).
 * - At most once: a job is emitted only when due, and it enters `settled` (or leaves `stragglers`) in the state that
 *   is saved with the emitted items (n8n stores static data when a poll emits; a poll that throws emits and saves
 *   nothing). W never decreases and `settled` only loses ids created before W, which no window scan returns again.
 *   A straggler was created before W, so only the id re-check can make it due, and it leaves the list when emitted.
 * - At least once: let J become final with a wanted status. While created(J) ≥ W, each completed pass lists J: it
 *   covers [W, ∞) and every job visible when it began, which includes every job created before T − lag. A
 *   completed pass moves W past created(J) only if J was settled: W' ≤ the created time of each unsettled job the
 *   pass saw (`pass.low` remembers those seen by earlier polls of the pass), and W' ≤ T − lag, below any job the
 *   pass may not have seen. When the valve raises W past J unsettled, J becomes a straggler and the id re-check
 *   watches it. Either way J is seen final while watched and is emitted then, or deferred and seen again.
 * - Progress: a poll reads at least one page and fetches at least one batch, and a cut-short pass resumes where it
 *   stopped, so a backlog drains even when the budget allows one page per poll.
 *
 * ## Bounds and the give-up valve
 * - `settled` holds only ids created at or after W. A job that never finishes holds W down while newer jobs pile up;
 *   when `settled` passes `settledCap`, W is raised to where at most `settledCap` settled ids remain, and the
 *   unsettled jobs below it become stragglers. At most `stragglerCap` stragglers are kept: beyond that the oldest
 *   are given up (never emitted) and reported back so the node can log them.
 * - The raise stays within the part of the window the completing poll read itself, so no unseen job falls below W.
 */
import { z } from 'zod';

export interface CursorLimits {
	/** Most settled ids to keep before the valve raises the watermark. */
	settledCap: number;
	/** Most stragglers to watch by id; the oldest beyond it are given up. */
	stragglerCap: number;
	/** How long after its created_at a job may take to show in the list; W stays this far behind the server clock. */
	lagMs: number;
	/** Page size bounds for the window scan. */
	minPageSize: number;
	maxPageSize: number;
}

export const DEFAULT_LIMITS: CursorLimits = {
	settledCap: 1000,
	stragglerCap: 50,
	lagMs: 30_000,
	minPageSize: 50,
	maxPageSize: 1000,
};

/** How long before activation a still-running job is picked up (covers clock skew between n8n and LlamaCloud). */
export const IN_FLIGHT_WINDOW_MS = 10 * 60_000;

export interface Pass {
	/** Page token to resume the scan with. */
	token: string;
	/** Lowest created time of an unsettled job seen so far in this pass. */
	low: number | null;
	/** Newest created time seen in this pass. */
	newest: number | null;
	/** Oldest created time seen in this pass: everything newer was read by earlier polls. */
	upper: number;
	/** Server time when the pass began (null if the server sent none). */
	clock: number | null;
}

export interface CursorState {
	version: 1;
	watermark: number;
	settled: Record<string, number>;
	stragglers: string[];
	/** Unsettled jobs the last completed pass saw; sizes the next page. */
	openCount: number;
	pass?: Pass;
	baseline?: number;
	/** The filters the state was built for; a change starts afresh. */
	filterKey: string;
}

/** A listed job as the cursor sees it. */
export interface JobStamp {
	id: string;
	createdMs: number;
	final: boolean;
	/** Final in a status the user chose (Event). */
	wanted: boolean;
}

/** The first state: watch jobs created from `lookbackMs` before now, and pick up jobs still running at activation. */
export function initialState(nowMs: number, lookbackMs: number, filterKey: string): CursorState {
	const baseline = nowMs - Math.max(0, lookbackMs);
	return {
		version: 1,
		watermark: baseline - IN_FLIGHT_WINDOW_MS,
		settled: {},
		stragglers: [],
		openCount: 0,
		baseline,
		filterKey,
	};
}

/** Big enough for everything the window held last time, so an idle poll is one page. */
export function pageSizeFor(state: CursorState, limits: CursorLimits = DEFAULT_LIMITS): number {
	const expected = Object.keys(state.settled).length + state.openCount;
	const withHeadroom = Math.ceil((expected * 1.25 + 20) / 10) * 10;
	return Math.min(limits.maxPageSize, Math.max(limits.minPageSize, withHeadroom));
}

function isHistory(state: CursorState, job: JobStamp): boolean {
	return state.baseline !== undefined && job.createdMs < state.baseline;
}

/** Final jobs the trigger must emit now, each once, in the order given. */
export function dueJobs(state: CursorState, seen: JobStamp[]): JobStamp[] {
	const stragglers = new Set(state.stragglers);
	const picked = new Set<string>();
	const due: JobStamp[] = [];
	for (const job of seen) {
		if (!job.final || !job.wanted || picked.has(job.id) || job.id in state.settled) continue;
		const watched = stragglers.has(job.id) || job.createdMs >= state.watermark;
		// History is settled silently only while the first pass runs and only if already final at first sight.
		if (!watched || (!stragglers.has(job.id) && isHistory(state, job))) continue;
		picked.add(job.id);
		due.push(job);
	}
	return due;
}

export interface PollObservation {
	/** Jobs the window scan returned this poll (any order, duplicates allowed). */
	scanned: JobStamp[];
	/** Whether the scan reached the last page of the window. */
	complete: boolean;
	/** Server time (HTTP Date) of the scan's first page, when this poll began a pass. */
	serverTimeMs?: number;
	/** Token to resume with when not complete. */
	nextToken?: string;
	/** Straggler ids re-checked this poll, and what came back (a missing id was deleted). */
	stragglersChecked: boolean;
	stragglersSeen: JobStamp[];
	/** Due jobs the node emitted (or found deleted): settled now. */
	delivered: ReadonlySet<string>;
}

export interface Advance {
	state: CursorState;
	/** Stragglers dropped by the cap: they will never be emitted. */
	givenUp: string[];
}

function minOf(a: number | null | undefined, b: number | null | undefined): number | null {
	if (a === null || a === undefined) return b ?? null;
	if (b === null || b === undefined) return a;
	return Math.min(a, b);
}

function maxOf(a: number | null | undefined, b: number | null | undefined): number | null {
	if (a === null || a === undefined) return b ?? null;
	if (b === null || b === undefined) return a;
	return Math.max(a, b);
}

/** Whether a seen job is settled after this poll. */
function settles(state: CursorState, job: JobStamp, delivered: ReadonlySet<string>): boolean {
	if (job.id in state.settled || delivered.has(job.id)) return true;
	if (!job.final) return false;
	if (!job.wanted) return true;
	return isHistory(state, job);
}

/** The state after a poll. */
export function advance(
	state: CursorState,
	observation: PollObservation,
	limits: CursorLimits = DEFAULT_LIMITS,
): Advance {
	const { delivered } = observation;
	const settled: Record<string, number> = { ...state.settled };
	// The same job can appear twice in one scan (first RUNNING, then final on a later page): settled wins.
	const unsettled = new Map<string, number>();
	let newest: number | null = null;
	let oldest: number | null = null;
	for (const job of observation.scanned) {
		if (job.createdMs < state.watermark) continue;
		newest = maxOf(newest, job.createdMs);
		oldest = minOf(oldest, job.createdMs);
		if (settles(state, job, delivered)) {
			settled[job.id] = job.createdMs;
			unsettled.delete(job.id);
		} else if (!(job.id in settled)) {
			unsettled.set(job.id, job.createdMs);
		}
	}

	const strayBack = new Map(observation.stragglersSeen.map((job) => [job.id, job]));
	let stragglers = state.stragglers.filter((id) => {
		if (delivered.has(id)) return false;
		if (!observation.stragglersChecked) return true;
		const job = strayBack.get(id);
		if (!job) return false; // deleted
		return !(job.final && !job.wanted);
	});

	const lowestUnsettled = [...unsettled.values()].reduce<number | null>(
		(low, c) => minOf(low, c),
		null,
	);
	const passLow = minOf(state.pass?.low, lowestUnsettled);
	const passNewest = maxOf(state.pass?.newest, newest);

	if (!observation.complete) {
		const upper = minOf(state.pass?.upper, oldest);
		const clock = state.pass ? state.pass.clock : (observation.serverTimeMs ?? null);
		const pass: Pass | undefined =
			observation.nextToken && upper !== null
				? { token: observation.nextToken, low: passLow, newest: passNewest, upper, clock }
				: state.pass;
		return {
			state: { ...state, settled, stragglers, pass },
			givenUp: [],
		};
	}

	// Every job created before `horizon` was visible when the pass began, so the pass saw it.
	const clock = state.pass ? state.pass.clock : (observation.serverTimeMs ?? null);
	const horizon = clock !== null ? clock : passNewest;
	let watermark = state.watermark;
	if (horizon !== null) watermark = Math.max(watermark, horizon - limits.lagMs);
	if (passLow !== null) watermark = Math.max(state.watermark, Math.min(watermark, passLow));

	watermark = valve(
		watermark,
		settled,
		unsettled,
		state.pass?.upper ?? Number.POSITIVE_INFINITY,
		limits,
		(id) => stragglers.push(id),
	);
	for (const [id, createdMs] of Object.entries(settled)) {
		if (createdMs < watermark) delete settled[id];
	}

	let givenUp: string[] = [];
	if (stragglers.length > limits.stragglerCap) {
		givenUp = stragglers.slice(0, stragglers.length - limits.stragglerCap);
		stragglers = stragglers.slice(stragglers.length - limits.stragglerCap);
	}

	const next: CursorState = {
		version: 1,
		watermark,
		settled,
		stragglers,
		openCount: [...unsettled.values()].filter((c) => c >= watermark).length,
		filterKey: state.filterKey,
	};
	return { state: next, givenUp };
}

/**
 * The give-up valve: when too many settled ids sit above W, raise W to the lowest created time that leaves at most
 * `settledCap` of them, but not above `ceiling` (the part of the window this poll read). Unsettled jobs left below
 * the new W go to the stragglers, oldest first.
 */
function valve(
	watermark: number,
	settled: Record<string, number>,
	unsettled: Map<string, number>,
	ceiling: number,
	limits: CursorLimits,
	toStragglers: (id: string) => void,
): number {
	const times = Object.values(settled)
		.filter((c) => c >= watermark)
		.sort((a, b) => b - a);
	if (times.length <= limits.settledCap) return watermark;
	// times[cap - 1] is the cap-th newest; anything strictly above the next older time keeps at most cap ids.
	let raised: number | undefined;
	for (let index = limits.settledCap - 1; index >= 0; index--) {
		if (times[index] !== times[limits.settledCap]) {
			raised = times[index];
			break;
		}
	}
	if (raised === undefined || raised > ceiling || raised <= watermark) return watermark;
	const below = [...unsettled.entries()].filter(([, c]) => c < raised!).sort((a, b) => a[1] - b[1]);
	for (const [id] of below) toStragglers(id);
	return raised;
}

/**
 * Milliseconds since the epoch from a LlamaCloud timestamp. A time without a zone is UTC (FastAPI's naive
 * datetimes); microseconds are cut to milliseconds, which only widens the inclusive window.
 */
export function parseTimestamp(value: string): number {
	const trimmed = value.trim();
	const hasZone = /(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$/.test(trimmed);
	const normalised = (hasZone ? trimmed : `${trimmed}Z`).replace(' ', 'T');
	const fraction = /\.(\d+)/.exec(normalised);
	const withMillis =
		fraction && fraction[1].length > 3
			? normalised.replace(fraction[0], `.${fraction[1].slice(0, 3)}`)
			: normalised;
	return Date.parse(withMillis);
}

const StoredPass = z.object({
	token: z.string(),
	low: z.number().nullable(),
	newest: z.number().nullable(),
	upper: z.number(),
	clock: z.number().nullable(),
});

const StoredState = z.object({
	version: z.literal(1),
	watermark: z.number(),
	settled: z.record(z.string(), z.number()),
	stragglers: z.array(z.string()),
	openCount: z.number(),
	pass: StoredPass.optional(),
	baseline: z.number().optional(),
	filterKey: z.string(),
});

/** The state kept in static data, copied out of n8n's observable object; undefined when absent or unreadable. */
export function readState(stored: unknown): CursorState | undefined {
	const parsed = StoredState.safeParse(stored);
	return parsed.success ? (parsed.data as CursorState) : undefined;
}
