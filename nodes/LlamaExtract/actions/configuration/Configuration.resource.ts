import { type Operation, resourceDescription } from '../common';
import * as create from './create.operation';
import * as del from './delete.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as update from './update.operation';

export const operations: Record<string, Operation> = { create, delete: del, get, getAll, update };

export const description = resourceDescription('configuration', operations, {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Create or Update',
			value: 'create',
			action: 'Create or update a configuration',
			description: 'Save a schema and settings under a name; an existing configuration with that name is updated',
		},
		{
			name: 'Delete',
			value: 'delete',
			action: 'Delete a configuration',
			description: 'Delete a saved configuration',
		},
		{
			name: 'Get',
			value: 'get',
			action: 'Get a configuration',
			description: 'Get a saved configuration with its schema and settings',
		},
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'Get many configurations',
			description: 'List saved extract configurations',
		},
		{
			name: 'Update',
			value: 'update',
			action: 'Update a configuration',
			description: 'Change the name, schema or settings of a saved configuration',
		},
	],
	default: 'create',
});
