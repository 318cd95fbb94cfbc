import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { LlamaCloudClient } from '../../shared/client';
import { matchesSearch, searchConfigurations } from '../../shared/configurationPicker';
import { V1ExtractAgent } from '../../shared/contractV1';

export { searchConfigurations };

/** v1 extraction agents (the endpoint returns them all at once), filtered by name as the user types. */
export async function searchAgents(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const agents: V1ExtractAgent[] = await LlamaCloudClient.open(this).request(
		{ method: 'GET', path: '/api/v1/extraction/extraction-agents' },
		V1ExtractAgent.array(),
	);
	const needle = filter?.trim().toLowerCase();
	const results = agents
		.filter((agent) => matchesSearch(needle, agent.name, agent.id))
		.map((agent) => ({ name: agent.name, value: agent.id }));
	return { results };
}
