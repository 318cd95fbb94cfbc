/**
 * Delete: remove a finished job and its result. A job still running is refused with a clear error (cancel it
 * first): the node looks at the job first, as the server's refusal (409) would otherwise be retried as a lock
 * conflict until the job happened to finish.
 * API: GET /api/v2/extract/{job_id}, then DELETE /api/v2/extract/{job_id}
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { attachJobId } from '../../../shared/batch';
import { isFinalStatus } from '../../../shared/contract';
import { jobIdParameter, readId } from '../../descriptions/ids';
import { showFor, type Client } from '../common';

const properties: INodeProperties[] = [
	jobIdParameter('ID of the extract job to delete with its result (starts with ext-). Cancel a running job first.'),
];

export const description = showFor({ show: { resource: ['extractJob'], operation: ['delete'] } }, properties);

export async function execute(this: IExecuteFunctions, client: Client, itemIndex: number): Promise<INodeExecutionData[]> {
	const jobId = readId.call(this, itemIndex, 'jobId', 'Job ID', 'extractJob');
	const notFoundHint = `No extract job "${jobId}" exists in this project and region. It may already be deleted.`;
	const current = await client.request(
		{ method: 'GET', path: `/api/v2/extract/${encodeURIComponent(jobId)}`, itemIndex, notFoundHint },
	);
	const status = String((current as { status?: unknown })?.status ?? '');
	if (!isFinalStatus(status)) {
		throw attachJobId(
			new NodeOperationError(this.getNode(), `Extract job ${jobId} is still ${status}, so it cannot be deleted yet`, {
				itemIndex,
				description: 'Cancel it first with Extract Job › Cancel, or wait until it finishes, then delete it.',
			}),
			jobId,
		);
	}
	await client.request({ method: 'DELETE', path: `/api/v2/extract/${encodeURIComponent(jobId)}`, itemIndex, notFoundHint });
	return [{ json: { job_id: jobId, deleted: true }, pairedItem: { item: itemIndex } }];
}
