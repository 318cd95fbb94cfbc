/**
 * The credential's authenticate function builds the header its generic block built (`=Bearer {{$credentials.apiKey}}`),
 * and keeps the request's own headers.
 */
import type { IHttpRequestOptions } from 'n8n-workflow';

import { LlamaCloudApi } from '../../credentials/LlamaCloudApi.credentials';

const authenticate = new LlamaCloudApi().authenticate as (
	credentials: Record<string, unknown>,
	options: IHttpRequestOptions,
) => Promise<IHttpRequestOptions>;

describe('LlamaCloudApi authenticate', () => {
	test('adds the Bearer header beside the request headers, without changing the request it was given', async () => {
		const options: IHttpRequestOptions = { url: 'https://api.cloud.llamaindex.ai/api/v2/extract', headers: { 'content-type': 'application/json' } };
		const sent = await authenticate({ apiKey: 'llx-key' }, options);
		expect(sent.headers).toEqual({ 'content-type': 'application/json', Authorization: 'Bearer llx-key' });
		expect(sent.url).toBe(options.url);
		expect(options.headers).toEqual({ 'content-type': 'application/json' });
	});

	test('an empty or missing key gives "Bearer ", as the expression did', async () => {
		expect((await authenticate({ apiKey: '' }, { url: 'x' })).headers).toEqual({ Authorization: 'Bearer ' });
		expect((await authenticate({}, { url: 'x' })).headers).toEqual({ Authorization: 'Bearer ' });
	});
});
