/**
 * Get Many: saved extract configurations, newest first.
 * API: GET /api/v1/beta/configurations?product_type=extract_v2&name=&latest_only=
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { ConfigurationResponse } from '../../../shared/contract';
import { readLimit, returnAllProperties } from '../../descriptions/returnAll';
import { type Client, filtersCollection, listAsItems, showFor } from '../common';
import { PRODUCT_TYPE } from './shared';

const properties: INodeProperties[] = [
	...returnAllProperties,
	filtersCollection([
		{
			displayName: 'Latest Version Only',
			name: 'latestOnly',
			type: 'boolean',
			default: true,
			description: 'Whether to return only the newest version of each configuration name',
		},
		{
			displayName: 'Name',
			name: 'name',
			type: 'string',
			default: '',
			placeholder: 'e.g. invoice-extract',
			description: 'Only configurations with exactly this name',
		},
	]),
];

export const description = showFor({ show: { resource: ['configuration'], operation: ['getAll'] } }, properties);

export async function execute(this: IExecuteFunctions, client: Client, itemIndex: number): Promise<INodeExecutionData[]> {
	const limit = readLimit.call(this, itemIndex);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const query = {
		product_type: [PRODUCT_TYPE],
		name: filters.name ? String(filters.name).trim() : undefined,
		latest_only: filters.latestOnly === undefined ? undefined : Boolean(filters.latestOnly),
	};
	return await listAsItems.call(
		this,
		client,
		{ path: '/api/v1/beta/configurations', query, limit },
		ConfigurationResponse,
		itemIndex,
	);
}
