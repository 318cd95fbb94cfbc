/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/* eslint-disable no-console */
/**
 * One n8n runtime (2.41.1 on Node 24, or 1.123.x on Node 20) with the packed package installed the way users
 * install it, against the LlamaCloud emulator: module resolution, the examples headless (CLI and REST/public
 * API, with one run in filesystem binary-data mode), the load-time log, and optionally the editor.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { expectedInvoiceResult, SAMPLE_INVOICES, type SampleInvoice } from '../emulator/samples';
import { EmulatorProcess } from './lib/emulator';
import { checkPackageImports } from './lib/imports';
import { N8nInstance, nodeOutput, runError, type RunData } from './lib/n8n';
import type { Runner, Suite } from './lib/runner';
import { ARTIFACTS_DIR, CREDENTIAL_TYPE, PACKAGE_NAME, RUNTIMES } from './lib/runtimes';
import { EXAMPLE_CREDENTIAL, EXAMPLE_IDS, stageExamples, useCredential, type WorkflowJson } from './lib/workflows';

interface PackageJson {
	n8n: { nodes: string[]; credentials: string[] };
}

export type EditorCheck = (suite: Suite, n8n: N8nInstance, emulator: EmulatorProcess) => Promise<void>;

/** The invoice inside the email example (examples/files/invoice-acme.pdf). */
export const EMAIL_INVOICE = SAMPLE_INVOICES[0];
/** The invoices in examples/files/invoices/. */
export const BATCH_INVOICES = SAMPLE_INVOICES.slice(0, 3);

const TRIGGER_NAME = "When clicking 'Execute workflow'";

/** Asserts that `actual` has every key of `expected` with an equal value. */
export function assertFields(actual: Record<string, unknown>, expected: Record<string, unknown>, label: string): void {
	for (const [key, value] of Object.entries(expected)) {
		assert.deepStrictEqual(actual[key], value, `${label}: field "${key}"`);
	}
}

/** The rows the email example's "Flatten to table" node must produce for `invoice`. */
export function expectedTableRows(invoice: SampleInvoice) {
	const expected = expectedInvoiceResult(invoice);
	return expected.line_items.map((line) => ({
		invoice_number: expected.invoice_number,
		vendor: expected.vendor,
		invoice_date: expected.invoice_date,
		currency: expected.currency,
		description: line.description,
		quantity: line.quantity,
		unit_price: line.unit_price,
		amount: line.amount,
	}));
}

function assertSuccess(run: RunData, label: string): void {
	const error = runError(run);
	assert.ok(!error && run.status !== 'error', `${label} failed: ${error ?? run.status}`);
}

export function assertEmailRun(run: RunData): void {
	assertSuccess(run, 'email example');
	const [extracted] = nodeOutput(run, 'Extract invoice');
	const expected = expectedInvoiceResult(EMAIL_INVOICE);
	assertFields(extracted, { ...expected }, 'Extract invoice');
	const meta = extracted._llamaextract as Record<string, unknown> | undefined;
	assert.match(String(meta?.job_id), /^ext-/, 'Extract invoice: _llamaextract.job_id');
	assert.deepStrictEqual(nodeOutput(run, 'Flatten to table'), expectedTableRows(EMAIL_INVOICE));
}

export function assertBatchRun(run: RunData): void {
	assertSuccess(run, 'folder batch example');
	const extracted = nodeOutput(run, 'Extract invoices');
	assert.equal(extracted.length, BATCH_INVOICES.length, 'one extraction per PDF');
	const byNumber = new Map(extracted.map((item) => [item.invoice_number, item]));
	for (const invoice of BATCH_INVOICES) {
		const expected = expectedInvoiceResult(invoice);
		const item = byNumber.get(expected.invoice_number);
		assert.ok(item, `no extraction for ${expected.invoice_number}`);
		assertFields(item, {
			vendor: expected.vendor,
			invoice_number: expected.invoice_number,
			invoice_date: expected.invoice_date,
			currency: expected.currency,
			line_items: expected.line_items,
			total: expected.total,
		}, expected.invoice_number);
	}
	const lines = nodeOutput(run, 'Split out line items');
	assert.equal(lines.length, BATCH_INVOICES.reduce((n, invoice) => n + invoice.lineItems.length, 0), 'line items split out');
	assert.ok(lines.every((line) => typeof line.invoice_number === 'string' && typeof line.line_items === 'object'));
}

