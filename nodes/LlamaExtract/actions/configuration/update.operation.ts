/**
 * Update: change a saved configuration's name, schema or settings. Only what is set here changes: the node reads
 * the configuration first and sends the merged parameters, because the API replaces `parameters` as a whole.
 * API: GET then PUT /api/v1/beta/configurations/{config_id}
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { ConfigurationResponse } from '../../../shared/contract';
import type { JsonSchema } from '../../../shared/schema';
import { configurationLocator } from '../../../shared/configurationPicker';
import { readConfigurationId, resolveSchemaSource, schemaSourceProperties } from '../../descriptions/schemaSource';
import { showFor, type Client } from '../common';
import { buildParameters, configurationPath, notFoundHint, PRODUCT_TYPE, settingsParameter } from './shared';

const properties: INodeProperties[] = [
	configurationLocator,
	{
		displayName: 'New Name',
		name: 'newName',
		type: 'string',
		default: '',
		placeholder: 'e.g. invoice-extract-v2',
		description: 'Rename the configuration. Leave empty to keep the current name.',
	},
	...schemaSourceProperties({ allowConfiguration: false, keepDescription: 'Change only the name or settings' }),
	{
		...settingsParameter,
		description: 'Settings to change. Settings left out keep their current value.',
	},
];

export const description = showFor({ show: { resource: ['configuration'], operation: ['update'] } }, properties);

export async function execute(this: IExecuteFunctions, client: Client, itemIndex: number): Promise<INodeExecutionData[]> {
	const id = readConfigurationId.call(this, itemIndex);
	const newName = String(this.getNodeParameter('newName', itemIndex, '') ?? '').trim();
	if (newName.length > 255) {
		throw new NodeOperationError(this.getNode(), `The "New Name" on item ${itemIndex} is longer than 255 characters`, {
			itemIndex,
			description: 'Use a shorter name.',
		});
	}
	const keepSchema = this.getNodeParameter('schemaSource', itemIndex) === 'keep';
	const newSchema = keepSchema ? undefined : resolveSchemaSource.call(this, itemIndex);

	const current = await client.request(
		{ method: 'GET', path: configurationPath(id), itemIndex, notFoundHint: notFoundHint(id) },
		ConfigurationResponse,
	);
	if (current.product_type !== PRODUCT_TYPE) {
		throw new NodeOperationError(
			this.getNode(),
			`Configuration ${id} on item ${itemIndex} is a ${current.product_type} configuration, not an extract one`,
			{ itemIndex, description: 'Pick an extract configuration; this node only edits extract_v2 configurations.' },
		);
	}
	const currentParameters = current.parameters as IDataObject;
	const dataSchema =
		newSchema && 'dataSchema' in newSchema ? newSchema.dataSchema : (currentParameters.data_schema as JsonSchema);
	const parameters = buildParameters.call(this, itemIndex, dataSchema, currentParameters);
	const updated = await client.request(
		{
			method: 'PUT',
			path: configurationPath(id),
			body: { ...(newName ? { name: newName } : {}), parameters },
			itemIndex,
			notFoundHint: notFoundHint(id),
		},
		ConfigurationResponse,
	);
	return [{ json: updated as IDataObject, pairedItem: { item: itemIndex } }];
}
