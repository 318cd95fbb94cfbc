/**
 * Delete Agent: remove a v1 extraction agent.
 * API: DELETE /api/v1/extraction/extraction-agents/{extraction_agent_id}
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { agentLocator } from '../../descriptions/agentLocator';
import { showFor, type Client } from '../common';
import { agentNotFoundHint, agentPath, readAgentId } from './shared';

const properties: INodeProperties[] = [agentLocator];

export const description = showFor({ show: { resource: ['legacyAgent'], operation: ['delete'] } }, properties);

export async function execute(this: IExecuteFunctions, client: Client, itemIndex: number): Promise<INodeExecutionData[]> {
	const agentId = readAgentId.call(this, itemIndex);
	await client.request({ method: 'DELETE', path: agentPath(agentId), itemIndex, notFoundHint: agentNotFoundHint(agentId) });
	return [{ json: { id: agentId, deleted: true }, pairedItem: { item: itemIndex } }];
}
