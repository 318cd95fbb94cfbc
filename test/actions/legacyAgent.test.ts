/**
 * Legacy Agent (V1), end to end against the emulator's v1 routes: agents, Run Job (binary and file ID, with wait,
 * concurrent), Get Job, Get Result, and the mapping of SUCCESS / PARTIAL_SUCCESS / ERROR / CANCELLED.
 */
import { LoadOptionsContext } from 'n8n-core';
import type { INode } from 'n8n-workflow';

import { expectedInvoiceResult, makeInvoicePdf, makeTextPdf, SAMPLE_INVOICES } from '../../emulator/samples';
import { LlamaExtract } from '../../nodes/LlamaExtract/LlamaExtract.node';
import { describeV1Status, v1ResultToJson } from '../../nodes/LlamaExtract/actions/legacyAgent/shared';
import type { Json } from '../harness/api';
import { pairedIndexes } from '../harness/documents';
import { emulatorCredentials, useEmulator } from '../harness/emulator';
import { binaryItem, buildWorkflow, makeAdditionalData } from '../harness/n8n';

const rig = useEmulator({ jobMs: 120, resetBeforeEach: false });
const invoice = SAMPLE_INVOICES[2];
const expected = expectedInvoiceResult(invoice);
const agentParam = (id: string) => ({ __rl: true, mode: 'list', value: id });

