import type {
	IDataObject,
	IDisplayOptions,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { runPerItem } from '../../shared/batch';
import type { LlamaCloudClient } from '../../shared/client';
import { readConcurrency } from '../descriptions/batchOptions';

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
 * The Options collection of operations whose options are shared blocks from descriptions/ (n8n's lint checks those
 * where they are defined). Collections with options written inline stay literal, so the lint sees them.
 */
export function optionsCollection(options: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options,
	};
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
