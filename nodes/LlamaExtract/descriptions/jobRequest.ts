import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ExtractConfiguration } from '../../shared/contract';
import { extractSettingsOptions, readExtractSettings } from './extractOptions';
import { fileInputProperties } from './fileInput';
import { resolveSchemaSource, schemaSourceProperties } from './schemaSource';

/** What a new extract job needs: the document, the schema (or saved configuration) and the v2 settings. */
export const jobRequestProperties: INodeProperties[] = [
	...fileInputProperties,
	...schemaSourceProperties({ allowConfiguration: true }),
	{
		displayName: 'Extraction Settings',
		name: 'extractSettings',
		type: 'collection',
		placeholder: 'Add Setting',
		default: {},
		options: extractSettingsOptions,
		displayOptions: { hide: { schemaSource: ['configuration'] } },
	},
];

export type JobConfiguration = { configuration: ExtractConfiguration } | { configurationId: string };

/** Reads schema and settings; throws on bad input before anything is uploaded. */
export function readJobConfiguration(this: IExecuteFunctions, itemIndex: number): JobConfiguration {
	const schema = resolveSchemaSource.call(this, itemIndex);
	if ('configurationId' in schema) return { configurationId: schema.configurationId };
	const settings = readExtractSettings.call(
		this,
		itemIndex,
		this.getNodeParameter('extractSettings', itemIndex, {}) as IDataObject,
	);
	return { configuration: { ...settings, data_schema: schema.dataSchema } };
}

/** Whether the job asked for citations or confidence, so its metadata must reach the output. */
export function wantsFieldMetadata(configuration: ExtractConfiguration | null | undefined): boolean {
	return Boolean(configuration?.cite_sources || configuration?.confidence_scores);
}
