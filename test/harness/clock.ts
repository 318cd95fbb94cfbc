/**
 * A clock the test moves by hand, for code that takes an injectable clock (the BatchJobWaiter): `sleep` waits
 * until the test advances time past its wake-up, and rejects when its signal aborts, as n8n's `sleep` does.
 */
import type { WaiterClock } from '../../nodes/shared/waiter';

interface Sleeper {
	wakeAt: number;
	resolve: () => void;
}

export class ManualClock implements WaiterClock {
	private current: number;

	private readonly sleepers = new Set<Sleeper>();

	private onSleep: Array<() => void> = [];

	constructor(startMs = Date.parse('2026-01-01T00:00:00Z')) {
		this.current = startMs;
	}

	now(): number {
		return this.current;
	}

	async sleep(ms: number, signal: AbortSignal): Promise<void> {
		if (signal.aborted) throw new Error('aborted');
		await new Promise<void>((resolve, reject) => {
			const sleeper: Sleeper = {
				wakeAt: this.current + Math.max(0, ms),
				resolve: () => {
					signal.removeEventListener('abort', abort);
					resolve();
				},
			};
			const abort = () => {
				this.sleepers.delete(sleeper);
				reject(new Error('aborted'));
			};
			signal.addEventListener('abort', abort, { once: true });
			this.sleepers.add(sleeper);
			const waiting = this.onSleep;
			this.onSleep = [];
			for (const notify of waiting) notify();
		});
	}

	/** How many sleeps wait for time to pass (an aborted sleep leaves at once). */
	get sleeping(): number {
		return this.sleepers.size;
	}

	/** The earliest wake-up of anyone asleep, once someone is (the code under test has run until it waits). */
	async nextWakeUp(): Promise<number> {
		while (this.sleepers.size === 0) await new Promise<void>((resolve) => this.onSleep.push(resolve));
		return Math.min(...[...this.sleepers].map((sleeper) => sleeper.wakeAt));
	}

	/** Moves time to `atMs` and wakes every sleeper due by then. */
	advanceTo(atMs: number): void {
		this.current = Math.max(this.current, atMs);
		for (const sleeper of [...this.sleepers]) {
			if (sleeper.wakeAt > this.current) continue;
			this.sleepers.delete(sleeper);
			sleeper.resolve();
		}
	}

	/** Lets time pass from one wake-up to the next until `done` settles; returns the wake-up times it went through. */
	async runUntil(done: Promise<unknown>): Promise<number[]> {
		let settled = false;
		void done.then(
			() => (settled = true),
			() => (settled = true),
		);
		const wakeUps: number[] = [];
		for (;;) {
			const next = await Promise.race([this.nextWakeUp(), done.then(() => undefined, () => undefined)]);
			if (settled || next === undefined) return wakeUps;
			wakeUps.push(next);
			this.advanceTo(next);
		}
	}
}
