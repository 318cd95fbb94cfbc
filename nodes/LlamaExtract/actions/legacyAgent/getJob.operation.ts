/**
 * Get Job: a v1 job's status, with what the status means (`_llamaextract.finished`, `partial`, `hint`).
 * API: GET /api/v1/extraction/jobs/{job_id}
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { showFor, type Client } from '../common';
import { checkV1Id, describeV1Status, getV1Job, v1JobIdParameter } from './shared';

const properties: INodeProperties[] = [v1JobIdParameter];

export const description = showFor({ show: { resource: ['legacyAgent'], operation: ['getJob'] } }, properties);

export async function execute(this: IExecuteFunctions, client: Client, itemIndex: number): Promise<INodeExecutionData[]> {
	const jobId = checkV1Id.call(this, this.getNodeParameter('jobId', itemIndex, ''), 'Job ID', 'job', itemIndex);
	const job = await getV1Job.call(this, client, jobId, itemIndex);
	return [
		{
			json: { ...(job as IDataObject), _llamaextract: { job_id: job.id, status: job.status, ...describeV1Status(job.status) } },
			pairedItem: { item: itemIndex },
		},
	];
}
