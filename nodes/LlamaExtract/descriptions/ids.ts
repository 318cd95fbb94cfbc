import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { ID_PREFIX } from '../../shared/contract';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface IdKind {
	label: string;
	prefix: string;
	/** Where the right kind of ID comes from, for the error description. */
	source: string;
}

const KINDS: Record<'extractJob' | 'file', IdKind> = {
	extractJob: {
		label: 'extract job',
		prefix: ID_PREFIX.extractJob,
		source: 'the "id" of an Extract Job › Create or Get Many result, or "_llamaextract.job_id" of Extract Data',
	},
	file: {
		label: 'file',
		prefix: ID_PREFIX.file,
		source: 'the "id" of a File › Upload result, or "_llamaextract.file_id" of Extract Data',
	},
};

/** "an extract job", "a file". */
function withArticle(label: string): string {
	return `${/^[aeiou]/i.test(label) ? 'an' : 'a'} ${label}`;
}

const OTHER_PREFIXES: Record<string, string> = {
	[ID_PREFIX.extractJob]: 'an extract job',
	[ID_PREFIX.file]: 'a file',
	[ID_PREFIX.parseJob]: 'a parse job',
	[ID_PREFIX.configuration]: 'a saved configuration',
};

export function jobIdParameter(description: string): INodeProperties {
	return {
		displayName: 'Job ID',
		name: 'jobId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. ext-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
		description,
	};
}

export const fileIdParameter: INodeProperties = {
	displayName: 'File ID',
	name: 'fileId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. dfl-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
	description: 'ID of a file in LlamaCloud (starts with dfl-), for example from File › Upload',
};

/**
 * Reads an ID parameter. Unknown formats pass (the API may add new ones), but an ID of another known kind,
 * or a v1 UUID, is caught here with a message that says which ID to use.
 */
export function readId(
	this: IExecuteFunctions,
	itemIndex: number,
	parameterName: string,
	parameterLabel: string,
	kind: keyof typeof KINDS,
): string {
	const expected = KINDS[kind];
	const id = String(this.getNodeParameter(parameterName, itemIndex, '') ?? '').trim();
	if (!id) {
		throw new NodeOperationError(this.getNode(), `The "${parameterLabel}" parameter is empty on item ${itemIndex}`, {
			itemIndex,
			description: `Enter ${withArticle(expected.label)} ID (${expected.prefix}…): ${expected.source}.`,
		});
	}
	const otherPrefix = Object.keys(OTHER_PREFIXES).find((prefix) => prefix !== expected.prefix && id.startsWith(prefix));
	if (otherPrefix) {
		throw new NodeOperationError(
			this.getNode(),
			`The "${parameterLabel}" on item ${itemIndex} is the ID of ${OTHER_PREFIXES[otherPrefix]} ("${id}"), not of ${withArticle(expected.label)}`,
			{ itemIndex, description: `Use ${withArticle(expected.label)} ID (${expected.prefix}…): ${expected.source}.` },
		);
	}
	if (UUID.test(id)) {
		throw new NodeOperationError(
			this.getNode(),
			`The "${parameterLabel}" on item ${itemIndex} looks like a v1 ID ("${id}"), not ${withArticle(expected.label)} ID`,
			{
				itemIndex,
				description: `v2 ${expected.label} IDs start with ${expected.prefix}. For v1 extraction jobs and agents, use the Legacy Agent (V1) resource.`,
			},
		);
	}
	return id;
}

/** Accepts `a, b` text or an array from an expression. */
export function splitList(value: unknown): string[] {
	const parts = Array.isArray(value) ? value.map(String) : String(value ?? '').split(',');
	return parts.map((part) => part.trim()).filter(Boolean);
}
