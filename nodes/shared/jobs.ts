/**
 * Extract jobs: create, and wait for many at once with one shared status poll.
 *
 * The official node polls every job on its own (1 s → 5 s), so a batch of N jobs costs N × (job time + up to 5 s).
 * Here every in-flight job of an execution registers with one `BatchJobWaiter`; each round it asks
 * `GET /api/v2/extract?job_ids=…` once for all of them, and each job's poll interval grows with its age, so a finished
 * job is noticed soon after it finishes without hammering the API while long jobs run.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import {
	ExtractV2Job,
	ExtractV2JobCreate,
	ExtractV2JobQueryResponse,
	isFinalStatus,
	LIST_EXPAND_VALUES,
	type ExtractConfiguration,
} from './contract';
import { echoMatches, isRetryableStatus } from './retry';
import { apiRequest, apiRequestAllItems, type ApiContext, type LlamaCloudConnection } from './transport';

export interface CreateJobInput {
	fileInput: string;
	configuration?: ExtractConfiguration;
	configurationId?: string;
	itemIndex: number;
}

/** The node parameter behind each field of a create request, so a 422 says what to change. */
const CREATE_FIELD_LABELS: Record<string, string> = {
	file_input: 'File or Parse Job ID',
	configuration_id: 'Configuration',
	data_schema: 'the schema (JSON Schema, Fields or JSON Example)',
	tier: 'Extraction Settings › Tier',
	version: 'Extraction Settings › Version',
	extraction_target: 'Extraction Settings › Extraction Target',
	system_prompt: 'Extraction Settings › System Prompt',
	target_pages: 'Extraction Settings › Target Pages',
	max_pages: 'Extraction Settings › Max Pages',
	parse_tier: 'Extraction Settings › Parse Tier',
	parse_config_id: 'Extraction Settings › Parse Configuration ID',
	cite_sources: 'Extraction Settings › Cite Sources',
	confidence_scores: 'Extraction Settings › Confidence Scores',
};

/** Server clocks and ours may differ a little; the job-list window opens this much earlier. */
export const CLOCK_SKEW_ALLOWANCE_MS = 30_000;

/**
 * Per execution: job IDs already owned by an item (created or adopted), so a lookup after an ambiguous failure
 * never adopts a sibling item's job, and a lock per (file, configuration) so that no sibling's create is in
 * flight while the job list is read.
 */
const ownedJobs = new WeakMap<object, Set<string>>();
const createLocks = new WeakMap<object, Map<string, Promise<unknown>>>();

function ownedBy(ctx: object): Set<string> {
	let owned = ownedJobs.get(ctx);
	if (!owned) ownedJobs.set(ctx, (owned = new Set()));
	return owned;
}

async function oneAtATime<T>(ctx: object, key: string, task: () => Promise<T>): Promise<T> {
	let locks = createLocks.get(ctx);
	if (!locks) createLocks.set(ctx, (locks = new Map()));
	const previous = locks.get(key) ?? Promise.resolve();
	const current = previous.then(task, task);
	const settled = current.then(
		() => undefined,
		() => undefined,
	);
	locks.set(key, settled);
	try {
		return await current;
	} finally {
		if (locks.get(key) === settled) locks.delete(key);
	}
}

/** Whether a listed job is the one `sent` would have created: same file, same saved or inline configuration. */
export function isJobFor(sent: ExtractV2JobCreate, job: ExtractV2Job): boolean {
	if (job.file_input !== sent.file_input) return false;
	if (sent.configuration_id) return echoMatches(sent.configuration_id, job.configuration_id);
	if (job.configuration_id) return false;
	const seen = job.configuration ?? undefined;
	if (seen === undefined) return true; // the list did not include configurations: file and time must do
	// "latest" comes back as the concrete version it resolved to.
	const { version, data_schema: schema, ...rest } = sent.configuration ?? ({} as ExtractConfiguration);
	const compared = version && version !== 'latest' ? { ...rest, version } : rest;
	return echoMatches(schema, seen.data_schema, true) && echoMatches(compared, seen);
}

