/**
 * Job timing. A job spends ~10% of its job time (at most 250 ms) PENDING, then waits for a slot
 * under `maxConcurrentJobs` (shown as THROTTLED, or PENDING if so configured), then RUNS for the
 * rest of its job time. Unthrottled, creation to completion takes exactly the job time. Time is the emulator's Clock.
 */
import type { Clock, TimerHandle } from './clock';

export interface Plan {
	jobMs: number;
	/** A stalled job goes RUNNING and never finishes (until cancelled). */
	stall?: boolean;
	/** Applies the final state; called at completion time. */
	apply(atMs: number): void;
}

export interface Schedulable {
	id: string;
	createdAtMs: number;
	/** Resolves once the document is read and the outcome decided; never rejects. */
	plan: Promise<Plan>;
	onPhase(phase: 'RUNNING' | 'THROTTLED', atMs: number): void;
}

interface Entry {
	job: Schedulable;
	plan?: Plan;
	runMs: number;
	timer?: TimerHandle;
	state: 'preparing' | 'pending' | 'queued' | 'running';
	throttledShown: boolean;
}

export function pendingMsFor(jobMs: number): number {
	return Math.min(Math.round(jobMs * 0.1), 250);
}

export class Scheduler {
	private readonly entries = new Map<string, Entry>();
	private readonly queue: string[] = [];
	private readonly running = new Set<string>();
	private readonly timers = new Map<string, { timer: TimerHandle; run: () => void }>();

	constructor(
		private readonly limit: () => number,
		private readonly clock: Clock,
	) {}

	/** Resolves once every submitted job has its plan (its document read), so its timers are set. */
	async plansReady(): Promise<void> {
		// submit()'s own `then` on each plan was registered first, so it has set the timers by the time this resolves.
		await Promise.all([...this.entries.values()].filter((entry) => entry.state === 'preparing').map((entry) => entry.job.plan));
	}

	get runningCount(): number {
		return this.running.size;
	}

	get queuedCount(): number {
		return this.queue.length;
	}

	submit(job: Schedulable): void {
		const entry: Entry = { job, runMs: 0, state: 'preparing', throttledShown: false };
		this.entries.set(job.id, entry);
		void job.plan.then((plan) => {
			if (this.entries.get(job.id) !== entry) return;
			entry.plan = plan;
			const pendingMs = pendingMsFor(plan.jobMs);
			entry.runMs = Math.max(0, plan.jobMs - pendingMs);
			entry.state = 'pending';
			entry.timer = this.clock.setTimer(() => this.ready(entry), job.createdAtMs + pendingMs - this.clock.now());
		});
	}

	/** Forgets a job (cancelled or deleted) and frees its slot. */
	cancel(id: string): void {
		const entry = this.entries.get(id);
		if (entry) {
			entry.timer?.cancel();
			this.entries.delete(id);
			const queued = this.queue.indexOf(id);
			if (queued >= 0) this.queue.splice(queued, 1);
			if (this.running.delete(id)) this.pump();
		}
		this.clearTimed(id);
	}

	/** Re-checks the queue, e.g. after maxConcurrentJobs changed. */
	pump(): void {
		const limit = this.limit();
		while (this.queue.length > 0 && (limit <= 0 || this.running.size < limit)) {
			const id = this.queue.shift() as string;
			const entry = this.entries.get(id);
			if (entry) this.start(entry);
		}
		const now = this.clock.now();
		for (const id of this.queue) {
			const entry = this.entries.get(id);
			if (entry && !entry.throttledShown) {
				entry.throttledShown = true;
				entry.job.onPhase('THROTTLED', now);
			}
		}
	}

	/** A plain timer keyed by id (seeded jobs, parse jobs); cleared by `cancel(id)`. */
	at(id: string, atMs: number, run: () => void): void {
		const key = `${id}@${atMs}@${this.timers.size}`;
		const timer = this.clock.setTimer(() => {
			this.timers.delete(key);
			run();
		}, atMs - this.clock.now());
		this.timers.set(key, { timer, run });
	}

	/** Whether `at(id, ...)` timers are still waiting for this id. */
	hasTimed(id: string): boolean {
		for (const key of this.timers.keys()) if (key.startsWith(`${id}@`)) return true;
		return false;
	}

	/**
	 * Runs the timers set with `at(id, ...)` now instead of at their time; returns how many ran. Lets tests decide
	 * exactly when a seeded job finishes, so a slow machine cannot change what a poll sees.
	 */
	runNow(id: string): number {
		let ran = 0;
		for (const [key, entry] of [...this.timers]) {
			if (!key.startsWith(`${id}@`)) continue;
			entry.timer.cancel();
			this.timers.delete(key);
			entry.run();
			ran++;
		}
		return ran;
	}

	clear(): void {
		for (const entry of this.entries.values()) entry.timer?.cancel();
		for (const { timer } of this.timers.values()) timer.cancel();
		this.entries.clear();
		this.timers.clear();
		this.queue.length = 0;
		this.running.clear();
	}

	private clearTimed(id: string): void {
		for (const [key, { timer }] of this.timers) {
			if (key.startsWith(`${id}@`)) {
				timer.cancel();
				this.timers.delete(key);
			}
		}
	}

	private ready(entry: Entry): void {
		entry.timer = undefined;
		entry.state = 'queued';
		this.queue.push(entry.job.id);
		this.pump();
	}

	private start(entry: Entry): void {
		entry.state = 'running';
		this.running.add(entry.job.id);
		entry.job.onPhase('RUNNING', this.clock.now());
		if (entry.plan?.stall) return;
		// Reading the document may outlast the pending phase (a cold PDF parser, a burst of uploads); a job that never
		// waited for a slot still finishes at creation + job time, so benchmarks get the job time they set.
		const runMs =
			entry.throttledShown || !entry.plan
				? entry.runMs
				: Math.max(0, entry.job.createdAtMs + entry.plan.jobMs - this.clock.now());
		entry.timer = this.clock.setTimer(() => this.finish(entry), runMs);
	}

	private finish(entry: Entry): void {
		entry.timer = undefined;
		this.entries.delete(entry.job.id);
		this.running.delete(entry.job.id);
		entry.plan?.apply(this.clock.now());
		this.pump();
	}
}
