/**
 * Extract jobs: create, and wait for many at once with one shared status poll.
 *
 * The official node polls every job on its own (1 s → 5 s), so a batch of N jobs costs N × (job time + up to 5 s).
 * Here every in-flight job of an execution registers with one `BatchJobWaiter`; each round it asks
 * `GET /api/v2/extract?job_ids=…` once for all of them, and the delay adapts to the youngest job's age so a finished
 * job is noticed soon after it finishes, without hammering the API while long jobs run.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import {
	ExtractV2Job,
	ExtractV2JobCreate,
	ExtractV2JobQueryResponse,
	isFinalStatus,
	type ExtractConfiguration,
} from './contract';
import { apiRequest, type ApiContext, type LlamaCloudConnection } from './transport';

export interface CreateJobInput {
	fileInput: string;
	configuration?: ExtractConfiguration;
	configurationId?: string;
	itemIndex: number;
}

export async function createExtractJob(
	this: ApiContext,
	input: CreateJobInput,
	connection?: LlamaCloudConnection,
): Promise<ExtractV2Job> {
	const body: ExtractV2JobCreate = input.configurationId
		? { file_input: input.fileInput, configuration_id: input.configurationId }
		: { file_input: input.fileInput, configuration: input.configuration };
	return await apiRequest.call(
		this,
		{
			method: 'POST',
			path: '/api/v2/extract',
			body,
			itemIndex: input.itemIndex,
			notFoundHint:
				'The file, parse job or saved configuration was not found in this project and region. Check the ID and the credential.',
		},
		ExtractV2Job,
		connection,
	);
}

export async function getExtractJob(
	this: ApiContext,
	jobId: string,
	options: { expand?: readonly string[]; itemIndex?: number } = {},
	connection?: LlamaCloudConnection,
): Promise<ExtractV2Job> {
	return await apiRequest.call(
		this,
		{
			method: 'GET',
			path: `/api/v2/extract/${encodeURIComponent(jobId)}`,
			query: { expand: options.expand },
			itemIndex: options.itemIndex,
			notFoundHint: `No extract job "${jobId}" exists in this project and region. Extract job IDs start with ext-.`,
		},
		ExtractV2Job,
		connection,
	);
}

export type WaitOutcome =
	| { kind: 'final'; job: ExtractV2Job }
	/** The wait ran out; `job` is the last state seen, so its ID is never lost. */
	| { kind: 'timeout'; job: ExtractV2Job };

export interface WaiterSettings {
	/** Shortest gap between two polls. */
	minIntervalMs?: number;
	/** Longest gap between two polls. */
	maxIntervalMs?: number;
	/** Fraction of the youngest job's age to wait before the next poll. */
	ageFraction?: number;
	/** `expand` for the final GET, e.g. `usage`; results in the list response are used when no expand is needed. */
	expand?: readonly string[];
	/** How many job IDs one list request carries. */
	idsPerRequest?: number;
	/** Clock, for tests of the schedule only. */
	now?: () => number;
}

interface PendingJob {
	lastSeen: ExtractV2Job;
	registeredAt: number;
	deadline: number;
	itemIndex: number;
	resolve: (outcome: WaitOutcome) => void;
	reject: (error: Error) => void;
}

/**
 * Next poll delay: a fraction of the youngest pending job's age, clamped. Polls come quickly while jobs are young
 * and spread out as they run long, so detection slack stays near `ageFraction` of the job time.
 */
export function nextPollDelay(youngestAgeMs: number, settings: Required<Pick<WaiterSettings, 'minIntervalMs' | 'maxIntervalMs' | 'ageFraction'>>): number {
	const proposed = youngestAgeMs * settings.ageFraction;
	return Math.round(Math.min(settings.maxIntervalMs, Math.max(settings.minIntervalMs, proposed)));
}

export class BatchJobWaiter {
	private readonly pending = new Map<string, PendingJob>();

	private loop: Promise<void> | undefined;

	private readonly settings: Required<Omit<WaiterSettings, 'expand'>> & { expand: readonly string[] };

