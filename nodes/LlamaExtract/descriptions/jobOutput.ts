import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { EXPAND_VALUES, type ExtractConfiguration, type ExtractV2Job } from '../../shared/contract';
import { getExtractJob } from '../../shared/jobs';
import { jobToItemsJson } from '../../shared/output';
import type { LlamaCloudConnection } from '../../shared/transport';
import { wantsFieldMetadata } from './jobRequest';

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

/**
 * Completed jobs that asked for citations or confidence need `extract_metadata`; when the status poll did not
 * carry it, one GET with `expand=extract_metadata` fetches it.
 */
export async function withFieldMetadata(
	this: IExecuteFunctions,
	job: ExtractV2Job,
	itemIndex: number,
	connection: LlamaCloudConnection,
	requested?: ExtractConfiguration,
): Promise<ExtractV2Job> {
	if (job.status !== 'COMPLETED' || job.extract_metadata?.field_metadata) return job;
	if (!wantsFieldMetadata(requested ?? job.configuration)) return job;
	const full = await getExtractJob.call(this, job.id, { expand: ['extract_metadata'], itemIndex }, connection);
	return { ...job, ...full, configuration: full.configuration ?? job.configuration ?? requested };
}

/** Items for one finished job, each paired to its source item, with the input binary unless turned off. */
export function jobOutputItems(
	this: IExecuteFunctions,
	job: ExtractV2Job,
	itemIndex: number,
	options: { simplify: boolean; splitIntoItems?: boolean; keepBinary?: boolean },
): INodeExecutionData[] {
	const binary = options.keepBinary === false ? undefined : this.getInputData()[itemIndex]?.binary;
	return jobToItemsJson(job, options).map((json: IDataObject) => ({
		json,
		pairedItem: { item: itemIndex },
		...(binary ? { binary } : {}),
	}));
}
