/**
 * Running items with a concurrency cap while keeping n8n's contract: output order and `pairedItem` exactly as a
 * sequential loop would give, and with Continue On Fail one failed item becomes one error item, not a failed run.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/** Runs `task` over `count` indices, at most `limit` at once; results keep index order. */
export async function mapWithConcurrency<T>(
	count: number,
	limit: number,
	task: (index: number) => Promise<T>,
): Promise<Array<PromiseSettledResult<T>>> {
	const results: Array<PromiseSettledResult<T>> = new Array(count);
	let next = 0;
	const worker = async () => {
		while (next < count) {
			const index = next++;
			try {
				results[index] = { status: 'fulfilled', value: await task(index) };
			} catch (reason) {
				results[index] = { status: 'rejected', reason };
			}
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count)) }, worker));
	return results;
}

/** Error facts that must survive into the error item, above all a job ID that already exists on the server. */
export function jobIdOf(error: unknown): string | undefined {
	const context = (error as { context?: IDataObject })?.context;
	const id = context?.jobId;
	return typeof id === 'string' ? id : undefined;
}

/** Remembers the job an error belongs to, so neither the error item nor the thrown error loses its ID. */
export function attachJobId<E>(error: E, jobId: string): E {
	const target = error as unknown as { context?: IDataObject };
	if (target && typeof target === 'object') {
		target.context = { ...(target.context ?? {}), jobId };
	}
	return error;
}

/** A shallow copy with its own `context`, so attaching one job's ID cannot change another job's error. */
export function copyOfError(error: Error): Error {
	if (!error || typeof error !== 'object') return error;
	const copy = Object.create(Object.getPrototypeOf(error) as object, Object.getOwnPropertyDescriptors(error)) as Error & {
		context?: Record<string, unknown>;
	};
	const context = (error as { context?: Record<string, unknown> }).context;
	if (context) copy.context = { ...context };
	return copy;
}

export function errorToItem(error: unknown, itemIndex: number): INodeExecutionData {
	const err = error as Error & { description?: string; httpCode?: string };
	const json: IDataObject = { error: err.message };
	if (err.description) json.description = err.description;
	if (err.httpCode) json.httpCode = err.httpCode;
	const jobId = jobIdOf(error);
	if (jobId) json.job_id = jobId;
	return { json, pairedItem: { item: itemIndex } };
}

/**
 * With On Error = Continue (using error output), n8n moves an item to the error output only when its json has no
 * keys but error, message and details; so there the facts beside the message (description, job_id, …) go under
 * `details`, where they are kept rather than dropped.
 */
export function routableErrorItem(ctx: IExecuteFunctions, item: INodeExecutionData): INodeExecutionData {
	if (ctx.getNode().onError !== 'continueErrorOutput') return item;
	const { error, ...details } = item.json;
	return { ...item, json: { error, ...(Object.keys(details).length ? { details } : {}) } };
}

/** Makes sure what we throw names the item: n8n shows the item index from the error's context. */
export function asNodeError(
	ctx: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context = { ...(error.context ?? {}), itemIndex: error.context?.itemIndex ?? itemIndex };
		return error;
	}
	const wrapped = new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
	const jobId = jobIdOf(error);
	if (jobId) attachJobId(wrapped, jobId);
	return wrapped;
}

export interface PerItemOptions {
	/** The input item unit `index` belongs to, when there are several units per item (an email's documents). */
	itemIndexOf?: (index: number) => number;
	/** Adds what an error item should say beyond the error (e.g. which document failed). */
	decorateError?: (item: INodeExecutionData, index: number) => void;
}

/**
 * Runs one task per unit (by default one unit per input item) and flattens the results in order. A failed unit
 * becomes an error item paired to its input item when Continue On Fail is on; otherwise the first failure (in
 * order) is thrown.
 */
export async function runPerItem(
	ctx: IExecuteFunctions,
	unitCount: number,
	concurrency: number,
	task: (index: number) => Promise<INodeExecutionData[]>,
	options: PerItemOptions = {},
): Promise<INodeExecutionData[]> {
	const settled = await mapWithConcurrency(unitCount, concurrency, task);
	const output: INodeExecutionData[] = [];
	for (let index = 0; index < settled.length; index++) {
		const result = settled[index];
		if (result.status === 'fulfilled') {
			output.push(...result.value);
			continue;
		}
		const itemIndex = options.itemIndexOf?.(index) ?? index;
		if (!ctx.continueOnFail()) throw asNodeError(ctx, result.reason, itemIndex);
		const item = errorToItem(result.reason, itemIndex);
		options.decorateError?.(item, index);
		output.push(routableErrorItem(ctx, item));
	}
	return output;
}