interface LogRecord {
	level?: string;
	message?: string;
	metadata?: Record<string, unknown>;
}

export function parseJsonLog(output: string): LogRecord[] {
	const records: LogRecord[] = [];
	for (const line of output.split('\n')) {
		if (!line.startsWith('{')) continue;
		try {
			records.push(JSON.parse(line) as LogRecord);
		} catch {
			// a multi-line message
		}
	}
	return records;
}

/** n8n's startup log (debug, JSON) shows the package loaded in full and nothing from it at warn or error. */
export function assertLoadLog(output: string, packageJson: PackageJson): void {
	const records = parseJsonLog(output);
	assert.ok(records.length > 20, 'n8n printed JSON log records');
	const loaded = records.find((r) => r.message?.startsWith(`Loaded all credentials and nodes from ${PACKAGE_NAME}`));
	assert.ok(loaded, `no "Loaded all credentials and nodes from ${PACKAGE_NAME}" in the log`);
	assert.equal(loaded.metadata?.nodes, packageJson.n8n.nodes.length, 'nodes loaded');
	assert.equal(loaded.metadata?.credentials, packageJson.n8n.credentials.length, 'credentials loaded');
	const mentions = /llamaextract|llamacloud|llamaExtract/i;
	const bad = records.filter((r) => (r.level === 'warn' || r.level === 'error') && mentions.test(JSON.stringify(r)));
	assert.deepStrictEqual(bad, [], 'warnings or errors mentioning the package');
	assert.ok(!/Failed to load package/.test(output), 'a package failed to load');
}

