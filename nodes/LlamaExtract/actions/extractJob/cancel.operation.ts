/**
 * Cancel: stop a job that is still pending or running. A finished job cannot be cancelled; the node says so
 * plainly instead of passing on the server's bare 4xx.
 * API: POST /api/v2/extract/{job_id}/cancel
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { attachJobId } from '../../../shared/batch';
import { ExtractV2Job, isFinalStatus } from '../../../shared/contract';
import { getExtractJob } from '../../../shared/jobs';
import { apiRequest } from '../../../shared/transport';
import { jobIdParameter, readId } from '../../descriptions/ids';
import { showFor } from '../common';

const properties: INodeProperties[] = [jobIdParameter('ID of the pending or running extract job to cancel (starts with ext-)')];

export const description = showFor({ show: { resource: ['extractJob'], operation: ['cancel'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const jobId = readId.call(this, itemIndex, 'jobId', 'Job ID', 'extractJob');
	let job: ExtractV2Job;
	try {
		job = await apiRequest.call(
			this,
			{
				method: 'POST',
				path: `/api/v2/extract/${encodeURIComponent(jobId)}/cancel`,
				itemIndex,
				notFoundHint: `No extract job "${jobId}" exists in this project and region. Extract job IDs start with ext-.`,
			},
			ExtractV2Job,
		);
	} catch (error) {
		const status = Number((error as NodeApiError).httpCode);
		if (!(error instanceof NodeApiError) || status === 404 || status < 400 || status >= 500) throw error;
		// The server refuses to cancel a finished job; look at the job to say why.
		const current = await getExtractJob.call(this, jobId, { itemIndex });
		if (!isFinalStatus(current.status)) throw error;
		throw attachJobId(
			new NodeOperationError(
				this.getNode(),
				`Extract job ${jobId} is already ${current.status}, so it cannot be cancelled`,
				{
					itemIndex,
					description:
						current.status === 'COMPLETED'
							? 'Only pending or running jobs can be cancelled. To remove the finished job and its result, use Extract Job › Delete.'
							: 'Only pending or running jobs can be cancelled. This job has already stopped; nothing more is needed.',
				},
			),
			jobId,
		);
	}
	return [{ json: job as IDataObject, pairedItem: { item: itemIndex } }];
}
