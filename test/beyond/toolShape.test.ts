/**
 * LlamaExtract as an AI agent's tool: the compact answer (fields + job ID, no binary) when n8n runs the node for a
 * tool call, the way n8n 2.x marks it (`rewireOutputLogTo: 'ai_tool'`, what n8n-core checks) or through
 * `isToolExecution()`; a tool error comes back as a message without failing the run; builderHint is declared.
 */
import { Workflow, type IExecuteFunctions, type INode, type INodeExecutionData } from 'n8n-workflow';

import { expectedInvoiceResult, INVOICE_SCHEMA, makeInvoicePdf, SAMPLE_INVOICES } from '../../emulator/samples';
import { LlamaExtract } from '../../nodes/LlamaExtract/LlamaExtract.node';
import { isToolCall } from '../../nodes/shared/toolOutput';
import type { Json } from '../harness/api';
import { API_KEY, emulatorCredentials, useEmulator } from '../harness/emulator';
import { executeManually, nodeTypes } from '../harness/n8n';

const rig = useEmulator({ jobMs: 120, resetBeforeEach: false });
const invoice = SAMPLE_INVOICES[0];
const expected = expectedInvoiceResult(invoice);

const toolParameters = {
	resource: 'extractJob',
	operation: 'extract',
	inputType: 'fileId',
	fileId: "={{ $fromAI('file_id', 'LlamaCloud file ID of the document', 'string') }}",
	schemaSource: 'jsonSchema',
	jsonSchema: JSON.stringify(INVOICE_SCHEMA),
};

/** Start -> LlamaExtract, with the node marked the way n8n marks a tool the agent asked the engine to run. */
async function runAsTool(parameters: Json, input: INodeExecutionData[]): Promise<{ items: INodeExecutionData[]; error?: Error }> {
	const nodes: INode[] = [
		{ id: 'start', name: 'Start', type: 'test.start', typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: 'tool',
			name: 'LlamaExtract',
			type: 'n8n-nodes-llamaextract.llamaExtract',
			typeVersion: 1,
			position: [200, 0],
			parameters,
			credentials: { llamaCloudApi: { id: '1', name: 'LlamaCloud (emulator)' } },
		},
	];
	const workflow = new Workflow({
		id: 'tool-workflow',
		name: 'tool',
		nodes,
		connections: { Start: { main: [[{ node: 'LlamaExtract', type: 'main', index: 0 }]] } },
		nodeTypes,
		active: false,
		settings: { executionOrder: 'v1' },
	});
	workflow.getNode('LlamaExtract')!.rewireOutputLogTo = 'ai_tool';
	const run = await executeManually(workflow, 'Start', input, emulatorCredentials(rig.emulator.url, API_KEY));
	const data = run.data.resultData.runData.LlamaExtract?.[0]?.data as Json;
	return { items: data?.ai_tool?.[0] ?? [], error: run.data.resultData.error };
}

describe('tool answers', () => {
	test('a tool call gets the fields and the job ID, compact and without binary', async () => {
		const stored = rig.emulator.addFile('agent.pdf', await makeInvoicePdf(invoice));
		const { items, error } = await runAsTool(
			{ ...toolParameters, options: { routeForReview: true } },
			[{ json: { file_id: stored.id }, binary: { data: { data: 'eA==', mimeType: 'text/plain' } } }],
		);
		expect(error).toBeUndefined();
		expect(items).toHaveLength(1);
		const answer = items[0].json as Json;
		expect(Object.keys(answer).sort()).toEqual(['fields', 'job_id', 'min_confidence', 'status']);
		expect(answer.job_id).toMatch(/^ext-/);
		expect(answer.status).toBe('COMPLETED');
		expect(answer.fields).toMatchObject({ vendor: expected.vendor, total: expected.total });
		expect(items[0].binary).toBeUndefined();
		expect(JSON.stringify(answer).length).toBeLessThan(2000);
	});

	test('a bad file ID comes back to the agent as an error message; the run goes on', async () => {
		const { items, error } = await runAsTool(toolParameters, [{ json: { file_id: 'not-an-id' } }]);
		expect(error).toBeUndefined();
		expect(items[0].json).toEqual({
			job_id: null,
			status: 'ERROR',
			error: expect.stringMatching(/^The "File or Parse Job ID" on item 0/),
			hint: expect.stringMatching(/dfl-/),
		});
	});

	test('outside a tool call the output is unchanged', async () => {
		const stored = rig.emulator.addFile('plain.pdf', await makeInvoicePdf(invoice));
		const { items } = await rig.run(toolParameters, [{ json: { file_id: stored.id } }]);
		expect(items[0].json).toMatchObject({ vendor: expected.vendor, _llamaextract: { job_id: expect.any(String) } });
	});
});

describe('tool detection and builder metadata', () => {
	const context = (node: Json, isToolExecution?: () => boolean) =>
		({ getNode: () => node, ...(isToolExecution ? { isToolExecution } : {}) }) as unknown as IExecuteFunctions;

	test('isToolExecution() where n8n-workflow has it, the ai_tool marking otherwise (n8n 1.x)', () => {
		expect(isToolCall(context({}, () => true))).toBe(true);
		expect(isToolCall(context({}, () => false))).toBe(false);
		expect(isToolCall(context({ rewireOutputLogTo: 'ai_tool' }))).toBe(true);
		expect(isToolCall(context({}))).toBe(false);
	});

	test('usableAsTool and builderHint are both declared', () => {
		const description = new LlamaExtract().description;
		expect(description.usableAsTool).toBe(true);
		expect(description.builderHint?.searchHint).toMatch(/\$fromAI/);
		expect(description.builderHint?.relatedNodes?.map((node) => node.nodeType)).toContain('@n8n/n8n-nodes-langchain.agent');
	});
});
