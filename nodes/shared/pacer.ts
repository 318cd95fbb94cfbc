/**
 * Client-side pacing at LlamaCloud's rate limits. One `RequestPacer` per execution (the client owns it); the
 * transport asks it before every attempt and tells it how each attempt was answered, so a batch of items shares
 * one view of the limits instead of each item learning them by being refused.
 *
 * Two limit classes, each a sliding window of requests:
 *   - `upload`: `POST /api/v1/beta/files`, documented at 50 per 5 s per project. The pacer starts there.
 *   - `all`: every request. No limit is documented except the free tier's 20 per minute, and the node cannot know
 *     the plan. So the pacer sends freely until a window holds 20 requests, then lets one request go alone (the
 *     probe) before any other: if it is answered, the organization is not on the free tier and nothing more is
 *     checked; if it is refused, the window is capped at what got through, after one refusal instead of a burst.
 *
 * Adapting (AIMD-like, paceWindow.ts): a refusal pauses the class for the server's Retry-After, or for a full window
 * when there is none (a server that counts refusals must see silence to recover), and caps it at what its window let
 * through, a fifth less when refused again within a window. Every clean window used to the cap adds one request
 * back, up to just under the refused level, which is tried again only after `probeAfterWindows` clean windows.
 * A wait under a second, or a refusal with fewer requests in the window than the limit documented for the class,
 * is not that window filling up: it pauses, but caps nothing.
 *
 * Every request is logged in its window from when it is sent until a window after its answer arrived (the server
 * counts it somewhere in between), refused ones included, so the pacer errs on the side of the server's count.
 */
import { sleep } from 'n8n-workflow';

import { WindowPace } from './paceWindow';
import { RATE_LIMITS } from './rules';

export type LimitClass = 'upload' | 'all';

export interface PacerClock {
	now(): number;
	/** Resolves after `ms`; rejects when `signal` aborts. */
	sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface WindowLimit {
	requests: number;
	windowMs: number;
}

export interface PacerSettings {
	/** Starting cap of uploads. */
	upload: WindowLimit;
	/** The limit of every request that is probed before it is passed (the free tier's). */
	allHypothesis: WindowLimit;
	/** Added to every window, for the time between the server counting a request and the answer arriving. */
	marginMs: number;
	/** Clean windows at the refused level before the pacer tries one request more per window. */
	probeAfterWindows: number;
}

export const DEFAULT_PACER_SETTINGS: PacerSettings = {
	upload: RATE_LIMITS.uploads,
	allHypothesis: RATE_LIMITS.freeTier,
	marginMs: 10,
	probeAfterWindows: 20,
};

/** How an attempt was answered. */
export type PaceResult =
	| { kind: 'accepted' }
	/** 429: `retryAfterMs` when the server said how long to wait. */
	| { kind: 'refused'; retryAfterMs?: number }
	/** Any other failure (network, 5xx): still counted in the window, teaches nothing about the limit. */
	| { kind: 'failed' };

export interface Permit {
	settle(result: PaceResult): void;
}

export type Grant = { ok: true; permit: Permit } | { ok: false; readyAtMs: number };

const WALL_CLOCK: PacerClock = {
	now: () => Date.now(),
	sleep: async (ms, signal) => await sleep(ms, signal),
};

/** Nothing aborts it: for contexts without a cancel signal (trigger polls, editor look-ups). */
const NEVER = new AbortController().signal;

export interface AcquireOptions {
	signal?: AbortSignal;
	/** Epoch ms: a request that could not go by then is not sent (`ok: false`). */
	deadlineMs?: number;
}

/** The limit classes of a request. */
export function limitClassesOf(method: string, path: string): LimitClass[] {
	return method === 'POST' && path === '/api/v1/beta/files' ? ['upload', 'all'] : ['all'];
}

/** One per project and process (sharedPacers.ts): every request waits its turn here. */
export class RequestPacer {
	readonly classes: Record<LimitClass, WindowPace>;

	/** Requests on the wire (every request is in the `all` class). */
	get inFlight(): number {
		return this.classes.all.inFlight;
	}

	/** Requests that waited, and how long in total, for diagnostics. */
	waited = { requests: 0, ms: 0 };

	/**
	 * One line per set of classes (uploads; everything else), first come, first served within it: a status poll
	 * never waits behind uploads held by the upload window.
	 */
	private readonly lines = new Map<string, Promise<unknown>>();

	private wakers = new Set<() => void>();

