 
/**
 * The emulator's extraction engine: deterministic, no model, right on documents that label their
 * values ("Total: $1,234.00") and lay lists out as simple tables.
 *
 * - Scalars: every "Label: value" pair (same cell, next cell, or next line) and every 2-cell line is
 *   a candidate; the best label score wins (see labels.ts), ties go to the earlier text. A value that
 *   cannot be read as the property's type is skipped. A label that names a sibling property exactly
 *   is not borrowed by a weaker match.
 * - Objects recurse; nested fields also answer to "Parent Field" labels.
 * - Arrays of objects come from table rows under a header whose cells name the item properties.
 *   Cells are matched to header columns by position, so empty cells do not shift values.
 * - per_page runs the per_doc extraction once per page; per_table_row returns the rows of every
 *   table whose header matches the root schema.
 * Metadata mirrors the result: a scalar gets `{citation: [{page, matching_text}], confidence}`, an
 * array a list of per-item entries, an object its own entries.
 */
import type { Cell, Line, ParsedDocument } from './document';
import { labelScore, propertyLabels, round, SCORE_EXACT_TITLE, type PropertyLabels } from './labels';
import { selectPages } from './pages';
import { coerce, itemsOf, kindOf, propertiesOf, type JsonSchema } from './values';

export type ExtractionTarget = 'per_doc' | 'per_page' | 'per_table_row';

export interface Citation {
	page: number;
	matching_text: string;
}

export interface FieldEntry {
	citation: Citation[];
	confidence: number;
}

export type FieldMetadata = FieldEntry | FieldMetadata[] | { [field: string]: FieldMetadata };
export type MetadataObject = Record<string, FieldMetadata>;

export interface ExtractionRequest {
	schema: JsonSchema;
	target?: ExtractionTarget;
	targetPages?: string | null;
	maxPages?: number | null;
}

export interface ExtractionOutput {
	result: Record<string, unknown> | Array<Record<string, unknown>>;
	fieldMetadata: {
		document_metadata?: MetadataObject;
		page_metadata?: MetadataObject[];
		row_metadata?: MetadataObject[];
	};
	/** The 1-based pages that were read (after target_pages / max_pages). */
	pages: number[];
}

export function extract(document: ParsedDocument, request: ExtractionRequest): ExtractionOutput {
	const pages = selectPages(document.pages.length, request.targetPages, request.maxPages);
	const pageLines = pages.map((number) => document.pages[number - 1].lines);
	const target = request.target ?? 'per_doc';

	if (target === 'per_page') {
		const results = pageLines.map((lines) => extractObject(request.schema, new Scope(lines), []));
		return {
			result: results.map((entry) => entry.value),
			fieldMetadata: { page_metadata: results.map((entry) => entry.meta) },
			pages,
		};
	}
	const scope = new Scope(pageLines.flat());
	if (target === 'per_table_row') {
		const rows = tableRows(request.schema, scope);
		return {
			result: rows.map((row) => row.value),
			fieldMetadata: { row_metadata: rows.map((row) => row.meta) },
			pages,
		};
	}
	const document_ = extractObject(request.schema, scope, []);
	return { result: document_.value, fieldMetadata: { document_metadata: document_.meta }, pages };
}

/* ------------------------------------------------------------------------------------------------
 * Candidates
 * ---------------------------------------------------------------------------------------------- */

interface KeyValue {
	label: string;
	value: string;
	page: number;
	/** A value found on the next line or in an unlabelled 2-cell line is a little less certain. */
	penalty: number;
}

