/**
 * What a job cost, on every output item. LlamaCloud reports pages on the job (`metadata.usage`, carried by the
 * status list the waiter already polls) and credits only on `GET …?expand=usage`, which the list does not offer
 * (API.md §3, §4). So that usage costs no request per job, credits are worked out from the pages billed and the
 * tier's published price, and marked `credits_estimated: true`; when a job was read with `expand=usage` (Get,
 * the trigger's Include Usage), LlamaCloud's own figure is used instead.
 */
import type { IDataObject } from 'n8n-workflow';

import type { ExtractV2Job } from './contract';

/** Credits per page by extraction tier (LlamaCloud's published prices; API.md §3). */
export const TIER_CREDITS_PER_PAGE: Record<string, number> = {
	cost_effective: 5,
	agentic: 15,
	turbo: 35,
	agentic_plus: 50,
};

/** The tier LlamaCloud uses when a configuration names none. */
export const DEFAULT_TIER = 'cost_effective';

export interface JobUsage extends IDataObject {
	num_pages_extracted: number | null;
	num_pages_billed: number | null;
	credits: number | null;
	/** True when `credits` is pages billed × the tier's price rather than LlamaCloud's figure. */
	credits_estimated: boolean;
}

function numberOrNull(value: unknown): number | null {
	return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * The job's usage, or null when it reports none yet (a job still running). `tier` is the one the node asked for,
 * used when the job does not carry its configuration.
 */
export function jobUsage(job: ExtractV2Job, tier?: string | null): JobUsage | null {
	const pages = (job.metadata?.usage ?? null) as IDataObject | null;
	const reported = (job.usage ?? null) as IDataObject | null;
	const serverCredits = numberOrNull(reported?.credits);
	if (!pages && serverCredits === null) return null;
	const extracted = numberOrNull(pages?.num_pages_extracted);
	const billed = numberOrNull(pages?.num_pages_billed) ?? extracted;
	const usage: JobUsage = { num_pages_extracted: extracted, num_pages_billed: billed, credits: null, credits_estimated: false };
	if (serverCredits !== null) {
		usage.credits = serverCredits;
		for (const key of ['extract_credits', 'parse_credits']) {
			const value = numberOrNull(reported?.[key]);
			if (value !== null) usage[key] = value;
		}
		return usage;
	}
	const price = TIER_CREDITS_PER_PAGE[job.configuration?.tier ?? tier ?? ''];
	if (billed !== null && price !== undefined) {
		usage.credits = billed * price;
		usage.credits_estimated = true;
	}
	return usage;
}

export interface RunUsage extends IDataObject {
	jobs: number;
	num_pages_billed: number;
	credits: number;
	/** True when any credit in the total is an estimate. */
	credits_estimated: boolean;
	/** Jobs whose credits are unknown (a saved configuration whose tier the node does not know, or a pending job). */
	jobs_without_credits: number;
}

/**
 * Adds `_llamaextract.run_usage` to every item that has `_llamaextract.usage`: the totals of this run so far, in
 * output order, each job counted once (split items share their job). The last item holds the run's total.
 */
export function addRunningTotals(items: Array<{ json: IDataObject }>): void {
	const total: RunUsage = { jobs: 0, num_pages_billed: 0, credits: 0, credits_estimated: false, jobs_without_credits: 0 };
	const seen = new Set<string>();
	for (const item of items) {
		const meta = item.json._llamaextract as IDataObject | undefined;
		if (!meta || typeof meta !== 'object' || !('usage' in meta)) continue;
		const jobId = String(meta.job_id ?? '');
		if (jobId && !seen.has(jobId)) {
			seen.add(jobId);
			total.jobs++;
			const usage = meta.usage as JobUsage | null;
			total.num_pages_billed += usage?.num_pages_billed ?? 0;
			if (usage?.credits === null || usage?.credits === undefined) total.jobs_without_credits++;
			else {
				total.credits += usage.credits;
				total.credits_estimated ||= usage.credits_estimated === true;
			}
		}
		meta.run_usage = { ...total };
	}
}
