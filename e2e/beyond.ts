/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/* eslint-disable no-console */
/**
 * Issue 16 in real n8n 2.41.1 (`npm run e2e -- --only=beyond`): Extract Data › Route for Review sends each item to
 * the right output for a document set built to come back with low confidence, empty required fields and a broken
 * rule; every item carries its usage. Then LlamaExtract as a tool of n8n's own AI Agent (e2e/agent.ts).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { makeTextPdf } from '../emulator/samples';
import { agentTests } from './agent';
import { checkReviewCanvas } from './beyondEditor';
import { EmulatorProcess } from './lib/emulator';
import { N8nInstance, nodeOutput, runError } from './lib/n8n';
import { waitFor } from './lib/proc';
import type { Runner } from './lib/runner';
import { ARTIFACTS_DIR, CREDENTIAL_TYPE, EXAMPLES_DIR, NODE_TYPE, RUNTIMES } from './lib/runtimes';
import { EXAMPLE_CREDENTIAL, writeWorkflow, type WorkflowJson } from './lib/workflows';

/** The review document set: vendor -> lines of its one-page PDF, and where it must end up. */
export const REVIEW_SET: Array<{ vendor: string; lines: string[]; output: 'Passed' | 'Needs Review'; rules: string[] }> = [
	{ vendor: 'Acme Ltd', lines: ['Vendor: Acme Ltd', 'Invoice Number: INV-1001', 'Total: 120.00'], output: 'Passed', rules: [] },
	// "Total Due" is a partial label for `total`: low confidence.
	{ vendor: 'Beta GmbH', lines: ['Vendor: Beta GmbH', 'Invoice Number: INV-1002', 'Total Due: 99.50'], output: 'Needs Review', rules: ['confidence'] },
	// No invoice number: a required field comes back null.
	{ vendor: 'Gamma Inc', lines: ['Vendor: Gamma Inc', 'Total: 45.00'], output: 'Needs Review', rules: ['confidence', 'required', 'pattern'] },
	// The number does not match the rule's pattern.
	{ vendor: 'Delta SA', lines: ['Vendor: Delta SA', 'Invoice Number: X-77', 'Total: 10.00'], output: 'Needs Review', rules: ['pattern'] },
	{ vendor: 'Epsilon BV', lines: ['Vendor: Epsilon BV', 'Invoice Number: INV-1005', 'Total: 75.25'], output: 'Passed', rules: [] },
];

export const REVIEW_SCHEMA = {
	type: 'object',
	properties: { vendor: { type: 'string' }, invoice_number: { type: 'string' }, total: { type: 'number' } },
	required: ['invoice_number', 'total'],
};

export function reviewWorkflow(folder: string): WorkflowJson {
	const node = (name: string, type: string, position: [number, number], parameters: Record<string, unknown>) => ({
		id: `beyond-${name.replace(/\W/g, '-').toLowerCase()}`,
		name,
		type,
		typeVersion: 1,
		position,
		parameters,
	});
	return {
		id: 'llxE2eReviewRouting',
		name: 'e2e: review routing',
		settings: { executionOrder: 'v1' },
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger', [0, 0], {}),
			node('Read documents', 'n8n-nodes-base.readWriteFile', [200, 0], { operation: 'read', fileSelector: path.join(folder, '*.pdf'), options: {} }),
			{
				...node('Extract', NODE_TYPE, [400, 0], {
					resource: 'extractJob',
					operation: 'extract',
					inputType: 'binary',
					binaryPropertyName: 'data',
					schemaSource: 'jsonSchema',
					jsonSchema: JSON.stringify(REVIEW_SCHEMA),
					extractSettings: { tier: 'agentic' },
					options: {
						routeForReview: true,
						reviewRules: { rule: [{ field: 'invoice_number', check: 'pattern', pattern: '^INV-\\d+$' }] },
					},
				}),
				credentials: { llamaCloudApi: { ...EXAMPLE_CREDENTIAL } },
			},
			node('Approved items', 'n8n-nodes-base.noOp', [600, -100], {}),
			node('Items to review', 'n8n-nodes-base.noOp', [600, 100], {}),
		],
		connections: {
			Start: { main: [[{ node: 'Read documents', type: 'main', index: 0 }]] },
			'Read documents': { main: [[{ node: 'Extract', type: 'main', index: 0 }]] },
			Extract: { main: [[{ node: 'Approved items', type: 'main', index: 0 }], [{ node: 'Items to review', type: 'main', index: 0 }]] },
		},
	};
}

