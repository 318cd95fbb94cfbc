/** The resource list and every operation's parameters, in the order the editor shows them. */
import type { INodeProperties } from 'n8n-workflow';

import type { Operation } from './common';
import * as extractJob from './extractJob/ExtractJob.resource';

export const resources: Record<string, Record<string, Operation>> = {
	extractJob: extractJob.operations,
};

export const resourceProperties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [{ name: 'Extract Job', value: 'extractJob' }],
		default: 'extractJob',
	},
	...extractJob.description,
];
