import type {
	ICredentialDataDecryptedObject,
	IHttpRequestOptions,
	IAuthenticateRuleResponseCode,
	IAuthenticateRuleResponseSuccessBody,
	ICredentialTestRequest,
	ICredentialType,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { REGION_BASE_URLS } from '../nodes/shared/rules';

export const US_BASE_URL = REGION_BASE_URLS.us;
export const EU_BASE_URL = REGION_BASE_URLS.eu;

/** Messages of the credential test (docs/errors.md lists them). */
export const CREDENTIAL_TEST_MESSAGES = {
	unauthorized:
		'LlamaCloud rejected the API key (401). Check the key, and that Region matches where it was created: keys only work in their own region (US or EU).',
	forbidden:
		'The API key has no access here (403). Check Project ID and Organization ID, or ask an admin of the LlamaCloud organization for access to the project.',
	notFound:
		'No LlamaCloud API at this address (404 for /api/v2/extract). With Custom Base URL, enter the root URL of the LlamaCloud API, without /api/….',
	notLlamaCloud:
		'This address answered, but not like the LlamaCloud API (no job list from /api/v2/extract). With Custom Base URL, enter the root URL of the LlamaCloud API.',
};

const CREDENTIAL_TEST_STATUS_RULES: IAuthenticateRuleResponseCode[] = [
	{ type: 'responseCode', properties: { value: 401, message: CREDENTIAL_TEST_MESSAGES.unauthorized } },
	{ type: 'responseCode', properties: { value: 403, message: CREDENTIAL_TEST_MESSAGES.forbidden } },
	{ type: 'responseCode', properties: { value: 404, message: CREDENTIAL_TEST_MESSAGES.notFound } },
	{ type: 'responseCode', properties: { value: 405, message: CREDENTIAL_TEST_MESSAGES.notLlamaCloud } },
];

// n8n fails the test when the body's `key` equals `value`: a 200 without a job list (an HTML page, another API).
const CREDENTIAL_TEST_BODY_RULES: IAuthenticateRuleResponseSuccessBody[] = [
	{ type: 'responseSuccessBody', properties: { key: 'items', value: undefined, message: CREDENTIAL_TEST_MESSAGES.notLlamaCloud } },
];

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

	// A function, not a generic block: n8n evaluates a generic block's expression for every request, which was a
	// tenth of what a large batch allocated. The header is the same: an empty key gives "Bearer ".
	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		return { ...requestOptions, headers: { ...requestOptions.headers, Authorization: `Bearer ${String(credentials.apiKey ?? '')}` } };
	}

	// Listing one extract job is the cheapest call that proves the key, the region and the product access. The rules
	// replace n8n's generic "Couldn't connect with these settings" with what went wrong: n8n checks the status codes
	// when the request fails, and the body (a LlamaCloud job list has `items`) when it succeeds.
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{ ($credentials.region === "custom" ? $credentials.baseUrl : $credentials.region).replace(/\\/+$/, "") }}',
			url: '/api/v2/extract',
			qs: { page_size: 1 },
		},
		rules: [...CREDENTIAL_TEST_STATUS_RULES, ...CREDENTIAL_TEST_BODY_RULES] as IAuthenticateRuleResponseCode[],
	};
}