export async function runtimeSuite(
	runner: Runner,
	key: 'v2' | 'v1',
	tarball: string,
	{ editor, core = true }: { editor?: EditorCheck; core?: boolean },
): Promise<void> {
	const runtime = RUNTIMES[key];
	const nodeLabel = key === 'v2' ? 'Node 24' : 'Node 20';
	await runner.suite(`n8n ${runtime.version} (${nodeLabel})`, async (s) => {
		const logs = path.join(ARTIFACTS_DIR, 'logs');
		const emulator = await EmulatorProcess.start({ logFile: path.join(logs, `emulator-${key}.log`) });
		const n8n = await N8nInstance.create({ runtime, name: key });
		const filesDir = path.join(n8n.userFolder, 'files');
		// n8n 2.x only lets file nodes read N8N_RESTRICT_FILE_ACCESS_TO (default ~/.n8n-files).
		n8n.addEnv({ N8N_RESTRICT_FILE_ACCESS_TO: filesDir });
		let packageJson: PackageJson = { n8n: { nodes: [], credentials: [] } };
		let workflows: WorkflowJson[] = [];
		try {
			await s.test(
				'the packed tarball installs into <userFolder>/.n8n/nodes without node_modules',
				async () => {
					await n8n.installPackage(tarball);
					packageJson = JSON.parse(readFileSync(path.join(n8n.packageDir, 'package.json'), 'utf8')) as PackageJson;
					assert.ok(existsSync(path.join(n8n.packageDir, 'package.json')));
					assert.ok(!existsSync(path.join(n8n.packageDir, 'node_modules')), 'the tarball must not bring node_modules');
					for (const file of [...packageJson.n8n.nodes, ...packageJson.n8n.credentials]) {
						assert.ok(existsSync(path.join(n8n.packageDir, file)), `${file} is in the tarball`);
					}
				},
				{ critical: true },
			);

			await s.test('every runtime import (n8n-workflow, zod) resolves inside the installed n8n', async () => {
				const report = await checkPackageImports(n8n);
				assert.deepStrictEqual(report.problems, []);
				assert.ok(report.resolved.zod, 'the package requires zod at run time');
				const names = report.loaded.map((l) => l.name).sort();
				assert.deepStrictEqual(names, [...names].sort());
				assert.ok(names.includes('llamaExtract') && names.includes(CREDENTIAL_TYPE), `loaded: ${names.join(', ')}`);
				console.log(`    resolved: ${Object.entries(report.resolved).map(([m, f]) => `${m} -> ${path.relative(runtime.n8nDir, f)}`).join(', ')}`);
			});

			await s.test(
				'import the credential (custom base URL = emulator) and the example workflows (CLI)',
				async () => {
					workflows = stageExamples(path.join(n8n.userFolder, 'workflows'), filesDir);
					await n8n.importCredentials([
						{
							...EXAMPLE_CREDENTIAL,
							type: CREDENTIAL_TYPE,
							data: { apiKey: emulator.apiKey, region: 'custom', baseUrl: emulator.url, projectId: '', organizationId: '' },
						},
					]);
					await n8n.importWorkflows(path.join(n8n.userFolder, 'workflows'), true);
				},
				{ critical: true },
			);

			if (core) {
				await s.test('CLI `n8n execute`: email attachment -> JSON table (default binary-data mode)', async () => {
					const result = await n8n.execute(EXAMPLE_IDS.email);
					assertEmailRun(result.run);
					assert.equal(result.code, 0);
				});
				await s.test('CLI `n8n execute`: folder batch -> Split Out (filesystem binary-data mode)', async () => {
					const result = await n8n.execute(EXAMPLE_IDS.batch, { env: { N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem' } });
					assertBatchRun(result.run);
					assert.equal(result.code, 0);
				});
			}

			await s.test(
				'server starts with the package; the load-time log shows nodes + credential and no warnings',
				async () => {
					await n8n.start({ env: { N8N_LOG_LEVEL: 'debug', N8N_LOG_FORMAT: 'json' } });
					assertLoadLog(n8n.serverOutput, packageJson);
				},
				{ critical: true },
			);

			if (core) {
				await s.test('public API credential + workflow, editor-style run over REST (filesystem binary mode)', async () => {
					const credentialId = await n8n.createCredential('LlamaCloud (public API)', CREDENTIAL_TYPE, {
						apiKey: emulator.apiKey,
						region: 'custom',
						baseUrl: emulator.url,
						projectId: '',
						organizationId: '',
						// n8n 1.x adds this field to every credential's public-API schema, and its if/then makes
						// `allowedDomains` required unless the field is given (GET /api/v1/credentials/schema/llamaCloudApi).
						...(key === 'v1' ? { allowedHttpRequestDomains: 'all' } : {}),
					});
					const email = workflows.find((w) => w.id === EXAMPLE_IDS.email);
					assert.ok(email, 'email example staged');
					const copy = useCredential(JSON.parse(JSON.stringify(email)) as WorkflowJson, { id: credentialId, name: 'LlamaCloud (public API)' });
					const created = await n8n.apiOk<{ id: string }>('POST', '/workflows', {
						name: `${copy.name} (public API)`,
						nodes: copy.nodes,
						connections: copy.connections,
						settings: copy.settings ?? {},
					});
					const execution = await n8n.runManually(created.id, TRIGGER_NAME);
					assertEmailRun(execution);
				});

				await s.test('REST run of the folder batch example', async () => {
					assertBatchRun(await n8n.runManually(EXAMPLE_IDS.batch, TRIGGER_NAME));
				});

				await s.test('trigger example, manual run ("Fetch Test Event"): emits a finished job', async () => {
					const trigger = workflows.find((w) => w.id === EXAMPLE_IDS.trigger);
					if (!trigger) throw new Error('the trigger example is missing');
					const execution = await n8n.runManually(EXAMPLE_IDS.trigger, 'LlamaExtract Trigger');
					assertSuccess(execution, 'trigger example');
					const [job] = nodeOutput(execution, 'Handle finished job');
					const jobId = (job._llamaextract as Record<string, unknown> | undefined)?.job_id ?? job.id;
					const known = (await emulator.jobs()).map((j) => j.id);
					assert.ok(known.includes(String(jobId)), `trigger emitted job ${String(jobId)}, emulator has ${known.join(', ')}`);
				});
			}

			if (editor) await editor(s, n8n, emulator);
		} finally {
			await n8n.dispose();
			await emulator.stop();
		}
	});
}