/**
 * After a create failed ambiguously: the job that attempt made, if the job list has one for the same file and
 * configuration created since just before the first attempt and not owned by another item.
 */
export async function findCreatedJob(
	this: ApiContext,
	sent: ExtractV2JobCreate,
	firstAttemptAtMs: number,
	itemIndex?: number,
	connection?: LlamaCloudConnection,
): Promise<ExtractV2Job | undefined> {
	const jobs = await apiRequestAllItems.call(
		this,
		{
			method: 'GET',
			path: '/api/v2/extract',
			query: {
				file_input: sent.file_input,
				created_at_on_or_after: new Date(firstAttemptAtMs - CLOCK_SKEW_ALLOWANCE_MS).toISOString(),
				expand: ['configuration'],
			},
			itemIndex,
		},
		ExtractV2Job,
		{ limit: 200, pageSize: 100 },
		connection,
	);
	const owned = ownedBy(this);
	const candidates = jobs.filter((job) => !owned.has(job.id) && isJobFor(sent, job));
	// Nearest to the first attempt: an older job in the window belongs to an earlier run.
	const distance = (job: ExtractV2Job) => Math.abs(Date.parse(job.created_at) - firstAttemptAtMs);
	candidates.sort((a, b) => distance(a) - distance(b));
	return candidates[0];
}

export async function createExtractJob(
	this: ApiContext,
	input: CreateJobInput,
	connection?: LlamaCloudConnection,
): Promise<ExtractV2Job> {
	const body: ExtractV2JobCreate = input.configurationId
		? { file_input: input.fileInput, configuration_id: input.configurationId }
		: { file_input: input.fileInput, configuration: input.configuration };
	// POST /api/v2/extract has no idempotency key: resend only what surely did not arrive, and after an
	// ambiguous failure adopt the job the lost attempt made (findCreatedJob) instead of creating a second one.
	const lockKey = `${body.file_input}\n${body.configuration_id ?? JSON.stringify(body.configuration ?? null)}`;
	return await oneAtATime(this, lockKey, async () => {
		const job = await apiRequest.call(
			this,
			{
				method: 'POST',
				path: '/api/v2/extract',
				body,
				itemIndex: input.itemIndex,
				notFoundHint: body.configuration_id
					? `Item ${input.itemIndex} asked for the saved configuration ${body.configuration_id} and the document ${body.file_input}. Check the Configuration parameter (pick it from the list) and the document ID: both must exist in the project and region of the LlamaCloud credential.`
					: `The document ${body.file_input} of item ${input.itemIndex} does not exist in the project and region of the LlamaCloud credential. Check the File or Parse Job ID, or upload the file (Input Type: Binary File).`,
				fieldLabels: CREATE_FIELD_LABELS,
				retry: 'create',
				findExisting: async (firstAttemptAtMs) =>
					await findCreatedJob.call(this, body, firstAttemptAtMs, input.itemIndex, connection),
			},
			ExtractV2Job,
			connection,
		);
		ownedBy(this).add(job.id);
		return job;
	});
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
			notFoundHint: `No extract job "${jobId}" exists in the project and region of the LlamaCloud credential. Check the Job ID${options.itemIndex === undefined ? '' : ` on item ${options.itemIndex}`} (extract job IDs start with ext-), and that the credential is the one the job was created with.`,
		},
		ExtractV2Job,
		connection,
	);
}

export type WaitOutcome =
	| { kind: 'final'; job: ExtractV2Job }
	/** The wait ran out; `job` is the last state seen, so its ID is never lost. */
	| { kind: 'timeout'; job: ExtractV2Job };

export interface PollSchedule {
	/** Wait before a job's first poll, and the shortest gap between two polls. */
	minIntervalMs: number;
	/** Longest gap between two polls of a job still running. */
	maxIntervalMs: number;
	/** After each poll a job waits this fraction of its age before it wants the next one. */
	ageFraction: number;
}

