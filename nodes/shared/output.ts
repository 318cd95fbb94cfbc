/**
 * Shaping jobs into n8n items. Simplified output puts the extracted fields at the top of the item, where
 * expressions and IF nodes reach them directly, and keeps the job facts under `_llamaextract`.
 */
import type { IDataObject } from 'n8n-workflow';

import type { ExtractV2Job } from './contract';
import { jobUsage } from './usage';

export interface JobSummary extends IDataObject {
	job_id: string;
	file_id: string;
	status: string;
	usage: IDataObject | null;
	error_message?: string | null;
}

/** `tier`: the one the node asked for, to estimate credits when the job does not carry its configuration. */
export function summarizeJob(job: ExtractV2Job, tier?: string | null): JobSummary {
	const usage = jobUsage(job, tier);
	const summary: JobSummary = {
		job_id: job.id,
		file_id: job.file_input,
		status: job.status,
		usage,
	};
	if (job.error_message) summary.error_message = job.error_message;
	return summary;
}

/** `extract_result` fields at the top level plus `_llamaextract`; a list result goes under `data`. */
export function simplifyJob(job: ExtractV2Job, tier?: string | null): IDataObject {
	const result = job.extract_result;
	const fields: IDataObject = Array.isArray(result)
		? { data: result as IDataObject[] }
		: { ...((result as IDataObject | null | undefined) ?? {}) };
	fields._llamaextract = summarizeJob(job, tier);
	return fields;
}

/* ------------------------------------------------------------------------------------------------
 * Field metadata (citations, confidence) beside the fields.
 *
 * LlamaExtract returns metadata in a tree that mirrors the result under
 * `extract_metadata.field_metadata.{document_metadata | page_metadata[i] | row_metadata[i]}`; a scalar's entry is
 * `{citation: [{page, matching_text, …}], confidence, …}`. Simplified output puts the same tree at
 * `_llamaextract.fields`, with `citation` renamed `citations` (always a list), plus `_llamaextract.min_confidence`,
 * the lowest confidence of any field, so one IF node can route a whole document on `min_confidence < 0.8`.
 * ---------------------------------------------------------------------------------------------- */

export interface Citation extends IDataObject {
	page: number | null;
	matching_text: string | null;
}

export interface FieldInfo extends IDataObject {
	confidence: number | null;
	citations: Citation[];
}

export type FieldInfoTree = FieldInfo | FieldInfoTree[] | { [field: string]: FieldInfoTree };

const ENTRY_KEYS = ['citation', 'citations', 'confidence', 'extraction_confidence', 'parsing_confidence'];

function isPlainObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A metadata leaf (`{citation, confidence}`) as opposed to an object field whose sub-fields are entries. */
function isFieldEntry(value: IDataObject): boolean {
	const keys = Object.keys(value);
	if (!keys.some((key) => ENTRY_KEYS.includes(key))) return false;
	// An object field that happens to have a sub-field called "confidence" holds entries, not numbers.
	return !keys.some((key) => ENTRY_KEYS.includes(key) && isPlainObject(value[key]) && isFieldEntry(value[key] as IDataObject));
}

