 
/**
 * `data_schema` checks (the documented limits) and normalisation, and deterministic schema
 * generation for `POST /api/v2/extract/schema/generate`.
 *
 * Normalisation: local `$ref`s (`#/$defs/X`, `#/definitions/X`) are inlined and the definitions
 * dropped, and a root with `properties` but no `type` gets `type: "object"`.
 */
import type { ValidationErrorEntry } from '../nodes/shared/contract';
import { inlineLocalRefs, schemaLimitProblem } from '../nodes/shared/rules';
import type { ParsedDocument } from './engine/document';
import { parseDate, parseNumber, type JsonSchema } from './engine/values';
import { validationEntry } from './http';

const JSON_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'];

export type SchemaCheck = { ok: true; schema: JsonSchema } | { ok: false; errors: ValidationErrorEntry[] };

/** Validates and normalises; `loc` is where the schema sits in the request, e.g. ["body", "data_schema"]. */
export function checkDataSchema(input: unknown, loc: Array<string | number>): SchemaCheck {
	const errors: ValidationErrorEntry[] = [];
	const fail = (path: Array<string | number>, msg: string, input_?: unknown) =>
		errors.push(validationEntry([...loc, ...path], msg, 'value_error', input_));

	if (!isPlainObject(input)) {
		fail([], 'data_schema must be a JSON object (a JSON Schema with type "object" at the root)', input);
		return { ok: false, errors };
	}
	const inlined = inlineLocalRefs(input);
	if ('problem' in inlined) {
		fail(inlined.problem.path, inlined.problem.message);
		return { ok: false, errors };
	}
	const schema = inlined.schema as JsonSchema;

	if (schema.type === undefined && isPlainObject(schema.properties)) schema.type = 'object';
	if (schema.type !== 'object') {
		fail(['type'], `The root of data_schema must have type "object" (got ${JSON.stringify(schema.type ?? null)})`, schema.type);
		return { ok: false, errors };
	}
	if (!isPlainObject(schema.properties) || Object.keys(schema.properties).length === 0) {
		fail(['properties'], 'data_schema must define at least one field under "properties"', schema.properties);
		return { ok: false, errors };
	}

	// Shape checks here; the documented limits (depth, properties, characters) are the shared rules.ts ones.
	const walk = (node: JsonSchema, path: Array<string | number>): void => {
		const types = Array.isArray(node.type) ? node.type : node.type === undefined ? [] : [node.type];
		for (const type of types) {
			if (typeof type !== 'string' || !JSON_TYPES.includes(type)) {
				fail([...path, 'type'], `Unknown type ${JSON.stringify(type)}; use one of ${JSON_TYPES.join(', ')}`, type);
			}
		}
		if (node.properties !== undefined) {
			if (!isPlainObject(node.properties)) {
				fail([...path, 'properties'], '"properties" must be an object mapping field names to schemas', node.properties);
			} else {
				for (const [name, child] of Object.entries(node.properties)) {
					if (name.trim() === '') fail([...path, 'properties', name], 'Field names must not be empty');
					if (!isPlainObject(child)) {
						fail([...path, 'properties', name], `Field "${name}" must be a schema object`, child);
						continue;
					}
					walk(child, [...path, 'properties', name]);
				}
			}
		}
		if (node.required !== undefined) {
			const known = isPlainObject(node.properties) ? Object.keys(node.properties) : [];
			if (!Array.isArray(node.required) || node.required.some((entry) => typeof entry !== 'string')) {
				fail([...path, 'required'], '"required" must be a list of field names', node.required);
			} else {
				for (const name of node.required as string[]) {
					if (!known.includes(name)) fail([...path, 'required'], `"required" names "${name}", which is not under "properties"`, name);
				}
			}
		}
		if (types.includes('array')) {
			if (!isPlainObject(node.items)) fail([...path, 'items'], 'An array field needs an "items" schema object', node.items);
			else walk(node.items, [...path, 'items']);
		}
		for (const key of ['anyOf', 'oneOf', 'allOf']) {
			const options = node[key];
			if (options === undefined) continue;
			if (!Array.isArray(options)) {
				fail([...path, key], `"${key}" must be a list of schemas`, options);
				continue;
			}
			options.forEach((option, index) => {
				if (isPlainObject(option)) walk(option, [...path, key, index]);
				else fail([...path, key, index], 'Each option must be a schema object', option);
			});
		}
	};
	walk(schema, []);

	const limit = schemaLimitProblem(schema);
	if (limit) fail([], `data_schema ${limit.message}`);
	return errors.length > 0 ? { ok: false, errors } : { ok: true, schema };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/* ------------------------------------------------------------------------------------------------
 * Generation
 * ---------------------------------------------------------------------------------------------- */

export interface GenerateInput {
	prompt?: string | null;
	document?: ParsedDocument;
	dataSchema?: JsonSchema | null;
}

/** Builds a schema from a prompt that lists fields and/or a document's labels and tables. Deterministic. */
export function generateSchema(input: GenerateInput): JsonSchema {
	const properties: Record<string, JsonSchema> = {};
	const base = input.dataSchema && isPlainObject(input.dataSchema.properties) ? input.dataSchema.properties : {};
	Object.assign(properties, base);
	const add = (name: string, schema: JsonSchema) => {
		if (name !== '' && !(name in properties)) properties[name] = schema;
	};
	if (input.prompt) for (const [name, schema] of fieldsFromPrompt(input.prompt)) add(name, schema);
	if (input.document) for (const [name, schema] of fieldsFromDocument(input.document)) add(name, schema);
	const result: JsonSchema = { ...(input.dataSchema ?? {}), type: 'object', properties };
	return result;
}

export function snakeCase(text: string): string {
	return text
		.replace(/([a-z0-9])([A-Z])/g, '$1 $2')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, ' ')
		.trim()
		.split(' ')
		.filter((word) => word !== '' && !['the', 'a', 'an'].includes(word))
		.join('_');
}

