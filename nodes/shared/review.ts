/**
 * Review routing (Extract Data › Route for Review): which extracted items a person should look at, and why.
 * Pure: it reads an output item's JSON (simplified, split, or the full job) and the user's rules, and returns the
 * reasons. An item with no reasons passes.
 *
 * An item needs review when
 *   - a field's confidence is below the threshold (every such field is named, lowest first is not promised);
 *   - a required field (the schema's `required`, plus the fields the user names) came back empty or null;
 *   - a field the user names breaks its rule: `notEmpty`, or `pattern` (a regular expression its text must match).
 */
import type { IDataObject } from 'n8n-workflow';

import { fieldConfidences, fieldInfoTree, type FieldInfoTree } from './output';

export const DEFAULT_REVIEW_THRESHOLD = 0.8;

/** The checks a field rule can make: not empty, or its text matches a regular expression. */
export const FIELD_CHECKS = ['notEmpty', 'pattern'] as const;

export interface ReviewRule {
	/** Dot path of the field: `total`, `vendor.name`, `line_items.0.amount`. */
	field: string;
	rule: (typeof FIELD_CHECKS)[number];
	/** For `pattern`: the regular expression (JavaScript syntax, no slashes) the value's text must match. */
	pattern?: string;
}

export interface ReviewSettings {
	/** Fields whose confidence is below this need review. */
	threshold: number;
	/** Fields that must not come back empty or null. */
	requiredFields: string[];
	rules: ReviewRule[];
}

export interface ReviewReason extends IDataObject {
	field: string;
	value: IDataObject[string];
	/** `confidence`, `required`, `notEmpty` or `pattern`. */
	rule: string;
	confidence?: number | null;
	threshold?: number;
	pattern?: string;
}

export interface ReviewInput {
	/** The extracted fields. */
	fields: IDataObject;
	/** The field metadata tree in `_llamaextract.fields` form, when the job returned it. */
	metadata?: FieldInfoTree;
}

function isPlainObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The fields and their metadata out of an output item, whatever its shape: simplified (fields at the top,
 * `_llamaextract.fields`), split into items (the same, or `_llamaextract.field_metadata`), or the full job
 * (`extract_result`, `extract_metadata.field_metadata.document_metadata`).
 */
export function reviewInputOf(json: IDataObject): ReviewInput {
	const { _llamaextract: summary, ...rest } = json;
	const meta = isPlainObject(summary) ? summary : {};
	if ('extract_result' in rest && 'status' in rest && 'id' in rest) {
		const result = rest.extract_result;
		const fieldMetadata = isPlainObject(rest.extract_metadata) ? rest.extract_metadata.field_metadata : undefined;
		const documentMetadata = isPlainObject(fieldMetadata) ? fieldMetadata.document_metadata : undefined;
		return {
			fields: isPlainObject(result) ? result : { data: (result ?? null) as IDataObject[] },
			metadata: fieldInfoTree(documentMetadata),
		};
	}
	const metadata = meta.fields !== undefined ? (meta.fields as FieldInfoTree) : fieldInfoTree(meta.field_metadata);
	return { fields: rest, metadata };
}

function valueAt(root: unknown, path: string): unknown {
	let node = root;
	for (const key of path.split('.').filter(Boolean)) {
		if (Array.isArray(node)) node = node[Number(key)];
		else if (isPlainObject(node)) node = node[key];
		else return undefined;
	}
	return node;
}

/** Null, missing, blank text, an empty list or an empty object. */
export function isEmptyValue(value: unknown): boolean {
	if (value === null || value === undefined) return true;
	if (typeof value === 'string') return value.trim() === '';
	if (Array.isArray(value)) return value.length === 0;
	if (isPlainObject(value)) return Object.keys(value).length === 0;
	return false;
}

function asValue(value: unknown): IDataObject[string] {
	return (value === undefined ? null : value) as IDataObject[string];
}

/** Why this item needs review; empty when it passes. */
export function reviewReasons(input: ReviewInput, settings: ReviewSettings): ReviewReason[] {
	const reasons: ReviewReason[] = [];
	for (const [field, confidence] of fieldConfidences(input.metadata)) {
		if (confidence < settings.threshold) {
			reasons.push({
				field,
				value: asValue(valueAt(input.fields, field)),
				rule: 'confidence',
				confidence,
				threshold: settings.threshold,
			});
		}
	}
	for (const field of new Set(settings.requiredFields)) {
		const value = valueAt(input.fields, field);
		if (isEmptyValue(value)) reasons.push({ field, value: asValue(value), rule: 'required' });
	}
	for (const rule of settings.rules) {
		const value = valueAt(input.fields, rule.field);
		if (rule.rule === 'notEmpty') {
			if (isEmptyValue(value)) reasons.push({ field: rule.field, value: asValue(value), rule: 'notEmpty' });
			continue;
		}
		const text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
		if (!new RegExp(rule.pattern ?? '').test(text)) {
			reasons.push({ field: rule.field, value: asValue(value), rule: 'pattern', pattern: rule.pattern ?? '' });
		}
	}
	return reasons;
}

/** Top-level `required` of a JSON Schema (the fields LlamaExtract was told must be there). */
export function requiredOfSchema(schema: unknown): string[] {
	if (!isPlainObject(schema) || !Array.isArray(schema.required)) return [];
	return schema.required.filter((name): name is string => typeof name === 'string');
}

/** A pattern that does not compile, or undefined when every rule is usable. */
export function invalidPattern(rules: ReviewRule[]): { rule: ReviewRule; message: string } | undefined {
	for (const rule of rules) {
		if (rule.rule !== 'pattern') continue;
		try {
			new RegExp(rule.pattern ?? '');
		} catch (error) {
			return { rule, message: (error as Error).message };
		}
	}
	return undefined;
}
