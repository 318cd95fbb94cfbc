/**
 * Get: one saved configuration.
 * API: GET /api/v1/beta/configurations/{config_id}
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { ConfigurationResponse } from '../../../shared/contract';
import { apiRequest } from '../../../shared/transport';
import { configurationLocator } from '../../descriptions/configurationLocator';
import { readConfigurationId } from '../../descriptions/schemaSource';
import { showFor } from '../common';
import { configurationPath, notFoundHint } from './shared';

const properties: INodeProperties[] = [configurationLocator];

export const description = showFor({ show: { resource: ['configuration'], operation: ['get'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const id = readConfigurationId.call(this, itemIndex);
	const configuration = await apiRequest.call(
		this,
		{ method: 'GET', path: configurationPath(id), itemIndex, notFoundHint: notFoundHint(id) },
		ConfigurationResponse,
	);
	return [{ json: configuration as IDataObject, pairedItem: { item: itemIndex } }];
}
