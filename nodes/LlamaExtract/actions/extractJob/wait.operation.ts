/**
 * Wait for Completion: wait for existing jobs (e.g. from Create) and output their results like Extract Data.
 * API: GET /api/v2/extract/{job_id} once per job, then the shared poll GET /api/v2/extract?job_ids=…
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { attachJobId, runPerItem } from '../../../shared/batch';
import type { ExtractV2Job } from '../../../shared/contract';
import { BatchJobWaiter, getExtractJob } from '../../../shared/jobs';
import { getConnection } from '../../../shared/transport';
import { maxConcurrencyOption, readConcurrency } from '../../descriptions/batchOptions';
import { jobIdParameter, readId } from '../../descriptions/ids';
import {
	jobOutputItems,
	keepBinaryOption,
	simplifyParameter,
	splitIntoItemsOption,
	withFieldMetadata,
} from '../../descriptions/jobOutput';
import { readWaitTimeoutMs, waitOptions } from '../../descriptions/waitOptions';
import { showFor } from '../common';

const properties: INodeProperties[] = [
	jobIdParameter('ID of the extract job to wait for (starts with ext-), e.g. from Extract Job › Create'),
	simplifyParameter,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [...waitOptions, splitIntoItemsOption, keepBinaryOption, maxConcurrencyOption],
	},
];

export const description = showFor({ show: { resource: ['extractJob'], operation: ['wait'] } }, properties);

export function unfinishedJobError(ctx: IExecuteFunctions, job: ExtractV2Job, itemIndex: number): NodeOperationError {
	const error = new NodeOperationError(
		ctx.getNode(),
		`Extraction job ${job.id} ended ${job.status}${job.error_message ? `: ${job.error_message}` : ''}`,
		{
			itemIndex,
			description:
				job.status === 'CANCELLED'
					? 'The job was cancelled before it finished. Start a new job to extract this document.'
					: 'LlamaCloud could not extract this document. Check that the file is a readable document and that the schema fits it; the job ID is kept for support.',
		},
	);
	return attachJobId(error, job.id);
}

export async function executeBatch(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const concurrency = readConcurrency(this.getNodeParameter('options', 0, {}) as IDataObject);
	const connection = await getConnection.call(this, 0);
	const waiter = new BatchJobWaiter(this, connection);

	return await runPerItem(this, items.length, concurrency, async (itemIndex) => {
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
		const timeoutMs = readWaitTimeoutMs.call(this, itemIndex, options);
		const jobId = readId.call(this, itemIndex, 'jobId', 'Job ID', 'extractJob');
		// One GET proves the ID exists (a wrong ID fails now, not at the timeout) and brings the configuration.
		const current = await getExtractJob.call(this, jobId, { expand: ['configuration'], itemIndex }, connection);
		let job: ExtractV2Job;
		try {
			const outcome = await waiter.wait(current, itemIndex, timeoutMs);
			job = { ...outcome.job, configuration: outcome.job.configuration ?? current.configuration };
			if (outcome.kind === 'timeout') {
				if (options.onTimeout === 'error') {
					throw new NodeOperationError(
						this.getNode(),
						`Extraction job ${job.id} is still ${job.status} after ${Math.round(timeoutMs / 1000)} s`,
						{
							itemIndex,
							description: `The job keeps running in LlamaCloud. Run Wait for Completion again with Job ID ${job.id}, or raise Wait Timeout.`,
						},
					);
				}
			} else if (job.status !== 'COMPLETED') {
				throw unfinishedJobError(this, job, itemIndex);
			}
			job = await withFieldMetadata.call(this, job, itemIndex, connection);
		} catch (error) {
			throw attachJobId(error, jobId);
		}
		return jobOutputItems.call(this, job, itemIndex, {
			simplify,
			splitIntoItems: options.splitIntoItems === true,
			keepBinary: options.keepBinary !== false,
		});
	});
}
