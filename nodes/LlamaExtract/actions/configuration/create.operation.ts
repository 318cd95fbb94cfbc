/**
 * Create: save a named extract configuration (schema + settings) for reuse by jobs.
 * API: POST /api/v1/beta/configurations — an upsert: the same name (and product type) updates the existing one.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { ConfigurationResponse } from '../../../shared/contract';
import { resolveSchemaSource, schemaSourceProperties } from '../../descriptions/schemaSource';
import { type Client, nameParameter, pairedJson, showFor } from '../common';
import { buildParameters, settingsParameter } from './shared';

const properties: INodeProperties[] = [
	nameParameter(
		'e.g. invoice-extract',
		'Name of the configuration. If one with this name already exists, it is updated instead (upsert).',
	),
	...schemaSourceProperties({ allowConfiguration: false }),
	settingsParameter,
];

export const description = showFor({ show: { resource: ['configuration'], operation: ['create'] } }, properties);

export async function execute(this: IExecuteFunctions, client: Client, itemIndex: number): Promise<INodeExecutionData[]> {
	const name = String(this.getNodeParameter('name', itemIndex, '') ?? '').trim();
	if (!name || name.length > 255) {
		throw new NodeOperationError(
			this.getNode(),
			`The "Name" parameter on item ${itemIndex} must be 1 to 255 characters long`,
			{ itemIndex, description: 'Enter a name such as "invoice-extract"; it identifies the configuration in LlamaCloud.' },
		);
	}
	const schema = resolveSchemaSource.call(this, itemIndex);
	if (!('dataSchema' in schema)) throw new NodeOperationError(this.getNode(), 'A configuration needs a schema', { itemIndex });
	const parameters = buildParameters.call(this, itemIndex, schema.dataSchema);
	const saved = await client.request(
		{
			method: 'POST',
			path: '/api/v1/beta/configurations',
			body: { name, parameters },
			itemIndex,
			// An upsert by name: sending it again changes nothing, so it may be retried safely.
			retry: 'safe',
		},
		ConfigurationResponse,
	);
	return [pairedJson(saved as IDataObject, itemIndex)];
}
