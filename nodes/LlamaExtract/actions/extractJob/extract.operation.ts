/**
 * Extract Data: upload (or reference) a document, create a v2 extract job and wait for its result.
 * API: POST /api/v1/beta/files, POST /api/v2/extract, GET /api/v2/extract?job_ids=… (shared poll).
 *
 * Items run concurrently (Max Concurrent Jobs) and share one status poll; output order and pairing stay as in a
 * sequential run.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { runPerItem } from '../../../shared/batch';
import { maxConcurrencyOption, readConcurrency } from '../../descriptions/batchOptions';
import { keepBinaryOption, simplifyParameter, splitIntoItemsOption } from '../../descriptions/jobOutput';
import { jobRequestProperties } from '../../descriptions/jobRequest';
import { readWaitTimeoutMs, waitOptions } from '../../descriptions/waitOptions';
import { showFor, type Client } from '../common';
import { prepareJobRequest } from '../documentInput';
import { waitForJobItems } from '../finishJob';

const properties: INodeProperties[] = [
	...jobRequestProperties,
	simplifyParameter,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			keepBinaryOption,
			maxConcurrencyOption,
			splitIntoItemsOption,
			...waitOptions,
		],
	},
];

export const description = showFor({ show: { resource: ['extractJob'], operation: ['extract'] } }, properties);

export async function executeBatch(this: IExecuteFunctions, client: Client): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const concurrency = readConcurrency.call(this, this.getNodeParameter('options', 0, {}) as IDataObject);
	const waiter = client.waiter();

	return await runPerItem(this, items.length, concurrency, async (itemIndex) => {
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const timeoutMs = readWaitTimeoutMs.call(this, itemIndex, options);
		// Retries of this item's upload and create stay inside its Wait Timeout.
		client.limitRetriesUntil(itemIndex, Date.now() + timeoutMs);
		// Checks everything the user typed before uploading anything.
		const request = await prepareJobRequest(client, itemIndex);
		const created = await client.createJob(request);
		return await waitForJobItems.call(this, client, waiter, created, {
			itemIndex,
			timeoutMs,
			options,
			requested: request.configuration,
		});
	});
}
