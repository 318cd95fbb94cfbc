/**
 * Get: one extract job, with its result once it is complete.
 * API: GET /api/v2/extract/{job_id}?expand=configuration&expand=extract_metadata&expand=usage
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { EXPAND_VALUES } from '../../../shared/contract';
import { readId, jobIdParameter } from '../../descriptions/ids';
import {
	expandOption,
	jobOutputItems,
	keepBinaryOption,
	simplifyParameter,
	splitIntoItemsOption,
} from '../../descriptions/jobOutput';
import { type Client, optionsCollection, showFor } from '../common';

const properties: INodeProperties[] = [
	jobIdParameter('ID of the extract job (starts with ext-)'),
	simplifyParameter,
	optionsCollection([
		expandOption(
			EXPAND_VALUES,
			'Extra details to include. With Simplify on, citations and confidence are always fetched.',
		),
		keepBinaryOption,
		splitIntoItemsOption,
	]),
];

export const description = showFor({ show: { resource: ['extractJob'], operation: ['get'] } }, properties);

export async function execute(this: IExecuteFunctions, client: Client, itemIndex: number): Promise<INodeExecutionData[]> {
	const jobId = readId.call(this, itemIndex, 'jobId', 'Job ID', 'extractJob');
	const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const expand = new Set((options.expand as string[] | undefined) ?? []);
	// Simplified output shows citations and confidence beside the fields, so it needs them.
	if (simplify) expand.add('extract_metadata');
	const job = await client.getJob(jobId, { expand: [...expand], itemIndex });
	return jobOutputItems.call(this, job, itemIndex, {
		simplify,
		splitIntoItems: options.splitIntoItems === true,
		keepBinary: options.keepBinary !== false,
	});
}
