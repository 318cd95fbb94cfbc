import type { INodeProperties } from 'n8n-workflow';

import type { Operation } from '../common';
import * as extract from './extract.operation';

export const operations: Record<string, Operation> = {
	extract,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['extractJob'] } },
		options: [
			{
				name: 'Extract Data',
				value: 'extract',
				action: 'Extract data from a document',
				description: 'Upload a document, run an extraction job and wait for the structured result',
			},
		],
		default: 'extract',
	},
	...extract.description,
];
