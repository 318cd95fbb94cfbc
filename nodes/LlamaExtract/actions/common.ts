import type {
	IDisplayOptions,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { LlamaCloudClient } from '../../shared/client';

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

export type Operation = ItemOperation | BatchOperation;

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
