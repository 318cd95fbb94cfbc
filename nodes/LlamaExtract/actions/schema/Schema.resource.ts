import { type Operation, resourceDescription } from '../common';
import * as generate from './generate.operation';
import * as validate from './validate.operation';

export const operations: Record<string, Operation> = { generate, validate };

export const description = resourceDescription('schema', operations, {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Generate',
			value: 'generate',
			action: 'Generate a schema',
			description: 'Draft a schema from a prompt and/or an example document',
		},
		{
			name: 'Validate',
			value: 'validate',
			action: 'Validate a schema',
			description: 'Check a schema with LlamaExtract and get it normalized, or the reasons it is rejected',
		},
	],
	default: 'validate',
});