/**
 * Polling defaults. A job polled at age a is looked at again after 0.2·a (0.5 s to 5 s): a job that finishes at
 * time T is seen at most ~20% of T later, so the median detection slack is about 10% of the job time, or under
 * 0.5 s for short jobs, while a 60 s job costs ~20 polls, not 240. Every job of the batch rides on the same poll.
 */
export const DEFAULT_POLL_SCHEDULE: PollSchedule = { minIntervalMs: 500, maxIntervalMs: 5000, ageFraction: 0.2 };

export interface WaiterSettings extends Partial<PollSchedule> {
	/** `expand` for the result; list-supported values ride on the shared poll, others (`usage`) cost one GET per job. */
	expand?: readonly string[];
	/** How many job IDs one list request carries. */
	idsPerRequest?: number;
	/** Clock, for tests. */
	now?: () => number;
}


/** What the schedule knows about one waiting job (epoch ms). */
export interface ScheduledJob {
	registeredAt: number;
	/** When the last poll that included this job was sent; undefined before its first poll. */
	lastPolledAt?: number;
	deadline: number;
}

/** Gap after a poll at `ageMs`: a fraction of the age, clamped. Young jobs are looked at soon, old ones less often. */
export function nextPollDelay(ageMs: number, schedule: PollSchedule = DEFAULT_POLL_SCHEDULE): number {
	const proposed = Math.max(0, ageMs) * schedule.ageFraction;
	return Math.round(Math.min(schedule.maxIntervalMs, Math.max(schedule.minIntervalMs, proposed)));
}

/**
 * When the shared poll should go: as soon as the first job wants one, but not before `notBefore` (the retry time of
 * an outage), or when the first job reaches its deadline.
 */
