/**
 * Turning what the user typed into a JSON Schema LlamaExtract accepts, with errors that name the parameter.
 * LlamaExtract's limits (API.md §3, §9.3) live in rules.ts, shared with the emulator; the root must be `type: object`.
 */
import type { IDataObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { inlineLocalRefs, LIMITS, schemaLimitProblem } from './rules';

export const MAX_SCHEMA_DEPTH = LIMITS.schemaDepth;
export const MAX_SCHEMA_PROPERTIES = LIMITS.schemaProperties;

export type JsonSchema = IDataObject;

export interface SchemaProblem {
	message: string;
	hint: string;
}

export function findSchemaProblem(schema: unknown): SchemaProblem | undefined {
	if (!schema || typeof schema !== 'object' || Array.isArray(schema)) {
		return {
			message: 'is not a JSON object',
			hint: 'Give a JSON Schema object such as {"type": "object", "properties": {"total": {"type": "number"}}}.',
		};
	}
	const root = schema as IDataObject;
	if (root.type !== 'object') {
		return {
			message: `must have "type": "object" at the root (found ${JSON.stringify(root.type ?? null)})`,
			hint: 'Wrap your fields in {"type": "object", "properties": {…}}. To extract a list, add an array property inside the object.',
		};
	}
	if (root.properties !== undefined && (typeof root.properties !== 'object' || Array.isArray(root.properties))) {
		return {
			message: 'has a "properties" that is not an object of field names and their schemas',
			hint: 'Example: {"type": "object", "properties": {"vendor": {"type": "string"}}}.',
		};
	}
	// The limits are LlamaExtract's (rules.ts), measured as the emulator measures them: after inlining local $refs.
	const inlined = inlineLocalRefs(root);
	if ('problem' in inlined) {
		return {
			message: `has a reference it cannot follow: ${inlined.problem.message}`,
			hint: 'Point every "$ref" at an entry of "$defs" in the same schema, without a definition that contains itself.',
		};
	}
	const limit = schemaLimitProblem(inlined.schema);
	if (limit) {
		return {
			message: limit.message,
			hint:
				limit.limit === 'schemaDepth'
					? 'Flatten the deepest objects, for example by moving sub-fields up one level.'
					: 'Split the extraction into several schemas, or shorten the descriptions.',
		};
	}
	return undefined;
}

/** JSON.parse's complaint without the "(line 1 column 19)" newer Node versions add, so it reads the same everywhere. */
export function jsonErrorText(error: unknown): string {
	return String((error as Error)?.message ?? error).replace(/\s*\(line \d+ column \d+\)\s*$/, '');
}

/**
 * The last schema text checked, with its verdict: a batch sends the same text with every item, and the check copies
 * the schema at every level, so checking it once per item was most of what an item allocated before its upload.
 */
let lastChecked: { text: string; problem: SchemaProblem | undefined } | undefined;

function checkedText(text: string, schema: unknown): SchemaProblem | undefined {
	if (lastChecked?.text !== text) lastChecked = { text, problem: findSchemaProblem(schema) };
	return lastChecked.problem;
}

/**
 * Parses a JSON Schema given as text or as an object (n8n hands `json` parameters over as either),
 * and checks LlamaExtract's rules. `parameterLabel` is the name the user sees in the node.
 */
export function parseJsonSchemaParameter(
	node: INode,
	value: unknown,
	parameterLabel: string,
	itemIndex: number,
): JsonSchema {
	let schema: unknown = value;
	if (typeof value === 'string') {
		if (!value.trim()) {
			throw new NodeOperationError(node, `The "${parameterLabel}" parameter is empty on item ${itemIndex}`, {
				itemIndex,
				description:
					'Enter a JSON Schema such as {"type": "object", "properties": {"total": {"type": "number"}}}, or pick another Schema Source.',
			});
		}
		try {
			schema = JSON.parse(value);
		} catch (error) {
			throw new NodeOperationError(node, `The "${parameterLabel}" parameter on item ${itemIndex} is not valid JSON`, {
				itemIndex,
				description: `${jsonErrorText(error)}. Check for a missing quote, comma or brace.`,
			});
		}
	}
	const problem = typeof value === 'string' ? checkedText(value, schema) : findSchemaProblem(schema);
	if (problem) {
		throw new NodeOperationError(node, `The "${parameterLabel}" parameter on item ${itemIndex} ${problem.message}`, {
			itemIndex,
			description: problem.hint,
		});
	}
	return schema as JsonSchema;
}

/* ------------------------------------------------------------------------------------------------
 * The no-code Fields builder and JSON-example inference. Both are pure: they return a schema or the
 * reason they cannot, and the node turns the reason into an error that names the parameter.
 * ---------------------------------------------------------------------------------------------- */

export const FIELD_TYPES = ['string', 'number', 'integer', 'boolean', 'date', 'object', 'arrayOfObjects', 'arrayOfStrings'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FieldDefinition {
	name: string;
	type: FieldType | string;
	description?: string;
	required?: boolean;
	/** Sub-fields of an `object` or `arrayOfObjects` field. */
	fields?: FieldDefinition[];
}

export type SchemaResult = { schema: JsonSchema } | { problem: SchemaProblem & { path: string } };

/** Field names become JSON keys and the extractor reads them as labels: letters, digits, spaces, `_` and `-`. */
const FIELD_NAME = /^[\p{L}\p{N}_][\p{L}\p{N} _-]{0,127}$/u;

function leafSchema(type: string): JsonSchema | undefined {
	switch (type) {
		case 'string':
		case 'number':
		case 'integer':
		case 'boolean':
			return { type };
		case 'date':
			// JSON Schema's "date" format is an ISO 8601 full date, which is what an IF or Date & Time node expects.
			return { type: 'string', format: 'date' };
		case 'arrayOfStrings':
			return { type: 'array', items: { type: 'string' } };
		default:
			return undefined;
	}
}

function objectFromFields(fields: FieldDefinition[], parentPath: string): SchemaResult {
	const properties: IDataObject = {};
	const required: string[] = [];
	for (const [index, field] of fields.entries()) {
		const name = String(field.name ?? '').trim();
		const path = parentPath ? `${parentPath} › ${name || `#${index + 1}`}` : name || `#${index + 1}`;
		if (!name) {
			return {
				problem: {
					path,
					message: `field ${path} has no name`,
					hint: 'Give every field a name, e.g. "invoice_number". The name becomes the key in the output.',
				},
			};
		}
		if (!FIELD_NAME.test(name)) {
			return {
				problem: {
					path,
					message: `field name "${name}" is not valid`,
					hint: 'Use letters, digits, spaces, "_" or "-" (at most 128 characters), starting with a letter, digit or "_".',
				},
			};
		}
		if (Object.prototype.hasOwnProperty.call(properties, name)) {
			return {
				problem: {
					path,
					message: `field "${name}" appears twice${parentPath ? ` in ${parentPath}` : ''}`,
					hint: 'Give each field a different name, or remove the duplicate.',
				},
			};
		}
		let property: JsonSchema;
		if (field.type === 'object' || field.type === 'arrayOfObjects') {
			const children = field.fields ?? [];
			if (children.length === 0) {
				return {
					problem: {
						path,
						message: `field "${name}" is ${field.type === 'object' ? 'an object' : 'a list of objects'} without sub-fields`,
						hint: `Add sub-fields to "${name}" (for a list of line items: description, quantity, amount…), or change its type.`,
					},
				};
			}
			const child = objectFromFields(children, path);
			if ('problem' in child) return child;
			property = field.type === 'object' ? child.schema : { type: 'array', items: child.schema };
		} else {
			const leaf = leafSchema(String(field.type));
			if (!leaf) {
				return {
					problem: {
						path,
						message: `field "${name}" has the unknown type ${JSON.stringify(field.type)}`,
						hint: `Use one of: ${FIELD_TYPES.join(', ')}.`,
					},
				};
			}
			property = leaf;
		}
		const description = String(field.description ?? '').trim();
		if (description) property = { ...property, description };
		properties[name] = property;
		if (field.required) required.push(name);
	}
	const schema: JsonSchema = { type: 'object', properties };
	if (required.length > 0) schema.required = required;
	return { schema };
}

/** Builds the JSON Schema for a list of fields; the root is always an object. */
export function buildSchemaFromFields(fields: FieldDefinition[]): SchemaResult {
	if (fields.length === 0) {
		return rootProblem(
			'has no fields',
			'Add at least one field: a name such as "total", a type, and a description that says where to find it.',
		);
	}
	return checkedRoot(objectFromFields(fields, ''));
}

function rootProblem(message: string, hint: string): SchemaResult {
	return { problem: { path: '', message, hint } };
}

/** A schema built from fields or an example must still pass LlamaExtract's rules; problems are the root's. */
function checkedRoot(built: SchemaResult): SchemaResult {
	if ('problem' in built) return built;
	const problem = findSchemaProblem(built.schema);
	return problem ? { problem: { ...problem, path: '' } } : built;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

type ExampleInference = { schema: JsonSchema } | { problem: SchemaProblem & { path: string } };

function inferValue(value: unknown, path: string): ExampleInference {
	if (value === null || value === undefined) return { schema: { type: 'string' } };
	if (typeof value === 'string') {
		return { schema: ISO_DATE.test(value.trim()) ? { type: 'string', format: 'date' } : { type: 'string' } };
	}
	// Every number becomes "number": an example of 100 must still accept 99.50 in the document.
	if (typeof value === 'number') return { schema: { type: 'number' } };
	if (typeof value === 'boolean') return { schema: { type: 'boolean' } };
	if (Array.isArray(value)) {
		const present = value.filter((entry) => entry !== null && entry !== undefined);
		if (present.length === 0) return { schema: { type: 'array', items: { type: 'string' } } };
		if (present.every((entry) => typeof entry === 'object' && !Array.isArray(entry))) {
			// Objects in a list may each show only some keys: the item schema is their union.
			const merged: IDataObject = {};
			for (const entry of present as IDataObject[]) {
				for (const [key, child] of Object.entries(entry)) {
					if (!(key in merged) || merged[key] === null) merged[key] = child as IDataObject[keyof IDataObject];
				}
			}
			const items = inferValue(merged, `${path}[]`);
			return 'problem' in items ? items : { schema: { type: 'array', items: items.schema } };
		}
		if (present.some((entry) => typeof entry === 'object')) {
			return {
				problem: {
					path,
					message: `mixes objects and plain values in the list ${path || '(root)'}`,
					hint: 'Make every entry of a list the same kind: all objects (line items) or all plain values (tags).',
				},
			};
		}
		const items = inferValue(present[0], `${path}[]`);
		return 'problem' in items ? items : { schema: { type: 'array', items: items.schema } };
	}
	if (typeof value === 'object') {
		const properties: IDataObject = {};
		for (const [key, child] of Object.entries(value as IDataObject)) {
			const inferred = inferValue(child, path ? `${path}.${key}` : key);
			if ('problem' in inferred) return inferred;
			properties[key] = inferred.schema;
		}
		return { schema: { type: 'object', properties } };
	}
	return { schema: { type: 'string' } };
}

/**
 * Infers a JSON Schema from an example of the output the user wants. Strings, numbers (always `number`),
 * booleans, `YYYY-MM-DD` dates, nested objects and lists; `null` means a string. No field is required.
 */
export function inferSchemaFromExample(example: unknown): SchemaResult {
	if (Array.isArray(example)) {
		return rootProblem(
			'is a list, but the example must be one object',
			'Wrap the list in an object, e.g. {"line_items": [ … ]}, or give one row and set Extraction Target to Per Table Row.',
		);
	}
	if (example === null || typeof example !== 'object') {
		return rootProblem(
			'is not a JSON object',
			'Give an example of the output, e.g. {"vendor": "ACME Corp", "total": 1234.5, "due_date": "2026-01-31"}.',
		);
	}
	if (Object.keys(example).length === 0) {
		return rootProblem(
			'has no fields',
			'Give an example with the fields to extract, e.g. {"vendor": "ACME Corp", "total": 1234.5}.',
		);
	}
	return checkedRoot(inferValue(example, ''));
}
