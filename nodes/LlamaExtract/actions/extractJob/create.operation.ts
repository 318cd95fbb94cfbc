/**
 * Create: upload (or reference) a document and start a v2 extract job without waiting for it.
 * API: POST /api/v1/beta/files, POST /api/v2/extract.
 * Resume later with Wait for Completion, Get, or the trigger.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { maxConcurrencyOption } from '../../descriptions/batchOptions';
import { documentOptions } from '../../descriptions/documentOptions';
import { keepBinaryOption } from '../../descriptions/jobOutput';
import { jobRequestProperties } from '../../descriptions/jobRequest';
import { type Client, optionsCollection, showFor } from '../common';
import { runDocumentBatch } from '../documentBatch';
import { prepareJobRequest } from '../documentInput';

const properties: INodeProperties[] = [
	...jobRequestProperties,
	optionsCollection([keepBinaryOption, maxConcurrencyOption, ...documentOptions]),
];

export const description = showFor({ show: { resource: ['extractJob'], operation: ['create'] } }, properties);

export async function executeBatch(this: IExecuteFunctions, client: Client): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	return await runDocumentBatch.call(this, async ({ itemIndex, options, document }) => {
		const job = await client.createJob(await prepareJobRequest(client, itemIndex, document));
		const binary = options.keepBinary === false ? undefined : items[itemIndex].binary;
		return [{ json: job as IDataObject, pairedItem: { item: itemIndex }, ...(binary ? { binary } : {}) }];
	});
}
