/**
 * Delete: remove a saved configuration. Jobs that already used it keep their results.
 * API: DELETE /api/v1/beta/configurations/{config_id} (204)
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { apiRequest } from '../../../shared/transport';
import { configurationLocator } from '../../descriptions/configurationLocator';
import { readConfigurationId } from '../../descriptions/schemaSource';
import { showFor } from '../common';
import { configurationPath, notFoundHint } from './shared';

const properties: INodeProperties[] = [configurationLocator];

export const description = showFor({ show: { resource: ['configuration'], operation: ['delete'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const id = readConfigurationId.call(this, itemIndex);
	await apiRequest.call(this, { method: 'DELETE', path: configurationPath(id), itemIndex, notFoundHint: notFoundHint(id) });
	return [{ json: { id, deleted: true }, pairedItem: { item: itemIndex } }];
}
