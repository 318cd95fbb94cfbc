/**
 * Get Agent: one v1 extraction agent with its schema and settings.
 * API: GET /api/v1/extraction/extraction-agents/{extraction_agent_id}
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { V1ExtractAgent } from '../../../shared/contractV1';
import { agentLocator } from '../../descriptions/agentLocator';
import { type Client, pairedJson, showFor } from '../common';
import { agentNotFoundHint, agentPath, agentToJson, readAgentId } from './shared';

const properties: INodeProperties[] = [agentLocator];

export const description = showFor({ show: { resource: ['legacyAgent'], operation: ['get'] } }, properties);

export async function execute(this: IExecuteFunctions, client: Client, itemIndex: number): Promise<INodeExecutionData[]> {
	const agentId = readAgentId.call(this, itemIndex);
	const agent = await client.request(
		{ method: 'GET', path: agentPath(agentId), itemIndex, notFoundHint: agentNotFoundHint(agentId) },
		V1ExtractAgent,
	);
	return [pairedJson(agentToJson(agent), itemIndex)];
}
