/**
 * Get: one saved configuration.
 * API: GET /api/v1/beta/configurations/{config_id}
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { ConfigurationResponse } from '../../../shared/contract';
import { configurationLocator } from '../../../shared/configurationPicker';
import { readConfigurationId } from '../../descriptions/schemaSource';
import { type Client, pairedJson, showFor } from '../common';
import { configurationPath, notFoundHint } from './shared';

const properties: INodeProperties[] = [configurationLocator];

export const description = showFor({ show: { resource: ['configuration'], operation: ['get'] } }, properties);

export async function execute(this: IExecuteFunctions, client: Client, itemIndex: number): Promise<INodeExecutionData[]> {
	const id = readConfigurationId.call(this, itemIndex);
	const configuration = await client.request(
		{ method: 'GET', path: configurationPath(id), itemIndex, notFoundHint: notFoundHint(id) },
		ConfigurationResponse,
	);
	return [pairedJson(configuration as IDataObject, itemIndex)];
}