export function nextPollAt(
	jobs: Iterable<ScheduledJob>,
	schedule: PollSchedule = DEFAULT_POLL_SCHEDULE,
	notBefore = Number.NEGATIVE_INFINITY,
): number {
	let earliest = Number.POSITIVE_INFINITY;
	for (const job of jobs) {
		const since = job.lastPolledAt ?? job.registeredAt;
		const due = since + nextPollDelay(since - job.registeredAt, schedule);
		earliest = Math.min(earliest, Math.max(due, notBefore), job.deadline);
	}
	return earliest;
}

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

	private readonly now: () => number;

	/** Set while the loop sleeps: when it plans to wake, and how to wake it sooner for a newly registered job. */
	private alarm: { wakeAt: number; wake: () => void } | undefined;

	/**
	 * Set while poll rounds fail even after the transport's retries (LlamaCloud or the network is down): the jobs go
	 * on running there, so the waiter keeps trying, a full poll interval apart, until each job's own deadline.
	 */
	private outage: { error: Error; since: number; retryAt: number } | undefined;

	/** List requests sent (rounds × pages), for diagnostics and tests. */
	pollCount = 0;

	/** Per-job GETs sent (results the list lacked, or jobs it did not return). */
	jobFetchCount = 0;

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly connection: LlamaCloudConnection,
		settings: WaiterSettings = {},
	) {
		this.schedule = {
			minIntervalMs: settings.minIntervalMs ?? DEFAULT_POLL_SCHEDULE.minIntervalMs,
			maxIntervalMs: settings.maxIntervalMs ?? DEFAULT_POLL_SCHEDULE.maxIntervalMs,
			ageFraction: settings.ageFraction ?? DEFAULT_POLL_SCHEDULE.ageFraction,
		};
		const expand = settings.expand ?? [];
		this.listExpand = expand.filter((value) => LIST_EXPAND_VALUES.includes(value));
		this.getOnlyExpand = expand.filter((value) => !LIST_EXPAND_VALUES.includes(value));
		this.idsPerRequest = Math.max(1, settings.idsPerRequest ?? 50);
		this.now = settings.now ?? (() => Date.now());
	}

	/**
	 * Resolves when the job reaches a final status (with its result), or with `timeout` after `timeoutMs`. `expand`
	 * adds what this job's result needs: list-supported values ride on the shared poll while the job waits.
	 */
	async wait(job: ExtractV2Job, itemIndex: number, timeoutMs: number, expand: readonly string[] = []): Promise<WaitOutcome> {
		const extra = expand.filter((value) => !this.listExpand.includes(value) && !this.getOnlyExpand.includes(value));
		if (isFinalStatus(job.status) && this.hasResult(job, extra)) return { kind: 'final', job };
		const now = this.now();
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
		return await getExtractJob.call(
			this.ctx,
			jobId,
			{ expand: [...this.listExpand, ...this.getOnlyExpand, ...pending.expand], itemIndex: pending.itemIndex },
			this.connection,
		);
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
				if (!this.outage || this.now() >= this.outage.retryAt) {
					await this.pollOnce();
					this.outage = undefined;
				}
				this.expireOverdue();
			} catch (error) {
				if (cancel?.aborted) {
					this.failAll((itemIndex) => this.cancelledError(itemIndex));
				} else if (isPassingFailure(error)) {
					// The transport's retries ran out on an outage: keep waiting, a poll interval apart, until deadlines.
					const now = this.now();
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
		const delay = wakeAt - this.now();
		if (delay <= 0) return false;
		const controller = new AbortController();
		const wake = () => controller.abort();
		cancel?.addEventListener('abort', wake, { once: true });
		this.alarm = { wakeAt, wake };
		try {
			await sleep(delay, controller.signal);
			return false;
		} catch {
			return true;
		} finally {
			cancel?.removeEventListener('abort', wake);
			this.alarm = undefined;
		}
	}

	private async pollOnce(): Promise<void> {
		const polledAt = this.now();
		const ids = [...this.pending.keys()];
		const listed = new Set<string>();
		for (let start = 0; start < ids.length; start += this.idsPerRequest) {
			const chunk = ids.slice(start, start + this.idsPerRequest);
			let pageToken: string | undefined;
			do {
				this.pollCount++;
				const page = await apiRequest.call(
					this.ctx,
					{
						method: 'GET',
						path: '/api/v2/extract',
						query: {
							job_ids: chunk,
							page_size: chunk.length,
							page_token: pageToken,
							expand: this.listExpandFor(chunk),
						},
					},
					ExtractV2JobQueryResponse,
					this.connection,
				);
				for (const job of page.items) {
					listed.add(job.id);
					this.observe(job, polledAt);
				}
				pageToken = page.items.length > 0 ? (page.next_page_token ?? undefined) : undefined;
			} while (pageToken);
		}
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
			if (isPassingFailure(error) && this.now() < pending.deadline && !this.ctx.getExecutionCancelSignal()?.aborted) {
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
		const now = this.now();
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
		const seconds = Math.max(1, Math.round((this.now() - outage.since) / 1000));
		error.description = [
			error.description,
			`LlamaCloud could not be reached to check job ${pending.lastSeen.id} for the last ${seconds} s, up to the Wait Timeout; the job may still be running there. Resume with Extract Job › Wait for Completion and this job ID.`,
		]
			.filter(Boolean)
			.join(' ');
		return error;
	}
}

/**
 * Whether waiting may help: the transport gave up on a server error, a rate limit or the network. A 4xx answer
 * (the key, the project, a deleted job) will be the same next time.
 */
function isPassingFailure(error: unknown): boolean {
	const failure = error as { httpCode?: string | null; networkCode?: string } | undefined;
	if (!failure || typeof failure !== 'object') return false;
	if (failure.networkCode) return true;
	const status = Number(failure.httpCode);
	return Number.isInteger(status) && isRetryableStatus(status);
}

/** A shallow copy with its own `context`, so attaching one job's ID cannot change another job's error. */
function copyOfError(error: Error): Error {
	if (!error || typeof error !== 'object') return error;
	const copy = Object.create(Object.getPrototypeOf(error) as object, Object.getOwnPropertyDescriptors(error)) as Error & {
		context?: Record<string, unknown>;
	};
	const context = (error as { context?: Record<string, unknown> }).context;
	if (context) copy.context = { ...context };
	return copy;
}
