/**
 * One limit class of the pacer (pacer.ts): a sliding window of the requests it sent, its cap, the level the server
 * refused, and its pause. Pure: the caller passes the time.
 */
import type { PacerSettings } from './pacer';

export interface Entry {
	/** When it was sent, then when its answer came. */
	at: number;
	sentAt: number;
	accepted: boolean;
	probe: boolean;
}

/** The largest step by which a share of a shared limit grows in one clean window. */
const MAX_SHARE_STEP = 8;

/** What keeps a request from going now. */
export interface Block {
	/** Epoch ms at which it may go, if time alone decides. */
	untilMs?: number;
	/** An answer still in flight must come back first. */
	awaitAnswer?: boolean;
}

/** One limit class: its window log, cap and pause. */
export class WindowPace {
	cap: number | undefined;

	/** The lowest per-window count the server refused (or, for uploads, the first count past the documented limit). */
	refusedLevel: number | undefined;

	/** A limit to probe before passing it; cleared once a probe is answered. */
	hypothesis: number | undefined;

	pausedUntil = 0;

	/** The class's documented limit per window. */
	private readonly documented: number;

	refusals = 0;

	private lastRefusalAt: number | undefined;

	private readonly open = new Set<Entry>();

	/** Answered entries, oldest answer first (answers come in time order). */
	private closed: Entry[] = [];

	private changedAt: number;

	private usedSinceChange = 0;

	/** Increases in a row since the last refusal: a share grows faster the longer it goes unrefused. */
	private cleanIncreases = 0;

	constructor(
		readonly windowMs: number,
		private readonly settings: PacerSettings,
		start: { cap?: number; hypothesis?: number; documented: number },
		now: number,
	) {
		this.cap = start.cap;
		this.refusedLevel = start.cap === undefined ? undefined : start.cap + 1;
		this.hypothesis = start.hypothesis;
		this.documented = start.documented;
		this.changedAt = now;
	}

	private get spanMs(): number {
		return this.windowMs + this.settings.marginMs;
	}

	private prune(now: number): void {
		let drop = 0;
		while (drop < this.closed.length && this.closed[drop].at <= now - this.spanMs) drop++;
		if (drop > 0) this.closed = this.closed.slice(drop);
	}

	/** Requests sent and not yet answered. */
	get inFlight(): number {
		return this.open.size;
	}

	/** Requests in the window: in flight, and answered within the last window. */
	inWindow(now: number): number {
		this.prune(now);
		return this.open.size + this.closed.length;
	}

	acceptedInWindow(now: number): number {
		this.prune(now);
		return this.closed.filter((entry) => entry.accepted).length;
	}

	private get probeInFlight(): boolean {
		for (const entry of this.open) if (entry.probe) return true;
		return false;
	}

	/** Whether a request may go now; undefined when it may. `probe` is set when it goes as the probe. */
	blockAt(now: number): Block | 'probe' | undefined {
		if (this.pausedUntil > now) return { untilMs: this.pausedUntil };
		const count = this.inWindow(now);
		if (this.cap !== undefined) {
			if (count < this.cap) return undefined;
			const mustExpire = count - this.cap + 1;
			if (this.closed.length < mustExpire) return { awaitAnswer: true };
			return { untilMs: this.closed[mustExpire - 1].at + this.spanMs };
		}
		if (this.hypothesis === undefined || count < this.hypothesis) return undefined;
		return this.probeInFlight ? { awaitAnswer: true } : 'probe';
	}

	take(now: number, probe: boolean): Entry {
		const entry: Entry = { at: now, sentAt: now, accepted: false, probe };
		this.open.add(entry);
		return entry;
	}

	/** How full the window is against the limit that applies (1 = full), for blaming a refusal on one class. */
	fill(now: number): number {
		const limit = this.cap ?? this.hypothesis;
		return limit === undefined ? 0 : this.acceptedInWindow(now) / limit;
	}

	answer(entry: Entry, now: number, accepted: boolean): void {
		this.open.delete(entry);
		entry.at = now;
		entry.accepted = accepted;
		this.closed.push(entry);
		if (entry.probe && accepted) this.hypothesis = undefined;
		if (accepted) this.creepUp(now);
	}

	/**
	 * Additive increase: one more per clean window that was used up to its cap. A share of a limit others use too
	 * grows faster with every clean increase in a row (1, 2, 4, then 8 a window), so a worker whose neighbours went
	 * quiet takes the whole limit back in a few windows instead of dozens.
	 */
	private creepUp(now: number): void {
		if (this.cap === undefined) return;
		this.usedSinceChange++;
		const cleanWindows = (now - this.changedAt) / this.windowMs;
		// A level refused below the documented limit is a share of a limit others use too (other executions or
		// workers), which changes as they come and go: keep probing it a window at a time. At the documented level the
		// limit itself was found: try past it only after many clean windows.
		const belowRefused =
			this.refusedLevel === undefined || this.cap + 1 < this.refusedLevel || this.refusedLevel <= this.documented;
		const due = belowRefused ? cleanWindows >= 1 : cleanWindows >= this.settings.probeAfterWindows;
		if (!due || this.usedSinceChange < this.cap) return;
		const share = this.refusedLevel !== undefined && this.refusedLevel <= this.documented;
		this.cap += share ? Math.min(2 ** this.cleanIncreases++, MAX_SHARE_STEP) : 1;
		if (!belowRefused) this.refusedLevel = undefined;
		this.changedAt = now;
		this.usedSinceChange = 0;
	}

	/**
	 * A pause (Retry-After, or a full window without one) and, when the refusal looks like this window filling up, a
	 * lower cap. A wait under a second is not a window of seconds or minutes running full, and fewer requests than
	 * `minLearned` in the window cannot be the limit documented for it: those pause but cap nothing.
	 */
	refuse(now: number, sentAt: number, retryAfterMs: number | undefined, minLearned: number): void {
		this.refusals++;
		// Refused again within a window of the last pause: the cap learned then was wrong, so a fifth comes off.
		const repeated = this.lastRefusalAt !== undefined && now <= this.pausedUntil + this.spanMs;
		this.pausedUntil = Math.max(this.pausedUntil, now + (retryAfterMs ?? this.spanMs));
		const accepted = this.acceptedInWindow(now);
		if ((retryAfterMs !== undefined && retryAfterMs < 1_000) || accepted < minLearned) return;
		// A request sent before the last change was paced by the old cap: its refusal is already accounted for.
		if (this.lastRefusalAt !== undefined && sentAt <= this.lastRefusalAt) return;
		this.lastRefusalAt = now;
		this.cleanIncreases = 0;
		// What got through in one window is the limit.
		const below = Math.min(accepted, (this.cap ?? Number.MAX_SAFE_INTEGER) - 1);
		this.cap = Math.max(1, repeated ? Math.min(below, Math.floor((this.cap ?? accepted) * 0.8)) : below);
		this.refusedLevel = Math.max(this.cap + 1, Math.min(this.refusedLevel ?? Number.MAX_SAFE_INTEGER, accepted + 1));
		this.hypothesis = undefined;
		this.changedAt = now;
		this.usedSinceChange = 0;
	}
}
