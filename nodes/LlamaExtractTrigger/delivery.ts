/**
 * Turning due jobs into items: fetch what the list leaves out (result, metadata, usage) within the budget, shape the
 * output, and emit in the order the jobs finished.
 */
import type { INodeExecutionData, IPollFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { isFinalStatus, type ExtractV2Job } from '../shared/contract';
import { jobToItemsJson } from '../shared/output';
import { addRunningTotals } from '../shared/usage';
import { parseTimestamp, type JobStamp } from './cursor';
import type { JobSource } from './source';

/** Results fetched at the same time. */
const FETCH_CONCURRENCY = 5;

export interface OutputSettings {
	wantedStatuses: readonly string[];
	includeResult: boolean;
	includeMetadata: boolean;
	includeUsage: boolean;
	simplify: boolean;
	splitIntoItems: boolean;
}

export function createdMsOf(ctx: IPollFunctions, job: ExtractV2Job): number {
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

export function stampOf(
	ctx: IPollFunctions,
	settings: OutputSettings,
	job: ExtractV2Job,
): JobStamp {
	const final = isFinalStatus(job.status);
	return {
		id: job.id,
		createdMs: createdMsOf(ctx, job),
		final,
		wanted: final && settings.wantedStatuses.includes(job.status),
	};
}

/** The latest listing of each job; a final listing wins over an earlier running one. */
export function latestById(jobs: ExtractV2Job[]): Map<string, ExtractV2Job> {
	const byId = new Map<string, ExtractV2Job>();
	for (const job of jobs) {
		const known = byId.get(job.id);
		if (!known || !isFinalStatus(known.status)) byId.set(job.id, job);
	}
	return byId;
}

export function needsFetch(job: ExtractV2Job, settings: OutputSettings): boolean {
	if (settings.includeUsage) return true;
	if (!settings.includeResult || job.status !== 'COMPLETED') return false;
	if (job.extract_result === undefined || settings.includeMetadata) return true;
	return settings.splitIntoItems && !job.configuration;
}

export function expandFor(settings: OutputSettings): string[] {
	const expand: string[] = [];
	if (settings.includeResult && settings.splitIntoItems) expand.push('configuration');
	if (settings.includeResult && settings.includeMetadata) expand.push('extract_metadata');
	if (settings.includeUsage) expand.push('usage');
	return expand;
}

export function toItems(job: ExtractV2Job, settings: OutputSettings): INodeExecutionData[] {
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
export function finishedAt(job: ExtractV2Job): number {
	const updated = parseTimestamp(job.updated_at);
	return Number.isNaN(updated) ? 0 : updated;
}

export interface Delivery {
	items: INodeExecutionData[];
	/** Jobs emitted, or found deleted: settled either way. */
	delivered: Set<string>;
}

/**
 * Items for the due jobs (already in finish order). Jobs whose list entry is enough go out at once; fetches run
 * until `until` (always at least one batch, so a backlog drains) and the rest wait for the next poll.
 */
export async function deliver(
	source: JobSource,
	due: ExtractV2Job[],
	settings: OutputSettings,
	now: () => number,
	until: number,
): Promise<Delivery> {
	const fetched = new Map<string, ExtractV2Job | undefined>();
	const toFetch = due.filter((job) => needsFetch(job, settings));
	const expand = expandFor(settings);
	for (let start = 0; start < toFetch.length; start += FETCH_CONCURRENCY) {
		if (start > 0 && now() >= until) break;
		const batch = toFetch.slice(start, start + FETCH_CONCURRENCY);
		const jobs = await Promise.all(batch.map(async (job) => await source.getJob(job.id, expand)));
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
	// `_llamaextract.run_usage`: what this poll's jobs cost so far, in output order (nodes/shared/usage.ts).
	addRunningTotals(items);
	return { items, delivered };
}
