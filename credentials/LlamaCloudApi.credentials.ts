import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { REGION_BASE_URLS } from '../nodes/shared/rules';

export const US_BASE_URL = REGION_BASE_URLS.us;
export const EU_BASE_URL = REGION_BASE_URLS.eu;

export class LlamaCloudApi implements ICredentialType {
	name = 'llamaCloudApi';

	displayName = 'LlamaCloud API';

	icon: Icon = { light: 'file:../icons/llamaextract.svg', dark: 'file:../icons/llamaextract.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-llamaextract/n8n-nodes-llamaextract?tab=readme-ov-file#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description:
				'A LlamaCloud API key (starts with llx-). Keys belong to one region: an EU key fails on the US endpoint and vice versa.',
		},
		{
			displayName: 'Region',
			name: 'region',
			type: 'options',
			options: [
				{ name: 'Custom Base URL', value: 'custom', description: 'A self-hosted or test endpoint' },
				{ name: 'EU (api.cloud.eu.llamaindex.ai)', value: EU_BASE_URL },
				{ name: 'US (api.cloud.llamaindex.ai)', value: US_BASE_URL },
			],
			default: US_BASE_URL,
			description: 'Where your LlamaCloud project lives. The key must come from the same region.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://llamacloud.example.com',
			description: 'Root URL of the LlamaCloud API, without /api/…',
			displayOptions: { show: { region: ['custom'] } },
			required: true,
		},
		{
			displayName: 'Project ID',
			name: 'projectId',
			type: 'string',
			default: '',
			placeholder: 'e.g. 3fa85f64-5717-4562-b3fc-2c963f66afa6',
			description:
				"Optional project UUID, sent as the project_id query parameter. Leave empty to use the key's default project.",
		},
		{
			displayName: 'Organization ID',
			name: 'organizationId',
			type: 'string',
			default: '',
			placeholder: 'e.g. 3fa85f64-5717-4562-b3fc-2c963f66afa6',
			description: 'Optional organization UUID, sent as the organization_id query parameter',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	// Listing one extract job is the cheapest call that proves the key, the region and the product access.
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{ ($credentials.region === "custom" ? $credentials.baseUrl : $credentials.region).replace(/\\/+$/, "") }}',
			url: '/api/v2/extract',
			qs: { page_size: 1 },
		},
	};
}
