/**
 * LlamaCloud's rules, written once for the node and the emulator: size limits, the data_schema limits, the
 * target_pages syntax, the kinds of ID, the region hosts and the documented tier/target lists.
 * Sources are in emulator/vendor/llamacloud/API.md (section numbers below). Pure: no n8n or node: imports.
 */
import { EXTRACTION_TARGETS, ID_PREFIX, PARSE_TIERS, TIERS } from './contract';

/* ------------------------------------------------------------------------------------------------
 * Hosts (API.md §1). Keys belong to one region.
 * ---------------------------------------------------------------------------------------------- */

export const REGION_BASE_URLS = {
	us: 'https://api.cloud.llamaindex.ai',
	eu: 'https://api.cloud.eu.llamaindex.ai',
} as const;

/** "the US region" for a base URL on a LlamaCloud host; undefined for a custom or unparsable one. */
export function regionOfBaseUrl(baseUrl: string): string | undefined {
	const host = /^https?:\/\/([^/?#]+)/i.exec(baseUrl.trim())?.[1]?.toLowerCase();
	if (host === new URL(REGION_BASE_URLS.us).host) return 'the US region';
	if (host === new URL(REGION_BASE_URLS.eu).host) return 'the EU region';
	return undefined;
}

/* ------------------------------------------------------------------------------------------------
 * Limits (API.md §3, §9.3; file_input maxLength from the OpenAPI document).
 * ---------------------------------------------------------------------------------------------- */

const MB = 1024 * 1024;

export const LIMITS = {
	/** Platform maximum for one upload. */
	uploadBytes: 512 * MB,
	/** Largest file an extraction reads. */
	extractBytes: 100 * MB,
	/** `file_input` is a string of at most 200 characters. */
	idChars: 200,
	schemaDepth: 7,
	schemaProperties: 5000,
	/** All strings of the schema together: names, descriptions, enum values… */
	schemaStringChars: 120_000,
	/** A range wider than this is a typo (no document has that many pages), not a page list to expand. */
	pageRangeWidth: 100_000,
} as const;

/**
 * LlamaCloud's documented rate limits: uploads per project, and every request of a free-tier organization. The
 * node's pacer starts from them and the emulator enforces them; what a refused request costs is not documented.
 */
export const RATE_LIMITS = {
	/** `POST /api/v1/beta/files`, per project. */
	uploads: { requests: 50, windowMs: 5_000 },
	/** Every request of a free-tier organization. */
	freeTier: { requests: 20, windowMs: 60_000 },
} as const;

/** The size limits in words, for errors about a file that is too large. */
export const SIZE_LIMITS_TEXT = `LlamaCloud accepts files up to ${LIMITS.uploadBytes / MB} MB for upload and ${LIMITS.extractBytes / MB} MB for extraction.`;

/* ------------------------------------------------------------------------------------------------
 * data_schema limits. The docs give "nesting within 7 levels", "5,000 properties", "120,000 characters of
 * strings" but not how levels are counted. Rule used here: every schema nested under `properties` or `items`
 * is one level deeper than its parent (a list of objects is two levels: the list, then its item), while
 * anyOf/oneOf/allOf options sit at the level of the schema holding them. Counting `items` is the stricter of the
 * two readings, so a schema that passes here is within the limit whichever way the server counts. Properties are
 * every key of every `properties` object, wherever it sits. Local `$ref`s are inlined first (as the server
 * normalises them), so a definition used twice counts twice.
 * ---------------------------------------------------------------------------------------------- */

export type SchemaPath = Array<string | number>;
export interface RuleProblem {
	path: SchemaPath;
	message: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Inlines `#/$defs/X` and `#/definitions/X` references and drops the definitions; refuses others and recursion. */
export function inlineLocalRefs(root: Record<string, unknown>): { schema: Record<string, unknown> } | { problem: RuleProblem } {
	const definitions: Record<string, unknown> = {
		...(isObject(root.$defs) ? root.$defs : {}),
		...(isObject(root.definitions) ? root.definitions : {}),
	};
	let problem: RuleProblem | undefined;
	const inline = (node: unknown, path: SchemaPath, trail: string[]): unknown => {
		if (problem) return node;
		if (Array.isArray(node)) return node.map((entry, index) => inline(entry, [...path, index], trail));
		if (!isObject(node)) return node;
		if (typeof node.$ref === 'string') {
			const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(node.$ref);
			if (!match || !(match[2] in definitions)) {
				problem = { path: [...path, '$ref'], message: `Cannot resolve $ref "${node.$ref}": only local #/$defs/... references are supported` };
				return {};
			}
			if (trail.includes(match[2])) {
				problem = { path: [...path, '$ref'], message: `Recursive $ref "${node.$ref}" is not supported` };
				return {};
			}
			const siblings: Record<string, unknown> = { ...node };
			delete siblings.$ref;
			const target = inline(definitions[match[2]], path, [...trail, match[2]]);
			return isObject(target) ? { ...target, ...siblings } : target;
		}
		const copy: Record<string, unknown> = {};
		for (const [key, value] of Object.entries(node)) {
			if (path.length === 0 && (key === '$defs' || key === 'definitions')) continue;
			copy[key] = inline(value, [...path, key], trail);
		}
		return copy;
	};
	const schema = inline(root, [], []) as Record<string, unknown>;
	return problem ? { problem } : { schema };
}

export interface SchemaSize {
	depth: number;
	properties: number;
	stringChars: number;
}

/** Depth, property count and string characters of a schema whose `$ref`s are already inlined. */
export function measureSchema(schema: unknown): SchemaSize {
	const size: SchemaSize = { depth: 0, properties: 0, stringChars: 0 };
	const countStrings = (node: unknown): void => {
		if (typeof node === 'string') size.stringChars += node.length;
		else if (Array.isArray(node)) node.forEach(countStrings);
		else if (isObject(node)) {
			for (const [key, value] of Object.entries(node)) {
				size.stringChars += key.length;
				countStrings(value);
			}
		}
	};
	countStrings(schema);
	const walk = (node: unknown, depth: number): void => {
		if (!isObject(node)) return;
		size.depth = Math.max(size.depth, depth);
		if (isObject(node.properties)) {
			for (const child of Object.values(node.properties)) {
				size.properties++;
				walk(child, depth + 1);
			}
		}
		if (isObject(node.items)) walk(node.items, depth + 1);
		for (const key of ['anyOf', 'oneOf', 'allOf']) {
			const options = node[key];
			if (Array.isArray(options)) options.forEach((option) => walk(option, depth));
		}
	};
	walk(schema, 0);
	return size;
}

export interface SchemaLimitProblem {
	limit: 'schemaDepth' | 'schemaProperties' | 'schemaStringChars';
	/** Completes "The schema …". */
	message: string;
}

/** The first documented limit an (inlined) schema breaks, or undefined. */
export function schemaLimitProblem(schema: unknown): SchemaLimitProblem | undefined {
	const size = measureSchema(schema);
	if (size.depth > LIMITS.schemaDepth) {
		return { limit: 'schemaDepth', message: `is nested ${size.depth} levels deep; LlamaExtract allows at most ${LIMITS.schemaDepth}` };
	}
	if (size.properties > LIMITS.schemaProperties) {
		return { limit: 'schemaProperties', message: `has ${size.properties} properties; LlamaExtract allows at most ${LIMITS.schemaProperties}` };
	}
	if (size.stringChars > LIMITS.schemaStringChars) {
		return {
			limit: 'schemaStringChars',
			message: `has ${size.stringChars} characters of names and text; LlamaExtract allows at most ${LIMITS.schemaStringChars}`,
		};
	}
	return undefined;
}

/* ------------------------------------------------------------------------------------------------
 * target_pages (API.md §3: 1-based, "1,3,5-7"; OAS: "comma-separated page numbers or ranges"). Spaces around
 * numbers, commas and dashes are allowed ("1, 3, 5 - 7"): the meaning is unambiguous, and the node sends the
 * normalised form ("1,3,5-7"), so nothing the server might read differently leaves the node.
 * ---------------------------------------------------------------------------------------------- */

const PAGE_PART = /^(\d+)(?:\s*-\s*(\d+))?$/;

export type TargetPages = { pages: string; ranges: Array<[number, number]> } | { problem: string };

/** Parses a non-empty page list; `pages` is the normalised text. Empty text means "all pages" and is the caller's case. */
export function parseTargetPages(text: string): TargetPages {
	const parts = text.split(',').map((part) => part.trim());
	const ranges: Array<[number, number]> = [];
	for (const part of parts) {
		if (part === '') return { problem: `"${text.trim()}" has an empty entry between commas` };
		const match = PAGE_PART.exec(part);
		if (!match) return { problem: `"${part}" is not a page number or a range like 5-7` };
		const first = Number(match[1]);
		const last = match[2] === undefined ? first : Number(match[2]);
		if (first < 1 || last < 1) return { problem: `pages start at 1, so "${part}" is not valid` };
		if (last < first) return { problem: `the range "${part}" ends before it starts` };
		if (last - first > LIMITS.pageRangeWidth) return { problem: `the range "${part}" spans more than ${LIMITS.pageRangeWidth} pages` };
		ranges.push([first, last]);
	}
	return { pages: ranges.map(([first, last]) => (first === last ? `${first}` : `${first}-${last}`)).join(','), ranges };
}

/* ------------------------------------------------------------------------------------------------
 * IDs (API.md §6): v2 IDs carry a kind prefix; v1 IDs are bare UUIDs.
 * ---------------------------------------------------------------------------------------------- */

/** As text for n8n's `regex` validators, which take a string. */
export const UUID_REGEX_SOURCE = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
export const UUID_PATTERN = new RegExp(UUID_REGEX_SOURCE);

export interface IdKind {
	prefix: string;
	/** "extract job", "file"… */
	label: string;
	/** Where the right kind of ID comes from, for error descriptions. */
	source: string;
	/** What a bare UUID given here most likely is: the v1 object this kind replaced, and what to do with it. */
	v1: { label: string; hint: string };
}

export const ID_KINDS = {
	extractJob: {
		prefix: ID_PREFIX.extractJob,
		label: 'extract job',
		source: 'the "id" of an Extract Job › Create or Get Many result, or "_llamaextract.job_id" of Extract Data',
		v1: { label: 'extraction job', hint: 'For v1 extraction jobs and agents, use the Legacy Agent (V1) resource.' },
	},
	file: {
		prefix: ID_PREFIX.file,
		label: 'file',
		source: 'the "id" of a File › Upload result, or "_llamaextract.file_id" of Extract Data',
		v1: { label: 'file', hint: 'Upload the file again with File › Upload to get a v2 file ID.' },
	},
	parseJob: {
		prefix: ID_PREFIX.parseJob,
		label: 'parse job',
		source: 'the "id" of a completed LlamaParse job',
		v1: { label: 'parse job', hint: 'Run the parse with LlamaParse v2, or pass the file ID instead.' },
	},
	configuration: {
		prefix: ID_PREFIX.configuration,
		label: 'configuration',
		source: 'pick one from the Configuration list, or take the "id" of a Configuration › Create or Get Many result',
		v1: {
			label: 'extraction agent',
			hint: 'Use the Legacy Agent (V1) resource for v1 agents, or migrate the agent to a saved configuration.',
		},
	},
} as const satisfies Record<string, IdKind>;

export type IdKindName = keyof typeof ID_KINDS;

/** "an extract job", "a file". */
export function withArticle(label: string): string {
	return `${/^[aeiou]/i.test(label) ? 'an' : 'a'} ${label}`;
}

export type IdCheck =
	| { id: string }
	| { problem: 'empty' | 'tooLong' | 'otherKind' | 'v1' | 'unknown'; message: string; hint: string };

/**
 * Checks an ID against the kinds a field accepts. The rule: trimmed, not empty, at most 200 characters, and
 * starting with the prefix of an accepted kind (prefixes are documented and stable, so anything else would only
 * cost a round trip and a 404, or a filter that never matches). The ID of another known kind and a v1 UUID get
 * their own message. `message` completes "The "<parameter>" on item N …"; `hint` says where to get the right ID.
 */
export function checkId(value: unknown, accepted: readonly IdKindName[]): IdCheck {
	const id = String(value ?? '').trim();
	const kinds: IdKind[] = accepted.map((name) => ID_KINDS[name]);
	const labels = kinds.map((kind) => kind.label).join(' or ');
	const prefixes = kinds.map((kind) => kind.prefix).join(' or ');
	const wanted = `${withArticle(labels)} ID (${kinds.map((kind) => `${kind.prefix}…`).join(' or ')})`;
	const where = `${wanted}: ${kinds.map((kind) => kind.source).join('; or ')}.`;
	const hint = `Use ${where}`;
	if (!id) return { problem: 'empty', message: 'is empty', hint: `Enter ${where}` };
	if (id.length > LIMITS.idChars) {
		return { problem: 'tooLong', message: `is longer than ${LIMITS.idChars} characters`, hint: 'Pass the ID only, not a URL or the file contents.' };
	}
	if (kinds.some((kind) => id.startsWith(kind.prefix))) return { id };
	const other = Object.values(ID_KINDS).find((kind: IdKind) => id.startsWith(kind.prefix));
	if (other) {
		return { problem: 'otherKind', message: `is the ID of ${withArticle(other.label)} ("${id}"), not of ${withArticle(labels)}`, hint };
	}
	if (UUID_PATTERN.test(id)) {
		return {
			problem: 'v1',
			message: `looks like a v1 ${kinds[0].v1.label} ID ("${id}"), not a v2 ${labels} ID`,
			hint: `v2 ${labels} IDs start with ${prefixes}. ${kinds[0].v1.hint}`,
		};
	}
	return { problem: 'unknown', message: `("${id}") is not ${wanted}`, hint };
}

/* ------------------------------------------------------------------------------------------------
 * Documented choices, with the labels the node's dropdowns show (API.md §3; credits per page from the OAS).
 * ---------------------------------------------------------------------------------------------- */

export interface Choice {
	name: string;
	value: string;
	description?: string;
}

/**
 * Dropdown entries for every value of a contract list (the Record type makes a missing label a compile error), by
 * name. A label is the entry's name, or its name and description.
 */
export function choices<T extends string>(
	values: readonly T[],
	labels: Record<T, string | Omit<Choice, 'value'>>,
): Choice[] {
	return values
		.map((value) => {
			const label: string | Omit<Choice, 'value'> = labels[value];
			return { ...(typeof label === 'string' ? { name: label } : label), value };
		})
		.sort((a, b) => a.name.localeCompare(b.name));
}

export const TIER_CHOICES = choices(TIERS, {
	cost_effective: { name: 'Cost Effective', description: '5 credits per page' },
	agentic: { name: 'Agentic', description: '15 credits per page; harder documents' },
	agentic_plus: { name: 'Agentic Plus', description: '50 credits per page; the most accurate' },
});

export const EXTRACTION_TARGET_CHOICES = choices(EXTRACTION_TARGETS, {
	per_doc: { name: 'Per Document', description: 'One result for the whole document' },
	per_page: { name: 'Per Page', description: 'One result for each page' },
	per_table_row: { name: 'Per Table Row', description: 'One result for each table row; the schema describes one row' },
});

/** The empty value sends no `parse_tier`, which the API reads as "same as the extract tier". */
export const PARSE_TIER_CHOICES = [
	...choices(PARSE_TIERS, {
		fast: { name: 'Fast' },
		cost_effective: { name: 'Cost Effective' },
		agentic: { name: 'Agentic' },
		agentic_plus: { name: 'Agentic Plus' },
	}),
	{ name: 'Default (Same as Extract Tier)', value: '' },
].sort((a, b) => a.name.localeCompare(b.name));
