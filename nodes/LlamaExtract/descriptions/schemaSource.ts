import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { parseJsonSchemaParameter, type JsonSchema } from '../../shared/schema';
import { configurationLocator } from './configurationLocator';

/** How the user says what to extract. */
export const schemaSourceProperties: INodeProperties[] = [
	{
		displayName: 'Schema Source',
		name: 'schemaSource',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'JSON Schema',
				value: 'jsonSchema',
				description: 'Write the JSON Schema of the data to extract',
			},
			{
				name: 'Saved Configuration',
				value: 'configuration',
				description: 'Use a configuration saved in LlamaCloud (schema and options)',
			},
		],
		default: 'jsonSchema',
	},
	{
		displayName: 'JSON Schema',
		name: 'jsonSchema',
		type: 'json',
		default:
			'{\n  "type": "object",\n  "properties": {\n    "vendor": { "type": "string", "description": "Company that issued the invoice" },\n    "total": { "type": "number", "description": "Total amount due" }\n  }\n}',
		required: true,
		description:
			'JSON Schema of the data to extract. The root must be "type": "object"; descriptions on fields guide the extraction.',
		displayOptions: { show: { schemaSource: ['jsonSchema'] } },
	},
	{
		...configurationLocator,
		displayOptions: { show: { schemaSource: ['configuration'] } },
	},
];

export type SchemaChoice = { dataSchema: JsonSchema } | { configurationId: string };

export function readConfigurationId(this: IExecuteFunctions, itemIndex: number): string {
	const id = String(
		this.getNodeParameter('configurationId', itemIndex, '', { extractValue: true }) ?? '',
	).trim();
	if (!id) {
		throw new NodeOperationError(this.getNode(), `No Configuration selected on item ${itemIndex}`, {
			itemIndex,
			description: 'Pick a saved configuration from the list, or enter its ID (cfg-…).',
		});
	}
	if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
		throw new NodeOperationError(
			this.getNode(),
			`The Configuration "${id}" looks like a v1 extraction agent ID, not a v2 configuration ID`,
			{
				itemIndex,
				description:
					'v2 configuration IDs start with cfg-. Use the Legacy Agent (v1) resource for v1 agents, or migrate the agent to a saved configuration.',
			},
		);
	}
	return id;
}

export function resolveSchemaSource(this: IExecuteFunctions, itemIndex: number): SchemaChoice {
	const source = this.getNodeParameter('schemaSource', itemIndex) as string;
	if (source === 'configuration') return { configurationId: readConfigurationId.call(this, itemIndex) };
	const raw = this.getNodeParameter('jsonSchema', itemIndex);
	return { dataSchema: parseJsonSchemaParameter(this.getNode(), raw, 'JSON Schema', itemIndex) };
}