function singularWord(word: string): string {
	if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
	if (word.endsWith('s') && !word.endsWith('ss') && word.length > 3) return word.slice(0, -1);
	return word;
}

function typeFromName(name: string): JsonSchema {
	const words = name.split('_');
	const has = (...candidates: string[]) => candidates.some((candidate) => words.includes(candidate));
	if (has('date', 'deadline') || name.endsWith('_on')) return { type: 'string', format: 'date' };
	if (has('quantity', 'qty', 'count') || name.startsWith('number_of')) return { type: 'integer' };
	if (has('total', 'amount', 'price', 'cost', 'subtotal', 'tax', 'fee', 'balance', 'sum', 'vat', 'rate')) return { type: 'number' };
	if (words[0] === 'is' || words[0] === 'has') return { type: 'boolean' };
	return { type: 'string' };
}

const PROMPT_LEAD = /^(please\s+)?(extract|get|pull|find|capture|return|list|collect|read|give me|i need|we need)\b\s*(out\s+)?(the\s+)?/i;

function fieldsFromPrompt(prompt: string): Array<[string, JsonSchema]> {
	const fields: Array<[string, JsonSchema]> = [];
	const text = prompt.replace(/\s+from\s+(the\s+)?(this\s+)?(invoices?|documents?|files?|receipts?|pdfs?)\b.*$/i, '').replace(/[.]+\s*$/, '');
	for (const rawPart of text.split(/[,;\n]+/)) {
		const part = rawPart
			.trim()
			.replace(/^[-*•\d.)\s]+/, '')
			.replace(/^(and|or)\s+/i, '')
			.replace(PROMPT_LEAD, '')
			.trim();
		if (part === '') continue;
		const withClause = /^(.+?)\s+(?:with|including|containing)\s+(.+)$/i.exec(part);
		if (withClause) {
			const name = snakeCase(withClause[1]);
			const subProperties: Record<string, JsonSchema> = {};
			for (const sub of withClause[2].split(/\s*(?:,|\band\b|&)\s*/i)) {
				const subName = snakeCase(sub).split('_').map(singularWord).join('_');
				if (subName !== '') subProperties[subName] = { ...typeFromName(subName), description: sub.trim() };
			}
			const plural = /s$/.test(name) || /(items|lines|list)$/.test(name);
			const objectSchema: JsonSchema = { type: 'object', properties: subProperties };
			fields.push([name, plural ? { type: 'array', description: withClause[1].trim(), items: objectSchema } : { ...objectSchema, description: withClause[1].trim() }]);
			continue;
		}
		for (const piece of part.split(/\s+and\s+/i)) {
			const name = snakeCase(piece);
			if (name !== '' && name.split('_').length <= 6) fields.push([name, { ...typeFromName(name), description: piece.trim() }]);
		}
	}
	return fields;
}

function typeFromValue(value: string): JsonSchema {
	const trimmed = value.trim();
	if (/^(yes|no|true|false)$/i.test(trimmed)) return { type: 'boolean' };
	if (/^[$€£¥-]?\s*[\d.,' ]+\s*(%|[A-Z]{3})?$/.test(trimmed) && parseNumber(trimmed) !== undefined) {
		return /^\d+$/.test(trimmed) && trimmed.length < 6 ? { type: 'integer' } : { type: 'number' };
	}
	if (parseDate(trimmed) !== undefined && !/[A-Za-z]{2,}-\d/.test(trimmed)) return { type: 'string', format: 'date' };
	return { type: 'string' };
}

function fieldsFromDocument(document: ParsedDocument): Array<[string, JsonSchema]> {
	const fields: Array<[string, JsonSchema]> = [];
	const lines = document.pages.flatMap((page) => page.lines);
	let tableDone = false;
	lines.forEach((line, index) => {
		line.cells.forEach((cell, column) => {
			// "Label: value" in one cell, or "Label:" with the value in the next cell.
			const match = /^([A-Za-z][A-Za-z0-9 #/&().'-]{0,40}?)\s*:\s*(.*)$/.exec(cell.text);
			const value = match?.[2] || line.cells[column + 1]?.text;
			if (match && value && !/^EMULATOR_/.test(match[1])) {
				fields.push([snakeCase(match[1]), { ...typeFromValue(value), description: match[1].trim() }]);
			}
		});
		// A header of 3+ plain cells followed by a row with as many cells becomes `line_items`.
		const next = lines[index + 1];
		if (
			!tableDone &&
			line.cells.length >= 3 &&
			!line.cells.some((cell) => cell.text.includes(':')) &&
			next &&
			next.cells.length === line.cells.length &&
			line.cells.every((cell) => /[A-Za-z]/.test(cell.text))
		) {
			const itemProperties: Record<string, JsonSchema> = {};
			line.cells.forEach((cell, column) => {
				itemProperties[snakeCase(cell.text)] = { ...typeFromValue(next.cells[column].text), description: cell.text };
			});
			fields.push(['line_items', { type: 'array', description: 'Table rows', items: { type: 'object', properties: itemProperties } }]);
			tableDone = true;
		}
	});
	return fields;
}
