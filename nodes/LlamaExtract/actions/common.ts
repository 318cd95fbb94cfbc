import type {
	IDataObject,
	IDisplayOptions,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { z } from 'zod';

import { runPerItem } from '../../shared/batch';
import type { LlamaCloudClient } from '../../shared/client';
import type { Query } from '../../shared/transport';
import { readConcurrency } from '../descriptions/batchOptions';

export { filtersCollection, optionsCollection } from '../../shared/collections';

/** The run's client (router.ts opens it once); every operation gets it. */
export type Client = LlamaCloudClient<IExecuteFunctions>;

/** An operation that handles one item at a time; the router loops, pairs and applies Continue On Fail. */
export interface ItemOperation {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, client: Client, itemIndex: number): Promise<INodeExecutionData[]>;
}

/** An operation that takes the whole batch, to run jobs concurrently with one shared status poll. */
export interface BatchOperation {
	description: INodeProperties[];
	executeBatch(this: IExecuteFunctions, client: Client): Promise<INodeExecutionData[]>;
}

/** A batch operation whose node can show more than one output (Extract Data › Route for Review): one array per output. */
export interface MultiOutputOperation {
	description: INodeProperties[];
	executeOutputs(this: IExecuteFunctions, client: Client): Promise<INodeExecutionData[][]>;
}

export type Operation = ItemOperation | BatchOperation | MultiOutputOperation;

/**
 * Scopes parameters to a resource/operation. Written here rather than imported so the package also runs on
 * n8n versions whose n8n-workflow lacks `updateDisplayOptions`.
 */
export function showFor(
	displayOptions: IDisplayOptions,
	properties: INodeProperties[],
): INodeProperties[] {
	return properties.map((property) => ({
		...property,
		displayOptions: {
			...property.displayOptions,
			show: { ...displayOptions.show, ...property.displayOptions?.show },
			...(displayOptions.hide || property.displayOptions?.hide
				? { hide: { ...displayOptions.hide, ...property.displayOptions?.hide } }
				: {}),
		},
	}));
}

/**
 * A resource's parameters: its Operation picker, shown for the resource only, then each operation's own parameters
 * in the order of the operations map. The picker stays a literal in the resource file so n8n's lint checks it.
 */
export function resourceDescription(
	resource: string,
	operations: Record<string, Operation>,
	operationPicker: INodeProperties,
): INodeProperties[] {
	return [
		...showFor({ show: { resource: [resource] } }, [operationPicker]),
		...Object.values(operations).flatMap((operation) => operation.description),
	];
}

/** The required Name of what a Create operation saves (a configuration, an agent). */
export function nameParameter(placeholder: string, description: string): INodeProperties {
	return { displayName: 'Name', name: 'name', type: 'string', default: '', required: true, placeholder, description };
}

/** An output item paired with the input item it came from. */
export function pairedJson(json: IDataObject, itemIndex: number): INodeExecutionData {
	return { json, pairedItem: { item: itemIndex } };
}

/** Get Many: the records of a cursor list, at most `limit` (readLimit; undefined = all), one output item each. */
export async function listAsItems<S extends z.ZodTypeAny>(
	this: IExecuteFunctions,
	client: Client,
	call: { path: string; query: Query; limit: number | undefined },
	itemSchema: S,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const { path, query, limit } = call;
	const records = await client.list({ method: 'GET', path, query, itemIndex }, itemSchema, { limit });
	return records.map((record) => pairedJson(record as IDataObject, itemIndex));
}

/**
 * A batch operation's loop: items run concurrently, at most Max Concurrent Jobs at once, each with its own Options;
 * order, pairing and Continue On Fail as in runPerItem.
 */
export async function runBatch(
	this: IExecuteFunctions,
	task: (itemIndex: number, options: IDataObject) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[]> {
	const concurrency = readConcurrency.call(this, this.getNodeParameter('options', 0, {}) as IDataObject);
	return await runPerItem(this, this.getInputData().length, concurrency, async (itemIndex) => {
		return await task(itemIndex, this.getNodeParameter('options', itemIndex, {}) as IDataObject);
	});
}
