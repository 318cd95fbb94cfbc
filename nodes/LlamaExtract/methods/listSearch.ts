import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { ConfigurationQueryResponse, V1ExtractAgent, type ConfigurationResponse } from '../../shared/contract';
import { apiRequest } from '../../shared/transport';

function matches(needle: string | undefined, ...values: string[]): boolean {
	return !needle || values.some((value) => value.toLowerCase().includes(needle));
}

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
			query: { product_type: ['extract_v2'], latest_only: true, page_size: 100, page_token: paginationToken },
		},
		ConfigurationQueryResponse,
	);
	const needle = filter?.trim().toLowerCase();
	const results = (page.items as ConfigurationResponse[])
		.filter((config) => matches(needle, config.name, config.id))
		.map((config) => ({ name: config.name, value: config.id }));
	return { results, paginationToken: page.next_page_token ?? undefined };
}

/** v1 extraction agents (the endpoint returns them all at once), filtered by name as the user types. */
export async function searchAgents(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const agents: V1ExtractAgent[] = await apiRequest.call(
		this,
		{ method: 'GET', path: '/api/v1/extraction/extraction-agents' },
		V1ExtractAgent.array(),
	);
	const needle = filter?.trim().toLowerCase();
	const results = agents
		.filter((agent) => matches(needle, agent.name, agent.id))
		.map((agent) => ({ name: agent.name, value: agent.id }));
	return { results };
}
