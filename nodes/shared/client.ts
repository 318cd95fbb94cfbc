/**
 * One LlamaCloud client per execution, poll or editor lookup: `LlamaCloudClient.open(this)`. It reads the
 * credential once and holds what the run's requests share: each item's time limit, the jobs and files the run's
 * items own (so adopting a lost create never takes a sibling's), and the create locks. Everything goes through
 * `sendWithRetries` (transport.ts), paced by its project's RequestPacer (pacer.ts), which every execution of this
 * n8n process shares (sharedPacers.ts).
 */
import type { ICredentialDataDecryptedObject, ICredentialsDecrypted, IExecuteFunctions } from 'n8n-workflow';
import type { z } from 'zod';

import { cursorPage, ExtractV2Job, ExtractV2JobQueryResponse, type FileV2 } from './contract';
import { parseBody, toApiError } from './errors';
import { createExtractJob, type CreateJobInput } from './jobCreate';
import { RequestPacer } from './pacer';
import { CREDENTIAL_TYPE, toConnection, type LlamaCloudConnection } from './connection';
import { pacerKey, processPacers, type SharedPacers } from './sharedPacers';
import { sendWithRetries, type ApiCall, type ApiContext, type RawResponse } from './transport';
import { uploadBinaryFile, uploadFileBytes, type FileBytes, type UploadOptions } from './upload';
import { PageBudget } from './pageBudget';
import { BatchJobWaiter, type WaiterSettings } from './waiter';

export type ResponseHeaders = RawResponse['headers'];

/** An answer the caller reads itself: parsed when it succeeded, raw when its status was one the caller accepts. */
export type Reply<T> =
	| { ok: true; statusCode: number; headers: ResponseHeaders; body: T }
	| { ok: false; statusCode: number; headers: ResponseHeaders; body: unknown };

export interface RequestOptions {
	/** Error statuses the caller handles itself (e.g. 400 and 422 as a validation verdict): returned, not thrown. */
	acceptStatuses?: readonly number[];
}

export interface PageOptions {
	/** Stop once this many items are collected; undefined = all. */
	limit?: number;
	pageSize?: number;
}

export interface JobIdsOptions {
	/** How many IDs one request carries, to keep the URL short. */
	idsPerRequest?: number;
	/** `expand` for the request that carries these IDs. */
	expandFor?: (ids: readonly string[]) => readonly string[] | undefined;
	/** Epoch ms after which retries stop (a poll's budget). */
	deadline?: number;
	/** Called with every page as it arrives. */
	onPage?: (jobs: ExtractV2Job[]) => void;
}

export class LlamaCloudClient<C extends ApiContext = ApiContext> {
	private credentials: Promise<ICredentialDataDecryptedObject> | undefined;

	private connection: LlamaCloudConnection | undefined;

	/** The credential as read once, handed back to n8n's credential layer with every request. */
	private credential: ICredentialsDecrypted | undefined;

	/** Which of the process's pacers this run's requests wait in: the credential's project. */
	private pacerKey: string | undefined;

	/** The epoch ms by which each item must be done, so its retries never outlast it. */
	private readonly itemDeadlines = new Map<number, number>();

	/** Job and file IDs already owned by an item of this run (created or adopted). */
	readonly ownedJobs = new Set<string>();

	readonly ownedFiles = new Set<string>();

	/** One create at a time per (file, configuration), so no sibling's create is in flight while the job list is read. */
	private readonly createLocks = new Map<string, Promise<unknown>>();

	/** Max Pages per Run: one budget per execution, created with the first item's limit. */
	private budget: PageBudget | undefined;

	private constructor(
		readonly ctx: C,
		/** Where the project's pacer comes from: this process's (tests pass their own, on a clock they move). */
		private readonly pacers: SharedPacers,
	) {}

