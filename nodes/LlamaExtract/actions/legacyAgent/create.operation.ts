/**
 * Create Agent: a v1 extraction agent (name, schema, settings).
 * API: POST /api/v1/extraction/extraction-agents
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { V1ExtractAgent } from '../../../shared/contractV1';
import { resolveSchemaSource, schemaSourceProperties } from '../../descriptions/schemaSource';
import { type Client, nameParameter, pairedJson, showFor } from '../common';
import { agentToJson, readV1Config, V1_BASE, v1ConfigParameter } from './shared';

const properties: INodeProperties[] = [
	nameParameter('e.g. invoice-agent', 'Name of the agent; it must be unique in the project'),
	...schemaSourceProperties({ allowConfiguration: false }),
	v1ConfigParameter,
];

export const description = showFor({ show: { resource: ['legacyAgent'], operation: ['create'] } }, properties);

export async function execute(this: IExecuteFunctions, client: Client, itemIndex: number): Promise<INodeExecutionData[]> {
	const name = String(this.getNodeParameter('name', itemIndex, '') ?? '').trim();
	if (!name) {
		throw new NodeOperationError(this.getNode(), `The "Name" parameter is empty on item ${itemIndex}`, {
			itemIndex,
			description: 'Enter a name for the agent, such as "invoice-agent".',
		});
	}
	const schema = resolveSchemaSource.call(this, itemIndex);
	const dataSchema = 'dataSchema' in schema ? schema.dataSchema : {};
	const agent = await client.request(
		{
			method: 'POST',
			path: `${V1_BASE}/extraction-agents`,
			body: { name, data_schema: dataSchema, config: readV1Config.call(this, itemIndex) },
			itemIndex,
		},
		V1ExtractAgent,
	);
	return [pairedJson(agentToJson(agent), itemIndex)];
}
