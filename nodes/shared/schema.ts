/**
 * Turning what the user typed into a JSON Schema LlamaExtract accepts, with errors that name the parameter.
 * LlamaExtract's limits (API.md §3, §9.3): the root is `type: object`, at most 7 nesting levels, 5,000 properties.
 */
import type { IDataObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

export const MAX_SCHEMA_DEPTH = 7;
export const MAX_SCHEMA_PROPERTIES = 5000;

export type JsonSchema = IDataObject;

interface SchemaProblem {
	message: string;
	hint: string;
}

/** Nesting depth counted in object/array levels below the root, as LlamaExtract counts it. */
export function schemaDepth(schema: unknown): number {
	if (!schema || typeof schema !== 'object') return 0;
	const node = schema as IDataObject;
	let deepest = 0;
	const properties = node.properties as IDataObject | undefined;
	if (properties && typeof properties === 'object') {
		for (const child of Object.values(properties)) deepest = Math.max(deepest, 1 + schemaDepth(child));
	}
	if (node.items && typeof node.items === 'object') deepest = Math.max(deepest, schemaDepth(node.items));
	return deepest;
}

function countProperties(schema: unknown): number {
	if (!schema || typeof schema !== 'object') return 0;
	const node = schema as IDataObject;
	let count = 0;
	const properties = node.properties as IDataObject | undefined;
	if (properties && typeof properties === 'object') {
		for (const child of Object.values(properties)) count += 1 + countProperties(child);
	}
	if (node.items && typeof node.items === 'object') count += countProperties(node.items);
	return count;
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
			message: '"properties" must be an object that maps field names to schemas',
			hint: 'Example: {"type": "object", "properties": {"vendor": {"type": "string"}}}.',
		};
	}
	const depth = schemaDepth(root);
	if (depth > MAX_SCHEMA_DEPTH) {
		return {
			message: `is nested ${depth} levels deep; LlamaExtract allows at most ${MAX_SCHEMA_DEPTH}`,
			hint: 'Flatten the deepest objects, for example by moving sub-fields up one level.',
		};
	}
	const count = countProperties(root);
	if (count > MAX_SCHEMA_PROPERTIES) {
		return {
			message: `has ${count} properties; LlamaExtract allows at most ${MAX_SCHEMA_PROPERTIES}`,
			hint: 'Split the extraction into several schemas.',
		};
	}
	return undefined;
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
			throw new NodeOperationError(node, `The "${parameterLabel}" parameter is empty`, {
				itemIndex,
				description:
					'Enter a JSON Schema such as {"type": "object", "properties": {"total": {"type": "number"}}}, or pick another Schema Source.',
			});
		}
		try {
			schema = JSON.parse(value);
		} catch (error) {
			throw new NodeOperationError(node, `The "${parameterLabel}" parameter is not valid JSON`, {
				itemIndex,
				description: `${(error as Error).message}. Check for a missing quote, comma or brace.`,
			});
		}
	}
	const problem = findSchemaProblem(schema);
	if (problem) {
		throw new NodeOperationError(node, `The "${parameterLabel}" parameter ${problem.message}`, {
			itemIndex,
			description: problem.hint,
		});
	}
	return schema as JsonSchema;
}
