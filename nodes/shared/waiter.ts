/**
 * Waiting for many extract jobs at once. Every in-flight job of an execution registers with one `BatchJobWaiter`;
 * each round it asks `GET /api/v2/extract?job_ids=…` once for all of them (the client's job_ids pager), on the
 * schedule in schedule.ts.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { copyOfError } from './batch';
import type { LlamaCloudClient } from './client';
import { isFinalStatus, LIST_EXPAND_VALUES, type ExtractV2Job } from './contract';
import { isPassingFailure } from './retry';
import { DEFAULT_POLL_SCHEDULE, nextPollAt, nextPollDelay, type PollSchedule, type ScheduledJob } from './schedule';

export type WaitOutcome =
	| { kind: 'final'; job: ExtractV2Job }
	/** The wait ran out; `job` is the last state seen, so its ID is never lost. */
	| { kind: 'timeout'; job: ExtractV2Job };

export interface WaiterSettings extends Partial<PollSchedule> {
	/** `expand` for the result; list-supported values ride on the shared poll, others (`usage`) cost one GET per job. */
	expand?: readonly string[];
	/** How many job IDs one list request carries. */
	idsPerRequest?: number;
	/** Time, for tests: they advance it instead of sleeping. Default: the wall clock and n8n's `sleep`. */
	clock?: WaiterClock;
}

export interface WaiterClock {
	now(): number;
	/** Resolves after `ms`; rejects when `signal` aborts. */
	sleep(ms: number, signal: AbortSignal): Promise<void>;
}

const WALL_CLOCK: WaiterClock = {
	now: () => Date.now(),
	sleep: async (ms, signal) => await sleep(ms, signal),
};

interface PendingJob extends ScheduledJob {
	lastSeen: ExtractV2Job;
	itemIndex: number;
	/** `expand` this job's result needs beyond the waiter's own (e.g. `extract_metadata` for citations). */
	expand: readonly string[];
	resolve: (outcome: WaitOutcome) => void;
	reject: (error: Error) => void;
}

/**
 * Waits for many extract jobs with one shared status poll: each round is one `GET /api/v2/extract?job_ids=…` for
 * every job still running (paged, `idsPerRequest` IDs per request), and a finished job's result is taken from that
 * list, or fetched once with a GET when the list lacks it. One waiter serves one execution; any operation that
 * creates jobs can share it (`wait` per item, from concurrent tasks).
 */
export class BatchJobWaiter {
	private readonly pending = new Map<string, PendingJob>();

	/** Whether the poll loop runs; set and cleared synchronously with the pending check, so no job is stranded. */
	private running = false;

	private readonly schedule: PollSchedule;

	private readonly listExpand: readonly string[];

	private readonly getOnlyExpand: readonly string[];

	private readonly idsPerRequest: number;

	private readonly clock: WaiterClock;

	/** Set while the loop sleeps: when it plans to wake, and how to wake it sooner for a newly registered job. */
	private alarm: { wakeAt: number; wake: () => void } | undefined;

	/**
	 * Set while poll rounds fail even after the transport's retries (LlamaCloud or the network is down): the jobs go
	 * on running there, so the waiter keeps trying, a full poll interval apart, until each job's own deadline.
	 */
	private outage: { error: Error; since: number; retryAt: number } | undefined;

	/** List pages read (rounds × pages), for diagnostics and tests. */
	pollCount = 0;

	/** Per-job GETs sent (results the list lacked, or jobs it did not return). */
	jobFetchCount = 0;

	private readonly ctx: IExecuteFunctions;

	constructor(
		private readonly client: LlamaCloudClient<IExecuteFunctions>,
		settings: WaiterSettings = {},
	) {
		this.ctx = client.ctx;
		this.schedule = {
			minIntervalMs: settings.minIntervalMs ?? DEFAULT_POLL_SCHEDULE.minIntervalMs,
			maxIntervalMs: settings.maxIntervalMs ?? DEFAULT_POLL_SCHEDULE.maxIntervalMs,
			ageFraction: settings.ageFraction ?? DEFAULT_POLL_SCHEDULE.ageFraction,
		};
		const expand = settings.expand ?? [];
		this.listExpand = expand.filter((value) => LIST_EXPAND_VALUES.includes(value));
		this.getOnlyExpand = expand.filter((value) => !LIST_EXPAND_VALUES.includes(value));
		this.idsPerRequest = Math.max(1, settings.idsPerRequest ?? 50);
		this.clock = settings.clock ?? WALL_CLOCK;
	}