describe('Legacy Agent (V1)', () => {
	let agentId: string;

	test('Create an agent from Fields with settings; Get and Get Many show it; the picker finds it', async () => {
		const { items, error } = await rig.run({
			resource: 'legacyAgent',
			operation: 'create',
			name: 'v1-invoices',
			schemaSource: 'fields',
			fields: {
				field: [
					{ name: 'vendor', type: 'string' },
					{ name: 'invoice_number', type: 'string' },
					{ name: 'total', type: 'number' },
				],
			},
			agentConfig: { extraction_mode: 'BALANCED', confidence_scores: true, cite_sources: true, system_prompt: '' },
		});
		expect(error).toBeUndefined();
		const agent = items[0].json as Json;
		agentId = agent.id;
		expect(agentId).toMatch(/^[0-9a-f-]{36}$/);
		expect(agent.data_schema.properties).toEqual({
			vendor: { type: 'string' },
			invoice_number: { type: 'string' },
			total: { type: 'number' },
		});
		expect(agent.config).toMatchObject({ extraction_mode: 'BALANCED', confidence_scores: true, cite_sources: true, system_prompt: null });

		const got = await rig.run({ resource: 'legacyAgent', operation: 'get', agentId: agentParam(agentId) });
		expect(got.items[0].json).toMatchObject({ id: agentId, name: 'v1-invoices' });
		const many = await rig.run({ resource: 'legacyAgent', operation: 'getAll', returnAll: true });
		expect(many.items.map((item) => item.json.id)).toContain(agentId);

		const node: INode = {
			id: 'n',
			name: 'LlamaExtract',
			type: 'n8n-nodes-llamaextract.llamaExtract',
			typeVersion: 1,
			position: [0, 0],
			parameters: { resource: 'legacyAgent', operation: 'runJob' },
			credentials: { llamaCloudApi: { id: '1', name: 'emulator' } },
		};
		const context = new LoadOptionsContext(
			buildWorkflow([node]),
			node,
			makeAdditionalData(emulatorCredentials(rig.emulator.url)),
			'parameters.agentId',
		);
		const found = await new LlamaExtract().methods.listSearch.searchAgents.call(context, 'INVOICES');
		expect(found.results).toEqual([{ name: 'v1-invoices', value: agentId }]);
	});

	test('Run Job on binaries: SUCCESS and PARTIAL_SUCCESS come back paired, the partial one flagged with a hint', async () => {
		const full = await makeInvoicePdf(invoice);
		const partial = await makeTextPdf([['Invoice Number: P-7', 'Total: 9.00', 'EMULATOR_PARTIAL']]);
		const { items, error } = await rig.run(
			{ resource: 'legacyAgent', operation: 'runJob', agentId: agentParam(agentId), inputType: 'binary', binaryPropertyName: 'data' },
			[binaryItem(full, 'full.pdf', 'application/pdf'), binaryItem(partial, 'partial.pdf', 'application/pdf')],
		);
		expect(error).toBeUndefined();
		expect(pairedIndexes(items)).toEqual([0, 1]);
		expect(items[0].json).toMatchObject({ vendor: expected.vendor, invoice_number: expected.invoice_number, total: expected.total });
		const first = items[0].json._llamaextract as Json;
		expect(first).toMatchObject({ agent_id: agentId, status: 'SUCCESS', partial: false });
		expect(first).not.toHaveProperty('hint');
		expect(first.fields.total).toEqual({ confidence: expect.any(Number), citations: expect.any(Array), extraction_confidence: expect.any(Number) });
		expect(first.min_confidence).toEqual(expect.any(Number));
		expect(items[1].json).toMatchObject({ invoice_number: 'P-7', total: 9 });
		expect(items[1].json._llamaextract).toMatchObject({ status: 'PARTIAL_SUCCESS', partial: true, hint: expect.stringContaining('only part') });
		expect(items[1].binary?.data.fileName).toBe('partial.pdf');
	});

	test('Run Job on every attachment of an email (attachment_*): one result per document, winmail.dat skipped', async () => {
		const pdf = await makeInvoicePdf(invoice);
		const email = {
			json: { subject: 'invoice' },
			binary: {
				attachment_0: binaryItem(Buffer.from([0x78, 0x9f, 0x3e, 0x22]), 'winmail.dat', 'application/ms-tnef').binary!.data,
				attachment_1: binaryItem(pdf, 'INVOICE.PDF', 'application/octet-stream').binary!.data,
			},
		};
		const { items, error } = await rig.run(
			{ resource: 'legacyAgent', operation: 'runJob', agentId: agentParam(agentId), inputType: 'binary', binaryPropertyName: 'attachment_*' },
			[email],
		);
		expect(error).toBeUndefined();
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({ vendor: expected.vendor, total: expected.total });
		expect((items[0].json._llamaextract as Json).source).toMatchObject({ binary_field: 'attachment_1', file_name: 'INVOICE.pdf', count: 1 });
		expect((items[0].json._llamaextract as Json).source.skipped[0].file_name).toBe('winmail.dat');
		expect(Object.keys(items[0].binary ?? {})).toEqual(['attachment_1']);
	});

	test('Run Job with a file ID, then Get Job and Get Result for the same job', async () => {
		const stored = rig.emulator.addFile('stored.pdf', await makeInvoicePdf(invoice));
		const run = await rig.run({
			resource: 'legacyAgent',
			operation: 'runJob',
			agentId: agentParam(agentId),
			inputType: 'fileId',
			fileId: stored.id,
			simplify: false,
		});
		expect(run.error).toBeUndefined();
		const raw = run.items[0].json as Json;
		expect(raw.data).toMatchObject({ vendor: expected.vendor, total: expected.total });
		expect(raw.extraction_agent_id).toBe(agentId);
		const jobId = raw._llamaextract.job_id;

		const job = await rig.run({ resource: 'legacyAgent', operation: 'getJob', jobId });
		expect(job.items[0].json).toMatchObject({
			id: jobId,
			status: 'SUCCESS',
			_llamaextract: { finished: true, succeeded: true, partial: false },
		});
		const result = await rig.run({ resource: 'legacyAgent', operation: 'getResult', jobId });
		expect(result.items[0].json).toMatchObject({ vendor: expected.vendor, _llamaextract: { job_id: jobId, run_id: raw.run_id } });
	});

	test('a job that ends ERROR is an error with the job ID (kept in the error item with Continue On Fail)', async () => {
		const failing = await makeTextPdf([['Total: 1.00', 'EMULATOR_FAIL']]);
		const { items } = await rig.run(
			{ resource: 'legacyAgent', operation: 'runJob', agentId: agentParam(agentId), inputType: 'binary', binaryPropertyName: 'data' },
			[binaryItem(failing, 'bad.pdf', 'application/pdf')],
			{ onError: 'continueRegularOutput' },
		);
		expect(items[0].json.error).toMatch(/^v1 extraction job [0-9a-f-]{36} ended ERROR: Extraction failed/);
		expect(items[0].json.job_id).toMatch(/^[0-9a-f-]{36}$/);
		const result = await rig.run({ resource: 'legacyAgent', operation: 'getResult', jobId: String(items[0].json.job_id) });
		expect(result.error?.message).toContain('ended ERROR');
	});

	test('Wait Timeout outputs the still-running job; Get Result on it says it has no result yet', async () => {
		const slow = await makeTextPdf([['Total: 3.00', 'EMULATOR_JOB_MS=4000']]);
		const { items, error } = await rig.run(
			{
				resource: 'legacyAgent',
				operation: 'runJob',
				agentId: agentParam(agentId),
				inputType: 'binary',
				binaryPropertyName: 'data',
				options: { waitTimeout: 1 },
			},
			[binaryItem(slow, 'slow.pdf', 'application/pdf')],
		);
		expect(error).toBeUndefined();
		const pending = items[0].json._llamaextract as Json;
		expect(pending).toMatchObject({ status: 'PENDING', partial: false });
		const early = await rig.run({ resource: 'legacyAgent', operation: 'getResult', jobId: pending.job_id });
		expect(early.error?.message).toBe(`v1 extraction job ${pending.job_id} is still PENDING; it has no result yet`);
	});

	test('Update merges settings and keeps the schema; Delete removes the agent', async () => {
		const updated = await rig.run({
			resource: 'legacyAgent',
			operation: 'update',
			agentId: agentParam(agentId),
			agentConfig: { extraction_target: 'PER_PAGE' },
		});
		expect(updated.error).toBeUndefined();
		expect(updated.items[0].json).toMatchObject({
			config: { extraction_target: 'PER_PAGE', extraction_mode: 'BALANCED', confidence_scores: true },
			data_schema: { properties: { total: { type: 'number' } } },
		});
		const deleted = await rig.run({ resource: 'legacyAgent', operation: 'delete', agentId: agentParam(agentId) });
		expect(deleted.items[0].json).toEqual({ id: agentId, deleted: true });
		const gone = await rig.run({ resource: 'legacyAgent', operation: 'get', agentId: agentParam(agentId) });
		expect(gone.error?.message).toContain('404');
	});

	test('a v2 job ID given to Get Job points to the Extract Job resource', async () => {
		const { error } = await rig.run({ resource: 'legacyAgent', operation: 'getJob', jobId: 'ext-abc' });
		expect(error?.description).toContain('Use the Extract Job, Configuration or File resource');
	});
});

describe('v1 status mapping', () => {
	test('each status says whether it finished, succeeded or is partial', () => {
		expect(describeV1Status('SUCCESS')).toEqual({ finished: true, succeeded: true, partial: false });
		expect(describeV1Status('PARTIAL_SUCCESS')).toMatchObject({ finished: true, succeeded: true, partial: true, hint: expect.any(String) });
		expect(describeV1Status('ERROR')).toEqual({ finished: true, succeeded: false, partial: false });
		expect(describeV1Status('CANCELLED')).toEqual({ finished: true, succeeded: false, partial: false });
		expect(describeV1Status('PENDING')).toEqual({ finished: false, succeeded: false, partial: false });
	});

	test('a list result (per page) goes under data', () => {
		const job = { id: 'j', status: 'SUCCESS', extraction_agent: { id: 'a' } } as Json;
		const json = v1ResultToJson(job, { run_id: 'r', extraction_agent_id: 'a', data: [{ t: 1 }, { t: 2 }], extraction_metadata: {} }, true);
		expect(json).toEqual({ data: [{ t: 1 }, { t: 2 }], _llamaextract: expect.objectContaining({ run_id: 'r', partial: false }) });
	});
});
