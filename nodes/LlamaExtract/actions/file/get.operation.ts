/**
 * Get: a file's metadata, optionally with a temporary download link.
 * API: GET /api/v1/beta/files/{file_id}?expand=download_url
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { FileV2 } from '../../../shared/contract';
import { fileIdParameter, readId } from '../../descriptions/ids';
import { showFor, type Client } from '../common';

const properties: INodeProperties[] = [
	fileIdParameter,
	{
		displayName: 'Include Download URL',
		name: 'includeDownloadUrl',
		type: 'boolean',
		default: false,
		description: 'Whether to include a temporary link (download_url) to fetch the file contents',
	},
];

export const description = showFor({ show: { resource: ['file'], operation: ['get'] } }, properties);

export async function execute(this: IExecuteFunctions, client: Client, itemIndex: number): Promise<INodeExecutionData[]> {
	const fileId = readId.call(this, itemIndex, 'fileId', 'File ID', 'file');
	const includeDownloadUrl = this.getNodeParameter('includeDownloadUrl', itemIndex, false) as boolean;
	const file = await client.request(
		{
			method: 'GET',
			path: `/api/v1/beta/files/${encodeURIComponent(fileId)}`,
			query: { expand: includeDownloadUrl ? ['download_url'] : undefined },
			itemIndex,
			notFoundHint: `No file "${fileId}" exists in this project and region. Files can expire; upload it again if needed.`,
		},
		FileV2,
	);
	return [{ json: file as IDataObject, pairedItem: { item: itemIndex } }];
}
