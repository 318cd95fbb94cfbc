import { type Operation, resourceDescription } from '../common';
import * as del from './delete.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as upload from './upload.operation';

export const operations: Record<string, Operation> = { delete: del, get, getAll, upload };

export const description = resourceDescription('file', operations, {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Delete', value: 'delete', action: 'Delete a file', description: 'Delete a file from LlamaCloud' },
		{ name: 'Get', value: 'get', action: 'Get a file', description: 'Get a file’s details and download link' },
		{ name: 'Get Many', value: 'getAll', action: 'Get many files', description: 'List files in the project' },
		{
			name: 'Upload',
			value: 'upload',
			action: 'Upload a file',
			description: 'Upload a document once and extract from its file ID as often as needed',
		},
	],
	default: 'upload',
});
