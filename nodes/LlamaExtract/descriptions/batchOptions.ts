import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/**
 * Default Max Concurrent Jobs. Each item costs one upload and one create; status polls are shared by the whole batch
 * (one list request per round, at most two a second). LlamaCloud allows 50 uploads per 5 s per project (API.md §12):
 * 20 items starting at once use 20 of them, and as long as jobs take 2 s or more (real extractions take 5-60 s) the
 * steady state stays under 50 per 5 s, with room left for other workflows on the same project. A 50-document batch
 * then takes ceil(50/20) = 3 job times instead of 50. Rate limits are the run's pacer's job (shared/pacer.ts: the
 * upload limit, and the free tier's 20 requests a minute found from a single 429), so this is only a ceiling.
 */
export const DEFAULT_MAX_CONCURRENT_JOBS = 20;

export const maxConcurrencyOption: INodeProperties = {
	displayName: 'Max Concurrent Jobs',
	name: 'maxConcurrency',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 100 },
	default: DEFAULT_MAX_CONCURRENT_JOBS,
	description:
		"How many items are processed at the same time, at most. Requests are paced to LlamaCloud's rate limits on their own; in queue mode this applies per execution.",
};

/**
 * Max Concurrent Jobs, at least 1. An expression that yields no number is refused by name: guessing a value would
 * hide the mistake, and a batch's pace and rate limits depend on it.
 */
export function readConcurrency(this: IExecuteFunctions, options: IDataObject): number {
	const raw = options.maxConcurrency;
	if (raw === undefined || raw === null || raw === '') return DEFAULT_MAX_CONCURRENT_JOBS;
	const value = Number(raw);
	if (typeof raw === 'boolean' || !Number.isFinite(value)) {
		throw new NodeOperationError(
			this.getNode(),
			`The "Max Concurrent Jobs" option on item 0 must be a number, but its expression gave ${JSON.stringify(raw)}`,
			{ itemIndex: 0, description: 'Set Options › Max Concurrent Jobs to a whole number from 1 to 100, or fix its expression.' },
		);
	}
	return Math.max(1, Math.floor(value));
}
