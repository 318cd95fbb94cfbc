import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { EXPAND_VALUES, type ExtractV2Job } from '../../shared/contract';
import { jobToItemsJson } from '../../shared/output';
import { maxConcurrencyOption } from './batchOptions';
import { waitOptions } from './waitOptions';

export const simplifyParameter: INodeProperties = {
	displayName: 'Simplify',
	name: 'simplify',
	type: 'boolean',
	default: true,
	description:
		'Whether to put the extracted fields at the top level of the item (job details, citations and confidence under _llamaextract) instead of returning the full job object',
};

export const splitIntoItemsOption: INodeProperties = {
	displayName: 'Split Into Items',
	name: 'splitIntoItems',
	type: 'boolean',
	default: false,
	description:
		'Whether to output one item per page or table row when Extraction Target is Per Page or Per Table Row, instead of one item with a list',
};

const EXPAND_LABELS: Record<(typeof EXPAND_VALUES)[number], string> = {
	configuration: 'Configuration',
	extract_metadata: 'Extract Metadata (Citations, Confidence)',
	usage: 'Usage (Credits)',
};

/** The Expand option for the `expand` values an endpoint supports. */
export function expandOption(values: readonly string[], description: string): INodeProperties {
	return {
		displayName: 'Expand',
		name: 'expand',
		type: 'multiOptions',
		options: EXPAND_VALUES.filter((value) => values.includes(value)).map((value) => ({
			name: EXPAND_LABELS[value],
			value,
		})),
		default: [],
		description,
	};
}

export const keepBinaryOption: INodeProperties = {
	displayName: 'Include Input Binary',
	name: 'keepBinary',
	type: 'boolean',
	default: true,
	description: 'Whether to pass the input binary data through to the output item',
};

/** The Options of the operations that wait for a job and output its result (Extract Data, Wait for Completion). */
/** What users change most first: waiting, then the output shape, then batch tuning. */
export const waitForResultOptions: INodeProperties[] = [
	...waitOptions,
	splitIntoItemsOption,
	keepBinaryOption,
	maxConcurrencyOption,
];

/** Items for one finished job, each paired to its source item, with the input binary unless turned off. */
export function jobOutputItems(
	this: IExecuteFunctions,
	job: ExtractV2Job,
	itemIndex: number,
	options: { simplify: boolean; splitIntoItems?: boolean; keepBinary?: boolean; tier?: string | null },
): INodeExecutionData[] {
	const binary = options.keepBinary === false ? undefined : this.getInputData()[itemIndex]?.binary;
	return jobToItemsJson(job, options).map((json: IDataObject) => ({
		json,
		pairedItem: { item: itemIndex },
		...(binary ? { binary } : {}),
	}));
}
