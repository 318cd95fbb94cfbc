/**
 * Extract Data: upload (or reference) a document, create a v2 extract job and wait for its result.
 * API: POST /api/v1/beta/files, POST /api/v2/extract, GET /api/v2/extract?job_ids=… (shared poll).
 *
 * Every document of every item (Input Binary Field may name several, e.g. attachment_*) runs concurrently under
 * Max Concurrent Jobs and shares one status poll; output order and pairing stay as in a sequential run.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { documentOptions } from '../../descriptions/documentOptions';
import { simplifyParameter, waitForResultOptions } from '../../descriptions/jobOutput';
import { jobRequestProperties } from '../../descriptions/jobRequest';
import { readWaitTimeoutMs } from '../../descriptions/waitOptions';
import { type Client, optionsCollection, showFor } from '../common';
import { runDocumentBatch } from '../documentBatch';
import { prepareJobRequest } from '../documentInput';
import { waitForJobItems } from '../finishJob';

const properties: INodeProperties[] = [
	...jobRequestProperties,
	simplifyParameter,
	optionsCollection([...waitForResultOptions, ...documentOptions]),
];

export const description = showFor({ show: { resource: ['extractJob'], operation: ['extract'] } }, properties);

export async function executeBatch(this: IExecuteFunctions, client: Client): Promise<INodeExecutionData[]> {
	const waiter = client.waiter();
	return await runDocumentBatch.call(this, async ({ itemIndex, options, document }) => {
		const timeoutMs = readWaitTimeoutMs.call(this, itemIndex, options);
		// Retries of this item's upload and create stay inside its Wait Timeout.
		client.limitRetriesUntil(itemIndex, Date.now() + timeoutMs);
		// Checks everything the user typed before uploading anything.
		const request = await prepareJobRequest(client, itemIndex, document);
		const created = await client.createJob(request);
		return await waitForJobItems.call(this, client, waiter, created, {
			itemIndex,
			timeoutMs,
			options,
			requested: request.configuration,
		});
	});
}