	/** Requests made by this waiter, for diagnostics and tests. */
	pollCount = 0;

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly connection: LlamaCloudConnection,
		settings: WaiterSettings = {},
	) {
		this.settings = {
			minIntervalMs: settings.minIntervalMs ?? 250,
			maxIntervalMs: settings.maxIntervalMs ?? 5000,
			ageFraction: settings.ageFraction ?? 0.1,
			expand: settings.expand ?? [],
			idsPerRequest: settings.idsPerRequest ?? 50,
			now: settings.now ?? (() => Date.now()),
		};
	}

	/** Resolves when the job reaches a final status, or with `timeout` after `timeoutMs`. */
	async wait(job: ExtractV2Job, itemIndex: number, timeoutMs: number): Promise<WaitOutcome> {
		if (isFinalStatus(job.status) && this.hasResult(job)) return { kind: 'final', job };
		const now = this.settings.now();
		const outcome = new Promise<WaitOutcome>((resolve, reject) => {
			this.pending.set(job.id, {
				lastSeen: job,
				registeredAt: now,
				deadline: now + timeoutMs,
				itemIndex,
				resolve,
				reject,
			});
		});
		this.loop ??= this.run().finally(() => {
			this.loop = undefined;
		});
		return await outcome;
	}

	private hasResult(job: ExtractV2Job): boolean {
		if (job.status !== 'COMPLETED') return true;
		return job.extract_result !== undefined && this.settings.expand.length === 0;
	}

	private async run(): Promise<void> {
		const signal = this.ctx.getExecutionCancelSignal();
		while (this.pending.size > 0) {
			const now = this.settings.now();
			const youngestAge = Math.min(...[...this.pending.values()].map((p) => now - p.registeredAt));
			const nearestDeadline = Math.min(...[...this.pending.values()].map((p) => p.deadline));
			const delay = Math.max(0, Math.min(nextPollDelay(youngestAge, this.settings), nearestDeadline - now));
			try {
				await sleep(delay, signal);
				if (signal?.aborted) throw new Error('The execution was cancelled');
				await this.pollOnce();
			} catch (error) {
				// A failed round (cancel, or an error the transport already retried) fails every job still waiting;
				// each keeps its job ID through `attachJobId` in the caller.
				for (const [id, pending] of this.pending) {
					this.pending.delete(id);
					pending.reject(error as Error);
				}
				return;
			}
			this.expireOverdue();
		}
	}

	private async pollOnce(): Promise<void> {
		const ids = [...this.pending.keys()];
		for (let start = 0; start < ids.length; start += this.settings.idsPerRequest) {
			const chunk = ids.slice(start, start + this.settings.idsPerRequest);
			let pageToken: string | undefined;
			do {
				this.pollCount++;
				const page = await apiRequest.call(
					this.ctx,
					{
						method: 'GET',
						path: '/api/v2/extract',
						query: { job_ids: chunk, page_size: chunk.length, page_token: pageToken },
					},
					ExtractV2JobQueryResponse,
					this.connection,
				);
				for (const job of page.items) await this.observe(job);
				pageToken = page.items.length > 0 ? (page.next_page_token ?? undefined) : undefined;
			} while (pageToken);
		}
	}

	private async observe(job: ExtractV2Job): Promise<void> {
		const pending = this.pending.get(job.id);
		if (!pending) return;
		pending.lastSeen = job;
		if (!isFinalStatus(job.status)) return;
		this.pending.delete(job.id);
		if (this.hasResult(job)) {
			pending.resolve({ kind: 'final', job });
			return;
		}
		// The list did not carry the result (or extra expand is wanted): fetch it once, now that the job is done.
		try {
			const full = await getExtractJob.call(
				this.ctx,
				job.id,
				{ expand: this.settings.expand, itemIndex: pending.itemIndex },
				this.connection,
			);
			pending.resolve({ kind: 'final', job: full });
		} catch (error) {
			pending.reject(error as Error);
		}
	}

	private expireOverdue(): void {
		const now = this.settings.now();
		for (const [id, pending] of this.pending) {
			if (now >= pending.deadline) {
				this.pending.delete(id);
				pending.resolve({ kind: 'timeout', job: pending.lastSeen });
			}
		}
	}
}
