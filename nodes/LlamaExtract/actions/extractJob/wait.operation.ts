/**
 * Wait for Completion: wait for existing jobs (e.g. from Create) and output their results like Extract Data.
 * API: GET /api/v2/extract/{job_id} once per job, then the shared poll GET /api/v2/extract?job_ids=…
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { runPerItem } from '../../../shared/batch';
import { maxConcurrencyOption, readConcurrency } from '../../descriptions/batchOptions';
import { jobIdParameter, readId } from '../../descriptions/ids';
import { keepBinaryOption, simplifyParameter, splitIntoItemsOption } from '../../descriptions/jobOutput';
import { readWaitTimeoutMs, waitOptions } from '../../descriptions/waitOptions';
import { showFor, type Client } from '../common';
import { waitForJobItems } from '../finishJob';

const properties: INodeProperties[] = [
	jobIdParameter('ID of the extract job to wait for (starts with ext-), e.g. from Extract Job › Create'),
	simplifyParameter,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [keepBinaryOption, maxConcurrencyOption, splitIntoItemsOption, ...waitOptions],
	},
];

export const description = showFor({ show: { resource: ['extractJob'], operation: ['wait'] } }, properties);

export async function executeBatch(this: IExecuteFunctions, client: Client): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const concurrency = readConcurrency.call(this, this.getNodeParameter('options', 0, {}) as IDataObject);
	const waiter = client.waiter();

	return await runPerItem(this, items.length, concurrency, async (itemIndex) => {
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const timeoutMs = readWaitTimeoutMs.call(this, itemIndex, options);
		const jobId = readId.call(this, itemIndex, 'jobId', 'Job ID', 'extractJob');
		// One GET proves the ID exists (a wrong ID fails now, not at the timeout) and brings the configuration.
		const current = await client.getJob(jobId, { expand: ['configuration'], itemIndex });
		return await waitForJobItems.call(this, client, waiter, current, { itemIndex, timeoutMs, options, knownConfiguration: true });
	});
}
