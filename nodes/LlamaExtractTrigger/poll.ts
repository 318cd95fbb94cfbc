/**
 * What one poll does: read the settings, scan the job list through the cursor (cursor.ts), fetch the results of
 * the jobs that are due, and hand back items. Manual mode ("Fetch Test Event") shows the newest matching job and
 * leaves the cursor alone.
 */
import type { IDataObject, INodeExecutionData, IPollFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { attachJobId } from '../shared/batch';
import {
	ExtractV2JobQueryResponse,
	ID_PREFIX,
	isFinalStatus,
	type ExtractV2Job,
} from '../shared/contract';
import { getExtractJob } from '../shared/jobs';
import { jobToItemsJson } from '../shared/output';
import {
	getConnection,
	parseBody,
	sendRaw,
	toApiError,
	type ApiCall,
	type LlamaCloudConnection,
	type Query,
} from '../shared/transport';
import {
	advance,
	dueJobs,
	initialState,
	pageSizeFor,
	parseTimestamp,
	readState,
	type CursorState,
	type JobStamp,
} from './cursor';
import { EVENT_STATUSES } from './properties';

const HOUR_MS = 3_600_000;
/** Results fetched at the same time. */
const FETCH_CONCURRENCY = 5;
/** Share of the poll budget the list scan may use; result fetches may run on to FETCH_SHARE. */
const SCAN_SHARE = 0.5;
const FETCH_SHARE = 0.8;
/** Ids per `job_ids=` request, to keep the URL short. */
const IDS_PER_REQUEST = 50;

export interface TriggerSettings {
	event: string;
	wantedStatuses: readonly string[];
	configurationId?: string;
	fileInput?: string;
	includeResult: boolean;
	includeMetadata: boolean;
	includeUsage: boolean;
	simplify: boolean;
	splitIntoItems: boolean;
	lookbackMs: number;
}

export function readSettings(this: IPollFunctions): TriggerSettings {
	const event = this.getNodeParameter('event', 'completed') as string;
	const wantedStatuses = EVENT_STATUSES[event];
	if (!wantedStatuses) {
		throw new NodeOperationError(this.getNode(), `Event "${event}" is not one this trigger knows`, {
			description:
				'Pick Job Completed, Job Failed, Job Cancelled or Any Final Status in the Event parameter.',
		});
	}
	// Version 1 has Configuration next to Filters, version 2 inside them.
	const configurationPath = this.getNode().typeVersion >= 2 ? 'filters.configurationId' : 'configurationId';
	const configurationId = String(
		this.getNodeParameter(configurationPath, '', { extractValue: true }) ?? '',
	).trim();
	if (configurationId && !configurationId.startsWith(ID_PREFIX.configuration)) {
		throw new NodeOperationError(
			this.getNode(),
			`Configuration "${configurationId}" is not a configuration ID`,
			{
				description:
					'Pick a saved configuration from the list, enter an ID that starts with cfg-, or clear the Configuration parameter to watch every job.',
			},
		);
	}
	const filters = this.getNodeParameter('filters', {}) as IDataObject;
	const fileInput = String(filters.fileInput ?? '').trim();
	if (
		fileInput &&
		!fileInput.startsWith(ID_PREFIX.file) &&
		!fileInput.startsWith(ID_PREFIX.parseJob)
	) {
		throw new NodeOperationError(
			this.getNode(),
			`Filters › File or Parse Job ID "${fileInput}" is neither a file ID nor a parse job ID`,
			{
				description: `Enter a LlamaCloud file ID (${ID_PREFIX.file}…) or parse job ID (${ID_PREFIX.parseJob}…), or remove the filter.`,
			},
		);
	}
	const options = this.getNodeParameter('options', {}) as IDataObject;
	const lookbackHours = options.lookbackHours === undefined ? 0 : Number(options.lookbackHours);
	if (!Number.isFinite(lookbackHours) || lookbackHours < 0) {
		throw new NodeOperationError(
			this.getNode(),
			`Options › Include Jobs From Last (Hours) must be 0 or more (got ${JSON.stringify(options.lookbackHours)})`,
			{
				description:
					'Enter how many hours of past jobs to emit at the first activation, or 0 for none.',
			},
		);
	}
	return {
		event,
		wantedStatuses,
		configurationId: configurationId || undefined,
		fileInput: fileInput || undefined,
		includeResult: options.includeResult !== false,
		includeMetadata: options.includeMetadata === true,
		includeUsage: options.includeUsage === true,
		simplify: options.simplify !== false,
		splitIntoItems: options.splitIntoItems === true,
		lookbackMs: lookbackHours * HOUR_MS,
	};
}

/** The filters a cursor belongs to: changing any of them starts a fresh cursor instead of replaying history. */
function filterKey(settings: TriggerSettings): string {
	return JSON.stringify([settings.event, settings.configurationId ?? '', settings.fileInput ?? '']);
}

function filterQuery(settings: TriggerSettings): Query {
	return { configuration_id: settings.configurationId, file_input: settings.fileInput };
}

function pollBudgetMs(ctx: IPollFunctions): number {
	// Older n8n versions have no budget; their ticks are not cut short, so a generous one is safe.
	return typeof ctx.getPollBudgetMs === 'function' ? ctx.getPollBudgetMs() : 5 * 60_000;
}

function createdMs(ctx: IPollFunctions, job: ExtractV2Job): number {
	const millis = parseTimestamp(job.created_at);
	if (Number.isNaN(millis)) {
		throw new NodeApiError(
			ctx.getNode(),
			{ id: job.id, created_at: job.created_at } as JsonObject,
			{
				message: `LlamaCloud sent job ${job.id} with an unreadable created_at "${job.created_at}"`,
				description:
					'The trigger orders jobs by creation time. If you use a custom base URL, check that it points at the LlamaCloud API.',
			},
		);
	}
	return millis;
}

function stampOf(ctx: IPollFunctions, settings: TriggerSettings, job: ExtractV2Job): JobStamp {
	const final = isFinalStatus(job.status);
	return {
		id: job.id,
		createdMs: createdMs(ctx, job),
		final,
		wanted: final && settings.wantedStatuses.includes(job.status),
	};
}

interface ListedPage {
	page: ExtractV2JobQueryResponse;
	/** The server's clock (HTTP Date), if it sent one. */
	serverTimeMs?: number;
}

/** One page of `GET /api/v2/extract`; retries stop at `deadline` (the end of the poll budget). */
async function listPage(
	this: IPollFunctions,
	query: Query,
	connection: LlamaCloudConnection,
	deadline?: number,
): Promise<ListedPage> {
	const call: ApiCall = { method: 'GET', path: '/api/v2/extract', query, deadline };
	const response = await sendRaw.call(this, call, connection);
	if (response.statusCode >= 400) throw toApiError(this, response, call);
	const page = parseBody(this, response.body, ExtractV2JobQueryResponse, call);
	const date = response.headers.date;
	const serverTimeMs = typeof date === 'string' ? Date.parse(date) : Number.NaN;
	return { page, serverTimeMs: Number.isNaN(serverTimeMs) ? undefined : serverTimeMs };
}

/** The stragglers' current state, by id. */
async function checkStragglers(
	this: IPollFunctions,
	ids: string[],
	connection: LlamaCloudConnection,
	deadline: number,
): Promise<ExtractV2Job[]> {
	const jobs: ExtractV2Job[] = [];
	for (let start = 0; start < ids.length; start += IDS_PER_REQUEST) {
		const chunk = ids.slice(start, start + IDS_PER_REQUEST);
		let pageToken: string | undefined;
		do {
			const { page } = await listPage.call(
				this,
				{ job_ids: chunk, page_size: chunk.length, page_token: pageToken },
				connection,
				deadline,
			);
			jobs.push(...page.items);
			pageToken = page.items.length > 0 ? (page.next_page_token ?? undefined) : undefined;
		} while (pageToken);
	}
	return jobs;
}

interface WindowScan {
	jobs: ExtractV2Job[];
	complete: boolean;
	nextToken?: string;
	/** Server time of the first page, when the scan began a pass. */
	serverTimeMs?: number;
	/** The saved pass could not be resumed and the scan restarted from the newest job. */
	restarted: boolean;
}

function isStaleToken(error: unknown): boolean {
	const code = (error as { httpCode?: string | null }).httpCode;
	return error instanceof NodeApiError && ['400', '404', '410', '422'].includes(String(code));
}

/**
 * Jobs created at or after the watermark, newest first, until the last page or `scanUntil`. Always reads at least
 * one page, so a pass advances even on a tiny budget.
 */
async function scanWindow(
	this: IPollFunctions,
	state: CursorState,
	settings: TriggerSettings,
	connection: LlamaCloudConnection,
	scanUntil: number,
	deadline: number,
): Promise<WindowScan> {
	const query: Query = {
		...filterQuery(settings),
		created_at_on_or_after: new Date(state.watermark).toISOString(),
		page_size: pageSizeFor(state),
	};
	const jobs: ExtractV2Job[] = [];
	let pageToken = state.pass?.token;
	let restarted = false;
	let serverTimeMs: number | undefined;
	for (;;) {
		const resuming = pageToken !== undefined && pageToken === state.pass?.token;
		const listed = await listPage
			.call(this, { ...query, page_token: pageToken }, connection, deadline)
			.catch((error: unknown) => {
				if (resuming && isStaleToken(error)) return undefined;
				throw error;
			});
		if (!listed) {
			// The server no longer accepts the saved token: scan the whole window again (duplicates are harmless).
			this.logger.warn(
				'LlamaExtract Trigger: the saved page token was refused; scanning again from the newest job',
			);
			restarted = true;
			pageToken = undefined;
			continue;
		}
		const { page } = listed;
		// The clock of a pass is the server's time when its first page was read.
		if (!resuming && jobs.length === 0) serverTimeMs = listed.serverTimeMs;
		jobs.push(...page.items);
		pageToken = page.items.length > 0 ? (page.next_page_token ?? undefined) : undefined;
		if (!pageToken) return { jobs, complete: true, restarted, serverTimeMs };
		if (Date.now() >= scanUntil)
			return { jobs, complete: false, nextToken: pageToken, restarted, serverTimeMs };
	}
}

function needsFetch(job: ExtractV2Job, settings: TriggerSettings): boolean {
	if (settings.includeUsage) return true;
	if (!settings.includeResult || job.status !== 'COMPLETED') return false;
	if (job.extract_result === undefined || settings.includeMetadata) return true;
	return settings.splitIntoItems && !job.configuration;
}

function expandFor(settings: TriggerSettings): string[] {
	const expand: string[] = [];
	if (settings.includeResult && settings.splitIntoItems) expand.push('configuration');
	if (settings.includeResult && settings.includeMetadata) expand.push('extract_metadata');
	if (settings.includeUsage) expand.push('usage');
	return expand;
}

function isNotFound(error: unknown): boolean {
	return error instanceof NodeApiError && String(error.httpCode) === '404';
}

/** The job with what the list leaves out (result, metadata, usage); undefined if it was deleted meanwhile. */
async function fetchJob(
	this: IPollFunctions,
	job: ExtractV2Job,
	settings: TriggerSettings,
	connection: LlamaCloudConnection,
): Promise<ExtractV2Job | undefined> {
	try {
		return await getExtractJob.call(this, job.id, { expand: expandFor(settings) }, connection);
	} catch (error) {
		if (isNotFound(error)) return undefined;
		throw attachJobId(error, job.id);
	}
}

function toItems(job: ExtractV2Job, settings: TriggerSettings): INodeExecutionData[] {
	const shaped = { ...job };
	if (!settings.includeResult) {
		delete shaped.extract_result;
		delete shaped.extract_metadata;
	}
	return jobToItemsJson(shaped, {
		simplify: settings.simplify,
		splitIntoItems: settings.splitIntoItems,
	}).map((json) => ({ json }));
}

/** Finish time, for emitting in the order jobs finished. */
function finishedAt(job: ExtractV2Job): number {
	const updated = parseTimestamp(job.updated_at);
	return Number.isNaN(updated) ? 0 : updated;
}

interface Delivery {
	items: INodeExecutionData[];
	/** Jobs emitted, or found deleted: settled either way. */
	delivered: Set<string>;
}

/**
 * Items for the due jobs, in finish order. Jobs whose list entry is enough go out at once; fetches run until the
 * deadline (always at least one batch, so a backlog drains) and the rest wait for the next poll.
 */
async function deliver(
	this: IPollFunctions,
	due: ExtractV2Job[],
	settings: TriggerSettings,
	connection: LlamaCloudConnection,
	deadline: number,
): Promise<Delivery> {
	const fetched = new Map<string, ExtractV2Job | undefined>();
	const toFetch = due.filter((job) => needsFetch(job, settings));
	for (let start = 0; start < toFetch.length; start += FETCH_CONCURRENCY) {
		if (start > 0 && Date.now() >= deadline) break;
		const batch = toFetch.slice(start, start + FETCH_CONCURRENCY);
		const jobs = await Promise.all(
			batch.map(async (job) => await fetchJob.call(this, job, settings, connection)),
		);
		batch.forEach((job, index) => fetched.set(job.id, jobs[index]));
	}
	const items: INodeExecutionData[] = [];
	const delivered = new Set<string>();
	for (const job of due) {
		if (needsFetch(job, settings) && !fetched.has(job.id)) continue;
		delivered.add(job.id);
		const full = needsFetch(job, settings) ? fetched.get(job.id) : job;
		if (full) items.push(...toItems(full, settings));
	}
	return { items, delivered };
}

/** The latest listing of each job; a final listing wins over an earlier running one. */
function latestById(jobs: ExtractV2Job[]): Map<string, ExtractV2Job> {
	const byId = new Map<string, ExtractV2Job>();
	for (const job of jobs) {
		const known = byId.get(job.id);
		if (!known || !isFinalStatus(known.status)) byId.set(job.id, job);
	}
	return byId;
}

export async function pollForJobs(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const settings = readSettings.call(this);
	if (this.getMode() === 'manual') return await fetchTestEvent.call(this, settings);

	const startedAt = Date.now();
	const budget = pollBudgetMs(this);
	const staticData = this.getWorkflowStaticData('node');
	const key = filterKey(settings);
	const stored = readState(staticData.cursor);
	let state =
		stored?.filterKey === key ? stored : initialState(startedAt, settings.lookbackMs, key);
	const connection = await getConnection.call(this);

	const deadline = startedAt + budget;
	const stragglersSeen =
		state.stragglers.length > 0
			? await checkStragglers.call(this, state.stragglers, connection, deadline)
			: [];
	const scan = await scanWindow.call(
		this,
		state,
		settings,
		connection,
		startedAt + budget * SCAN_SHARE,
		deadline,
	);
	if (scan.restarted) state = { ...state, pass: undefined };

	const jobs = latestById([...stragglersSeen, ...scan.jobs]);
	const stamp = (job: ExtractV2Job) => stampOf(this, settings, job);
	const due = dueJobs(state, [...jobs.values()].map(stamp))
		.map((entry) => jobs.get(entry.id) as ExtractV2Job)
		.sort((a, b) => finishedAt(a) - finishedAt(b) || createdMs(this, a) - createdMs(this, b));
	const { items, delivered } = await deliver.call(
		this,
		due,
		settings,
		connection,
		startedAt + budget * FETCH_SHARE,
	);

	const { state: next, givenUp } = advance(state, {
		scanned: scan.jobs.map(stamp),
		complete: scan.complete,
		nextToken: scan.nextToken,
		serverTimeMs: scan.serverTimeMs,
		stragglersChecked: state.stragglers.length > 0,
		stragglersSeen: stragglersSeen.map(stamp),
		delivered,
	});
	if (givenUp.length > 0) {
		this.logger.warn(
			`LlamaExtract Trigger stopped watching ${givenUp.length} job(s) that stayed unfinished while many newer jobs finished: ${givenUp.join(', ')}`,
		);
	}
	// n8n stores static data when the poll emits, and commits it when the poll returns null.
	staticData.cursor = next as unknown as IDataObject;
	return items.length > 0 ? [items] : null;
}

function describeFilters(settings: TriggerSettings): string {
	const parts: string[] = [];
	if (settings.configurationId) parts.push(`configuration ${settings.configurationId}`);
	if (settings.fileInput) parts.push(`file input ${settings.fileInput}`);
	return parts.length > 0 ? ` with ${parts.join(' and ')}` : '';
}

/** Manual mode: the newest finished job that matches, without touching the cursor. */
async function fetchTestEvent(
	this: IPollFunctions,
	settings: TriggerSettings,
): Promise<INodeExecutionData[][]> {
	const connection = await getConnection.call(this);
	const newestPerStatus = await Promise.all(
		settings.wantedStatuses.map(async (status) => {
			const { page } = await listPage.call(
				this,
				{ ...filterQuery(settings), status, page_size: 1 },
				connection,
			);
			return page.items.find((job) => job.status === status);
		}),
	);
	const candidates = newestPerStatus.filter((job): job is ExtractV2Job => job !== undefined);
	if (candidates.length === 0) {
		const statuses = settings.wantedStatuses.map((status) => status.toLowerCase()).join(' or ');
		throw new NodeOperationError(
			this.getNode(),
			`No finished extract job matches the filters: none is ${statuses}${describeFilters(settings)}`,
			{
				description:
					'Run an extraction that matches the filters (for example with the LlamaExtract node or in the LlamaCloud dashboard), wait until it ends, then fetch the test event again. Also check that the credential points at the right project and region.',
			},
		);
	}
	candidates.sort(
		(a, b) => createdMs(this, b) - createdMs(this, a) || finishedAt(b) - finishedAt(a),
	);
	const newest = candidates[0];
	const job = needsFetch(newest, settings)
		? await fetchJob.call(this, newest, settings, connection)
		: newest;
	if (!job) {
		throw new NodeOperationError(
			this.getNode(),
			`Job ${newest.id} was deleted while it was being fetched`,
			{
				description: 'Fetch the test event again.',
			},
		);
	}
	return [toItems(job, settings)];
}