type Item = Record<string, unknown>;

/** The review example through its forms: upload a low-confidence invoice, then correct the total on the review page. */
async function reviewExampleRun(n8n: N8nInstance, filesDir: string): Promise<void> {
	await n8n.login();
	await n8n.ensureApiKey();
	const example = JSON.parse(readFileSync(path.join(EXAMPLES_DIR, 'review-routing.json'), 'utf8')) as WorkflowJson;
	await n8n.importWorkflows(writeWorkflow(path.join(filesDir, '..', 'examples'), example));
	await n8n.activate(example.id);
	const trigger = example.nodes.find((node) => node.type === 'n8n-nodes-base.formTrigger');
	const document = REVIEW_SET[1];
	const pdf = await makeTextPdf([document.lines]);
	const upload = await n8n.waitForWebhook(`/form/${trigger?.webhookId}`, () => {
		const form = new FormData();
		form.append('field-0', new Blob([pdf], { type: 'application/pdf' }), 'invoice.pdf');
		return { method: 'POST', body: form };
	});
	const uploadAnswer = await upload.text();
	assert.ok(upload.status < 400, `form upload answered ${upload.status}: ${uploadAnswer.slice(0, 300)}`);
	const waiting = await waitFor('the review form to wait', async () => {
		const [latest] = await n8n.executions(example.id);
		return latest?.status === 'waiting' ? latest : undefined;
	});
	const review = new FormData();
	review.append('field-0', document.vendor);
	review.append('field-1', 'INV-1002');
	review.append('field-2', '99.95');
	// n8n 2.x signs the waiting form's URL; the Form node leaves it in its run metadata (what the editor opens).
	const waitingRun = (await n8n.execution(waiting.id)) as unknown as { data: { resultData: { runData: Record<string, Array<{ metadata?: { resumeFormUrl?: string } }>> } } };
	const signed = waitingRun.data.resultData.runData['Confirm or correct the fields']?.[0]?.metadata?.resumeFormUrl;
	const resumeUrl = signed ? new URL(signed) : new URL(`/form-waiting/${waiting.id}`, n8n.baseUrl);
	const answered = await fetch(`${n8n.baseUrl}${resumeUrl.pathname}${resumeUrl.search}`, { method: 'POST', body: review });
	assert.ok(answered.status < 400, `review form answered ${answered.status}; upload answer ${upload.status} ${JSON.stringify(Object.fromEntries(upload.headers))} ${uploadAnswer.slice(0, 1500)}`);
	const run = await n8n.waitForExecution(waiting.id);
	assert.equal(run.status, 'success', `review example: ${runError(run)}`);
	const [stored] = nodeOutput(run, 'Store the invoice');
	const audit = stored.review as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
	assert.equal(stored.total, 99.95);
	assert.equal(audit.status, 'reviewed');
	assert.deepEqual(audit.initial, { vendor: document.vendor, invoice_number: 'INV-1002', total: 99.5 });
	assert.deepEqual(audit.reviewed, { vendor: document.vendor, invoice_number: 'INV-1002', total: 99.95 });
	assert.equal(audit.reasons[0].rule, 'confidence');
	assert.match(String(audit.job_id), /^ext-/);
	await n8n.deactivate(example.id);
	console.log(`    reviewed: total ${String(audit.initial.total)} -> ${String(audit.reviewed.total)}, reasons ${JSON.stringify(audit.reasons)}`);
}
const meta = (item: Item) => item._llamaextract as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function beyondSuite(runner: Runner, tarball: string): Promise<void> {
	const runtime = RUNTIMES.v2;
	await runner.suite(`issue 16 in n8n ${runtime.version}: review routing, usage, AI Agent tool`, async (s) => {
		const emulator = await EmulatorProcess.start({ logFile: path.join(ARTIFACTS_DIR, 'logs', 'emulator-beyond.log') });
		const n8n = await N8nInstance.create({ runtime, name: 'beyond' });
		const filesDir = path.join(n8n.userFolder, 'files');
		n8n.addEnv({ N8N_RESTRICT_FILE_ACCESS_TO: filesDir });
		try {
			await s.test(
				'install the package, import the credential and the review workflow',
				async () => {
					await n8n.installPackage(tarball);
					await n8n.importCredentials([
						{
							...EXAMPLE_CREDENTIAL,
							type: CREDENTIAL_TYPE,
							data: { apiKey: emulator.apiKey, region: 'custom', baseUrl: emulator.url, projectId: '', organizationId: '' },
						},
					]);
					const folder = path.join(filesDir, 'review');
					mkdirSync(folder, { recursive: true });
					for (const [index, document] of REVIEW_SET.entries()) {
						writeFileSync(path.join(folder, `doc-${index}.pdf`), await makeTextPdf([document.lines]));
					}
					await n8n.importWorkflows(writeWorkflow(path.join(n8n.userFolder, 'workflows'), reviewWorkflow(folder)));
				},
				{ critical: true },
			);

			await s.test('Route for Review: each output gets the right items, with reasons and usage', async () => {
				const { run, code } = await n8n.execute('llxE2eReviewRouting');
				assert.equal(runError(run), undefined, `run failed: ${runError(run)}`);
				assert.equal(code, 0);
				const passed = nodeOutput(run, 'Approved items');
				const review = nodeOutput(run, 'Items to review');
				const vendorsOf = (items: Item[]) => items.map((item) => String(item.vendor)).sort();
				assert.deepEqual(vendorsOf(passed), REVIEW_SET.filter((d) => d.output === 'Passed').map((d) => d.vendor).sort());
				assert.deepEqual(vendorsOf(review), REVIEW_SET.filter((d) => d.output === 'Needs Review').map((d) => d.vendor).sort());
				for (const item of review) {
					const expected = REVIEW_SET.find((d) => d.vendor === item.vendor)!;
					const rules = (meta(item).review.reasons as Array<{ rule: string }>).map((reason) => reason.rule).sort();
					assert.deepEqual([...new Set(rules)], [...expected.rules].sort(), `reasons for ${expected.vendor}`);
				}
				for (const item of passed) assert.equal(meta(item).review, undefined);
				// Usage on every item: one page each at the agentic price (15 credits a page); run totals reach 5 pages.
				const all = [...passed, ...review];
				for (const item of all) assert.deepEqual(meta(item).usage, { num_pages_extracted: 1, num_pages_billed: 1, credits: 15, credits_estimated: true });
				const totals = all.map((item) => meta(item).run_usage.num_pages_billed as number);
				assert.equal(Math.max(...totals), REVIEW_SET.length);
				console.log(`    passed: ${vendorsOf(passed).join(', ')}; needs review: ${vendorsOf(review).join(', ')}; run total ${Math.max(...totals)} pages / ${Math.max(...all.map((item) => meta(item).run_usage.credits as number))} credits`);
			});

			await s.test('editor (2.41.1): the canvas labels the outputs Passed and Needs Review', async () => {
				await n8n.start();
				await checkReviewCanvas(n8n, 'llxE2eReviewRouting', 'v2');
			});

			await s.test('examples/review-routing.json: a person corrects a routed invoice in the n8n Form; both values are kept', async () => {
				await reviewExampleRun(n8n, filesDir);
			});

			await agentTests(s, n8n, emulator);
		} finally {
			await n8n.dispose();
			await emulator.stop();
		}
	});
	await runner.suite(`issue 16 in n8n ${RUNTIMES.v1.version}: the editor shows Needs Review`, async (s) => {
		const n8n = await N8nInstance.create({ runtime: RUNTIMES.v1, name: 'beyond-v1' });
		try {
			await s.test('install, import the review workflow, open it in the editor', async () => {
				await n8n.installPackage(tarball);
				await n8n.importWorkflows(writeWorkflow(path.join(n8n.userFolder, 'workflows'), reviewWorkflow(path.join(n8n.userFolder, 'files'))));
				await n8n.start();
				await checkReviewCanvas(n8n, 'llxE2eReviewRouting', 'v1');
			});
		} finally {
			await n8n.dispose();
		}
	});
}
