import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { requireId } from '../../shared/fileChecks';

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

/** Reads an ID parameter and checks it with the shared ID rule (rules.ts `checkId`) before it costs a round trip. */
export function readId(
	this: IExecuteFunctions,
	itemIndex: number,
	parameterName: string,
	parameterLabel: string,
	kind: 'extractJob' | 'file',
): string {
	return requireId(this.getNode(), this.getNodeParameter(parameterName, itemIndex, ''), [kind], parameterLabel, itemIndex);
}

/** Accepts `a, b` text or an array from an expression. */
export function splitList(value: unknown): string[] {
	const parts = Array.isArray(value) ? value.map(String) : String(value ?? '').split(',');
	return parts.map((part) => part.trim()).filter(Boolean);
}
