import { type Operation, resourceDescription } from '../common';
import * as create from './create.operation';
import * as del from './delete.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as getJob from './getJob.operation';
import * as getResult from './getResult.operation';
import * as runJob from './runJob.operation';
import * as update from './update.operation';

export const operations: Record<string, Operation> = {
	create,
	delete: del,
	get,
	getAll,
	getJob,
	getResult,
	runJob,
	update,
};

export const description = resourceDescription('legacyAgent', operations, {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Create', value: 'create', action: 'Create an agent', description: 'Create a v1 extraction agent' },
		{ name: 'Delete', value: 'delete', action: 'Delete an agent', description: 'Delete a v1 extraction agent' },
		{ name: 'Get', value: 'get', action: 'Get an agent', description: 'Get a v1 extraction agent' },
		{ name: 'Get Job', value: 'getJob', action: 'Get a job', description: 'Get the status of a v1 extraction job' },
		{ name: 'Get Many', value: 'getAll', action: 'Get many agents', description: 'List v1 extraction agents' },
		{
			name: 'Get Result',
			value: 'getResult',
			action: 'Get the result of a job',
			description: 'Get the extracted data of a finished v1 job',
		},
		{
			name: 'Run Job',
			value: 'runJob',
			action: 'Run an agent on a document',
			description: 'Run a v1 agent on a document and wait for the extracted data',
		},
		{ name: 'Update', value: 'update', action: 'Update an agent', description: 'Change a v1 agent’s schema or settings' },
	],
	default: 'runJob',
});
