/**
 * The trigger's exactly-once cursor. Pure: no I/O, no clock; the poll (poll.ts) feeds it what the list returned.
 *
 * ## Problem
 * `GET /api/v2/extract` filters only on `created_at` (and `job_ids`) and pages newest-first, but a job matters when
 * it *finishes*, hours after it was created and in any order.
 *
 * ## State (JSON, in workflow static data), version 2
 * - `watermark` W (ms): the scan lists jobs created at or after W. W trails the server clock by `lag`.
 * - `open`: id → created ms of each job seen unfinished (or final but not yet emitted). Re-checked by id with the
 *   list's `job_ids` filter, 100 per request. A job settles by leaving `open`.
 * - `recent`: id → created ms of settled jobs that a later scan may list again (created at or after W, or ahead of
 *   a pass that is cut short). Settled = emitted, final in another status, deleted, or history at the first
 *   activation. Nothing older than the overlap window stays here.
 * - `pass`: a scan that the poll budget cut short: the page token to resume with (and the `created_at_on_or_before`
 *   bound its query had), the oldest created time read so far (`upper`), and its `horizon`: the server clock when
 *   it began (HTTP Date), or the newest created time it read if the server sent no date.
 * - `baseline`: until the first pass completes, jobs created before it that are final at first sight are history,
 *   settled without being emitted (no flood at activation); jobs still running then are emitted when they end.
 *
 * ## One poll
 * 1. Re-check by id the open jobs the scan will not list: those created before W, and all of them while a pass is
 *    being resumed. Least recently checked first; what the budget leaves waits for the next poll.
 * 2. Scan jobs created at or after W, newest first, page by page (resuming `pass.token`), until the last page or
 *    the budget. A refused token resumes by time instead: `created_at_on_or_before` = upper + 1 ms.
 * 3. Due = jobs seen final with a wanted status, not in `recent`, not history. The node emits those it can fetch in
 *    time; the rest stay in `open` (deferred).
 * 4. `advance`: emitted, unwanted-final and deleted jobs leave `open` for `recent`; unfinished and deferred ones
 *    enter `open`. Scan complete: W' = max(W, horizon − lag), drop `recent` below W'. Scan cut short: keep W, save
 *    the pass, drop `recent` entries the pass has read that the next pass will not list (created in
 *    (upper + 1, horizon − lag)).
 *
 * ## Why each finished job is emitted exactly once (proof sketch)
 * Assumption: a job shows in the list within `lag` of its created_at, and page tokens are keyset positions (a
 * resumed pass skips nothing and reads nothing twice; jobs sort by created time, newest first).
 * - At most once: a job is emitted only when due, and in the state saved with the emitted items (n8n stores static
 *   data when a poll emits; a poll that throws emits and saves nothing) it has left `open` for `recent`. A later
 *   scan lists it only if created ≥ W (then it is in `recent`: entries are dropped only below the W' of a completed
 *   pass, which no later scan reaches) or, while a pass runs, only ahead of `upper` (entries created ≤ upper + 1
 *   are kept). The re-check asks only for ids in `open`.
 * - At least once: let J end with a wanted status. (a) If J is in `open`, it is re-checked by id (least recently
 *   checked first, so every id within a few polls even when the budget is short), except while it is created ≥ W
 *   and no pass is in progress: then the fresh pass lists it if it completes, and if it does not, a pass is in
 *   progress at the next poll. J leaves `open` only by settling, so it is seen final after it ends, and emitted, or
 *   deferred (kept in `open`) and seen again. (b) Otherwise some completed pass lists J: take the first pass P whose
 *   horizon T ≥ created(J) + lag. Every earlier pass had a horizon below that, so W at P is at most created(J) (W
 *   only grows to an earlier horizon − lag, and starts at or below every job in scope). J was visible when P began,
 *   so P reads it, and sees it final (due) or unfinished (then (a)). A refused token resumes P by time, which reads
 *   every job P had not read yet.
 * - Progress: each poll re-checks at least one chunk, reads at least one page and fetches at least one batch, and a
 *   cut-short pass resumes where it stopped, so backlogs drain even when the budget allows one page per poll.
 *
 * ## Bounds
 * The state holds the unfinished jobs plus the settled ones of the last `lag` and of a pass in progress. Past
 * `maxTracked` ids the poll fails with an error that names the cap (poll.ts); nothing is ever dropped.
 */
