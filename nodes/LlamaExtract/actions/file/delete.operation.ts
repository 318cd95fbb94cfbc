/**
 * Delete: remove a file from LlamaCloud.
 * API: DELETE /api/v1/beta/files/{file_id} (204)
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { fileIdParameter, readId } from '../../descriptions/ids';
import { showFor, type Client } from '../common';

const properties: INodeProperties[] = [fileIdParameter];

export const description = showFor({ show: { resource: ['file'], operation: ['delete'] } }, properties);

export async function execute(this: IExecuteFunctions, client: Client, itemIndex: number): Promise<INodeExecutionData[]> {
	const fileId = readId.call(this, itemIndex, 'fileId', 'File ID', 'file');
	await client.request({
		method: 'DELETE',
		path: `/api/v1/beta/files/${encodeURIComponent(fileId)}`,
		itemIndex,
		notFoundHint: `No file "${fileId}" exists in this project and region. It may already be deleted or expired.`,
	});
	return [{ json: { id: fileId, deleted: true }, pairedItem: { item: itemIndex } }];
}
