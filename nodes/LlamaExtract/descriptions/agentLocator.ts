import type { INodeProperties } from 'n8n-workflow';

import { UUID_REGEX_SOURCE } from '../../shared/rules';

/** The v1 extraction agent picker. v1 IDs are bare UUIDs. */
export const agentLocator: INodeProperties = {
	displayName: 'Agent',
	name: 'agentId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'A v1 extraction agent in your LlamaCloud project',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select an agent...',
			typeOptions: { searchListMethod: 'searchAgents', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 3fa85f64-5717-4562-b3fc-2c963f66afa6',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: UUID_REGEX_SOURCE,
						errorMessage: 'A v1 agent ID is a UUID such as 3fa85f64-5717-4562-b3fc-2c963f66afa6',
					},
				},
			],
		},
	],
};
