/**
 * Delete: remove a job and its result.
 * API: DELETE /api/v2/extract/{job_id}
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { apiRequest } from '../../../shared/transport';
import { jobIdParameter, readId } from '../../descriptions/ids';
import { showFor } from '../common';

const properties: INodeProperties[] = [
	jobIdParameter('ID of the extract job to delete with its result (starts with ext-). Cancel a running job first.'),
];

export const description = showFor({ show: { resource: ['extractJob'], operation: ['delete'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const jobId = readId.call(this, itemIndex, 'jobId', 'Job ID', 'extractJob');
	await apiRequest.call(this, {
		method: 'DELETE',
		path: `/api/v2/extract/${encodeURIComponent(jobId)}`,
		itemIndex,
		notFoundHint: `No extract job "${jobId}" exists in this project and region. It may already be deleted.`,
	});
	return [{ json: { job_id: jobId, deleted: true }, pairedItem: { item: itemIndex } }];
}
