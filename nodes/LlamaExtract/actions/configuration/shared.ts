/** Pieces the configuration operations share: the settings collection and the request parameters it builds. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { settingsCollection } from '../../../shared/collections';
import type { ExtractV2Parameters } from '../../../shared/contract';
import type { JsonSchema } from '../../../shared/schema';
import { extractSettingsOptions, readExtractSettings } from '../../descriptions/extractOptions';

export const PRODUCT_TYPE = 'extract_v2';

export const settingsParameter = settingsCollection('Extraction Settings', 'extractSettings', extractSettingsOptions, {
	description: 'How jobs that use this configuration extract. Settings left out use LlamaExtract defaults.',
});

/** `ExtractV2Parameters` from a schema and the settings collection. */
export function buildParameters(
	this: IExecuteFunctions,
	itemIndex: number,
	dataSchema: JsonSchema,
	base: IDataObject = {},
): ExtractV2Parameters {
	const settings = readExtractSettings.call(
		this,
		itemIndex,
		this.getNodeParameter('extractSettings', itemIndex, {}) as IDataObject,
	);
	return { ...base, ...settings, data_schema: dataSchema, product_type: PRODUCT_TYPE };
}

export function configurationPath(id: string): string {
	return `/api/v1/beta/configurations/${encodeURIComponent(id)}`;
}

export function notFoundHint(id: string): string {
	return `No saved configuration "${id}" exists in this project and region. Pick one from the list, or check the ID (cfg-…).`;
}
