/**
 * Delete: remove a saved configuration. Jobs that already used it keep their results.
 * API: DELETE /api/v1/beta/configurations/{config_id} (204)
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { configurationLocator } from '../../../shared/configurationPicker';
import { readConfigurationId } from '../../descriptions/schemaSource';
import { showFor, type Client } from '../common';
import { configurationPath, notFoundHint } from './shared';

const properties: INodeProperties[] = [configurationLocator];

export const description = showFor({ show: { resource: ['configuration'], operation: ['delete'] } }, properties);

export async function execute(this: IExecuteFunctions, client: Client, itemIndex: number): Promise<INodeExecutionData[]> {
	const id = readConfigurationId.call(this, itemIndex);
	await client.request({ method: 'DELETE', path: configurationPath(id), itemIndex, notFoundHint: notFoundHint(id) });
	return [{ json: { id, deleted: true }, pairedItem: { item: itemIndex } }];
}
