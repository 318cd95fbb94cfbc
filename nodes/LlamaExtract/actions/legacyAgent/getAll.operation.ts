/**
 * Get Many Agents: the project's v1 extraction agents. The endpoint returns them all at once; Limit trims.
 * API: GET /api/v1/extraction/extraction-agents
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { V1ExtractAgent } from '../../../shared/contractV1';
import { readLimit, returnAllProperties } from '../../descriptions/returnAll';
import { showFor, type Client } from '../common';
import { agentToJson, V1_BASE } from './shared';

const properties: INodeProperties[] = [...returnAllProperties];

export const description = showFor({ show: { resource: ['legacyAgent'], operation: ['getAll'] } }, properties);

export async function execute(this: IExecuteFunctions, client: Client, itemIndex: number): Promise<INodeExecutionData[]> {
	const limit = readLimit.call(this, itemIndex);
	const agents: V1ExtractAgent[] = await client.request(
		{ method: 'GET', path: `${V1_BASE}/extraction-agents`, itemIndex },
		V1ExtractAgent.array(),
	);
	return agents.slice(0, limit).map((agent) => ({ json: agentToJson(agent), pairedItem: { item: itemIndex } }));
}
