/**
 * Generate: let LlamaExtract draft a schema from a prompt and/or an example document. Outputs a ready
 * configuration (`{name, parameters}`), optionally saved right away.
 * API: POST /api/v2/extract/schema/generate, then POST /api/v1/beta/configurations when saving
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { ConfigurationResponse, ID_PREFIX, SchemaGenerateResponse } from '../../../shared/contract';
import { fileInputProperties } from '../../descriptions/fileInput';
import { parseJsonParameter } from '../../descriptions/schemaSource';
import { type Client, optionsCollection, showFor } from '../common';
import { resolveFileInput } from '../documentInput';

const [inputTypeParameter, ...inputDetails] = fileInputProperties;

const properties: INodeProperties[] = [
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: 'e.g. Invoices: vendor name, invoice number, date, total amount and the line items',
		description: 'What to extract, in plain words. Give a prompt, an example file, or both.',
	},
	{
		...inputTypeParameter,
		displayName: 'Example File',
		options: [
			{ name: 'None', value: 'none', description: 'Generate from the prompt only' },
			...(inputTypeParameter.options ?? []),
		],
		default: 'none',
		description: 'A sample document the schema should fit',
	},
	...inputDetails,
	// Alphabetical by display name: n8n's lint does not look inside optionsCollection().
	optionsCollection([
		{
			displayName: 'Configuration Name',
			name: 'name',
			type: 'string',
			default: '',
			placeholder: 'e.g. invoice-extract',
			description: 'Name for the generated configuration; LlamaExtract picks one if empty',
		},
		{
			displayName: 'Save as Configuration',
			name: 'save',
			type: 'boolean',
			default: false,
			description:
				'Whether to save the generated configuration in LlamaCloud right away (a configuration with the same name is updated)',
		},
		{
			displayName: 'Starting Schema',
			name: 'dataSchema',
			type: 'json',
			default: '{}',
			description: 'A JSON Schema to refine instead of starting from scratch',
		},
	]),
];

export const description = showFor({ show: { resource: ['schema'], operation: ['generate'] } }, properties);

export async function execute(this: IExecuteFunctions, client: Client, itemIndex: number): Promise<INodeExecutionData[]> {
	const prompt = String(this.getNodeParameter('prompt', itemIndex, '') ?? '').trim();
	const exampleSource = this.getNodeParameter('inputType', itemIndex) as string;
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const startingSchema =
		options.dataSchema === undefined ? {} : parseJsonParameter(this.getNode(), options.dataSchema, 'Starting Schema', itemIndex);
	const hasStartingSchema =
		!!startingSchema && typeof startingSchema === 'object' && Object.keys(startingSchema as IDataObject).length > 0;
	if (!prompt && exampleSource === 'none' && !hasStartingSchema) {
		throw new NodeOperationError(this.getNode(), `Nothing to generate a schema from on item ${itemIndex}`, {
			itemIndex,
			description: 'Enter a Prompt (e.g. "vendor, invoice date, total"), choose an Example File, or both.',
		});
	}
	let fileId: string | undefined;
	if (exampleSource !== 'none') {
		fileId = await resolveFileInput(client, itemIndex);
		if (!fileId.startsWith(ID_PREFIX.file)) {
			throw new NodeOperationError(this.getNode(), `Schema generation needs a file ID (dfl-…), not "${fileId}", on item ${itemIndex}`, {
				itemIndex,
				description: 'Use the file the parse job was made from, or set Example File to Binary File or URL.',
			});
		}
	}
	const name = options.name ? String(options.name).trim() : undefined;
	const generated = await client.request(
		{
			method: 'POST',
			path: '/api/v2/extract/schema/generate',
			body: {
				...(name ? { name } : {}),
				...(prompt ? { prompt } : {}),
				...(fileId ? { file_id: fileId } : {}),
				...(hasStartingSchema ? { data_schema: startingSchema } : {}),
			},
			itemIndex,
			retry: 'safe',
		},
		SchemaGenerateResponse,
	);
	if (options.save !== true) {
		return [{ json: { ...(generated as IDataObject), saved: false }, pairedItem: { item: itemIndex } }];
	}
	const saved = await client.request(
		{ method: 'POST', path: '/api/v1/beta/configurations', body: generated, itemIndex, retry: 'safe' },
		ConfigurationResponse,
	);
	return [{ json: { ...(saved as IDataObject), saved: true }, pairedItem: { item: itemIndex } }];
}
