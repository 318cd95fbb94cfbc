import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { runPerItem } from '../../shared/batch';
import { LlamaCloudClient } from '../../shared/client';
import { resources } from './resources';

/** Picks the operation for `resource:operation`; one Continue On Fail policy for all of them (shared/batch.ts). */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = resources[resource]?.[operationName];
	if (!operation) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operationName}" is not known for the resource "${resource}"`,
			{ description: 'Open the node and pick the resource and operation again.' },
		);
	}
	// One client for the whole run: the credential is read once, and items share locks and owned IDs.
	const client = LlamaCloudClient.open(this);
	if ('executeOutputs' in operation) return await operation.executeOutputs.call(this, client);
	if ('executeBatch' in operation) return [await operation.executeBatch.call(this, client)];
	const items = this.getInputData();
	return [
		await runPerItem(this, items.length, 1, async (itemIndex) => {
			const results = await operation.execute.call(this, client, itemIndex);
			return results.map((result) => ({ ...result, pairedItem: result.pairedItem ?? { item: itemIndex } }));
		}),
	];
}
