/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports */
/**
 * R4 (issue 13): queue mode. n8n 2.41.1 main + 2 workers (PostgreSQL and Redis on loopback), the package installed on
 * all three; 1,000 documents as 10 executions of 100 (production webhook, each reading its own folder), against the
 * emulator's documented upload limit. Each execution paces itself; the project's 50 uploads per 5 s are shared by
 * every execution on both workers, so what they do not know of each other shows as 429s, which this row reports.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DOCUMENTED_RATE_LIMITS } from '../emulator/limits';
import { startEmulator, type Emulator } from '../emulator/server';
import { N8nInstance, nodeOutput } from '../e2e/lib/n8n';
import { buildAndPack } from '../e2e/lib/pack';
import { waitFor } from '../e2e/lib/proc';
import { ARTIFACTS_DIR, CREDENTIAL_TYPE, EXAMPLES_DIR, RUNTIMES } from '../e2e/lib/runtimes';
import { Postgres, Redis } from '../e2e/lib/services';
import { readWorkflow } from '../e2e/lib/workflows';
import { RATE_LIMITS } from '../nodes/shared/rules';
import { batchInvoice } from '../test/harness/documents';
import { makeInvoicePdf } from '../emulator/samples';

const API_KEY = 'llx-bench-queue-key';
const WORKFLOW_ID = 'benchQueueFolder';
const WEBHOOK_PATH = 'llx-bench-queue';

export interface QueueRow {
	executions: number;
	workers: number;
	workerConcurrency: number;
	docs: number;
	wallMs: number;
	boundMs: number;
	succeeded: number;
	correct: number;
	jobs: number;
	duplicateJobs: number;
	requests: number;
	refused: number;
	uploadRequests: number;
	uploadsRefused: number;
	/** Each execution's own time (started → stopped), shortest first: a straggler shows at the end. */
	executionSeconds: number[];
}

/** The folder-batch example behind a production webhook: each call names the folder its execution reads. */
function queueWorkflow(): Record<string, unknown> {
	const workflow = readWorkflow(join(EXAMPLES_DIR, 'folder-batch.json'));
	workflow.id = WORKFLOW_ID;
	workflow.name = 'bench: queue mode, folder per execution';
	const trigger = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.manualTrigger')!;
	Object.assign(trigger, {
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		webhookId: '7a3c1e2d-0000-4000-8000-00000000b001',
		parameters: { httpMethod: 'POST', path: WEBHOOK_PATH, responseMode: 'onReceived', options: {} },
	});
	for (const node of workflow.nodes) {
		if (node.type === 'n8n-nodes-base.readWriteFile') node.parameters.fileSelector = '={{ $json.body.folder }}/*.pdf';
		if (node.credentials?.llamaCloudApi) node.credentials.llamaCloudApi = { id: 'credQueue', name: 'bench queue' };
		// BENCH_QUEUE_MAX_CONCURRENCY: Max Concurrent Jobs sized per worker as the README says (default: 20).
		const sized = Number(process.env.BENCH_QUEUE_MAX_CONCURRENCY);
		if (node.credentials?.llamaCloudApi && sized > 0) {
			node.parameters.options = { ...(node.parameters.options as object), maxConcurrency: sized };
		}
	}
	return { ...workflow, active: false };
}

