/**
 * LlamaCloud's documented rate limits, enforced the way a gateway does before any handler runs: uploads
 * (`POST /api/v1/beta/files`) at 50 per 5 s per project, and with `plan: 'free'` every request at 20 per minute per
 * organization (rules.ts RATE_LIMITS). Over a limit the answer is 429 with `Retry-After` (whole seconds until a
 * slot frees).
 *
 * The docs leave two things open, so each is a switch: `retryAfter: false` sends the 429 without the header, and
 * `countRefused: true` counts refused requests toward the window too (a client that keeps retrying then keeps the
 * window full). Each window is a sliding log of request times on the emulator's clock.
 */
import { RATE_LIMITS } from '../nodes/shared/rules';
import type { Clock } from './clock';

export interface WindowLimitSpec {
	requests: number;
	windowMs: number;
}

export interface RateLimitSettings {
	/** Upload limit per project; false = none. */
	uploads: WindowLimitSpec | false;
	/** `free` adds 20 requests per minute per organization for every request. */
	plan: 'paid' | 'free';
	/** Every request of a free-tier organization; only used with `plan: 'free'`. */
	freeTier: WindowLimitSpec;
	/** Send `Retry-After` with a 429 (default true). */
	retryAfter: boolean;
	/** Refused requests count toward the window (default false). */
	countRefused: boolean;
}

/** Off: what tests get unless they test the limits. */
export const NO_RATE_LIMITS: RateLimitSettings = {
	uploads: false,
	plan: 'paid',
	freeTier: RATE_LIMITS.freeTier,
	retryAfter: true,
	countRefused: false,
};

/** LlamaCloud's documented limits on a paid plan: what the CLI runs with unless told otherwise. */
export const DOCUMENTED_RATE_LIMITS: RateLimitSettings = { ...NO_RATE_LIMITS, uploads: RATE_LIMITS.uploads };

export const UPLOAD_ROUTE = 'POST /api/v1/beta/files';

export interface RateLimitRefusal {
	/** Which limit refused it. */
	limit: 'uploads' | 'free-tier';
	/** Until a slot frees, in ms. */
	retryAfterMs: number;
	headers: Record<string, string>;
}

/** Per limit: how many requests it let through and refused, for stats and benchmarks. */
export interface RateLimitCounts {
	admitted: number;
	refused: number;
	byLimit: Record<'uploads' | 'free-tier', number>;
}

/** A sliding window: the times of the requests it counts. */
class SlidingWindow {
	private times: number[] = [];

	constructor(private readonly spec: WindowLimitSpec) {}

	private prune(now: number): void {
		let drop = 0;
		while (drop < this.times.length && this.times[drop] <= now - this.spec.windowMs) drop++;
		if (drop > 0) this.times = this.times.slice(drop);
	}

	/** Undefined when a request may pass now; otherwise the ms until one may. */
	waitMs(now: number): number | undefined {
		this.prune(now);
		if (this.times.length < this.spec.requests) return undefined;
		const freesAt = this.times[this.times.length - this.spec.requests] + this.spec.windowMs;
		return Math.max(1, freesAt - now);
	}

	record(now: number): void {
		this.times.push(now);
	}
}

export class RateLimiter {
	settings: RateLimitSettings = { ...NO_RATE_LIMITS };

	counts: RateLimitCounts = { admitted: 0, refused: 0, byLimit: { uploads: 0, 'free-tier': 0 } };

	private readonly uploadWindows = new Map<string, SlidingWindow>();

	private orgWindow: SlidingWindow | undefined;

	constructor(private readonly clock: Clock) {}

	/** Replaces the settings and empties every window. */
	configure(update: Partial<RateLimitSettings>): RateLimitSettings {
		const next = { ...this.settings, ...update };
		if (next.plan !== 'free' && next.plan !== 'paid') throw new Error('plan must be "free" or "paid"');
		for (const spec of [next.uploads, next.freeTier]) {
			if (spec === false) continue;
			if (!(spec.requests >= 1 && spec.windowMs >= 1)) throw new Error('a limit needs requests >= 1 and windowMs >= 1');
		}
		this.settings = next;
		this.reset();
		return { ...this.settings };
	}

	reset(): void {
		this.uploadWindows.clear();
		this.orgWindow = undefined;
		this.counts = { admitted: 0, refused: 0, byLimit: { uploads: 0, 'free-tier': 0 } };
	}

	/** Admits one API request (recording it), or says which limit refuses it and for how long. */
	admit(route: string, projectId: string): RateLimitRefusal | undefined {
		const now = this.clock.now();
		const windows: Array<{ limit: RateLimitRefusal['limit']; window: SlidingWindow }> = [];
		if (this.settings.plan === 'free') {
			this.orgWindow ??= new SlidingWindow(this.settings.freeTier);
			windows.push({ limit: 'free-tier', window: this.orgWindow });
		}
		if (this.settings.uploads && route === UPLOAD_ROUTE) {
			let window = this.uploadWindows.get(projectId);
			if (!window) this.uploadWindows.set(projectId, (window = new SlidingWindow(this.settings.uploads)));
			windows.push({ limit: 'uploads', window });
		}
		let refusal: RateLimitRefusal | undefined;
		for (const { limit, window } of windows) {
			const waitMs = window.waitMs(now);
			if (waitMs === undefined) continue;
			if (!refusal || waitMs > refusal.retryAfterMs) refusal = { limit, retryAfterMs: waitMs, headers: {} };
		}
		if (!refusal || this.settings.countRefused) for (const { window } of windows) window.record(now);
		if (!refusal) {
			this.counts.admitted++;
			return undefined;
		}
		this.counts.refused++;
		this.counts.byLimit[refusal.limit]++;
		if (this.settings.retryAfter) refusal.headers['retry-after'] = String(Math.ceil(refusal.retryAfterMs / 1000));
		return refusal;
	}
}
