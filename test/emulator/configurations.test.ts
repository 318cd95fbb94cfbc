 
/** Saved configurations and legacy v1 extraction agents/jobs. */
import type { Emulator } from '../../emulator/server';
import { expectedInvoiceResult, INVOICE_SCHEMA, makeInvoicePdf, makeTextPdf, SAMPLE_INVOICES } from '../../emulator/samples';
import type { ManualClock } from '../../emulator/clock';
import type { ApiClient } from '../harness/api';
import { useEmulator } from '../harness/emulator';

let emulator: Emulator;
let api: ApiClient;
let clock: ManualClock;
let invoicePdf: Buffer;

const running = useEmulator({ jobMs: 80, manualClock: true });

beforeAll(async () => {
	({ emulator, api, clock } = running);
	invoicePdf = await makeInvoicePdf(SAMPLE_INVOICES[0]);
});

const extractParameters = { product_type: 'extract_v2', data_schema: INVOICE_SCHEMA, tier: 'agentic' };
const parseParameters = { product_type: 'parse_v2', tier: 'fast', version: 'latest' };

describe('configurations', () => {
	test('POST upserts by name and product type: 201 both times, same id, newer version', async () => {
		const created = await api.post('/api/v1/beta/configurations', { name: 'invoices', parameters: extractParameters });
		expect(created.status).toBe(201);
		expect(created.body).toMatchObject({ name: 'invoices', product_type: 'extract_v2' });
		expect(created.body.id).toMatch(/^cfg-[0-9a-f-]{36}$/);
		expect(created.body.parameters).toMatchObject({ product_type: 'extract_v2', tier: 'agentic', version: 'latest', extraction_target: 'per_doc' });
		expect(Number.isNaN(Date.parse(created.body.version))).toBe(false);

		const updated = await api.post('/api/v1/beta/configurations', {
			name: 'invoices',
			parameters: { ...extractParameters, tier: 'cost_effective' },
		});
		expect(updated.status).toBe(201);
		expect(updated.body.id).toBe(created.body.id);
		expect(updated.body.parameters.tier).toBe('cost_effective');
		expect(updated.body.version > created.body.version).toBe(true);

		const otherType = await api.post('/api/v1/beta/configurations', {
			name: 'invoices',
			parameters: { product_type: 'parse_v2', tier: 'fast', version: 'latest' },
		});
		expect(otherType.body.id).not.toBe(created.body.id);
	});

	test('validation: unknown product_type, bad extract parameters', async () => {
		const unknown = await api.post('/api/v1/beta/configurations', { name: 'x', parameters: { product_type: 'ocr' } });
		expect(unknown.status).toBe(422);
		expect(unknown.body.detail[0]).toMatchObject({ loc: ['body', 'parameters'], type: 'union_tag_invalid' });
		const badSchema = await api.post('/api/v1/beta/configurations', {
			name: 'x',
			parameters: { product_type: 'extract_v2', data_schema: { type: 'string' } },
		});
		expect(badSchema.status).toBe(422);
		expect(badSchema.body.detail[0].loc).toEqual(['body', 'parameters', 'extract_v2', 'data_schema', 'type']);
		const parseMissing = await api.post('/api/v1/beta/configurations', { name: 'x', parameters: { product_type: 'parse_v2' } });
		expect(parseMissing.body.detail.map((entry: { loc: string[] }) => entry.loc.join('.'))).toEqual([
			'body.parameters.parse_v2.tier',
			'body.parameters.parse_v2.version',
		]);
		const noName = await api.post('/api/v1/beta/configurations', { parameters: extractParameters });
		expect(noName.status).toBe(422);
		expect(noName.body.detail[0]).toMatchObject({ loc: ['body', 'name'], type: 'missing' });
	});

	test('list filters by product_type (repeated), name, latest_only; cursor pages', async () => {
		const a = await api.post('/api/v1/beta/configurations', { name: 'a', parameters: extractParameters });
		await clock.advance(2);
		const b = await api.post('/api/v1/beta/configurations', { name: 'b', parameters: extractParameters });
		await clock.advance(2);
		const parse = await api.post('/api/v1/beta/configurations', { name: 'a', parameters: parseParameters });
		const ids = (response: { body: { items: Array<{ id: string }> } }) => response.body.items.map((item) => item.id);

		expect(ids(await api.get('/api/v1/beta/configurations'))).toEqual([parse.body.id, b.body.id, a.body.id]);
		expect(ids(await api.get('/api/v1/beta/configurations', { query: { product_type: 'extract_v2' } }))).toEqual([b.body.id, a.body.id]);
		expect(
			ids(await api.get('/api/v1/beta/configurations', { query: { product_type: ['extract_v2', 'parse_v2'], name: 'a' } })),
		).toEqual([parse.body.id, a.body.id]);
		expect(ids(await api.get('/api/v1/beta/configurations', { query: { latest_only: true } }))).toEqual([parse.body.id, b.body.id]);
		const page = await api.get('/api/v1/beta/configurations', { query: { page_size: 2 } });
		expect(page.body.items).toHaveLength(2);
		const rest = await api.get('/api/v1/beta/configurations', { query: { page_size: 2, page_token: page.body.next_page_token } });
		expect(ids(rest)).toEqual([a.body.id]);
		expect(rest.body.next_page_token).toBeNull();
		const bad = await api.get('/api/v1/beta/configurations', { query: { product_type: 'nope' } });
		expect(bad.status).toBe(422);
	});

	test('get, put, delete (204), and a saved configuration runs a job', async () => {
		const created = await api.post('/api/v1/beta/configurations', { name: 'inv', parameters: extractParameters });
		const id = created.body.id as string;
		expect((await api.get(`/api/v1/beta/configurations/${id}`)).body).toEqual(created.body);
		const renamed = await api.put(`/api/v1/beta/configurations/${id}`, { name: 'invoice-v2' });
		expect(renamed.status).toBe(200);
		expect(renamed.body).toMatchObject({ id, name: 'invoice-v2', parameters: { tier: 'agentic' } });

		const fileId = await api.uploadId(invoicePdf, 'invoice.pdf');
		const job = await api.post('/api/v2/extract', { file_input: fileId, configuration_id: id });
		expect(job.status).toBe(200);
		expect(job.body.configuration_id).toBe(id);
		const done = await api.waitForJob(job.body.id, ['configuration', 'usage']);
		expect(done.extract_result).toEqual(expectedInvoiceResult(SAMPLE_INVOICES[0]));
		expect(done.configuration.tier).toBe('agentic');
		expect(done.usage.credits).toBe(15);
		const byConfig = await api.get('/api/v2/extract', { query: { configuration_id: id } });
		expect(byConfig.body.items.map((item: { id: string }) => item.id)).toEqual([job.body.id]);

		const parse = await api.post('/api/v1/beta/configurations', { name: 'p', parameters: parseParameters });
		const wrongType = await api.post('/api/v2/extract', { file_input: fileId, configuration_id: parse.body.id });
		expect(wrongType.status).toBe(400);
		expect(wrongType.body.detail).toMatch(/parse_v2 configuration/);

		const removed = await api.delete(`/api/v1/beta/configurations/${id}`);
		expect(removed.status).toBe(204);
		expect(removed.text).toBe('');
		const gone = await api.get(`/api/v1/beta/configurations/${id}`);
		expect(gone.status).toBe(404);
		expect(gone.body).toEqual({ detail: `Configuration not found: ${id}` });
	});
});

