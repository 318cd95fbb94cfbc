import type { INodeProperties } from 'n8n-workflow';

import { ID_KINDS } from '../../shared/rules';

/** The saved-configuration picker, the same everywhere a configuration ID is asked for. */
export const configurationLocator: INodeProperties = {
	displayName: 'Configuration',
	name: 'configurationId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'A saved extract configuration (schema and options) in your LlamaCloud project',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a configuration...',
			typeOptions: { searchListMethod: 'searchConfigurations', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. cfg-11111111-2222-3333-4444-555555555555',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: `^${ID_KINDS.configuration.prefix}[A-Za-z0-9_-]+$`,
						errorMessage: 'A configuration ID starts with cfg-',
					},
				},
			],
		},
	],
};
