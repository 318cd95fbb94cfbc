import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { ConfigurationQueryResponse, type ConfigurationResponse } from '../../shared/contract';
import { apiRequest } from '../../shared/transport';

/** Saved extract configurations, newest first, filtered by name as the user types. */
export async function searchConfigurations(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const page = await apiRequest.call(
		this,
		{
			method: 'GET',
			path: '/api/v1/beta/configurations',
			query: { product_type: ['extract_v2'], page_size: 100, page_token: paginationToken },
		},
		ConfigurationQueryResponse,
	);
	const needle = filter?.trim().toLowerCase();
	const results = (page.items as ConfigurationResponse[])
		.filter((config) => !needle || config.name.toLowerCase().includes(needle) || config.id.includes(needle))
		.map((config) => ({ name: config.name, value: config.id }));
	return { results, paginationToken: page.next_page_token ?? undefined };
}