	/**
	 * The client of one execution, poll or editor lookup; the credential is read at the first request. Tests pass
	 * pacers on a clock they move.
	 */
	static open<C extends ApiContext>(ctx: C, options: { pacers?: SharedPacers } = {}): LlamaCloudClient<C> {
		return new LlamaCloudClient(ctx, options.pacers ?? processPacers);
	}

	/** Base URL and project from the credential, read once; a bad Base URL fails the item that asked. */
	async connect(itemIndex = 0): Promise<LlamaCloudConnection> {
		if (this.connection) return this.connection;
		this.credentials ??= this.ctx.getCredentials(CREDENTIAL_TYPE, itemIndex);
		const credentials = await this.credentials;
		this.connection = toConnection(this.ctx, credentials, itemIndex);
		this.pacerKey = pacerKey(this.connection, credentials.apiKey);
		const chosen = this.ctx.getNode().credentials?.[CREDENTIAL_TYPE];
		this.credential = { id: chosen?.id ?? '', name: chosen?.name ?? '', type: CREDENTIAL_TYPE, data: credentials };
		return this.connection;
	}

	/**
	 * Paces every request at LlamaCloud's rate limits (pacer.ts): uploads, creates and polls of all items, and of
	 * every other execution of this process on the same project, wait in one pacer, so together they stay under the
	 * limit instead of each being refused on its own.
	 */
	get pacer(): RequestPacer {
		return this.pacers.for(this.pacerKey ?? '');
	}

	/**
	 * Bounds every retry wait of an item's requests (uploads, creates, lookups) by the item's own time limit, e.g.
	 * the operation's Wait Timeout. A call's own `deadline` wins.
	 */
	limitRetriesUntil(itemIndex: number, deadlineMs: number): void {
		this.itemDeadlines.set(itemIndex, deadlineMs);
	}

	/** Sends with retries and returns the answer as it came (HTTP errors included). */
	async send(call: ApiCall): Promise<RawResponse> {
		const connection = await this.connect(call.itemIndex);
		const itemDeadline = call.itemIndex === undefined ? undefined : this.itemDeadlines.get(call.itemIndex);
		return await sendWithRetries(this.ctx, connection, { ...call, deadline: call.deadline ?? itemDeadline }, this.pacer, this.credential);
	}

	/** One call whose status and headers the caller reads; HTTP errors throw unless their status is accepted. */
	async exchange<S extends z.ZodTypeAny>(
		call: ApiCall,
		schema?: S,
		options: RequestOptions = {},
	): Promise<Reply<z.infer<S>>> {
		const response = await this.send(call);
		const { statusCode, headers } = response;
		if (statusCode < 400) return { ok: true, statusCode, headers, body: parseBody(this.ctx, response.body, schema, call) };
		if (options.acceptStatuses?.includes(statusCode)) return { ok: false, statusCode, headers, body: response.body };
		throw toApiError(this.ctx, response, call);
	}

	/** One call: the parsed body (unknown fields kept), or a NodeApiError that says what to fix. */
	async request<S extends z.ZodTypeAny>(call: ApiCall, schema?: S): Promise<z.infer<S>> {
		const reply = await this.exchange(call, schema);
		return reply.body as z.infer<S>;
	}

	/**
	 * Cursor pagination over `{items, next_page_token}` lists. Stops early at `limit`, and on an empty page
	 * or a missing token, as LlamaCloud's own SDK does.
	 */
	async list<S extends z.ZodTypeAny>(call: ApiCall, itemSchema: S, options: PageOptions = {}): Promise<Array<z.infer<S>>> {
		const pageSchema = cursorPage(itemSchema);
		const items: Array<z.infer<S>> = [];
		let pageToken: string | undefined;
		do {
			const remaining = options.limit === undefined ? undefined : options.limit - items.length;
			const pageSize = Math.min(options.pageSize ?? 100, remaining ?? Number.MAX_SAFE_INTEGER);
			const page = await this.request({ ...call, query: { ...call.query, page_size: pageSize, page_token: pageToken } }, pageSchema);
			const pageItems = page.items as Array<z.infer<S>>;
			items.push(...pageItems);
			pageToken = page.next_page_token ?? undefined;
			if (pageItems.length === 0) break;
		} while (pageToken && (options.limit === undefined || items.length < options.limit));
		return options.limit === undefined ? items : items.slice(0, options.limit);
	}