import { z } from 'zod';

export interface CursorLimits {
	/** How long after its created_at a job may take to show in the list; W stays this far behind the server clock. */
	lagMs: number;
	/** Most ids the state may hold (open + recent); beyond it every poll fails loudly until jobs finish. */
	maxTracked: number;
}

export const DEFAULT_LIMITS: CursorLimits = { lagMs: 30_000, maxTracked: 10_000 };

/** How long before activation a still-running job is picked up (covers clock skew between n8n and LlamaCloud). */
export const IN_FLIGHT_WINDOW_MS = 10 * 60_000;

/** Jobs per list page, and ids per `job_ids=` request (about 5 KB of URL). */
export const PAGE_SIZE = 100;

export interface Pass {
	token: string;
	/** `created_at_on_or_before` of the query the token belongs to (set after a refused token). */
	before?: number;
	/** Oldest created time read so far in this pass. */
	upper: number;
	/** Server time when the pass began, else the newest created time it read. */
	horizon: number | null;
}

export interface CursorState {
	version: 2;
	/** The filters the state was built for; a change starts afresh. */
	filterKey: string;
	watermark: number;
	open: Record<string, number>;
	recent: Record<string, number>;
	pass?: Pass;
	baseline?: number;
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
		version: 2,
		filterKey,
		watermark: baseline - IN_FLIGHT_WINDOW_MS,
		open: {},
		recent: {},
		baseline,
	};
}

/** Open ids to re-check by id this poll, least recently checked first. */
export function idsToRecheck(state: CursorState): string[] {
	return Object.entries(state.open)
		.filter(([, createdMs]) => state.pass !== undefined || createdMs < state.watermark)
		.map(([id]) => id);
}

function isHistory(state: CursorState, job: JobStamp): boolean {
	return state.baseline !== undefined && job.createdMs < state.baseline && !(job.id in state.open);
}

/** Final jobs the trigger must emit now, each once, in the order given. */
export function dueJobs(state: CursorState, seen: JobStamp[]): JobStamp[] {
	const picked = new Set<string>();
	return seen.filter((job) => {
		if (!job.final || !job.wanted || picked.has(job.id) || job.id in state.recent) return false;
		if (isHistory(state, job)) return false;
		picked.add(job.id);
		return true;
	});
}

export interface ScanResult {
	/** Whether the scan reached the last page of the window. */
	complete: boolean;
	/** Token to resume with when not complete, and the `created_at_on_or_before` of its query. */
	nextToken?: string;
	before?: number;
	/** Server time (HTTP Date) of the first page, when this poll began a pass. */
	serverTimeMs?: number;
	/** Newest and oldest created times this poll's scan read. */
	newest: number | null;
	oldest: number | null;
}

export interface PollObservation {
	/** Every job the poll saw (re-check and scan), one entry per id, the freshest listing. */
	seen: JobStamp[];
	/** Open ids re-checked this poll (they move to the back of the queue). */
	rechecked: readonly string[];
	/** Open ids that no longer exist. */
	gone: readonly string[];
	scan: ScanResult;
	/** Due jobs the node emitted (or found deleted): settled now. */
	delivered: ReadonlySet<string>;
}

function minOf(a: number | null | undefined, b: number | null | undefined): number | null {
	if (a === null || a === undefined) return b ?? null;
	if (b === null || b === undefined) return a;
	return Math.min(a, b);
}

/** Whether a seen job is settled after this poll. */
function settles(state: CursorState, job: JobStamp, delivered: ReadonlySet<string>): boolean {
	if (delivered.has(job.id)) return true;
	if (!job.final) return false;
	return !job.wanted || isHistory(state, job);
}

