/**
 * Update Agent: change a v1 agent's schema or settings. The API needs both, so the node reads the agent and
 * sends what is set here merged over what it has.
 * API: GET then PUT /api/v1/extraction/extraction-agents/{extraction_agent_id}
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { V1ExtractAgent } from '../../../shared/contractV1';
import { agentLocator } from '../../descriptions/agentLocator';
import { resolveSchemaSource, schemaSourceProperties } from '../../descriptions/schemaSource';
import { showFor, type Client } from '../common';
import { agentNotFoundHint, agentPath, agentToJson, readAgentId, readV1Config, v1ConfigParameter } from './shared';

const properties: INodeProperties[] = [
	agentLocator,
	...schemaSourceProperties({ allowConfiguration: false, keepDescription: 'Change only the settings' }),
	{ ...v1ConfigParameter, description: 'Settings to change. Settings left out keep their current value.' },
];

export const description = showFor({ show: { resource: ['legacyAgent'], operation: ['update'] } }, properties);

export async function execute(this: IExecuteFunctions, client: Client, itemIndex: number): Promise<INodeExecutionData[]> {
	const agentId = readAgentId.call(this, itemIndex);
	const keepSchema = this.getNodeParameter('schemaSource', itemIndex) === 'keep';
	const schema = keepSchema ? undefined : resolveSchemaSource.call(this, itemIndex);
	const config = readV1Config.call(this, itemIndex);
	const current = await client.request(
		{ method: 'GET', path: agentPath(agentId), itemIndex, notFoundHint: agentNotFoundHint(agentId) },
		V1ExtractAgent,
	);
	const updated = await client.request(
		{
			method: 'PUT',
			path: agentPath(agentId),
			body: {
				data_schema: schema && 'dataSchema' in schema ? schema.dataSchema : current.data_schema,
				config: { ...(current.config as IDataObject), ...config },
			},
			itemIndex,
			notFoundHint: agentNotFoundHint(agentId),
		},
		V1ExtractAgent,
	);
	return [{ json: agentToJson(updated), pairedItem: { item: itemIndex } }];
}
