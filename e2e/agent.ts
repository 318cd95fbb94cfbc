/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/* eslint-disable no-console */
/**
 * LlamaExtract as a tool of n8n's own AI Agent (@n8n/n8n-nodes-langchain.agent, shipped in n8n 2.41.1) with the
 * OpenAI chat model node pointed at a scripted model on 127.0.0.1 (lib/modelServer.ts): the model calls the tool
 * with a file ID, the tool answers compact JSON, and the final answer carries the extracted total; a tool error
 * reaches the model as a message and the execution still succeeds.
 */
import assert from 'node:assert/strict';
import path from 'node:path';

import { expectedInvoiceResult, INVOICE_SCHEMA, makeInvoicePdf, SAMPLE_INVOICES } from '../emulator/samples';
import type { EmulatorProcess } from './lib/emulator';
import { ModelServer } from './lib/modelServer';
import { nodeOutput, runError, type N8nInstance } from './lib/n8n';
import type { Suite } from './lib/runner';
import { NODE_TYPE } from './lib/runtimes';
import { EXAMPLE_CREDENTIAL, writeWorkflow, type WorkflowJson } from './lib/workflows';

const MODEL_CREDENTIAL = { id: 'llxE2eScriptedModel', name: 'Scripted model (127.0.0.1)' };
const AGENT_WORKFLOW_ID = 'llxE2eAgentTool';

export function agentWorkflow(): WorkflowJson {
	return {
		id: AGENT_WORKFLOW_ID,
		name: 'e2e: AI Agent with the LlamaExtract tool',
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: 'agent-start', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'agent-agent',
				name: 'AI Agent',
				type: '@n8n/n8n-nodes-langchain.agent',
				typeVersion: 3.1,
				position: [220, 0],
				parameters: {
					promptType: 'define',
					text: 'Read the invoice I uploaded and tell me its total.',
					options: { enableStreaming: false },
				},
			},
			{
				id: 'agent-model',
				name: 'OpenAI Chat Model',
				type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
				typeVersion: 1.2,
				position: [120, 220],
				parameters: { model: { __rl: true, value: 'scripted-model', mode: 'id' }, options: {} },
				credentials: { openAiApi: { ...MODEL_CREDENTIAL } },
			},
			{
				id: 'agent-tool',
				name: 'LlamaExtract',
				type: `${NODE_TYPE}Tool`,
				typeVersion: 1,
				position: [320, 220],
				parameters: {
					resource: 'extractJob',
					operation: 'extract',
					inputType: 'fileId',
					fileId: "={{ $fromAI('file_id', 'LlamaCloud file ID (dfl-…) of the document to read', 'string') }}",
					schemaSource: 'jsonSchema',
					jsonSchema: JSON.stringify(INVOICE_SCHEMA),
					options: {},
				},
				credentials: { llamaCloudApi: { ...EXAMPLE_CREDENTIAL } },
			},
		],
		connections: {
			Start: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
			LlamaExtract: { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
		},
	};
}

async function uploadToEmulator(emulator: EmulatorProcess, name: string, bytes: Buffer): Promise<string> {
	const form = new FormData();
	form.append('purpose', 'extract');
	form.append('file', new Blob([bytes], { type: 'application/pdf' }), name);
	const response = await fetch(`${emulator.url}/api/v1/beta/files`, {
		method: 'POST',
		headers: { authorization: `Bearer ${emulator.apiKey}` },
		body: form,
	});
	assert.ok(response.ok, `upload: ${response.status} ${await response.clone().text()}`);
	return ((await response.json()) as { id: string }).id;
}

export async function agentTests(s: Suite, n8n: N8nInstance, emulator: EmulatorProcess): Promise<void> {
	const invoice = SAMPLE_INVOICES[0];
	const expected = expectedInvoiceResult(invoice);
	let model: ModelServer | undefined;
	let fileId = '';
	try {
		await s.test(
			'AI Agent set-up: scripted model on 127.0.0.1, its OpenAI credential (Base URL), the agent workflow',
			async () => {
				model = await ModelServer.start();
				fileId = await uploadToEmulator(emulator, 'agent-invoice.pdf', await makeInvoicePdf(invoice));
				await n8n.importCredentials([{ ...MODEL_CREDENTIAL, type: 'openAiApi', data: { apiKey: 'sk-e2e-scripted', url: model.url } }]);
				await n8n.importWorkflows(writeWorkflow(path.join(n8n.userFolder, 'workflows'), agentWorkflow()));
			},
			{ critical: true },
		);

		await s.test('the agent calls LlamaExtract with the model’s file ID; compact JSON back; the answer has the total', async () => {
			assert.ok(model);
			model.toolArguments = { file_id: fileId };
			model.requests.length = 0;
			const { run, code } = await n8n.execute(AGENT_WORKFLOW_ID);
			assert.equal(runError(run), undefined, `run failed: ${runError(run)}`);
			assert.equal(code, 0);
			const [answer] = nodeOutput(run, 'AI Agent');
			assert.equal(answer.output, `The invoice total is ${expected.total}.`);
			// The tool was offered with the $fromAI argument, and called with the model's file ID.
			const offered = model.requests[0].tools?.find((tool) => /llama/i.test(tool.function.name));
			assert.ok(offered, `tools offered: ${JSON.stringify(model.requests[0].tools?.map((t) => t.function.name))}`);
			assert.match(JSON.stringify(offered.function.parameters), /file_id/);
			const jobs = await emulator.api<{ items: Array<{ id: string; file_input: string }> }>('GET', `/api/v2/extract?file_input=${fileId}`);
			assert.equal(jobs.items.length, 1, 'one job for the file the model named');
			// What the model got back: the fields and the job ID, nothing else, small.
			const [toolResult] = model.toolResults();
			assert.ok(toolResult.includes(jobs.items[0].id), `job ID in the tool result: ${toolResult.slice(0, 300)}`);
			assert.match(toolResult, new RegExp(`"total":${expected.total}`));
			assert.ok(!/_llamaextract|binary|citations/.test(toolResult), `not compact: ${toolResult.slice(0, 300)}`);
			assert.ok(toolResult.length < 2000, `tool result is ${toolResult.length} characters`);
			console.log(`    tool result ${toolResult.length} characters; answer: ${String(answer.output)}`);
		});

		await s.test('a tool error reaches the model as a message; the execution does not fail', async () => {
			assert.ok(model);
			model.toolArguments = { file_id: 'dfl-00000000-0000-0000-0000-000000000000' };
			model.requests.length = 0;
			const { run, code } = await n8n.execute(AGENT_WORKFLOW_ID);
			assert.equal(runError(run), undefined, `run failed: ${runError(run)}`);
			assert.equal(code, 0);
			const [toolResult] = model.toolResults();
			assert.match(toolResult, /error/i);
			const [answer] = nodeOutput(run, 'AI Agent');
			assert.match(String(answer.output), /^The document could not be read: /);
			console.log(`    answer: ${String(answer.output).slice(0, 160)}`);
		});
	} finally {
		await model?.close();
	}
}
