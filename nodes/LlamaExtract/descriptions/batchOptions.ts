import type { IDataObject, INodeProperties } from 'n8n-workflow';

/**
 * Default Max Concurrent Jobs. Each item costs one upload and one create; status polls are shared by the whole batch
 * (one list request per round, at most two a second). LlamaCloud allows 50 uploads per 5 s per project (API.md §12):
 * 20 items starting at once use 20 of them, and as long as jobs take 2 s or more (real extractions take 5-60 s) the
 * steady state stays under 50 per 5 s, with room left for other workflows on the same project. A 50-document batch
 * then takes ceil(50/20) = 3 job times instead of 50. Free-tier organisations (20 requests a minute) exceed their
 * limit even one item at a time; there the transport's 429 backoff paces the batch, or lower this option.
 */
export const DEFAULT_MAX_CONCURRENT_JOBS = 20;

export const maxConcurrencyOption: INodeProperties = {
	displayName: 'Max Concurrent Jobs',
	name: 'maxConcurrency',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 100 },
	default: DEFAULT_MAX_CONCURRENT_JOBS,
	description: 'How many items are processed at the same time. Lower it if LlamaCloud answers 429 (rate limited).',
};

export function readConcurrency(options: IDataObject): number {
	return Math.max(1, Math.floor(Number(options.maxConcurrency ?? DEFAULT_MAX_CONCURRENT_JOBS)) || 1);
}
