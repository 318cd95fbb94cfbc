/**
 * What one poll does: read the settings, re-check the open jobs and scan the new ones through the cursor
 * (cursor.ts), fetch the results of the jobs that are due, and hand back items. Manual mode ("Fetch Test Event")
 * shows the newest matching job and leaves the cursor alone. All reads go through a `JobSource` (source.ts).
 */
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ExtractV2Job } from '../shared/contract';
import { requireId } from '../shared/fileChecks';
import {
	advance,
	DEFAULT_LIMITS,
	dueJobs,
	idsToRecheck,
	initialState,
	readState,
	trackedCount,
	type CursorLimits,
	type CursorState,
} from './cursor';
import {
	createdMsOf,
	deliver,
	expandFor,
	finishedAt,
	latestById,
	needsFetch,
	stampOf,
	toItems,
	type OutputSettings,
} from './delivery';
import { EVENT_STATUSES } from './properties';
import { recheckOpen, scanWindow } from './scan';
import type { JobSource } from './source';

const HOUR_MS = 3_600_000;
/** Shares of the poll budget: re-checks may start until the first, the scan until the second, fetches until the third. */
const RECHECK_SHARE = 0.3;
const SCAN_SHARE = 0.5;
const FETCH_SHARE = 0.8;

export interface TriggerSettings extends OutputSettings {
	event: string;
	configurationId?: string;
	fileInput?: string;
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
	// The shared ID rule (rules.ts): a filter on an ID that can never match would watch nothing, silently.
	if (configurationId) requireId(this.getNode(), configurationId, ['configuration'], 'Configuration');
	const filters = this.getNodeParameter('filters', {}) as IDataObject;
	const fileInput = String(filters.fileInput ?? '').trim();
	if (fileInput) requireId(this.getNode(), fileInput, ['file', 'parseJob'], 'Filters › File or Parse Job ID');
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

function filtersOf(settings: TriggerSettings) {
	return { configurationId: settings.configurationId, fileInput: settings.fileInput };
}

function pollBudgetMs(ctx: IPollFunctions): number {
	// Older n8n versions have no budget; their ticks are not cut short, so a generous one is safe.
	return typeof ctx.getPollBudgetMs === 'function' ? ctx.getPollBudgetMs() : 5 * 60_000;
}

/** What a poll runs on: the node passes LlamaCloud over HTTP and the wall clock; the model test its own. */
export interface PollDependencies {
	source: JobSource;
	now?: () => number;
	limits?: CursorLimits;
}

function overCapError(ctx: IPollFunctions, state: CursorState, limits: CursorLimits) {
	const { open, recent } = trackedCount(state);
	return new NodeOperationError(
		ctx.getNode(),
		`LlamaExtract Trigger is tracking ${open + recent} jobs (${open} unfinished, ${recent} just finished), more than its limit of ${limits.maxTracked}`,
		{
			description:
				'The trigger keeps the ID of every matching job that has not finished in the workflow. Nothing was skipped or marked as delivered: the trigger goes on by itself once fewer jobs are unfinished. To get there sooner, cancel jobs that are stuck, or split the work across triggers with the Configuration or File filter.',
		},
	);
}

export async function pollForJobs(
	this: IPollFunctions,
	dependencies: PollDependencies,
): Promise<INodeExecutionData[][] | null> {
	const { source } = dependencies;
	const now = dependencies.now ?? (() => Date.now());
	const limits = dependencies.limits ?? DEFAULT_LIMITS;
	const settings = readSettings.call(this);
	if (this.getMode() === 'manual') return await fetchTestEvent.call(this, settings, source);

	const startedAt = now();
	const budget = pollBudgetMs(this);
	const deadline = startedAt + budget;
	const staticData = this.getWorkflowStaticData('node');
	const key = filterKey(settings);
	const stored = readState(staticData.cursor);
	const state =
		stored?.filterKey === key ? stored : initialState(startedAt, settings.lookbackMs, key);
	const createdMs = (job: ExtractV2Job) => createdMsOf(this, job);

	const recheck = await recheckOpen(source, idsToRecheck(state), {
		now,
		until: startedAt + budget * RECHECK_SHARE,
		deadline,
	});
	// A job the list no longer returns by id is looked up once more: only a 404 means it is gone.
	const gone: string[] = [];
	for (const id of recheck.missing) {
		const job = await source.getJob(id, []);
		if (job) recheck.jobs.push(job);
		else gone.push(id);
	}
	const scan = await scanWindow(source, state, filtersOf(settings), createdMs, {
		now,
		until: startedAt + budget * SCAN_SHARE,
		deadline,
	});
	if (scan.tokenRefused) {
		this.logger.warn(
			'LlamaExtract Trigger: the saved page token was refused; resuming the scan by creation time',
		);
	}

	const jobs = latestById([...recheck.jobs, ...scan.jobs]);
	const stamps = [...jobs.values()].map((job) => stampOf(this, settings, job));
	const due = dueJobs(state, stamps)
		.map((stamp) => jobs.get(stamp.id) as ExtractV2Job)
		.sort((a, b) => finishedAt(a) - finishedAt(b) || createdMs(a) - createdMs(b));
	const { items, delivered } = await deliver(
		source,
		due,
		settings,
		now,
		startedAt + budget * FETCH_SHARE,
	);

	const next = advance(
		state,
		{ seen: stamps, rechecked: recheck.checked, gone, scan, delivered },
		limits,
	);
	const { open, recent } = trackedCount(next);
	// Failing saves nothing and emits nothing, so every job is still there for the next poll.
	if (open + recent > limits.maxTracked) throw overCapError(this, next, limits);
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
	source: JobSource,
): Promise<INodeExecutionData[][]> {
	const newestPerStatus = await Promise.all(
		settings.wantedStatuses.map(async (status) => {
			const page = await source.listPage({ ...filtersOf(settings), status, pageSize: 1 });
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
	const createdMs = (job: ExtractV2Job) => createdMsOf(this, job);
	candidates.sort((a, b) => createdMs(b) - createdMs(a) || finishedAt(b) - finishedAt(a));
	const newest = candidates[0];
	const job = needsFetch(newest, settings)
		? await source.getJob(newest.id, expandFor(settings))
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