	/**
	 * Resolves when the job reaches a final status (with its result), or with `timeout` after `timeoutMs`. `expand`
	 * adds what this job's result needs: list-supported values ride on the shared poll while the job waits.
	 */
	async wait(job: ExtractV2Job, itemIndex: number, timeoutMs: number, expand: readonly string[] = []): Promise<WaitOutcome> {
		const extra = expand.filter((value) => !this.listExpand.includes(value) && !this.getOnlyExpand.includes(value));
		if (isFinalStatus(job.status) && this.hasResult(job, extra)) return { kind: 'final', job };
		const now = this.clock.now();
		const outcome = new Promise<WaitOutcome>((resolve, reject) => {
			this.pending.set(job.id, {
				lastSeen: job,
				registeredAt: now,
				deadline: now + timeoutMs,
				itemIndex,
				expand: extra,
				resolve,
				reject,
			});
		});
		// A long sleep planned for old jobs must not delay a new job's first poll.
		if (this.alarm && this.alarm.wakeAt > now + nextPollDelay(0, this.schedule) + 50) this.alarm.wake();
		this.startLoop();
		return await outcome;
	}

	/** A list may leave a field it does not carry as null (pydantic), so null is asked for once by GET. */
	private hasResult(job: ExtractV2Job, extra: readonly string[]): boolean {
		if (job.status !== 'COMPLETED') return true;
		if (job.extract_result === undefined || job.extract_result === null || this.getOnlyExpand.length > 0) return false;
		// An expand the list carries counts as answered once the job was listed with it; others need the GET.
		return extra.every((value) => LIST_EXPAND_VALUES.includes(value) && (value !== 'extract_metadata' || job.extract_metadata !== undefined));
	}

	/** The job by itself, with everything its result needs. */
	private async getJob(jobId: string, pending: PendingJob): Promise<ExtractV2Job> {
		this.jobFetchCount++;
		return await this.client.getJob(jobId, {
			expand: [...this.listExpand, ...this.getOnlyExpand, ...pending.expand],
			itemIndex: pending.itemIndex,
		});
	}

	/** The list's `expand` for a chunk of waiting jobs: the waiter's own plus what any of them needs. */
	private listExpandFor(ids: readonly string[]): string[] | undefined {
		const values = new Set(this.listExpand);
		for (const id of ids) {
			for (const value of this.pending.get(id)?.expand ?? []) if (LIST_EXPAND_VALUES.includes(value)) values.add(value);
		}
		return values.size > 0 ? [...values] : undefined;
	}

	private startLoop(): void {
		if (this.running) return;
		this.running = true;
		void this.run();
	}

	private async run(): Promise<void> {
		const cancel = this.ctx.getExecutionCancelSignal();
		// `running` is cleared in the same synchronous step that finds nothing pending, so a job registered at
		// any other moment is always picked up by this loop.
		for (;;) {
			if (this.pending.size === 0) {
				this.running = false;
				this.outage = undefined;
				return;
			}
			try {
				const wakeAt = nextPollAt(this.pending.values(), this.schedule, this.outage?.retryAt);
				const wokenEarly = await this.sleepUntil(wakeAt, cancel);
				if (cancel?.aborted) {
					this.failAll((itemIndex) => this.cancelledError(itemIndex));
					continue;
				}
				if (wokenEarly) continue;
				if (!this.outage || this.clock.now() >= this.outage.retryAt) {
					await this.pollOnce();
					this.outage = undefined;
				}
				this.expireOverdue();
			} catch (error) {
				if (cancel?.aborted) {
					this.failAll((itemIndex) => this.cancelledError(itemIndex));
				} else if (isPassingFailure(error)) {
					// The transport's retries ran out on an outage: keep waiting, a poll interval apart, until deadlines.
					const now = this.clock.now();
					this.outage = { error: error as Error, since: this.outage?.since ?? now, retryAt: now + this.schedule.maxIntervalMs };
					this.expireOverdue();
				} else {
					// A refusal that will not change by waiting (the key, the project, the request): every waiting job
					// fails now, each with its own copy of the error so each keeps its own job ID.
					this.failAll(() => error as Error);
				}
			}
		}
	}

	/** Sleeps until `wakeAt`; true when woken sooner (a new job, or the execution was cancelled). */
	private async sleepUntil(wakeAt: number, cancel: AbortSignal | undefined): Promise<boolean> {
		const delay = wakeAt - this.clock.now();
		if (delay <= 0) return false;
		const controller = new AbortController();
		const wake = () => controller.abort();
		cancel?.addEventListener('abort', wake, { once: true });
		this.alarm = { wakeAt, wake };
		try {
			await this.clock.sleep(delay, controller.signal);
			return false;
		} catch {
			return true;
		} finally {
			cancel?.removeEventListener('abort', wake);
			this.alarm = undefined;
		}
	}

