/**
 * Cancel: stop a job that is still pending or running. A finished job cannot be cancelled; the node says so
 * plainly. It looks at the job first because the server's refusal code is not documented, and a 409 would be
 * retried as a lock conflict.
 * API: GET /api/v2/extract/{job_id}, then POST /api/v2/extract/{job_id}/cancel
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { attachJobId } from '../../../shared/batch';
import { ExtractV2Job, isFinalStatus } from '../../../shared/contract';
import { jobIdParameter, readId } from '../../descriptions/ids';
import { showFor, type Client } from '../common';

const properties: INodeProperties[] = [jobIdParameter('ID of the pending or running extract job to cancel (starts with ext-)')];

export const description = showFor({ show: { resource: ['extractJob'], operation: ['cancel'] } }, properties);

function alreadyFinished(ctx: IExecuteFunctions, job: ExtractV2Job, itemIndex: number): NodeOperationError {
	return attachJobId(
		new NodeOperationError(ctx.getNode(), `Extract job ${job.id} is already ${job.status}, so it cannot be cancelled`, {
			itemIndex,
			description:
				job.status === 'COMPLETED'
					? 'Only pending or running jobs can be cancelled. To remove the finished job and its result, use Extract Job › Delete.'
					: 'Only pending or running jobs can be cancelled. This job has already stopped; nothing more is needed.',
		}),
		job.id,
	);
}

export async function execute(this: IExecuteFunctions, client: Client, itemIndex: number): Promise<INodeExecutionData[]> {
	const jobId = readId.call(this, itemIndex, 'jobId', 'Job ID', 'extractJob');
	const current = await client.getJob(jobId, { itemIndex });
	if (isFinalStatus(current.status)) throw alreadyFinished(this, current, itemIndex);
	let job: ExtractV2Job;
	try {
		job = await client.request(
			{
				method: 'POST',
				path: `/api/v2/extract/${encodeURIComponent(jobId)}/cancel`,
				itemIndex,
				// Cancelling twice ends the same way, so a lost answer may be retried.
				retry: 'safe',
				notFoundHint: `No extract job "${jobId}" exists in this project and region. Extract job IDs start with ext-.`,
			},
			ExtractV2Job,
		);
	} catch (error) {
		// The job may have finished between the look and the cancel.
		const status = Number((error as { httpCode?: string }).httpCode);
		if (status >= 400 && status < 500 && status !== 404) {
			const now = await client.getJob(jobId, { itemIndex });
			if (isFinalStatus(now.status)) throw alreadyFinished(this, now, itemIndex);
		}
		throw attachJobId(error, jobId);
	}
	return [{ json: job as IDataObject, pairedItem: { item: itemIndex } }];
}
