/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/* eslint-disable no-console */
/**
 * Queue mode, the way users scale past one machine: n8n 2.41.1 main + one worker, PostgreSQL and Redis from
 * Debian's packages on loopback, the package installed on both. An Extract Data run (production webhook) and
 * the active LlamaExtract Trigger both execute on the worker, and the trigger emits each finished job once.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { expectedInvoiceResult } from '../emulator/samples';
import { EmulatorProcess } from './lib/emulator';
import { N8nInstance, nodeOutput } from './lib/n8n';
import { sleep, waitFor } from './lib/proc';
import type { Runner } from './lib/runner';
import { ARTIFACTS_DIR, CREDENTIAL_TYPE, E2E_DIR, EXAMPLES_DIR, RUNTIMES } from './lib/runtimes';
import { Postgres, Redis } from './lib/services';
import { EXAMPLE_CREDENTIAL, EXAMPLE_IDS, readWorkflow, writeWorkflow } from './lib/workflows';
import { BATCH_INVOICES } from './suite';

const QUEUE_WORKFLOW = 'e2eQueueExtract';

async function uploadInvoice(main: N8nInstance, file: string): Promise<Record<string, unknown>> {
	const form = new FormData();
	form.append('data', new Blob([readFileSync(file)], { type: 'application/pdf' }), path.basename(file));
	const response = await main.waitForWebhook('/webhook/llx-e2e-extract', () => ({ method: 'POST', body: form }), 20_000);
	const text = await response.text();
	assert.equal(response.status, 200, `webhook answered ${response.status}: ${text.slice(0, 1000)}`);
	return JSON.parse(text) as Record<string, unknown>;
}

/** Execution ids the worker says it ran. */
function workerExecutions(worker: N8nInstance): Set<string> {
	return new Set([...worker.serverOutput.matchAll(/Worker finished execution (\d+)/g)].map((m) => m[1]));
}