/** "Label:" with letters in it, so times ("10:30") and URLs are not labels. */
const LABEL_PATTERN = /^([^:]{0,60}[A-Za-z#][^:]{0,60}?)\s*:\s*(.*)$/;

function isLabelCell(cell: Cell): boolean {
	return LABEL_PATTERN.test(cell.text);
}

class Scope {
	readonly keyValues: KeyValue[];

	constructor(readonly lines: Line[]) {
		this.keyValues = collectKeyValues(lines);
	}
}

function collectKeyValues(lines: Line[]): KeyValue[] {
	const pairs: KeyValue[] = [];
	lines.forEach((line, lineIndex) => {
		const next = lines[lineIndex + 1];
		line.cells.forEach((cell, cellIndex) => {
			const match = LABEL_PATTERN.exec(cell.text);
			if (!match) return;
			const label = match[1].trim();
			const value = match[2].trim();
			if (value !== '') {
				pairs.push({ label, value, page: line.page, penalty: 0 });
				return;
			}
			const following = line.cells[cellIndex + 1];
			if (following && !isLabelCell(following)) {
				pairs.push({ label, value: following.text, page: line.page, penalty: 0 });
			} else if (!following && line.cells.length === 1 && next && next.page === line.page && !isLabelCell(next.cells[0])) {
				pairs.push({ label, value: next.cells[0].text, page: line.page, penalty: 0.05 });
			}
		});
		if (line.cells.length === 2 && !line.cells.some(isLabelCell)) {
			pairs.push({ label: line.cells[0].text, value: line.cells[1].text, page: line.page, penalty: 0.02 });
		}
	});
	return pairs;
}

/* ------------------------------------------------------------------------------------------------
 * Objects and scalars
 * ---------------------------------------------------------------------------------------------- */

interface Extracted<T> {
	value: T;
	meta: FieldMetadata;
}

const NOT_FOUND: FieldEntry = { citation: [], confidence: 0 };

function extractObject(
	schema: JsonSchema,
	scope: Scope,
	parents: string[],
): { value: Record<string, unknown>; meta: MetadataObject } {
	const properties = propertiesOf(schema);
	const labels = Object.fromEntries(
		Object.entries(properties).map(([name, property]) => [name, propertyLabels(name, property, parents)]),
	);
	const value: Record<string, unknown> = {};
	const meta: MetadataObject = {};
	for (const [name, property] of Object.entries(properties)) {
		const siblings = Object.entries(labels)
			.filter(([other]) => other !== name)
			.map(([, otherLabels]) => otherLabels);
		const kind = kindOf(property);
		let found: Extracted<unknown>;
		if (kind === 'object') {
			found = extractObject(property, scope, [...parents, name]);
		} else if (kind === 'array') {
			const items = itemsOf(property);
			if (kindOf(items) === 'object') {
				const rows = tableRows(items, scope);
				found = { value: rows.map((row) => row.value), meta: rows.map((row) => row.meta) };
			} else {
				found = scalarList(items, labels[name], siblings, scope);
			}
		} else {
			found = scalar(property, labels[name], siblings, scope);
		}
		value[name] = found.value;
		meta[name] = found.meta;
	}
	return { value, meta };
}

interface Candidate {
	value: unknown;
	text: string;
	page: number;
	score: number;
}

function bestCandidate(
	labels: PropertyLabels,
	siblings: PropertyLabels[],
	scope: Scope,
	read: (text: string) => { ok: true; value: unknown } | { ok: false },
): Candidate | undefined {
	let best: Candidate | undefined;
	const consider = (candidate: Candidate) => {
		if (!best || candidate.score > best.score) best = candidate;
	};
	for (const pair of scope.keyValues) {
		const score = labelScore(pair.label, labels);
		if (score <= 0) continue;
		if (score < SCORE_EXACT_TITLE && siblings.some((other) => labelScore(pair.label, other) >= SCORE_EXACT_TITLE)) continue;
		const read_ = read(pair.value);
		if (!read_.ok) continue;
		consider({ value: read_.value, text: pair.value, page: pair.page, score: score - pair.penalty });
	}
	// "Invoice Number INV-7" with no colon: only an exact label counts here.
	for (const line of scope.lines) {
		for (const cell of line.cells) {
			if (isLabelCell(cell)) continue;
			const tokens = [...cell.text.matchAll(/[A-Za-z0-9#]+/g)];
			for (let count = 1; count < Math.min(tokens.length, 7); count++) {
				const end = (tokens[count - 1].index ?? 0) + tokens[count - 1][0].length;
				const score = labelScore(cell.text.slice(0, end), labels);
				if (score < SCORE_EXACT_TITLE) continue;
				const rest = cell.text.slice(end).replace(/^[\s:#.\-–]+/, '');
				if (rest === '') continue;
				const read_ = read(rest);
				if (read_.ok) consider({ value: read_.value, text: rest, page: line.page, score: score - 0.06 });
			}
		}
	}
	return best;
}

function scalar(schema: JsonSchema, labels: PropertyLabels, siblings: PropertyLabels[], scope: Scope): Extracted<unknown> {
	const found = bestCandidate(labels, siblings, scope, (text) => coerce(text, schema));
	if (!found) return { value: null, meta: NOT_FOUND };
	return { value: found.value, meta: entry(found.page, found.text, found.score) };
}

/** `tags: string[]` from "Tags: a, b; c". */
function scalarList(
	items: JsonSchema,
	labels: PropertyLabels,
	siblings: PropertyLabels[],
	scope: Scope,
): Extracted<unknown[]> {
	const found = bestCandidate(labels, siblings, scope, (text) => {
		const parts = text.split(/\s*[,;]\s*|\s+and\s+/).filter((part) => part.trim() !== '');
		const values: unknown[] = [];
		for (const part of parts) {
			const read = coerce(part, items);
			if (!read.ok) return { ok: false };
			values.push(read.value);
		}
		return values.length > 0 ? { ok: true, value: values } : { ok: false };
	});
	if (!found) return { value: [], meta: [] };
	const values = found.value as unknown[];
	return { value: values, meta: values.map(() => entry(found.page, found.text, found.score)) };
}

function entry(page: number, text: string, score: number): FieldEntry {
	return { citation: [{ page, matching_text: text }], confidence: round(score) };
}

/* ------------------------------------------------------------------------------------------------
 * Tables
 * ---------------------------------------------------------------------------------------------- */

interface Column {
	property: string;
	cell: Cell;
	score: number;
}

interface Header {
	cells: Cell[];
	columns: Column[];
}

function tableRows(itemSchema: JsonSchema, scope: Scope): Array<{ value: Record<string, unknown>; meta: MetadataObject }> {
	const properties = propertiesOf(itemSchema);
	const scalarNames = Object.keys(properties).filter((name) => {
		const kind = kindOf(properties[name]);
		return kind !== 'object' && kind !== 'array';
	});
	if (scalarNames.length === 0) return [];
	const labels = Object.fromEntries(scalarNames.map((name) => [name, propertyLabels(name, properties[name])]));
	const numericColumns = scalarNames.filter((name) => ['number', 'integer'].includes(kindOf(properties[name]) ?? ''));

	const rows: Array<{ value: Record<string, unknown>; meta: MetadataObject }> = [];
	let header: Header | undefined;
	let headerPage = 0;
	for (const line of scope.lines) {
		const asHeader = readHeader(line, scalarNames, labels);
		if (asHeader) {
			header = asHeader;
			headerPage = line.page;
			continue;
		}
		if (!header || line.page !== headerPage) {
			header = undefined;
			continue;
		}
		const row = readRow(line, header, properties, numericColumns);
		if (!row) {
			header = undefined;
			continue;
		}
		rows.push(row);
	}
	return rows;
}

function readHeader(line: Line, names: string[], labels: Record<string, PropertyLabels>): Header | undefined {
	if (line.cells.length < 2 || line.cells.some(isLabelCell)) return undefined;
	const pairs: Column[] = [];
	for (const name of names) {
		for (const cell of line.cells) {
			const score = labelScore(cell.text, labels[name]);
			if (score >= 0.6) pairs.push({ property: name, cell, score });
		}
	}
	pairs.sort((a, b) => b.score - a.score);
	const columns: Column[] = [];
	for (const pair of pairs) {
		if (columns.some((column) => column.property === pair.property || column.cell === pair.cell)) continue;
		columns.push(pair);
	}
	if (columns.length < Math.min(2, names.length)) return undefined;
	return { cells: line.cells, columns };
}

function readRow(
	line: Line,
	header: Header,
	properties: Record<string, JsonSchema>,
	numericColumns: string[],
): { value: Record<string, unknown>; meta: MetadataObject } | undefined {
	if (line.cells.length < 2 || line.cells.some(isLabelCell)) return undefined;
	const placed = placeCells(header.cells, line.cells);
	const value: Record<string, unknown> = {};
	const meta: MetadataObject = {};
	let filled = 0;
	let numericRead = 0;
	for (const name of Object.keys(properties)) {
		const column = header.columns.find((candidate) => candidate.property === name);
		const text = column ? placed.get(column.cell) : undefined;
		if (!column || text === undefined) {
			value[name] = kindOf(properties[name]) === 'array' ? [] : null;
			meta[name] = kindOf(properties[name]) === 'array' ? [] : NOT_FOUND;
			continue;
		}
		filled++;
		const read = coerce(text, properties[name]);
		if (read.ok) {
			value[name] = read.value;
			meta[name] = entry(line.page, text, column.score);
			if (numericColumns.includes(name)) numericRead++;
		} else {
			value[name] = null;
			meta[name] = { citation: [{ page: line.page, matching_text: text }], confidence: 0 };
		}
	}
	if (filled < Math.min(2, header.columns.length)) return undefined;
	if (numericColumns.some((name) => header.columns.some((column) => column.property === name)) && numericRead === 0) {
		return undefined;
	}
	return { value, meta };
}

/** Puts each row cell under a header cell: by index when the counts agree, else by horizontal overlap. */
function placeCells(headerCells: Cell[], rowCells: Cell[]): Map<Cell, string> {
	const placed = new Map<Cell, string>();
	if (headerCells.length === rowCells.length) {
		headerCells.forEach((cell, index) => placed.set(cell, rowCells[index].text));
		return placed;
	}
	for (const cell of rowCells) {
		let target = headerCells[0];
		let bestOverlap = -Infinity;
		for (const candidate of headerCells) {
			const overlap = Math.min(candidate.end, cell.end) - Math.max(candidate.start, cell.start);
			const centreDistance = Math.abs((candidate.start + candidate.end) / 2 - (cell.start + cell.end) / 2);
			// Overlap first; without any overlap, the nearest column centre.
			const fit = overlap > 0 ? overlap : -centreDistance - 1e6;
			if (fit > bestOverlap) {
				bestOverlap = fit;
				target = candidate;
			}
		}
		const existing = placed.get(target);
		placed.set(target, existing === undefined ? cell.text : `${existing} ${cell.text}`);
	}
	return placed;
}