/** The state after a poll. */
export function advance(
	state: CursorState,
	observation: PollObservation,
	limits: CursorLimits = DEFAULT_LIMITS,
): CursorState {
	const open: Record<string, number> = {};
	const recent: Record<string, number> = { ...state.recent };
	const checked = new Set(observation.rechecked);
	// Unchecked ids first, then the ones just checked: the next poll starts with those that waited.
	for (const [id, createdMs] of Object.entries(state.open))
		if (!checked.has(id)) open[id] = createdMs;
	for (const id of observation.rechecked) if (id in state.open) open[id] = state.open[id];
	for (const id of observation.gone) {
		delete open[id];
		recent[id] = state.open[id];
	}
	for (const job of observation.seen) {
		if (job.id in state.recent) continue;
		if (settles(state, job, observation.delivered)) {
			delete open[job.id];
			recent[job.id] = job.createdMs;
		} else {
			open[job.id] = job.createdMs;
		}
	}

	const { scan } = observation;
	const horizon = state.pass
		? (state.pass.horizon ?? scan.newest)
		: (scan.serverTimeMs ?? scan.newest);
	let watermark = state.watermark;
	let pass: Pass | undefined;
	let baseline = state.baseline;
	let keep: (createdMs: number) => boolean;
	if (scan.complete) {
		if (horizon !== null) watermark = Math.max(watermark, horizon - limits.lagMs);
		baseline = undefined;
		keep = (createdMs) => createdMs >= watermark;
	} else {
		const upper = minOf(state.pass?.upper, scan.oldest);
		if (scan.nextToken === undefined || upper === null) {
			pass = state.pass;
		} else {
			pass = { token: scan.nextToken, upper, horizon };
			if (scan.before !== undefined) pass.before = scan.before;
		}
		const next = horizon === null ? watermark : Math.max(watermark, horizon - limits.lagMs);
		const ahead = pass ? pass.upper + 1 : Number.POSITIVE_INFINITY;
		keep = (createdMs) => createdMs >= next || (createdMs >= watermark && createdMs <= ahead);
	}
	for (const [id, createdMs] of Object.entries(recent)) if (!keep(createdMs)) delete recent[id];

	const next: CursorState = { version: 2, filterKey: state.filterKey, watermark, open, recent };
	if (pass) next.pass = pass;
	if (baseline !== undefined) next.baseline = baseline;
	return next;
}

/** Ids the state holds, to compare with `maxTracked`. */
export function trackedCount(state: CursorState): { open: number; recent: number } {
	return { open: Object.keys(state.open).length, recent: Object.keys(state.recent).length };
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

const StoredState = z.object({
	version: z.literal(2),
	filterKey: z.string(),
	watermark: z.number(),
	open: z.record(z.string(), z.number()),
	recent: z.record(z.string(), z.number()),
	pass: z
		.object({
			token: z.string(),
			before: z.number().optional(),
			upper: z.number(),
			horizon: z.number().nullable(),
		})
		.optional(),
	baseline: z.number().optional(),
});

/** Version 1 (until 0.x): a watermark held down by unsettled jobs, the settled ids above it, and stragglers. */
const StoredStateV1 = z.object({
	version: z.literal(1),
	watermark: z.number(),
	settled: z.record(z.string(), z.number()),
	stragglers: z.array(z.string()),
	baseline: z.number().optional(),
	filterKey: z.string(),
});

/**
 * Version 1 → 2 without a miss or a duplicate: its settled ids (all settled jobs created ≥ W) become `recent`, its
 * stragglers (unsettled, created < W) become `open` to re-check by id (created time unknown: 0), and its pass is
 * dropped, because version 1 did not record the unfinished jobs a pass had read. The next pass scans [W, ∞) again
 * from the newest job: what it lists is either in `recent` or still to settle, and unfinished jobs enter `open`.
 */
function fromV1(stored: z.infer<typeof StoredStateV1>): CursorState {
	const state: CursorState = {
		version: 2,
		filterKey: stored.filterKey,
		watermark: stored.watermark,
		open: Object.fromEntries(stored.stragglers.map((id) => [id, 0])),
		recent: { ...stored.settled },
	};
	if (stored.baseline !== undefined) state.baseline = stored.baseline;
	return state;
}

/** The state kept in static data, copied out of n8n's observable object; undefined when absent or unreadable. */
export function readState(stored: unknown): CursorState | undefined {
	const parsed = StoredState.safeParse(stored);
	if (parsed.success) return parsed.data as CursorState;
	const old = StoredStateV1.safeParse(stored);
	return old.success ? fromV1(old.data) : undefined;
}