	constructor(
		private readonly clock: PacerClock = WALL_CLOCK,
		private readonly settings: PacerSettings = DEFAULT_PACER_SETTINGS,
	) {
		const now = clock.now();
		this.classes = {
			upload: new WindowPace(settings.upload.windowMs, settings, { cap: settings.upload.requests, documented: settings.upload.requests }, now),
			all: new WindowPace(settings.allHypothesis.windowMs, settings, { hypothesis: settings.allHypothesis.requests, documented: settings.allHypothesis.requests }, now),
		};
	}

	/**
	 * Waits until a request of these classes may go, in arrival order. Resolves `ok: false` when that would be past
	 * the deadline; rejects when the signal aborts.
	 */
	async acquire(classes: readonly LimitClass[], options: AcquireOptions = {}): Promise<Grant> {
		const line = classes.join(' ');
		const turn = (this.lines.get(line) ?? Promise.resolve()).then(async () => await this.waitForTurn(classes, options));
		const done = turn.then(
			() => undefined,
			() => undefined,
		);
		this.lines.set(line, done);
		// The last in line leaves no promise behind.
		void done.then(() => {
			if (this.lines.get(line) === done) this.lines.delete(line);
		});
		return await turn;
	}

	private async waitForTurn(classes: readonly LimitClass[], options: AcquireOptions): Promise<Grant> {
		const signal = options.signal ?? NEVER;
		const deadline = options.deadlineMs ?? Number.POSITIVE_INFINITY;
		const startedAt = this.clock.now();
		for (;;) {
			if (signal.aborted) throw new Error('The execution was cancelled');
			const now = this.clock.now();
			let untilMs = now;
			let awaitAnswer = false;
			const probes: LimitClass[] = [];
			for (const name of classes) {
				const block = this.classes[name].blockAt(now);
				if (block === 'probe') probes.push(name);
				else if (block) {
					untilMs = Math.max(untilMs, block.untilMs ?? now);
					awaitAnswer ||= block.awaitAnswer === true;
				}
			}
			if (untilMs <= now && !awaitAnswer) {
				if (now > startedAt) {
					this.waited.requests++;
					this.waited.ms += now - startedAt;
				}
				return { ok: true, permit: this.grant(classes, probes, now) };
			}
			// Only a wait for time can run past the deadline; one for an answer already on the wire (the probe's) is
			// over in a round trip, and a request past its deadline would have been sent without a pacer too.
			if (untilMs > now && (untilMs > deadline || now >= deadline)) return { ok: false, readyAtMs: untilMs };
			// An answer may lift the block sooner (a probe answered): sleep until the time, or until woken.
			const sleepMs = untilMs > now ? untilMs - now : 60_000;
			await this.sleepOrWake(Math.max(1, sleepMs), signal);
		}
	}

	private grant(classes: readonly LimitClass[], probes: readonly LimitClass[], now: number): Permit {
		const entries = classes.map((name) => ({ name, entry: this.classes[name].take(now, probes.includes(name)) }));
		let settled = false;
		return {
			settle: (result) => {
				if (settled) return;
				settled = true;
				const at = this.clock.now();
				if (result.kind === 'refused') {
					// One refusal is one class's limit: the probe's, a full window's, or else the request's own (uploads').
					// An upload refused with a wait no longer than the upload window is the upload limit's, probe or not.
					const uploadWait = result.retryAfterMs !== undefined && result.retryAfterMs <= this.classes.upload.windowMs;
					const probed = entries.find(({ name, entry }) => entry.probe && !(uploadWait && classes.includes('upload')) && name === 'all');
					const blamed = probed ?? entries.find(({ name }) => this.classes[name].fill(at) >= 1) ?? entries[0];
					for (const { name, entry } of entries) this.classes[name].answer(entry, at, false);
					const minLearned = blamed.name === 'all' ? this.settings.allHypothesis.requests : 1;
					this.classes[blamed.name].refuse(at, blamed.entry.sentAt, result.retryAfterMs, minLearned);
				} else {
					for (const { name, entry } of entries) this.classes[name].answer(entry, at, result.kind === 'accepted');
				}
				this.wakeAll();
			},
		};
	}

	private wakeAll(): void {
		const wakers = [...this.wakers];
		this.wakers.clear();
		for (const wake of wakers) wake();
	}

	private async sleepOrWake(ms: number, signal: AbortSignal): Promise<void> {
		const controller = new AbortController();
		const wake = () => controller.abort();
		this.wakers.add(wake);
		signal.addEventListener('abort', wake, { once: true });
		try {
			await this.clock.sleep(ms, controller.signal);
		} catch {
			// Woken early by an answer or by cancellation; the loop looks again.
		} finally {
			this.wakers.delete(wake);
			signal.removeEventListener('abort', wake);
		}
	}
}
