/** The resource list and every operation's parameters, in the order the editor shows them. */
import type { INodeProperties } from 'n8n-workflow';

import type { Operation } from './common';
import * as configuration from './configuration/Configuration.resource';
import * as extractJob from './extractJob/ExtractJob.resource';
import * as file from './file/File.resource';
import * as legacyAgent from './legacyAgent/LegacyAgent.resource';
import * as schema from './schema/Schema.resource';

export const resources: Record<string, Record<string, Operation>> = {
	configuration: configuration.operations,
	extractJob: extractJob.operations,
	file: file.operations,
	legacyAgent: legacyAgent.operations,
	schema: schema.operations,
};

export const resourceProperties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Configuration', value: 'configuration', description: 'Saved schemas and settings for extraction' },
			{ name: 'Extract Job', value: 'extractJob', description: 'Extract structured data from documents' },
			{ name: 'File', value: 'file', description: 'Documents stored in LlamaCloud' },
			{ name: 'Legacy Agent (V1)', value: 'legacyAgent', description: 'Extraction agents and jobs of LlamaExtract v1' },
			{ name: 'Schema', value: 'schema', description: 'Check or generate extraction schemas' },
		],
		default: 'extractJob',
	},
	...configuration.description,
	...extractJob.description,
	...file.description,
	...legacyAgent.description,
	...schema.description,
];
