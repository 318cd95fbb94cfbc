/**
 * Get Many: files in the project.
 * API: GET /api/v1/beta/files?file_name=&external_file_id=&file_ids=
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { FileV2 } from '../../../shared/contract';
import type { Query } from '../../../shared/transport';
import { splitList } from '../../descriptions/ids';
import { readLimit, returnAllProperties } from '../../descriptions/returnAll';
import { type Client, filtersCollection, listAsItems, showFor } from '../common';
import { externalFileIdParameter } from './shared';

const properties: INodeProperties[] = [
	...returnAllProperties,
	filtersCollection([
		externalFileIdParameter('Only the file uploaded with this External File ID'),
		{
			displayName: 'File IDs',
			name: 'fileIds',
			type: 'string',
			default: '',
			placeholder: 'e.g. dfl-aaa…, dfl-bbb…',
			description: 'Only these files; separate IDs with commas',
		},
		{
			displayName: 'File Name',
			name: 'fileName',
			type: 'string',
			default: '',
			placeholder: 'e.g. invoice.pdf',
			description: 'Only files with exactly this name, including the extension',
		},
	]),
];

export const description = showFor({ show: { resource: ['file'], operation: ['getAll'] } }, properties);

export async function execute(this: IExecuteFunctions, client: Client, itemIndex: number): Promise<INodeExecutionData[]> {
	const limit = readLimit.call(this, itemIndex);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const query: Query = {
		file_name: filters.fileName ? String(filters.fileName).trim() : undefined,
		external_file_id: filters.externalFileId ? String(filters.externalFileId).trim() : undefined,
	};
	const fileIds = splitList(filters.fileIds);
	if (fileIds.length > 0) query.file_ids = fileIds;
	return await listAsItems.call(this, client, { path: '/api/v1/beta/files', query, limit }, FileV2, itemIndex);
}