export async function queueSuite(runner: Runner, tarball: string): Promise<void> {
	await runner.suite('queue mode: n8n 2.41.1 main + worker, PostgreSQL + Redis', async (s) => {
		const logs = path.join(ARTIFACTS_DIR, 'logs');
		let pg: Postgres | undefined;
		let redis: Redis | undefined;
		let emulator: EmulatorProcess | undefined;
		let main: N8nInstance | undefined;
		let worker: N8nInstance | undefined;
		const jobIds: string[] = [];
		try {
			await s.test(
				'PostgreSQL and Redis start on 127.0.0.1; main and worker start with the package installed on both',
				async () => {
					[pg, redis, emulator] = await Promise.all([
						Postgres.start(path.join(logs, 'queue-postgres.log')),
						Redis.start(path.join(logs, 'queue-redis.log')),
						EmulatorProcess.start({ logFile: path.join(logs, 'emulator-queue.log') }),
					]);
					await pg.createDatabase('n8n');
					const env = { ...pg.n8nEnv('n8n'), ...redis.n8nEnv() };
					main = await N8nInstance.create({ runtime: RUNTIMES.v2, name: 'queue-main', env });
					worker = await N8nInstance.create({ runtime: RUNTIMES.v2, name: 'queue-worker', env, encryptionKey: main.encryptionKey });
					await main.installPackage(tarball);
					await worker.installPackage(tarball);
					await main.importCredentials([
						{
							...EXAMPLE_CREDENTIAL,
							type: CREDENTIAL_TYPE,
							data: { apiKey: emulator.apiKey, region: 'custom', baseUrl: emulator.url, projectId: '', organizationId: '' },
						},
					]);
					const staged = path.join(main.userFolder, 'workflows');
					writeWorkflow(staged, readWorkflow(path.join(E2E_DIR, 'workflows/queue-extract.json')));
					writeWorkflow(staged, readWorkflow(path.join(EXAMPLES_DIR, 'extraction-trigger.json')));
					await main.importWorkflows(staged, true);
					await main.start();
					await worker.start({ command: ['worker', '--concurrency=5'] });
				},
				{ critical: true },
			);
			s.checkpoint();
			const m = main!;
			const w = worker!;
			const emu = emulator!;

			await s.test('the LlamaExtract Trigger workflow activates (first poll on the main instance)', async () => {
				await m.activate(EXAMPLE_IDS.trigger);
			});

			await s.test('an Extract Data run (production webhook upload) executes on the worker', async () => {
				await m.activate(QUEUE_WORKFLOW);
				const invoice = BATCH_INVOICES[1];
				const result = await uploadInvoice(m, path.join(EXAMPLES_DIR, 'files/invoices', `${invoice.invoiceNumber}.pdf`));
				const expected = expectedInvoiceResult(invoice);
				assert.equal(result.invoice_number, expected.invoice_number);
				assert.equal(result.vendor, expected.vendor);
				assert.deepStrictEqual(result.line_items, expected.line_items);
				jobIds.push(String((result._llamaextract as Record<string, unknown>).job_id));
				const [execution] = await m.executions(QUEUE_WORKFLOW);
				assert.ok(execution, 'the webhook run is listed');
				await waitFor(`worker log for execution ${execution.id}`, () => workerExecutions(w).has(String(execution.id)), { timeoutMs: 15_000 });
				const full = await m.waitForExecution(String(execution.id));
				assert.equal(full.status, 'success');
				assert.equal(nodeOutput(full, 'Extract Data')[0].invoice_number, expected.invoice_number);
				// A second document, so the trigger has more than one job to report.
				const second = await uploadInvoice(m, path.join(EXAMPLES_DIR, 'files/invoices', `${BATCH_INVOICES[0].invoiceNumber}.pdf`));
				jobIds.push(String((second._llamaextract as Record<string, unknown>).job_id));
			});

			await s.test('the trigger emits each finished job exactly once, and its runs execute on the worker', async () => {
				assert.equal(jobIds.length, 2, 'two extraction jobs were created');
				const completed = (await emu.jobs()).filter((j) => j.kind === 'extract' && jobIds.includes(j.id));
				assert.ok(completed.every((j) => j.status === 'COMPLETED'), `jobs: ${JSON.stringify(completed)}`);
				const emitted = async () => {
					const executions = await m.executions(EXAMPLE_IDS.trigger, true);
					return executions.map((e) => {
						const items = nodeOutput(e, 'Handle finished job');
						return { id: String(e.id), status: e.status, jobs: items.map((i) => String((i._llamaextract as Record<string, unknown> | undefined)?.job_id ?? i.id)) };
					});
				};
				// Polls run once a minute (n8n's minimum), so the first one comes within about 60 s.
				const first = await waitFor(
					'the trigger to emit both jobs',
					async () => {
						const runs = await emitted();
						const jobs = runs.flatMap((r) => r.jobs);
						return jobIds.every((id) => jobs.includes(id)) ? runs : undefined;
					},
					{ timeoutMs: 150_000, intervalMs: 2_000 },
				);
				// Wait for the next poll, then check nothing was emitted twice.
				const secondsToNextMinute = 60 - new Date().getSeconds();
				await sleep((secondsToNextMinute + 12) * 1000);
				const runs = await emitted();
				const jobs = runs.flatMap((r) => r.jobs);
				console.log(`    trigger runs: ${JSON.stringify(runs)}`);
				assert.deepStrictEqual([...jobs].sort(), [...jobIds].sort(), 'each finished job is emitted exactly once');
				assert.ok(runs.length >= first.length);
				assert.ok(runs.every((r) => r.status === 'success'), 'trigger runs succeeded');
				const onWorker = workerExecutions(w);
				for (const run of runs) assert.ok(onWorker.has(run.id), `trigger execution ${run.id} ran on the worker`);
			});
		} finally {
			await worker?.dispose();
			await main?.dispose();
			await emulator?.stop();
			await redis?.stop();
			await pg?.stop();
		}
	});
}
