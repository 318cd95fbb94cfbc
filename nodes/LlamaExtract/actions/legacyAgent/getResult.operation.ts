/**
 * Get Result: the data of a finished v1 job. PARTIAL_SUCCESS is output with `partial: true` and a hint; a job
 * that is still running, failed or was cancelled gives an error that says so.
 * API: GET /api/v1/extraction/jobs/{job_id}, then GET …/jobs/{job_id}/result
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { attachJobId } from '../../../shared/batch';
import { simplifyParameter } from '../../descriptions/jobOutput';
import { showFor, type Client } from '../common';
import { checkV1Id, describeV1Status, failedV1JobError, getV1Job, getV1Result, v1JobIdParameter, v1ResultToJson } from './shared';

const properties: INodeProperties[] = [v1JobIdParameter, simplifyParameter];

export const description = showFor({ show: { resource: ['legacyAgent'], operation: ['getResult'] } }, properties);

export async function execute(this: IExecuteFunctions, client: Client, itemIndex: number): Promise<INodeExecutionData[]> {
	const jobId = checkV1Id.call(this, this.getNodeParameter('jobId', itemIndex, ''), 'Job ID', 'job', itemIndex);
	const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
	const job = await getV1Job.call(this, client, jobId, itemIndex);
	const status = describeV1Status(job.status);
	if (!status.finished) {
		throw attachJobId(
			new NodeOperationError(this.getNode(), `v1 extraction job ${job.id} is still ${job.status}; it has no result yet`, {
				itemIndex,
				description: 'Run this step again later, or use Run Job, which waits for the job to finish.',
			}),
			job.id,
		);
	}
	if (!status.succeeded) throw failedV1JobError(this, job, itemIndex);
	const result = await getV1Result.call(this, client, job.id, itemIndex);
	return [{ json: v1ResultToJson(job, result, simplify), pairedItem: { item: itemIndex } }];
}
