import { type Operation, resourceDescription } from '../common';
import * as cancel from './cancel.operation';
import * as create from './create.operation';
import * as del from './delete.operation';
import * as extract from './extract.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as wait from './wait.operation';

export const operations: Record<string, Operation> = {
	cancel,
	create,
	delete: del,
	extract,
	get,
	getAll,
	wait,
};

export const description = resourceDescription('extractJob', operations, {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Cancel',
			value: 'cancel',
			action: 'Cancel a job',
			description: 'Stop a pending or running extraction job',
		},
		{
			name: 'Create',
			value: 'create',
			action: 'Create a job',
			description: 'Start an extraction job without waiting for it; wait later with Wait for Completion',
		},
		{
			name: 'Delete',
			value: 'delete',
			action: 'Delete a job',
			description: 'Delete a finished extraction job and its result',
		},
		{
			name: 'Extract Data',
			value: 'extract',
			action: 'Extract data from a document',
			description: 'Upload a document, run an extraction job and wait for the structured result',
		},
		{
			name: 'Get',
			value: 'get',
			action: 'Get a job',
			description: 'Get an extraction job, with its result once complete',
		},
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'Get many jobs',
			description: 'List extraction jobs, newest first, with filters',
		},
		{
			name: 'Wait for Completion',
			value: 'wait',
			action: 'Wait for a job to complete',
			description: 'Wait for an existing job and output its result like Extract Data',
		},
	],
	default: 'extract',
});