function toNumber(value: unknown): number | null {
	return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function toCitations(raw: unknown): Citation[] {
	const list = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
	return list.filter(isPlainObject).map((entry) => ({
		...entry,
		page: toNumber(entry.page),
		matching_text: typeof entry.matching_text === 'string' ? entry.matching_text : null,
	}));
}

function normaliseEntry(entry: IDataObject): FieldInfo {
	const { citation, citations, confidence, ...rest } = entry;
	// v1 (and some v2 responses) report `extraction_confidence` where `confidence` is missing.
	const score = toNumber(confidence) ?? toNumber(rest.extraction_confidence);
	return { ...rest, confidence: score, citations: toCitations(citations ?? citation) };
}

/** The documented `_llamaextract.fields` tree for one result object. */
export function fieldInfoTree(metadata: unknown): FieldInfoTree | undefined {
	if (Array.isArray(metadata)) {
		return metadata.map((entry) => fieldInfoTree(entry) ?? {}) as FieldInfoTree[];
	}
	if (!isPlainObject(metadata)) return undefined;
	if (isFieldEntry(metadata)) return normaliseEntry(metadata);
	const tree: { [field: string]: FieldInfoTree } = {};
	for (const [key, child] of Object.entries(metadata)) {
		const converted = fieldInfoTree(child);
		if (converted !== undefined) tree[key] = converted;
	}
	return tree;
}

/** Every field with a confidence, as `[dot path, confidence]`, in document order. */
export function fieldConfidences(tree: FieldInfoTree | undefined, prefix = ''): Array<[string, number]> {
	if (tree === undefined) return [];
	if (!Array.isArray(tree) && Array.isArray(tree.citations) && 'confidence' in tree && !isPlainObject(tree.confidence)) {
		const value = (tree as FieldInfo).confidence;
		return typeof value === 'number' ? [[prefix, value]] : [];
	}
	const children: Array<[string, unknown]> = Array.isArray(tree)
		? tree.map((child, index) => [String(index), child])
		: Object.entries(tree);
	return children.flatMap(([key, child]) =>
		fieldConfidences(child as FieldInfoTree, prefix ? `${prefix}.${key}` : key),
	);
}

/** Lowest confidence anywhere in the tree, or null when no field carries one. */
export function minConfidence(tree: FieldInfoTree | undefined): number | null {
	return fieldConfidences(tree).reduce<number | null>(
		(lowest, [, value]) => (lowest === null || value < lowest ? value : lowest),
		null,
	);
}

function hasEntries(tree: FieldInfoTree | undefined): boolean {
	if (tree === undefined) return false;
	if (Array.isArray(tree)) return tree.length > 0;
	return Object.keys(tree).length > 0;
}

/** Adds `fields` and `min_confidence` to a summary when the job returned field metadata. */
function withFieldInfo(summary: JobSummary, metadata: unknown): JobSummary {
	const tree = fieldInfoTree(metadata);
	if (!hasEntries(tree)) return summary;
	return { ...summary, min_confidence: minConfidence(tree), fields: tree as IDataObject };
}

/* ------------------------------------------------------------------------------------------------
 * Shaping a finished job into output items.
 * ---------------------------------------------------------------------------------------------- */

export interface JobOutputOptions {
	simplify: boolean;
	/** One item per page (per_page) or table row (per_table_row); per_doc results stay one item. */
	splitIntoItems?: boolean;
	/** The tier the node asked for (see summarizeJob). */
	tier?: string | null;
}

function fieldMetadataOf(job: ExtractV2Job): IDataObject {
	const metadata = job.extract_metadata?.field_metadata;
	return isPlainObject(metadata) ? metadata : {};
}

/** Which metadata list goes with a list result: the one the job filled (per_page or per_table_row). */
function listMetadata(job: ExtractV2Job): { kind: 'page' | 'row'; entries: unknown[] } {
	const metadata = fieldMetadataOf(job);
	const target = job.configuration?.extraction_target;
	if (Array.isArray(metadata.row_metadata) && (target === 'per_table_row' || !Array.isArray(metadata.page_metadata))) {
		return { kind: 'row', entries: metadata.row_metadata };
	}
	return {
		kind: target === 'per_table_row' ? 'row' : 'page',
		entries: Array.isArray(metadata.page_metadata) ? metadata.page_metadata : [],
	};
}

/**
 * The JSON of the items a finished job becomes. Simplified: the fields at the top, `_llamaextract` beside them
 * (with `fields`/`min_confidence` when metadata came back). Split: one entry per page or row, each with its
 * `index`, `count` and own metadata. Otherwise the full job, one item.
 */
export function jobToItemsJson(job: ExtractV2Job, options: JobOutputOptions): IDataObject[] {
	const result = job.extract_result;
	if (options.splitIntoItems && Array.isArray(result)) {
		const { kind, entries } = listMetadata(job);
		const summary = summarizeJob(job, options.tier);
		return result.map((entry, index) => {
			const position: IDataObject = { [`${kind}_index`]: index, count: result.length };
			if (options.simplify) {
				return {
					...(entry as IDataObject),
					_llamaextract: { ...withFieldInfo(summary, entries[index]), ...position },
				};
			}
			const metadata = entries[index];
			return {
				...(entry as IDataObject),
				_llamaextract: { ...summary, ...position, ...(metadata === undefined ? {} : { field_metadata: metadata as IDataObject }) },
			};
		});
	}
	if (!options.simplify) return [job as IDataObject];
	const simplified = simplifyJob(job, options.tier);
	const metadata = fieldMetadataOf(job);
	const forResult = Array.isArray(result) ? listMetadata(job).entries : metadata.document_metadata;
	simplified._llamaextract = withFieldInfo(simplified._llamaextract as JobSummary, forResult);
	return [simplified];
}
