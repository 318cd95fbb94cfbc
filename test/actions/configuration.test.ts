/**
 * Configuration › Create or Update (upsert by name), Get, Get Many, Update, Delete, and the configuration picker's
 * search, run through n8n-core against the emulator.
 */
import { LoadOptionsContext } from 'n8n-core';
import type { INode } from 'n8n-workflow';

import { LlamaExtract } from '../../nodes/LlamaExtract/LlamaExtract.node';
import type { Json } from '../harness/api';
import { emulatorCredentials, useEmulator } from '../harness/emulator';
import { buildWorkflow, makeAdditionalData } from '../harness/n8n';

const rig = useEmulator({ jobMs: 120, resetBeforeEach: false });

const config = { resource: 'configuration' };
const byId = (id: string) => ({ __rl: true, mode: 'id', value: id });

describe('Configuration', () => {
	test('Create or Update: a new name creates; the same name updates the same configuration (upsert)', async () => {
		const first = await rig.run({
			...config,
			operation: 'create',
			name: 'invoices',
			schemaSource: 'fields',
			fields: { field: [{ name: 'total', type: 'number', required: true }] },
			extractSettings: { tier: 'agentic', citeSources: true },
		});
		expect(first.error).toBeUndefined();
		const created = first.items[0].json as Json;
		expect(created.id).toMatch(/^cfg-/);
		expect(created.parameters).toMatchObject({
			product_type: 'extract_v2',
			tier: 'agentic',
			cite_sources: true,
			data_schema: { type: 'object', properties: { total: { type: 'number' } }, required: ['total'] },
		});

		const second = await rig.run({
			...config,
			operation: 'create',
			name: 'invoices',
			schemaSource: 'example',
			jsonExample: '{"vendor": "x"}',
		});
		const upserted = second.items[0].json as Json;
		expect(upserted.id).toBe(created.id);
		expect(upserted.parameters.data_schema).toEqual({ type: 'object', properties: { vendor: { type: 'string' } } });
		expect(upserted.parameters.tier).toBe('cost_effective');
	});

	test('Get returns the configuration; an unknown ID is a 404 that says where to pick one', async () => {
		const saved = await rig.api.post('/api/v1/beta/configurations', {
			name: 'get-me',
			parameters: { product_type: 'extract_v2', data_schema: { type: 'object', properties: { a: { type: 'string' } } } },
		});
		const { items } = await rig.run({ ...config, operation: 'get', configurationId: { __rl: true, mode: 'list', value: saved.body.id } });
		expect(items[0].json).toMatchObject({ id: saved.body.id, name: 'get-me' });
		const missing = await rig.run({ ...config, operation: 'get', configurationId: byId('cfg-missing') });
		expect(missing.error?.message).toContain('404');
		expect(missing.error?.description).toContain('Pick one from the list');
	});

	test('a v1 agent UUID in the configuration picker is caught with a pointer to Legacy Agent (V1)', async () => {
		// By ID mode refuses it in the editor already (regex); an expression or list value reaches the node.
		const { error } = await rig.run({
			...config,
			operation: 'get',
			configurationId: { __rl: true, mode: 'list', value: '3fa85f64-5717-4562-b3fc-2c963f66afa6' },
		});
		expect(error?.message).toContain('looks like a v1 extraction agent ID');
		expect(error?.description).toContain('Legacy Agent (V1)');
	});

	test('Update changes only what is set: a new name and tier keep the schema and other settings', async () => {
		const saved = await rig.api.post('/api/v1/beta/configurations', {
			name: 'to-update',
			parameters: {
				product_type: 'extract_v2',
				data_schema: { type: 'object', properties: { a: { type: 'string' } } },
				system_prompt: 'Keep me.',
				confidence_scores: true,
			},
		});
		const { items, error } = await rig.run({
			...config,
			operation: 'update',
			configurationId: byId(saved.body.id),
			newName: 'updated',
			extractSettings: { tier: 'agentic_plus' },
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({
			id: saved.body.id,
			name: 'updated',
			parameters: {
				tier: 'agentic_plus',
				system_prompt: 'Keep me.',
				confidence_scores: true,
				data_schema: { type: 'object', properties: { a: { type: 'string' } } },
			},
		});

		const schemaChange = await rig.run({
			...config,
			operation: 'update',
			configurationId: byId(saved.body.id),
			schemaSource: 'jsonSchema',
			jsonSchema: '{"type":"object","properties":{"b":{"type":"number"}}}',
		});
		expect((schemaChange.items[0].json as Json).parameters).toMatchObject({
			data_schema: { type: 'object', properties: { b: { type: 'number' } } },
			tier: 'agentic_plus',
		});
		expect((schemaChange.items[0].json as Json).name).toBe('updated');
	});

	test('Get Many filters by name and honours Limit; Delete removes the configuration', async () => {
		for (const name of ['list-a', 'list-b', 'list-c']) {
			await rig.api.post('/api/v1/beta/configurations', {
				name,
				parameters: { product_type: 'extract_v2', data_schema: { type: 'object', properties: { a: { type: 'string' } } } },
			});
		}
		const named = await rig.run({ ...config, operation: 'getAll', returnAll: true, filters: { name: 'list-b' } });
		expect(named.items.map((item) => item.json.name)).toEqual(['list-b']);
		const limited = await rig.run({ ...config, operation: 'getAll', returnAll: false, limit: 2 });
		expect(limited.items).toHaveLength(2);
		const all = await rig.run({ ...config, operation: 'getAll', returnAll: true });
		expect(all.items.length).toBeGreaterThanOrEqual(3);
		expect(all.items.every((item) => item.json.product_type === 'extract_v2')).toBe(true);

		const id = String(named.items[0].json.id);
		const deleted = await rig.run({ ...config, operation: 'delete', configurationId: byId(id) });
		expect(deleted.items[0].json).toEqual({ id, deleted: true });
		expect((await rig.api.get(`/api/v1/beta/configurations/${id}`)).status).toBe(404);
	});

	test('the picker’s search (listSearch) finds configurations by name, through n8n’s LoadOptionsContext', async () => {
		await rig.api.post('/api/v1/beta/configurations', {
			name: 'Receipts EU',
			parameters: { product_type: 'extract_v2', data_schema: { type: 'object', properties: { a: { type: 'string' } } } },
		});
		const node: INode = {
			id: 'n',
			name: 'LlamaExtract',
			type: 'n8n-nodes-llamaextract.llamaExtract',
			typeVersion: 1,
			position: [0, 0],
			parameters: { resource: 'configuration', operation: 'get' },
			credentials: { llamaCloudApi: { id: '1', name: 'emulator' } },
		};
		const workflow = buildWorkflow([node]);
		const credentials = emulatorCredentials(rig.emulator.url);
		const context = new LoadOptionsContext(workflow, node, makeAdditionalData(credentials), 'parameters.configurationId');
		const found = await new LlamaExtract().methods.listSearch.searchConfigurations.call(context, 'receipts');
		expect(found.results).toEqual([{ name: 'Receipts EU', value: expect.stringMatching(/^cfg-/) }]);
	});
});