	private async pollOnce(): Promise<void> {
		const polledAt = this.clock.now();
		const ids = [...this.pending.keys()];
		const listed = new Set<string>();
		await this.client.listJobsByIds(ids, {
			idsPerRequest: this.idsPerRequest,
			expandFor: (chunk) => this.listExpandFor(chunk),
			onPage: (jobs) => {
				this.pollCount++;
				for (const job of jobs) {
					listed.add(job.id);
					this.observe(job, polledAt);
				}
			},
		});
		// A job the list did not return (a list index that lags behind creates, or a deleted job) is asked for alone.
		const unlisted = ids.filter((id) => !listed.has(id) && this.pending.has(id));
		await Promise.all(unlisted.map(async (id) => await this.fetchJob(id, polledAt)));
	}

	private observe(job: ExtractV2Job, polledAt: number): void {
		const pending = this.pending.get(job.id);
		if (!pending) return;
		pending.lastSeen = job;
		pending.lastPolledAt = polledAt;
		if (!isFinalStatus(job.status)) return;
		this.pending.delete(job.id);
		if (this.hasResult(job, pending.expand)) {
			pending.resolve({ kind: 'final', job });
			return;
		}
		// The list lacks the result (or an expand it cannot give): fetch it once, beside the polls of the others.
		void this.fetchResult(job.id, pending);
	}

	private async fetchResult(jobId: string, pending: PendingJob): Promise<void> {
		try {
			pending.resolve({ kind: 'final', job: await this.getJob(jobId, pending) });
		} catch (error) {
			if (isPassingFailure(error) && this.clock.now() < pending.deadline && !this.ctx.getExecutionCancelSignal()?.aborted) {
				// The job is done; only its result could not be read yet. The next round sees it final and asks again.
				this.pending.set(jobId, pending);
				this.startLoop();
				return;
			}
			pending.reject(error as Error);
		}
	}

	private async fetchJob(jobId: string, polledAt: number): Promise<void> {
		const pending = this.pending.get(jobId);
		if (!pending) return;
		try {
			const job = await this.getJob(jobId, pending);
			// This GET already carries everything asked for, so a final job is done here.
			pending.lastSeen = job;
			pending.lastPolledAt = polledAt;
			if (isFinalStatus(job.status)) {
				this.pending.delete(jobId);
				pending.resolve({ kind: 'final', job });
			}
		} catch (error) {
			// An outage leaves it waiting for a later round, on the usual schedule; anything else (a deleted job: 404)
			// ends its wait.
			if (isPassingFailure(error)) {
				pending.lastPolledAt = polledAt;
				return;
			}
			this.pending.delete(jobId);
			pending.reject(error as Error);
		}
	}

	/** Ends every wait with an error; a shared error is copied per job, because each caller attaches its job ID. */
	private failAll(errorFor: (itemIndex: number) => Error): void {
		for (const [id, pending] of this.pending) {
			this.pending.delete(id);
			pending.reject(copyOfError(errorFor(pending.itemIndex)));
		}
	}

	private cancelledError(itemIndex: number): NodeOperationError {
		return new NodeOperationError(this.ctx.getNode(), 'The execution was cancelled while waiting for the extraction job', {
			itemIndex,
			description:
				'The job keeps running in LlamaCloud. Resume with Extract Job › Wait for Completion and the job ID shown here.',
		});
	}

	private expireOverdue(): void {
		const now = this.clock.now();
		for (const [id, pending] of this.pending) {
			if (now < pending.deadline) continue;
			this.pending.delete(id);
			const outage = this.outage;
			// Unknown is not "still running": when LlamaCloud could not be asked, the wait ends with the outage's error.
			if (outage && (pending.lastPolledAt === undefined || pending.lastPolledAt < outage.since)) {
				pending.reject(this.outageError(outage, pending));
			} else pending.resolve({ kind: 'timeout', job: pending.lastSeen });
		}
	}

	private outageError(outage: { error: Error; since: number }, pending: PendingJob): Error {
		const error = copyOfError(outage.error) as Error & { description?: string | null };
		const seconds = Math.max(1, Math.round((this.clock.now() - outage.since) / 1000));
		error.description = [
			error.description,
			`LlamaCloud could not be reached to check job ${pending.lastSeen.id} for the last ${seconds} s, up to the Wait Timeout; the job may still be running there. Resume with Extract Job › Wait for Completion and this job ID.`,
		]
			.filter(Boolean)
			.join(' ');
		return error;
	}
}
