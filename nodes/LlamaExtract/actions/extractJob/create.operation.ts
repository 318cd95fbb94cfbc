/**
 * Create: upload (or reference) a document and start a v2 extract job without waiting for it.
 * API: POST /api/v1/beta/files, POST /api/v2/extract.
 * Resume later with Wait for Completion, Get, or the trigger.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { runPerItem } from '../../../shared/batch';
import { createExtractJob } from '../../../shared/jobs';
import { getConnection } from '../../../shared/transport';
import { maxConcurrencyOption, readConcurrency } from '../../descriptions/batchOptions';
import { keepBinaryOption } from '../../descriptions/jobOutput';
import { jobRequestProperties, prepareJobRequest } from '../../descriptions/jobRequest';
import { showFor } from '../common';

const properties: INodeProperties[] = [
	...jobRequestProperties,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [keepBinaryOption, maxConcurrencyOption],
	},
];

export const description = showFor({ show: { resource: ['extractJob'], operation: ['create'] } }, properties);

export async function executeBatch(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const concurrency = readConcurrency(this.getNodeParameter('options', 0, {}) as IDataObject);
	const connection = await getConnection.call(this, 0);
	return await runPerItem(this, items.length, concurrency, async (itemIndex) => {
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const request = await prepareJobRequest.call(this, itemIndex, connection);
		const job = await createExtractJob.call(this, request, connection);
		const binary = options.keepBinary === false ? undefined : items[itemIndex].binary;
		return [{ json: job as IDataObject, pairedItem: { item: itemIndex }, ...(binary ? { binary } : {}) }];
	});
}