export async function measureQueueRow(quick: boolean, log: (text: string) => void): Promise<QueueRow> {
	const executions = 10;
	const perExecution = quick ? 10 : 100;
	const workers = 2;
	const workerConcurrency = 5;
	const root = mkdtempSync(join(tmpdir(), 'llamaextract-bench-queue-'));
	const logs = join(ARTIFACTS_DIR, 'logs');
	let pg: Postgres | undefined;
	let redis: Redis | undefined;
	let emulator: Emulator | undefined;
	const instances: N8nInstance[] = [];
	try {
		log(`R4: queue mode, ${executions} executions × ${perExecution} documents on ${workers} workers`);
		const tarball = await buildAndPack({ build: false });
		const docsRoot = join(root, 'docs');
		for (let execution = 0; execution < executions; execution++) {
			const folder = join(docsRoot, `batch-${execution}`);
			mkdirSync(folder, { recursive: true });
			for (let offset = 0; offset < perExecution; offset++) {
				const index = execution * perExecution + offset;
				writeFileSync(join(folder, `invoice-${index}.pdf`), await makeInvoicePdf(batchInvoice(index)));
			}
		}
		[pg, redis, emulator] = await Promise.all([
			Postgres.start(join(logs, 'bench-queue-postgres.log')),
			Redis.start(join(logs, 'bench-queue-redis.log')),
			startEmulator({ apiKey: API_KEY, jobMs: 1000, rateLimits: DOCUMENTED_RATE_LIMITS }),
		]);
		await pg.createDatabase('n8n');
		const env = { ...pg.n8nEnv('n8n'), ...redis.n8nEnv(), N8N_RESTRICT_FILE_ACCESS_TO: docsRoot };
		const main = await N8nInstance.create({ runtime: RUNTIMES.v2, name: 'bench-queue-main', env });
		instances.push(main);
		for (let index = 0; index < workers; index++) {
			instances.push(await N8nInstance.create({ runtime: RUNTIMES.v2, name: `bench-queue-worker${index}`, env, encryptionKey: main.encryptionKey }));
		}
		for (const instance of instances) await instance.installPackage(tarball);
		await main.importCredentials([
			{ id: 'credQueue', name: 'bench queue', type: CREDENTIAL_TYPE, data: { apiKey: API_KEY, region: 'custom', baseUrl: emulator.url, projectId: '', organizationId: '' } },
		]);
		const staged = join(root, 'workflows');
		mkdirSync(staged, { recursive: true });
		writeFileSync(join(staged, `${WORKFLOW_ID}.json`), JSON.stringify(queueWorkflow()));
		await main.importWorkflows(staged, true);
		await main.start();
		await Promise.all(instances.slice(1).map(async (worker) => await worker.start({ command: ['worker', `--concurrency=${workerConcurrency}`] })));
		await main.activate(WORKFLOW_ID);
		emulator.resetStats();

		let started = Date.now();
		for (let execution = 0; execution < executions; execution++) {
			// The first call also waits for the production webhook to be registered after activation.
			const response = await main.waitForWebhook(
				`/webhook/${WEBHOOK_PATH}`,
				() => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ folder: join(docsRoot, `batch-${execution}`) }) }),
				60_000,
			);
			if (response.status !== 200) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
			if (execution === 0) started = Date.now();
		}
		const finished = await waitFor(
			`${executions} executions to finish`,
			async () => {
				const list = await main.executions(WORKFLOW_ID);
				const done = list.filter((execution) => execution.finished || ['success', 'error', 'crashed'].includes(String(execution.status)));
				return done.length >= executions ? done : undefined;
			},
			{ timeoutMs: 30 * 60_000, intervalMs: 1_000 },
		);
		const wallMs = Date.now() - started;
		const full = await main.executions(WORKFLOW_ID, true);
		const expected = new Set(Array.from({ length: executions * perExecution }, (_, index) => batchInvoice(index).invoiceNumber));
		const seen = new Set<string>();
		for (const execution of full) {
			for (const item of nodeOutput(execution, 'Extract invoices')) {
				if (expected.has(String(item.invoice_number))) seen.add(String(item.invoice_number));
			}
		}
		const jobs = emulator.jobs().filter((job) => job.kind === 'extract');
		const files = new Set(jobs.map((job) => job.fileInput ?? job.id));
		const stats = emulator.stats();
		const executionSeconds = finished
			.map((execution) => (Date.parse(execution.stoppedAt ?? '') - Date.parse(execution.startedAt ?? '')) / 1000)
			.sort((a, b) => a - b);
		return {
			executions,
			workers,
			workerConcurrency,
			docs: executions * perExecution,
			wallMs,
			boundMs: ((executions * perExecution) / RATE_LIMITS.uploads.requests) * RATE_LIMITS.uploads.windowMs,
			succeeded: finished.filter((execution) => String(execution.status) === 'success').length,
			correct: seen.size,
			jobs: jobs.length,
			duplicateJobs: jobs.length - files.size,
			requests: stats.total,
			refused: stats.byStatus['429'] ?? 0,
			uploadRequests: stats.byRoute['POST /api/v1/beta/files'] ?? 0,
			uploadsRefused: emulator.limits.counts.byLimit.uploads,
			executionSeconds,
		};
	} finally {
		for (const instance of instances.reverse()) await instance.dispose().catch(() => undefined);
		await emulator?.close();
		await redis?.stop();
		await pg?.stop();
		rmSync(root, { recursive: true, force: true });
	}
}

export function queueMarkdown(row: QueueRow | undefined): string {
	if (!row) return '';
	const share = row.requests > 0 ? ((100 * row.refused) / row.requests).toFixed(1) : '–';
	return [
		'## R4: queue mode (issue 13)',
		'',
		`n8n 2.41.1 main + ${row.workers} workers (\`--concurrency=${row.workerConcurrency}\`), PostgreSQL and Redis on loopback; ${row.docs} one-page PDFs as ${row.executions} webhook executions of ${row.docs / row.executions}, each reading its own folder; Max Concurrent Jobs ${process.env.BENCH_QUEUE_MAX_CONCURRENCY ?? '20 (default)'} per execution; emulator job time 1 s, uploads limited to 50 per 5 s per project.`,
		'',
		'| Executions | Wall time (first webhook → last execution finished) | Bound (uploads at 50 per 5 s) | vs the bound | Succeeded | Correct | Jobs (duplicates) | Requests answered 429 | Uploads answered 429 | Each execution, shortest to longest |',
		'|---|---|---|---|---|---|---|---|---|---|',
		`| ${row.executions} on ${row.workers} workers | ${(row.wallMs / 1000).toFixed(1)} s | ${(row.boundMs / 1000).toFixed(1)} s | ${(row.wallMs / row.boundMs).toFixed(2)}× | ${row.succeeded} of ${row.executions} | ${row.correct} of ${row.docs} | ${row.jobs} (${row.duplicateJobs}) | ${row.refused} of ${row.requests} (${share}%) | ${row.uploadsRefused} of ${row.uploadRequests} | ${row.executionSeconds.map((seconds) => seconds.toFixed(0)).join(', ')} s |`,
		'',
	].join('\n');
}
