import type { IDataObject, IExecuteFunctions, INode, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { checkId } from '../../shared/rules';
import {
	buildSchemaFromFields,
	inferSchemaFromExample,
	jsonErrorText,
	parseJsonSchemaParameter,
	type FieldDefinition,
	type JsonSchema,
	type SchemaResult,
} from '../../shared/schema';
import { configurationLocator } from '../../shared/configurationPicker';

const FIELD_TYPE_OPTIONS = [
	{ name: 'Array of Objects', value: 'arrayOfObjects', description: 'A list such as line items; add its sub-fields' },
	{ name: 'Array of Strings', value: 'arrayOfStrings', description: 'A list of texts, such as email addresses' },
	{ name: 'Boolean', value: 'boolean' },
	{ name: 'Date', value: 'date', description: 'A date, returned as YYYY-MM-DD' },
	{ name: 'Integer', value: 'integer', description: 'A whole number' },
	{ name: 'Number', value: 'number', description: 'A number, such as an amount' },
	{ name: 'Object', value: 'object', description: 'A group of sub-fields, such as an address' },
	{ name: 'String', value: 'string', description: 'Text' },
];

const SUB_FIELD_TYPE_OPTIONS = FIELD_TYPE_OPTIONS.filter(
	(option) => option.value !== 'object' && option.value !== 'arrayOfObjects',
);

// With hideOptionalFields n8n shows Required only once it is set (or added through the field's "Add" picker); the
// rest stays in view (showEvenWhenOptional).
const ALWAYS_SHOWN = { showEvenWhenOptional: true };

function fieldValues(typeOptions: typeof FIELD_TYPE_OPTIONS, nameExample: string): INodeProperties[] {
	return [
		{
			displayName: 'Name',
			name: 'name',
			type: 'string',
			typeOptions: ALWAYS_SHOWN,
			default: '',
			placeholder: `e.g. ${nameExample}`,
			description: 'Key of the field in the output',
		},
		{
			displayName: 'Type',
			name: 'type',
			type: 'options',
			typeOptions: ALWAYS_SHOWN,
			options: typeOptions,
			default: 'string',
		},
		{
			displayName: 'Description',
			name: 'description',
			type: 'string',
			default: '',
			typeOptions: ALWAYS_SHOWN,
			placeholder: 'e.g. Total amount due, including tax',
			description: 'What the field is and where to find it; this guides the extraction',
		},
		{
			displayName: 'Required',
			name: 'required',
			type: 'boolean',
			default: false,
			description: 'Whether the field must always be filled in',
		},
	];
}

/** "total (Number, required)": the folded field's title in n8n 2.x. */
const FIELD_TITLE = `={{ ($collection.item.value.name || "(unnamed)") + " (" + (${JSON.stringify(
	Object.fromEntries(FIELD_TYPE_OPTIONS.map((option) => [option.value, option.name])),
)}[$collection.item.value.type || "string"] || $collection.item.value.type) + ($collection.item.value.required ? ", required" : "") + ")" }}`;

const fieldsParameter: INodeProperties = {
	displayName: 'Fields',
	name: 'fields',
	type: 'fixedCollection',
	typeOptions: {
		multipleValues: true,
		sortable: true,
		hideOptionalFields: true,
		addOptionalFieldButtonText: 'Mark as Required',
		// Where n8n folds fields (its newer fixedCollection layout) each shows as this one-line title.
		fixedCollection: { itemTitle: FIELD_TITLE },
	},
	placeholder: 'Add Field',
	default: {},
	description: 'The fields to extract. Object and Array of Objects fields take sub-fields.',
	options: [
		{
			displayName: 'Field',
			name: 'field',
			values: [
				...fieldValues(FIELD_TYPE_OPTIONS, 'invoice_number'),
				{
					displayName: 'Sub-Fields',
					name: 'subFields',
					type: 'fixedCollection',
					typeOptions: {
						...ALWAYS_SHOWN,
						multipleValues: true,
						sortable: true,
						hideOptionalFields: true,
						addOptionalFieldButtonText: 'Mark as Required',
						fixedCollection: { itemTitle: FIELD_TITLE },
					},
					placeholder: 'Add Sub-Field',
					default: {},
					description: 'Fields of each object (for a list of line items: description, quantity, amount)',
					displayOptions: { show: { type: ['object', 'arrayOfObjects'] } },
					options: [
						{
							displayName: 'Sub-Field',
							name: 'field',
							values: fieldValues(SUB_FIELD_TYPE_OPTIONS, 'amount'),
						},
					],
				},
			],
		},
	],
};

const DEFAULT_EXAMPLE = `{
  "vendor": "ACME Corp",
  "invoice_number": "INV-001",
  "invoice_date": "2026-01-31",
  "total": 1234.5,
  "line_items": [{ "description": "Widget", "quantity": 2, "amount": 617.25 }]
}`;

const DEFAULT_SCHEMA =
	'{\n  "type": "object",\n  "properties": {\n    "vendor": { "type": "string", "description": "Company that issued the invoice" },\n    "total": { "type": "number", "description": "Total amount due" }\n  }\n}';

export interface SchemaSourceOptions {
	/** Offer a saved configuration (Extract Data, Create). */
	allowConfiguration: boolean;
	/** Update operations: a first choice "Keep Current Schema" (value `keep`, the default) with this description. */
	keepDescription?: string;
}

/**
 * n8n keeps only the parameters on screen, so switching the source drops what was entered for the other one
 * (for good: n8n saves automatically). Said where the switch happens.
 */
const SWITCH_HINT =
	'Switching drops what you entered for the other source. To turn Fields into a JSON Schema, run Schema › Validate with the same Fields: its data_schema output is the schema.';

/** How the user says what to extract: Fields, a JSON example, a JSON Schema, or a saved configuration. */
export function schemaSourceProperties(options: SchemaSourceOptions): INodeProperties[] {
	const sources = [
		{
			name: 'Fields',
			value: 'fields',
			description: 'List the fields to extract, without writing JSON',
		},
		{
			name: 'From a JSON Example',
			value: 'example',
			description: 'Paste an example of the output; the node works out the schema',
		},
		{
			name: 'JSON Schema',
			value: 'jsonSchema',
			description: 'Write the JSON Schema of the data to extract',
		},
	];
	if (options.allowConfiguration) {
		sources.push({
			name: 'Saved Configuration',
			value: 'configuration',
			description: 'Use a configuration saved in LlamaCloud (schema and options)',
		});
	}
	const schemaSource: INodeProperties = {
		displayName: 'Schema Source',
		name: 'schemaSource',
		type: 'options',
		noDataExpression: true,
		options: sources,
		default: 'fields',
		hint: SWITCH_HINT,
	};
	const sourceParameters: INodeProperties[] = options.keepDescription
		? [
				{
					...schemaSource,
					options: [{ name: 'Keep Current Schema', value: 'keep', description: options.keepDescription }, ...sources],
					default: 'keep',
				},
			]
		: [
				// New nodes (version 2) start on the no-code Fields builder; version 1 keeps JSON Schema, the default
				// its saved workflows were stored against (n8n stores only values that differ from the default).
				{ ...schemaSource, displayOptions: { show: { '@version': [{ _cnd: { gte: 2 } }] } } },
				{ ...schemaSource, default: 'jsonSchema', displayOptions: { show: { '@version': [1] } } },
			];
	const properties: INodeProperties[] = [
		...sourceParameters,
		{ ...fieldsParameter, displayOptions: { show: { schemaSource: ['fields'] } } },
		{
			displayName: 'JSON Example',
			name: 'jsonExample',
			type: 'json',
			default: DEFAULT_EXAMPLE,
			required: true,
			description:
				'An example of the output you want. Numbers become "number", YYYY-MM-DD texts become dates, lists of objects become tables.',
			displayOptions: { show: { schemaSource: ['example'] } },
		},
		{
			displayName: 'JSON Schema',
			name: 'jsonSchema',
			type: 'json',
			default: DEFAULT_SCHEMA,
			required: true,
			description:
				'JSON Schema of the data to extract. The root must be "type": "object"; descriptions on fields guide the extraction.',
			displayOptions: { show: { schemaSource: ['jsonSchema'] } },
		},
	];
	if (options.allowConfiguration) {
		properties.push({ ...configurationLocator, displayOptions: { show: { schemaSource: ['configuration'] } } });
	}
	return properties;
}

export type SchemaChoice = { dataSchema: JsonSchema } | { configurationId: string };

/** Reads a configuration ID from the locator and catches a v1 agent ID before it costs a round trip. */
export function readConfigurationId(this: IExecuteFunctions, itemIndex: number): string {
	return checkConfigurationId.call(
		this,
		this.getNodeParameter('configurationId', itemIndex, '', { extractValue: true }),
		itemIndex,
	);
}

/** A locator value (`{mode, value}`) or plain text, checked like `readConfigurationId`. */
export function checkConfigurationId(this: IExecuteFunctions, value: unknown, itemIndex: number): string {
	const raw = value && typeof value === 'object' ? (value as IDataObject).value : value;
	const checked = checkId(raw, ['configuration']);
	if ('problem' in checked) {
		const message =
			checked.problem === 'empty'
				? `No Configuration selected on item ${itemIndex}`
				: `The Configuration on item ${itemIndex} ${checked.message}`;
		throw new NodeOperationError(this.getNode(), message, { itemIndex, description: checked.hint });
	}
	return checked.id;
}

/** Parses a `json` parameter, which n8n hands over as text or as an already parsed value. */
export function parseJsonParameter(node: INode, value: unknown, parameterLabel: string, itemIndex: number): unknown {
	if (typeof value !== 'string') return value;
	if (!value.trim()) {
		throw new NodeOperationError(node, `The "${parameterLabel}" parameter is empty on item ${itemIndex}`, {
			itemIndex,
			description: `Enter the ${parameterLabel}, or pick another Schema Source.`,
		});
	}
	try {
		return JSON.parse(value);
	} catch (error) {
		throw new NodeOperationError(node, `The "${parameterLabel}" parameter on item ${itemIndex} is not valid JSON`, {
			itemIndex,
			description: `${jsonErrorText(error)}. Check for a missing quote, comma or brace.`,
		});
	}
}

interface FieldsParameterValue {
	field?: Array<IDataObject & { subFields?: FieldsParameterValue }>;
}

/** The fixedCollection value as field definitions (two levels: fields and their sub-fields). */
export function fieldsFromParameter(value: FieldsParameterValue | undefined): FieldDefinition[] {
	return (value?.field ?? []).map((entry) => ({
		name: String(entry.name ?? ''),
		type: String(entry.type ?? 'string'),
		description: entry.description === undefined ? undefined : String(entry.description),
		required: entry.required === true,
		fields: entry.subFields ? fieldsFromParameter(entry.subFields) : undefined,
	}));
}

function unwrap(this: IExecuteFunctions, result: SchemaResult, parameterLabel: string, itemIndex: number): JsonSchema {
	if ('schema' in result) return result.schema;
	// Builder problems name a field ("field "total" appears twice"); the others read on ("is a list, …").
	const joiner = result.problem.message.startsWith('field ') ? ': ' : ' ';
	throw new NodeOperationError(
		this.getNode(),
		`The "${parameterLabel}" parameter on item ${itemIndex}${joiner}${result.problem.message}`,
		{ itemIndex, description: result.problem.hint },
	);
}

/**
 * The item's schema from the chosen source. `checkRules: false` (Schema › Validate) leaves LlamaExtract's
 * schema rules to the server, so its own reasons come back.
 */
export function resolveSchemaSource(
	this: IExecuteFunctions,
	itemIndex: number,
	options: { checkRules?: boolean } = {},
): SchemaChoice {
	const source = this.getNodeParameter('schemaSource', itemIndex) as string;
	switch (source) {
		case 'configuration':
			return { configurationId: readConfigurationId.call(this, itemIndex) };
		case 'fields': {
			const fields = fieldsFromParameter(this.getNodeParameter('fields', itemIndex, {}) as FieldsParameterValue);
			return { dataSchema: unwrap.call(this, buildSchemaFromFields(fields), 'Fields', itemIndex) };
		}
		case 'example': {
			const example = parseJsonParameter(this.getNode(), this.getNodeParameter('jsonExample', itemIndex), 'JSON Example', itemIndex);
			return { dataSchema: unwrap.call(this, inferSchemaFromExample(example), 'JSON Example', itemIndex) };
		}
		default: {
			const raw = this.getNodeParameter('jsonSchema', itemIndex);
			if (options.checkRules === false) {
				const parsed = parseJsonParameter(this.getNode(), raw, 'JSON Schema', itemIndex);
				if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
					throw new NodeOperationError(this.getNode(), `The "JSON Schema" parameter on item ${itemIndex} is not a JSON object`, {
						itemIndex,
						description: 'Give a JSON Schema object such as {"type": "object", "properties": {"total": {"type": "number"}}}.',
					});
				}
				return { dataSchema: parsed as JsonSchema };
			}
			return { dataSchema: parseJsonSchemaParameter(this.getNode(), raw, 'JSON Schema', itemIndex) };
		}
	}
}
