/* eslint-disable @n8n/community-nodes/no-restricted-globals */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { startEmulator, type Emulator } from '../../emulator/server';
import { binaryItem, emulatorCredentials, runNode } from '../harness/n8n';

const KEY = 'llx-discover';
let emulator: Emulator;
beforeAll(async () => {
	emulator = await startEmulator({ apiKey: KEY, jobMs: 50 });
});
afterAll(async () => emulator.close());

const text = (name = 'a.txt', field = 'data') => binaryItem(Buffer.from('Invoice INV-1 total 5'), name, 'text/plain', field);
const extract = {
	resource: 'extractJob',
	operation: 'extract',
	inputType: 'binary',
	binaryPropertyName: 'data',
	schemaSource: 'jsonSchema',
	jsonSchema: '{"type":"object","properties":{"total":{"type":"number"}}}',
};

interface Case {
	name: string;
	parameters: IDataObject;
	input?: INodeExecutionData[];
	credentials?: IDataObject;
}

const cases: Case[] = [
	{ name: 'schema not JSON', parameters: { ...extract, jsonSchema: '{"type": "object",' } },
	{ name: 'schema not object', parameters: { ...extract, jsonSchema: '[1,2]' } },
	{ name: 'schema root', parameters: { ...extract, jsonSchema: '{"type":"array"}' } },
	{ name: 'fields dup', parameters: { ...extract, schemaSource: 'fields', fields: { field: [{ name: 'total', type: 'number' }, { name: 'total', type: 'string' }] } } },
	{ name: 'fields empty', parameters: { ...extract, schemaSource: 'fields', fields: { field: [{ name: ' ', type: 'number' }] } } },
	{ name: 'example list', parameters: { ...extract, schemaSource: 'example', jsonExample: '[1]' } },
	{ name: 'example string', parameters: { ...extract, schemaSource: 'example', jsonExample: '"abc"' } },
	{ name: 'missing field', parameters: { ...extract, binaryPropertyName: 'file' }, input: [text()] },
	{ name: 'no binary', parameters: extract, input: [{ json: {} }] },
	{ name: 'empty', parameters: extract, input: [binaryItem(Buffer.alloc(0), 'a.pdf', 'application/pdf')] },
	{ name: 'pages 1-', parameters: { ...extract, extractSettings: { targetPages: '1-' } }, input: [text()] },
	{ name: 'pages 0', parameters: { ...extract, extractSettings: { targetPages: '0' } }, input: [text()] },
	{ name: 'pages a', parameters: { ...extract, extractSettings: { targetPages: 'a' } }, input: [text()] },
	{ name: 'maxpages 0', parameters: { ...extract, extractSettings: { maxPages: 0 } }, input: [text()] },
	{ name: 'unknown job', parameters: { resource: 'extractJob', operation: 'get', jobId: 'ext-00000000-0000-4000-8000-000000000000' } },
	{ name: 'unknown cfg', parameters: { ...extract, schemaSource: 'configuration', configurationId: { mode: 'id', value: 'cfg-00000000-0000-4000-8000-000000000000' } }, input: [text()] },
	{ name: 'unknown file', parameters: { ...extract, inputType: 'fileId', fileId: 'dfl-00000000-0000-4000-8000-000000000000' } },
	{ name: 'v1 agent', parameters: { ...extract, schemaSource: 'configuration', configurationId: { mode: 'id', value: '3fa85f64-5717-4562-b3fc-2c963f66afa6' } }, input: [text()] },
	{ name: '422 version', parameters: { ...extract, extractSettings: { version: 'next-week' } }, input: [text()] },
	{ name: '401', parameters: extract, input: [text()], credentials: { apiKey: 'llx-other-region' } },
	{ name: 'base url', parameters: extract, input: [text()], credentials: { baseUrl: 'not a url' } },
	{ name: 'timeout 0', parameters: { ...extract, options: { waitTimeout: 0 } }, input: [text()] },
	{ name: 'timeout -5', parameters: { ...extract, options: { waitTimeout: -5 } }, input: [text()] },
];

test.each(cases)('$name', async ({ parameters, input, credentials }) => {
	const creds = emulatorCredentials(emulator.url, KEY);
	Object.assign(creds.llamaCloudApi, credentials ?? {});
	const { error, items } = await runNode({ parameters, credentials: creds, input: input ?? [{ json: {} }] });
	process.stdout.write(
		`CASE ${expect.getState().currentTestName}\n  message: ${error?.message}\n  description: ${error?.description}\n  item: ${JSON.stringify(error?.context?.itemIndex)} items=${items.length}\n`,
	);
});
