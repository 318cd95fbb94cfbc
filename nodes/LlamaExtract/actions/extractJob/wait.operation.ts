/**
 * Wait for Completion: wait for existing jobs (e.g. from Create) and output their results like Extract Data.
 * API: GET /api/v2/extract/{job_id} once per job, then the shared poll GET /api/v2/extract?job_ids=…
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { jobIdParameter, readId } from '../../descriptions/ids';
import { simplifyParameter, waitForResultOptions } from '../../descriptions/jobOutput';
import { readWaitTimeoutMs } from '../../descriptions/waitOptions';
import { type Client, optionsCollection, runBatch, showFor } from '../common';
import { waitForJobItems } from '../finishJob';

const properties: INodeProperties[] = [
	jobIdParameter('ID of the extract job to wait for (starts with ext-), e.g. from Extract Job › Create'),
	simplifyParameter,
	optionsCollection(waitForResultOptions),
];

export const description = showFor({ show: { resource: ['extractJob'], operation: ['wait'] } }, properties);

export async function executeBatch(this: IExecuteFunctions, client: Client): Promise<INodeExecutionData[]> {
	const waiter = client.waiter();
	return await runBatch.call(this, async (itemIndex, options) => {
		const timeoutMs = readWaitTimeoutMs.call(this, itemIndex, options);
		const jobId = readId.call(this, itemIndex, 'jobId', 'Job ID', 'extractJob');
		// One GET proves the ID exists (a wrong ID fails now, not at the timeout) and brings the configuration.
		const current = await client.getJob(jobId, { expand: ['configuration'], itemIndex });
		return await waitForJobItems.call(this, client, waiter, current, { itemIndex, timeoutMs, options, knownConfiguration: true });
	});
}