describe('legacy v1', () => {
	const agentBody = {
		name: 'invoice-agent',
		data_schema: JSON.stringify(INVOICE_SCHEMA),
		config: { extraction_mode: 'BALANCED', cite_sources: true, confidence_scores: true },
	};

	test('agents: create (schema as JSON string), list, get, by-name, update, delete', async () => {
		const created = await api.post('/api/v1/extraction/extraction-agents', agentBody);
		expect(created.status).toBe(200);
		expect(created.body).toMatchObject({
			name: 'invoice-agent',
			project_id: emulator.projectId,
			data_schema: INVOICE_SCHEMA,
			config: { extraction_mode: 'BALANCED', extraction_target: 'PER_DOC', chunk_mode: 'PAGE' },
		});
		const id = created.body.id as string;
		expect((await api.get('/api/v1/extraction/extraction-agents')).body).toHaveLength(1);
		expect((await api.get(`/api/v1/extraction/extraction-agents/${id}`)).body.id).toBe(id);
		expect((await api.get('/api/v1/extraction/extraction-agents/by-name/invoice-agent')).body.id).toBe(id);
		const updated = await api.put(`/api/v1/extraction/extraction-agents/${id}`, {
			data_schema: { type: 'object', properties: { total: { type: 'number' } } },
			config: { extraction_mode: 'FAST' },
		});
		expect(updated.body.config.extraction_mode).toBe('FAST');
		const duplicate = await api.post('/api/v1/extraction/extraction-agents', { ...agentBody, name: 'invoice-agent' });
		expect(duplicate.status).toBe(400);
		const badMode = await api.post('/api/v1/extraction/extraction-agents', { ...agentBody, name: 'x', config: { extraction_mode: 'TURBO' } });
		expect(badMode.status).toBe(422);
		expect(badMode.body.detail[0]).toMatchObject({ loc: ['body', 'config', 'extraction_mode'], type: 'enum' });
		expect((await api.delete(`/api/v1/extraction/extraction-agents/${id}`)).status).toBe(200);
		expect((await api.get(`/api/v1/extraction/extraction-agents/${id}`)).status).toBe(404);
		expect((await api.get('/api/v1/extraction/extraction-agents/not-a-uuid')).status).toBe(422);
	});

	test('jobs: create with a dfl- file id, PENDING -> SUCCESS, result with citations', async () => {
		const agent = await api.post('/api/v1/extraction/extraction-agents', agentBody);
		const fileId = await api.uploadId(invoicePdf, 'invoice.pdf');
		const created = await api.post('/api/v1/extraction/jobs', { extraction_agent_id: agent.body.id, file_id: fileId });
		expect(created.status).toBe(200);
		expect(created.body).toMatchObject({ status: 'PENDING', file_id: fileId.replace('dfl-', ''), extraction_agent: { id: agent.body.id } });
		const early = await api.get(`/api/v1/extraction/jobs/${created.body.id}/result`);
		expect(early.status).toBe(404);
		await emulator.waitForJob(created.body.id);
		const job = await api.get(`/api/v1/extraction/jobs/${created.body.id}`);
		expect(job.body.status).toBe('SUCCESS');
		const result = await api.get(`/api/v1/extraction/jobs/${created.body.id}/result`);
		expect(result.status).toBe(200);
		expect(result.body.extraction_agent_id).toBe(agent.body.id);
		expect(result.body.data).toEqual(expectedInvoiceResult(SAMPLE_INVOICES[0]));
		expect(result.body.extraction_metadata.field_metadata.vendor).toEqual({
			citation: [{ page: 1, matching_text: 'Acme Corporation' }],
			extraction_confidence: 0.98,
		});
		const listed = await api.get('/api/v1/extraction/jobs', { query: { extraction_agent_id: agent.body.id } });
		expect(listed.body.map((entry: { id: string }) => entry.id)).toEqual([created.body.id]);
		const missingParam = await api.get('/api/v1/extraction/jobs');
		expect(missingParam.status).toBe(422);
	});

	test('jobs: bare file UUID, EMULATOR_FAIL -> ERROR, EMULATOR_PARTIAL -> PARTIAL_SUCCESS, unknown ids', async () => {
		const agent = await api.post('/api/v1/extraction/extraction-agents', agentBody);
		const failing = await api.uploadId(await makeTextPdf([['EMULATOR_FAIL']]), 'fail.pdf');
		const partial = await api.uploadId(await makeTextPdf([['Total: 9', 'EMULATOR_PARTIAL']]), 'partial.pdf');
		const failed = await api.post('/api/v1/extraction/jobs', { extraction_agent_id: agent.body.id, file_id: failing.replace('dfl-', '') });
		const partly = await api.post('/api/v1/extraction/jobs', { extraction_agent_id: agent.body.id, file_id: partial });
		await emulator.waitForJob(failed.body.id);
		await emulator.waitForJob(partly.body.id);
		const failedJob = await api.get(`/api/v1/extraction/jobs/${failed.body.id}`);
		expect(failedJob.body).toMatchObject({ status: 'ERROR', error: expect.stringMatching(/EMULATOR_FAIL/) });
		const partialResult = await api.get(`/api/v1/extraction/jobs/${partly.body.id}/result`);
		expect(partialResult.body.data.total).toBe(9);
		expect((await api.get(`/api/v1/extraction/jobs/${partly.body.id}`)).body.status).toBe('PARTIAL_SUCCESS');

		const unknownAgent = await api.post('/api/v1/extraction/jobs', {
			extraction_agent_id: '00000000-0000-4000-8000-000000000000',
			file_id: partial,
		});
		expect(unknownAgent.status).toBe(404);
		const unknownFile = await api.post('/api/v1/extraction/jobs', {
			extraction_agent_id: agent.body.id,
			file_id: '00000000-0000-4000-8000-000000000000',
		});
		expect(unknownFile.status).toBe(404);
		const badFile = await api.post('/api/v1/extraction/jobs', { extraction_agent_id: agent.body.id, file_id: 'invoice.pdf' });
		expect(badFile.status).toBe(422);
		expect(badFile.body.detail[0]).toMatchObject({ loc: ['body', 'file_id'], type: 'uuid_parsing' });
	});
});
