import type { INodeProperties } from 'n8n-workflow';

import { FINAL_STATUSES } from '../shared/contract';
import { filtersCollection } from '../shared/collections';
import { configurationLocator } from '../shared/configurationPicker';

const configurationFilter: INodeProperties = {
	...configurationLocator,
	required: false,
	description:
		'Only jobs that ran with this saved extract configuration. Leave empty to watch every extract job in the project.',
};

const fileInputFilter: INodeProperties = {
	displayName: 'File or Parse Job ID',
	name: 'fileInput',
	type: 'string',
	default: '',
	placeholder: 'e.g. dfl-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
	description: 'Only jobs that extracted this file (dfl-…) or parse job (pjb-…)',
};

/** Event → the final statuses it fires on. */
export const EVENT_STATUSES: Record<string, readonly string[]> = {
	any: FINAL_STATUSES,
	cancelled: ['CANCELLED'],
	completed: ['COMPLETED'],
	failed: ['FAILED'],
};

export const triggerProperties: INodeProperties[] = [
	{
		displayName: 'Event',
		name: 'event',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Any Final Status',
				value: 'any',
				description: 'A job completed, failed or was cancelled',
			},
			{
				name: 'Job Cancelled',
				value: 'cancelled',
				description: 'A job was cancelled before it finished',
			},
			{
				name: 'Job Completed',
				value: 'completed',
				description: 'A job finished and its extracted data is ready',
			},
			{
				name: 'Job Failed',
				value: 'failed',
				description: 'A job ended with an error (see error_message)',
			},
		],
		default: 'completed',
	},
	{
		// Version 1 kept Configuration outside Filters; its saved workflows and active triggers still read it there.
		...configurationFilter,
		displayOptions: { show: { '@version': [1] } },
	},
	filtersCollection([configurationFilter, fileInputFilter], {
		displayOptions: { show: { '@version': [{ _cnd: { gte: 2 } }] } },
	}),
	filtersCollection([fileInputFilter], { displayOptions: { show: { '@version': [1] } } }),
	// Written out (not optionsCollection) so n8n's lint checks the order of these options.
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Include Field Metadata',
				name: 'includeMetadata',
				type: 'boolean',
				default: false,
				description:
					'Whether to fetch citations and confidence scores (extract_metadata) with each result, if the job produced them',
			},
			{
				displayName: 'Include Jobs From Last (Hours)',
				name: 'lookbackHours',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description:
					'At the first activation, also emit jobs created this many hours back. 0 = only jobs created from now on (plus jobs still running at activation).',
			},
			{
				displayName: 'Include Result',
				name: 'includeResult',
				type: 'boolean',
				default: true,
				description:
					'Whether to fetch the extracted data (extract_result) of each job. Turn off to get only the job ID, status and file.',
			},
			{
				displayName: 'Include Usage',
				name: 'includeUsage',
				type: 'boolean',
				default: false,
				description: 'Whether to fetch the credits each job used',
			},
			{
				displayName: 'Simplify',
				name: 'simplify',
				type: 'boolean',
				default: true,
				description:
					'Whether to put the extracted fields at the top level of the item (job details under _llamaextract) instead of returning the full job object',
			},
			{
				displayName: 'Split Into Items',
				name: 'splitIntoItems',
				type: 'boolean',
				default: false,
				description:
					'Whether to output one item per page or table row when the job extracted per page or per table row',
			},
		],
	},
];
