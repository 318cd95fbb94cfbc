/**
 * Get Many: extract jobs, newest first, with filters. Pages with the cursor and stops as soon as Limit is reached.
 * API: GET /api/v2/extract?status=&configuration_id=&file_input=&job_ids=&created_at_on_or_after=…
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DOCUMENT_INPUT_TYPES, ExtractV2Job, JOB_STATUSES, LIST_EXPAND_VALUES } from '../../../shared/contract';
import type { Query } from '../../../shared/transport';
import { configurationLocator } from '../../../shared/configurationPicker';
import { choices } from '../../../shared/rules';
import { expandOption } from '../../descriptions/jobOutput';
import { splitList } from '../../descriptions/ids';
import { checkConfigurationId } from '../../descriptions/schemaSource';
import { readLimit, returnAllProperties } from '../../descriptions/returnAll';
import { type Client, filtersCollection, listAsItems, optionsCollection, showFor } from '../common';

const STATUS_CHOICES = choices(JOB_STATUSES, {
	PENDING: 'Pending',
	THROTTLED: 'Throttled',
	RUNNING: 'Running',
	COMPLETED: 'Completed',
	FAILED: 'Failed',
	CANCELLED: 'Cancelled',
});

const properties: INodeProperties[] = [
	...returnAllProperties,
	filtersCollection([
		{
			...configurationLocator,
			name: 'configuration',
			required: false,
			description: 'Only jobs that used this saved configuration',
		},
		{
			displayName: 'Created After',
			name: 'createdAfter',
			type: 'dateTime',
			default: '',
			description: 'Only jobs created at or after this time',
		},
		{
			displayName: 'Created Before',
			name: 'createdBefore',
			type: 'dateTime',
			default: '',
			description: 'Only jobs created at or before this time',
		},
		{
			displayName: 'File Input',
			name: 'fileInput',
			type: 'string',
			default: '',
			placeholder: 'e.g. dfl-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
			description: 'Only jobs that extracted this file (dfl-…) or parse job (pjb-…)',
		},
		{
			displayName: 'Input Kind',
			name: 'documentInputType',
			type: 'options',
			options: choices(DOCUMENT_INPUT_TYPES, { file_id: 'File', parse_job_id: 'Parse Job' }),
			default: 'file_id',
			description: 'Only jobs whose input is a file or a parse job',
		},
		{
			displayName: 'Job IDs',
			name: 'jobIds',
			type: 'string',
			default: '',
			placeholder: 'e.g. ext-aaa…, ext-bbb…',
			description: 'Only these jobs; separate IDs with commas',
		},
		{
			displayName: 'Status',
			name: 'status',
			type: 'options',
			options: STATUS_CHOICES,
			default: 'COMPLETED',
			description: 'Only jobs in this status. Throttled jobs wait for capacity and are not finished.',
		},
	]),
	optionsCollection([expandOption(LIST_EXPAND_VALUES, 'Extra details to include with each job')]),
];

export const description = showFor({ show: { resource: ['extractJob'], operation: ['getAll'] } }, properties);

function isoDate(this: IExecuteFunctions, value: unknown, label: string, itemIndex: number): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const millis = Date.parse(String(value));
	if (Number.isNaN(millis)) {
		throw new NodeOperationError(this.getNode(), `${label} on item ${itemIndex} is not a date: ${JSON.stringify(value)}`, {
			itemIndex,
			description: 'Pick a date and time, or pass an ISO date such as 2026-01-31T00:00:00Z.',
		});
	}
	return new Date(millis).toISOString();
}

export async function execute(this: IExecuteFunctions, client: Client, itemIndex: number): Promise<INodeExecutionData[]> {
	const limit = readLimit.call(this, itemIndex);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const query: Query = {
		status: filters.status ? String(filters.status) : undefined,
		file_input: filters.fileInput ? String(filters.fileInput).trim() : undefined,
		document_input_type: filters.documentInputType ? String(filters.documentInputType) : undefined,
		created_at_on_or_after: isoDate.call(this, filters.createdAfter, 'Created After', itemIndex),
		created_at_on_or_before: isoDate.call(this, filters.createdBefore, 'Created Before', itemIndex),
		expand: (options.expand as string[] | undefined) ?? undefined,
	};
	const configuration = filters.configuration as IDataObject | string | undefined;
	if (configuration && (typeof configuration === 'string' || configuration.value)) {
		query.configuration_id = checkConfigurationId.call(this, configuration, itemIndex);
	}
	const jobIds = splitList(filters.jobIds);
	if (jobIds.length > 0) query.job_ids = jobIds;
	return await listAsItems.call(this, client, { path: '/api/v2/extract', query, limit }, ExtractV2Job, itemIndex);
}
