/**
 * The saved-configuration picker and its list search, shared by the LlamaExtract node and its trigger.
 */
import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { LlamaCloudClient } from './client';
import { ConfigurationQueryResponse, type ConfigurationResponse } from './contract';
import { listOrIdLocator } from './locator';
import { ID_KINDS } from './rules';

/** The saved-configuration picker, the same everywhere a configuration ID is asked for. */
export const configurationLocator = listOrIdLocator({
	displayName: 'Configuration',
	name: 'configurationId',
	description: 'A saved extract configuration (schema and options) in your LlamaCloud project',
	searchListMethod: 'searchConfigurations',
	listPlaceholder: 'Select a configuration...',
	idPlaceholder: 'e.g. cfg-11111111-2222-3333-4444-555555555555',
	idRegex: `^${ID_KINDS.configuration.prefix}[A-Za-z0-9_-]+$`,
	idError: 'A configuration ID starts with cfg-',
});

/** Whether a list entry matches what the user typed (name or ID, any case); nothing typed matches all. */
export function matchesSearch(needle: string | undefined, ...values: string[]): boolean {
	return !needle || values.some((value) => value.toLowerCase().includes(needle));
}

/** Saved extract configurations, newest first, filtered by name as the user types. */
export async function searchConfigurations(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const page = await LlamaCloudClient.open(this).request(
		{
			method: 'GET',
			path: '/api/v1/beta/configurations',
			query: { product_type: ['extract_v2'], latest_only: true, page_size: 100, page_token: paginationToken },
		},
		ConfigurationQueryResponse,
	);
	const needle = filter?.trim().toLowerCase();
	const results = (page.items as ConfigurationResponse[])
		.filter((config) => matchesSearch(needle, config.name, config.id))
		.map((config) => ({ name: config.name, value: config.id }));
	return { results, paginationToken: page.next_page_token ?? undefined };
}