	/** Extract jobs by ID: `GET /api/v2/extract?job_ids=…`, `idsPerRequest` IDs a request, every page followed. */
	async listJobsByIds(ids: readonly string[], options: JobIdsOptions = {}): Promise<ExtractV2Job[]> {
		const perRequest = Math.max(1, options.idsPerRequest ?? 50);
		const jobs: ExtractV2Job[] = [];
		for (let start = 0; start < ids.length; start += perRequest) {
			const chunk = ids.slice(start, start + perRequest);
			let pageToken: string | undefined;
			do {
				const page = await this.request(
					{
						method: 'GET',
						path: '/api/v2/extract',
						query: { job_ids: chunk, page_size: chunk.length, page_token: pageToken, expand: options.expandFor?.(chunk) },
						deadline: options.deadline,
					},
					ExtractV2JobQueryResponse,
				);
				jobs.push(...page.items);
				options.onPage?.(page.items);
				pageToken = page.items.length > 0 ? (page.next_page_token ?? undefined) : undefined;
			} while (pageToken);
		}
		return jobs;
	}

	async getJob(jobId: string, options: { expand?: readonly string[]; itemIndex?: number } = {}): Promise<ExtractV2Job> {
		return await this.request(
			{
				method: 'GET',
				path: `/api/v2/extract/${encodeURIComponent(jobId)}`,
				query: { expand: options.expand },
				itemIndex: options.itemIndex,
				notFoundHint: `No extract job "${jobId}" exists in the project and region of the LlamaCloud credential. Check the Job ID${options.itemIndex === undefined ? '' : ` on item ${options.itemIndex}`} (extract job IDs start with ext-), and that the credential is the one the job was created with.`,
			},
			ExtractV2Job,
		);
	}

	/** Creates an extract job; a create lost in transit is adopted, not sent twice (jobCreate.ts). */
	async createJob(input: CreateJobInput): Promise<ExtractV2Job> {
		return await createExtractJob(this, input);
	}

	/** Runs `task` after every earlier task with the same key has settled. */
	async oneAtATime<T>(key: string, task: () => Promise<T>): Promise<T> {
		const previous = this.createLocks.get(key) ?? Promise.resolve();
		const current = previous.then(task, task);
		const settled = current.then(
			() => undefined,
			() => undefined,
		);
		this.createLocks.set(key, settled);
		try {
			return await current;
		} finally {
			if (this.createLocks.get(key) === settled) this.createLocks.delete(key);
		}
	}

	/** Uploads an item's binary field to `/api/v1/beta/files`. */
	async uploadBinary(
		this: LlamaCloudClient<IExecuteFunctions>,
		itemIndex: number,
		binaryPropertyName: string,
		options: UploadOptions,
	): Promise<FileV2> {
		return await uploadBinaryFile(this, itemIndex, binaryPropertyName, options);
	}

	/** Uploads in-memory bytes (a downloaded document) to `/api/v1/beta/files`. */
	async uploadBytes(this: LlamaCloudClient<IExecuteFunctions>, itemIndex: number, file: FileBytes, options: UploadOptions): Promise<FileV2> {
		return await uploadFileBytes(this, itemIndex, file, options);
	}

	/** The run's page budget (Max Pages per Run), shared by every item and document of this execution. */
	pageBudget(max: number): PageBudget {
		this.budget ??= new PageBudget(max);
		return this.budget;
	}

	/** A shared status poll for the jobs this execution waits for. */
	waiter(this: LlamaCloudClient<IExecuteFunctions>, settings: WaiterSettings = {}): BatchJobWaiter {
		return new BatchJobWaiter(this, settings);
	}
}
