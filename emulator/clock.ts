/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/**
 * The emulator's time. Every timestamp and every timer of the emulator goes through one Clock, so a test can run it
 * on a ManualClock and decide when time passes instead of sleeping and reading the wall clock.
 */

export interface TimerHandle {
	cancel(): void;
}

export interface Clock {
	now(): number;
	/** Runs `run` once `ms` have passed on this clock (at once, on the next turn, if `ms` <= 0). */
	setTimer(run: () => void, ms: number): TimerHandle;
}

/** Resolves after `ms` on the given clock. */
export function sleepOn(clock: Clock, ms: number): Promise<void> {
	return new Promise((resolve) => clock.setTimer(resolve, ms));
}

/** Date.now and unref'd setTimeout: the default, and what `npm start` and the benchmarks use. */
export const realClock: Clock = {
	now: () => Date.now(),
	setTimer(run, ms) {
		const timer = setTimeout(run, Math.max(0, ms));
		timer.unref?.();
		return { cancel: () => clearTimeout(timer) };
	},
};

interface ManualTimer {
	atMs: number;
	seq: number;
	run: () => void;
	done: boolean;
}

/** Lets pending promise callbacks and I/O of the process run (one macrotask turn, twice). */
function turn(): Promise<void> {
	return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/**
 * Time that moves only when the test says so. Timers fire in due order while `advance` or `next` moves the time
 * past them; a timer already due when it is set fires on the next turn, as a zero setTimeout would.
 */
export class ManualClock implements Clock {
	private current: number;
	private seq = 0;
	private readonly timers: ManualTimer[] = [];

	/** Starts at `startMs` (default: the wall clock at creation, so seeded "past" timestamps stay in the past). */
	constructor(startMs = Date.now()) {
		this.current = startMs;
	}

	now(): number {
		return this.current;
	}

	setTimer(run: () => void, ms: number): TimerHandle {
		const timer: ManualTimer = { atMs: this.current + Math.max(0, ms), seq: this.seq++, run, done: false };
		this.timers.push(timer);
		if (ms <= 0) setImmediate(() => this.fire(timer));
		return {
			cancel: () => {
				timer.done = true;
				this.forget(timer);
			},
		};
	}

	/** How many timers are waiting. */
	get pendingTimers(): number {
		return this.timers.filter((timer) => !timer.done).length;
	}

	/** Moves time forward by `ms`, firing every timer that falls due on the way, in order, each at its own time. */
	async advance(ms: number): Promise<void> {
		const target = this.current + Math.max(0, ms);
		for (;;) {
			await turn();
			const next = this.earliest();
			if (!next || next.atMs > target) break;
			this.current = Math.max(this.current, next.atMs);
			this.fire(next);
		}
		this.current = target;
		await turn();
	}

	/** Jumps to the earliest waiting timer and fires it (and any due at the same time); false if none is waiting. */
	async next(): Promise<boolean> {
		await turn();
		const next = this.earliest();
		if (!next) return false;
		await this.advance(next.atMs - this.current);
		return true;
	}

	private earliest(): ManualTimer | undefined {
		let earliest: ManualTimer | undefined;
		for (const timer of this.timers) {
			if (!timer.done && (!earliest || timer.atMs < earliest.atMs || (timer.atMs === earliest.atMs && timer.seq < earliest.seq))) {
				earliest = timer;
			}
		}
		return earliest;
	}

	private fire(timer: ManualTimer): void {
		if (timer.done) return;
		timer.done = true;
		this.forget(timer);
		timer.run();
	}

	private forget(timer: ManualTimer): void {
		const index = this.timers.indexOf(timer);
		if (index >= 0) this.timers.splice(index, 1);
	}
}
