/**
 * Extract Data: upload (or reference) a document, create a v2 extract job and wait for its result.
 * API: POST /api/v1/beta/files, POST /api/v2/extract, GET /api/v2/extract?job_ids=… (shared poll).
 *
 * Items run concurrently (Max Concurrent Jobs) and share one status poll; output order and pairing stay as in a
 * sequential run.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { attachJobId, runPerItem } from '../../../shared/batch';
import type { ExtractV2Job } from '../../../shared/contract';
import { BatchJobWaiter, createExtractJob } from '../../../shared/jobs';
import { getConnection, limitRetriesUntil } from '../../../shared/transport';
import {
	jobOutputItems,
	keepBinaryOption,
	simplifyParameter,
	splitIntoItemsOption,
	withFieldMetadata,
} from '../../descriptions/jobOutput';
import { DEFAULT_MAX_CONCURRENT_JOBS, maxConcurrencyOption } from '../../descriptions/batchOptions';
import { jobRequestProperties, prepareJobRequest, wantsFieldMetadata } from '../../descriptions/jobRequest';
import { readWaitTimeoutMs, waitOptions } from '../../descriptions/waitOptions';
import { showFor } from '../common';

// One default for every batch operation; why 20 is safe for LlamaCloud's rate limits is explained there.
export { DEFAULT_MAX_CONCURRENT_JOBS };

const properties: INodeProperties[] = [
	...jobRequestProperties,
	simplifyParameter,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		// What users change most first: waiting, then the output shape, then batch tuning.
		options: [...waitOptions, splitIntoItemsOption, keepBinaryOption, maxConcurrencyOption],
	},
];

export const description = showFor({ show: { resource: ['extractJob'], operation: ['extract'] } }, properties);

function failedJobError(ctx: IExecuteFunctions, job: ExtractV2Job, itemIndex: number): NodeOperationError {
	const error = new NodeOperationError(
		ctx.getNode(),
		`Extraction job ${job.id} ended ${job.status}${job.error_message ? `: ${job.error_message}` : ''}`,
		{
			itemIndex,
			description:
				job.status === 'CANCELLED'
					? 'The job was cancelled before it finished. Run the node again to start a new job.'
					: 'LlamaCloud could not extract this document. Check that the file is a readable document and that the schema fits it; the job ID is kept for support.',
		},
	);
	return attachJobId(error, job.id);
}

function timeoutError(ctx: IExecuteFunctions, job: ExtractV2Job, itemIndex: number, timeoutMs: number) {
	const error = new NodeOperationError(
		ctx.getNode(),
		`Extraction job ${job.id} is still ${job.status} after ${Math.round(timeoutMs / 1000)} s`,
		{
			itemIndex,
			description: `The job keeps running in LlamaCloud. Resume with Extract Job › Wait for Completion and Job ID ${job.id}, or raise Wait Timeout, or set On Timeout to output the pending job.`,
		},
	);
	return attachJobId(error, job.id);
}

export async function executeBatch(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const concurrency = Math.max(1, Math.floor(Number(options.maxConcurrency ?? DEFAULT_MAX_CONCURRENT_JOBS)));
	const connection = await getConnection.call(this, 0);
	const waiter = new BatchJobWaiter(this, connection);

	return await runPerItem(this, items.length, concurrency, async (itemIndex) => {
		const itemOptions = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
		const timeoutMs = readWaitTimeoutMs.call(this, itemIndex, itemOptions);
		// Retries of this item's upload and create stay inside its Wait Timeout.
		limitRetriesUntil(this, itemIndex, Date.now() + timeoutMs);
		const onTimeout = (itemOptions.onTimeout as string | undefined) ?? 'output';

		// Checks everything the user typed before uploading anything.
		const request = await prepareJobRequest.call(this, itemIndex, connection);
		const created = await createExtractJob.call(this, request, connection);

		let outcome;
		try {
			// Citations and confidence ride on the shared status poll instead of one more GET per job.
			const expand = wantsFieldMetadata(request.configuration) ? ['extract_metadata'] : [];
			outcome = await waiter.wait(created, itemIndex, timeoutMs, expand);
		} catch (error) {
			throw attachJobId(error, created.id);
		}
		let { job } = outcome;
		if (outcome.kind === 'timeout') {
			if (onTimeout === 'error') throw timeoutError(this, job, itemIndex, timeoutMs);
		} else if (job.status !== 'COMPLETED') {
			throw failedJobError(this, job, itemIndex);
		}

		try {
			job = await withFieldMetadata.call(this, job, itemIndex, connection, request.configuration);
		} catch (error) {
			throw attachJobId(error, job.id);
		}
		return jobOutputItems.call(this, job, itemIndex, {
			simplify,
			splitIntoItems: itemOptions.splitIntoItems === true,
			keepBinary: itemOptions.keepBinary !== false,
		});
	});
}
