/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions */
/**
 * R1-R3 (issue 13): Extract Data in real n8n 2.41.1 (`n8n execute` of a packed build) against the emulator's rate
 * limits: the documented upload limit, the free tier, and a server that counts refused requests and sends no
 * Retry-After; then the n8n process's memory for 1,000 documents of 1 MB in filesystem binary mode. Every
 * workflow reads its PDFs from disk with Read/Write Files, as users batch a folder.
 *
 * The runs that share no CPU-heavy phase go side by side: the free-tier runs mostly wait, so they run beside
 * the 1,000-document run. Each run has its own emulator (in this process) and its own copy of one prepared n8n
 * user folder, so no two n8n processes share a database.
 */
import { spawn } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { RateLimitSettings } from '../emulator/limits';
import { makeInvoicePdf } from '../emulator/samples';
import { startEmulator, type Emulator } from '../emulator/server';
import { N8nInstance, parseCliRun, type RunData } from '../e2e/lib/n8n';
import { buildAndPack } from '../e2e/lib/pack';
import { freePorts } from '../e2e/lib/ports';
import { CREDENTIAL_TYPE, EXAMPLES_DIR, n8nBin, nodeExe, RUNTIMES } from '../e2e/lib/runtimes';
import { readWorkflow, type WorkflowJson } from '../e2e/lib/workflows';
import { RATE_LIMITS } from '../nodes/shared/rules';
import { batchInvoice } from '../test/harness/documents';
import { paddedPdf } from './ratePdf';

const API_KEY = 'llx-bench-rate-key';
const EXTRACT_NODE = 'Extract invoices';
const MB = 1024 * 1024;

export interface RateScenario {
	id: string;
	label: string;
	docs: number;
	limits: Partial<RateLimitSettings>;
	/** Pad each PDF to this size (memory rows). */
	bytesPerDoc?: number;
	binaryMode?: 'filesystem';
	/** The rate bound: the least time the limit allows for this batch, in ms. */
	boundMs: number;
	/** How the bound was computed, for the table. */
	boundText: string;
}

export interface RateRow {
	scenario: RateScenario;
	nodeMs: number;
	executionMs: number;
	status: string;
	error?: string;
	outputItems: number;
	correct: number;
	failedItems: number;
	jobs: number;
	duplicateJobs: number;
	requests: number;
	refused: number;
	byRoute: Record<string, number>;
	/** Peak RSS of the n8n process over the whole `n8n execute`, printing the run included. */
	peakRssMb: number;
	/** The same until the last job finished (+1 s): the workflow's own memory, before n8n prints the run. */
	peakWhileExtractingMb: number;
	/** When the peak was reached, ms after the start. */
	peakAt: number;
}

const uploadBound = (docs: number) => (docs / RATE_LIMITS.uploads.requests) * RATE_LIMITS.uploads.windowMs;
/** Two requests per document (upload, create) at 20 a minute: the issue's measure of the free tier's bound. */
const freeTierBound = (docs: number) => ((2 * docs) / RATE_LIMITS.freeTier.requests) * RATE_LIMITS.freeTier.windowMs;

const UPLOADS: Partial<RateLimitSettings> = { uploads: RATE_LIMITS.uploads };
const FREE: Partial<RateLimitSettings> = { uploads: RATE_LIMITS.uploads, plan: 'free' };
const HARSH = { retryAfter: false, countRefused: true };

export function rateScenarios(quick: boolean): RateScenario[][] {
	const many = quick ? 100 : 1000;
	const few = quick ? 0 : 30;
	const upload = (id: string, label: string, limits: Partial<RateLimitSettings>): RateScenario => ({
		id,
		label,
		docs: many,
		limits,
		boundMs: uploadBound(many),
		boundText: `${many} uploads at 50 per 5 s`,
	});
	const free = (id: string, label: string, limits: Partial<RateLimitSettings>): RateScenario => ({
		id,
		label,
		docs: few,
		limits,
		boundMs: freeTierBound(few),
		boundText: `${2 * few} requests at 20 per minute`,
	});
	const memory = (docs: number, limited = true): RateScenario => ({
		id: `memory${docs}${limited ? '' : 'Unlimited'}`,
		label: `Memory: ${docs} documents of 1 MB, filesystem binary mode, ${limited ? 'uploads 50 per 5 s' : 'no rate limit'}`,
		docs,
		limits: limited ? UPLOADS : {},
		bytesPerDoc: MB,
		binaryMode: 'filesystem',
		boundMs: uploadBound(docs),
		boundText: `${docs} uploads at 50 per 5 s`,
	});
	// Phases run one after another; the scenarios of one phase run side by side.
	const phases: RateScenario[][] = [
		[
			upload('uploads', 'Uploads 50 per 5 s', UPLOADS),
			...(few ? [free('free', 'Free tier, 20 requests per minute, default settings', FREE)] : []),
			...(few ? [free('freeHarsh', 'Free tier; refused requests counted, no Retry-After', { ...FREE, ...HARSH })] : []),
		],
		[upload('uploadsHarsh', 'Uploads 50 per 5 s; refused requests counted, no Retry-After', { ...UPLOADS, ...HARSH })],
	];
	// The same 1,000 documents with no limit to pace at: what pacing adds to memory, if anything.
	if (!quick) phases.push([memory(10)], [memory(1000)], [memory(1000, false)]);
	return phases;
}

/** One-page invoice PDFs `invoice-<i>.pdf` in a folder, made once; padded copies are made from them. */
async function documentFolder(root: string, docs: number, bytesPerDoc: number | undefined): Promise<string> {
	const folder = join(root, `docs-${docs}-${bytesPerDoc ?? 0}`);
	if (existsSync(folder)) return folder;
	mkdirSync(folder, { recursive: true });
	const plain = join(root, 'plain');
	mkdirSync(plain, { recursive: true });
	for (let index = 0; index < docs; index++) {
		const name = `invoice-${index}.pdf`;
		if (!existsSync(join(plain, name))) writeFileSync(join(plain, name), await makeInvoicePdf(batchInvoice(index)));
		const pdf = readFileSync(join(plain, name));
		writeFileSync(join(folder, name), bytesPerDoc ? await paddedPdf(pdf, bytesPerDoc) : pdf);
	}
	return folder;
}

/** The folder-batch example, reading `folder`, with the scenario's credential. */
function scenarioWorkflow(scenario: RateScenario, folder: string): WorkflowJson {
	const workflow = readWorkflow(join(EXAMPLES_DIR, 'folder-batch.json'));
	workflow.id = `benchRate${scenario.id[0].toUpperCase()}${scenario.id.slice(1)}`;
	workflow.name = `bench: ${scenario.label}`;
	for (const node of workflow.nodes) {
		if (node.type === 'n8n-nodes-base.readWriteFile') node.parameters.fileSelector = join(folder, '*.pdf');
		if (node.credentials?.llamaCloudApi) node.credentials.llamaCloudApi = { id: `cred${scenario.id}`, name: `bench ${scenario.id}` };
	}
	return workflow;
}

/**
 * `n8n execute` of one workflow, its RSS sampled from /proc every 100 ms. Its output goes to a file, not a pipe: n8n
 * exits right after printing the run, and a large run printed into a pipe can be cut short.
 */
async function executeMeasured(
	instance: N8nInstance,
	workflowId: string,
	env: Record<string, string>,
): Promise<{ run?: RunData; output: string; samples: Array<[number, number]>; startedAt: number; ms: number }> {
	const [brokerPort] = await freePorts(1);
	const outputFile = join(instance.logDir, `execute-${workflowId}.log`);
	const fd = openSync(outputFile, 'w');
	const startedAt = Date.now();
	const child = spawn(nodeExe(instance.runtime), [n8nBin(instance.runtime), 'execute', `--id=${workflowId}`, '--rawOutput'], {
		env: instance.env({ N8N_RUNNERS_BROKER_PORT: String(brokerPort), N8N_LOG_LEVEL: 'info', ...env }),
		cwd: instance.userFolder,
		stdio: ['ignore', fd, fd],
	});
	const samples: Array<[number, number]> = [];
	const sample = setInterval(() => {
		try {
			const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
			if (rssKb > 0) samples.push([Date.now(), rssKb / 1024]);
		} catch {
			// the process has exited
		}
	}, 100);
	const timeout = setTimeout(() => child.kill('SIGKILL'), 30 * 60_000);
	try {
		await new Promise<void>((resolve) => child.once('exit', () => resolve()));
	} finally {
		clearInterval(sample);
		clearTimeout(timeout);
		closeSync(fd);
	}
	const output = readFileSync(outputFile, 'utf8');
	return { run: parseCliRun(output), output, samples, startedAt, ms: Date.now() - startedAt };
}

async function runScenario(instance: N8nInstance, emulator: Emulator, scenario: RateScenario, folder: string): Promise<RateRow> {
	const workflowId = scenarioWorkflow(scenario, folder).id as string;
	// n8n 2.x lets file nodes read only N8N_RESTRICT_FILE_ACCESS_TO (default ~/.n8n-files).
	const env: Record<string, string> = { N8N_RESTRICT_FILE_ACCESS_TO: folder };
	if (scenario.binaryMode) env.N8N_DEFAULT_BINARY_DATA_MODE = scenario.binaryMode;
	const measured = await executeMeasured(instance, workflowId, env);
	const peak = (until = Number.POSITIVE_INFINITY) => Math.max(0, ...measured.samples.filter(([at]) => at <= until).map(([, mb]) => mb));
	const runs = measured.run?.data?.resultData?.runData?.[EXTRACT_NODE] as Array<{ executionTime?: number; data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> } }> | undefined;
	const items = (runs?.[0]?.data?.main?.[0] ?? []).map((item) => item.json);
	const expected = new Set(Array.from({ length: scenario.docs }, (_, index) => batchInvoice(index).invoiceNumber));
	const seen = new Set<unknown>();
	let correct = 0;
	for (const item of items) {
		if (expected.has(item.invoice_number as string) && !seen.has(item.invoice_number)) correct++;
		seen.add(item.invoice_number);
	}
	const jobs = emulator.jobs().filter((job) => job.kind === 'extract');
	// The node is done about one poll after the last job finished; after that n8n prints the whole run.
	const lastDone = Math.max(0, ...jobs.map((job) => job.completedAtMs ?? 0));
	const perFile = new Map<string, number>();
	for (const job of jobs) perFile.set(job.fileInput ?? job.id, (perFile.get(job.fileInput ?? job.id) ?? 0) + 1);
	const stats = emulator.stats();
	const error = measured.run?.data?.resultData?.error;
	return {
		scenario,
		nodeMs: runs?.[0]?.executionTime ?? Number.NaN,
		executionMs: measured.ms,
		status: measured.run?.status ?? (measured.run ? 'unknown' : `no run data: ${measured.output.slice(-300)}`),
		error: error ? [error.message, error.description].filter(Boolean).join(' — ') : undefined,
		outputItems: items.length,
		correct,
		failedItems: scenario.docs - correct,
		jobs: jobs.length,
		duplicateJobs: [...perFile.values()].reduce((sum, count) => sum + count - 1, 0),
		requests: stats.total,
		refused: stats.byStatus['429'] ?? 0,
		byRoute: stats.byRoute,
		peakRssMb: peak(),
		peakWhileExtractingMb: peak(lastDone + 1_000),
		peakAt: (measured.samples.find(([, mb]) => mb === peak())?.[0] ?? measured.startedAt) - measured.startedAt,
	};
}

/** Builds and packs the node, prepares one n8n user folder with every scenario's credential and workflow, runs the phases. */
export async function measureRateRows(quick: boolean, log: (text: string) => void): Promise<RateRow[]> {
	// BENCH_RATE_ROWS=id,id runs only those scenarios (a check while developing).
	const only = process.env.BENCH_RATE_ROWS?.split(',');
	const phases = rateScenarios(quick)
		.map((phase) => phase.filter((scenario) => !only || only.includes(scenario.id)))
		.filter((phase) => phase.length > 0);
	const scenarios = phases.flat();
	const root = mkdtempSync(join(tmpdir(), 'llamaextract-bench-rate-'));
	const emulators = new Map<string, Emulator>();
	try {
		log('R: building and packing the node; preparing n8n 2.41.1 and the documents');
		const tarball = await buildAndPack({ build: true });
		const ports = await freePorts(scenarios.length);
		for (const [index, scenario] of scenarios.entries()) {
			const emulator = await startEmulator({ apiKey: API_KEY, jobMs: 1000, port: ports[index], rateLimits: scenario.limits });
			// 1 MB uploads go to temp files, so the emulator's memory is not what is measured (it is in this process anyway).
			emulator.configure({ memoryFileBytes: 256 * 1024 });
			emulators.set(scenario.id, emulator);
		}
		const base = await N8nInstance.create({ runtime: RUNTIMES.v2, name: 'bench-rate', userFolder: join(root, 'base') });
		await base.installPackage(tarball);
		await base.importCredentials(
			scenarios.map((scenario) => ({
				id: `cred${scenario.id}`,
				name: `bench ${scenario.id}`,
				type: CREDENTIAL_TYPE,
				data: { apiKey: API_KEY, region: 'custom', baseUrl: emulators.get(scenario.id)!.url, projectId: '', organizationId: '' },
			})),
		);
		const staged = join(root, 'workflows');
		mkdirSync(staged, { recursive: true });
		const folders = new Map<string, string>();
		for (const scenario of scenarios) {
			const folder = await documentFolder(root, scenario.docs, scenario.bytesPerDoc);
			folders.set(scenario.id, folder);
			const workflow = scenarioWorkflow(scenario, folder);
			writeFileSync(join(staged, `${workflow.id as string}.json`), JSON.stringify(workflow));
		}
		await base.importWorkflows(staged, true);

		const rows: RateRow[] = [];
		for (const phase of phases) {
			log(`R: ${phase.map((scenario) => `${scenario.label} (${scenario.docs} documents)`).join(' | ')}`);
			rows.push(
				...(await Promise.all(
					phase.map(async (scenario) => {
						const folder = join(root, `n8n-${scenario.id}`);
						cpSync(base.userFolder, folder, { recursive: true });
						const instance = await N8nInstance.create({ runtime: RUNTIMES.v2, name: `bench-${scenario.id}`, userFolder: folder, encryptionKey: base.encryptionKey });
						return await runScenario(instance, emulators.get(scenario.id)!, scenario, folders.get(scenario.id)!);
					}),
				)),
			);
		}
		return rows;
	} finally {
		for (const emulator of emulators.values()) await emulator.close();
		rmSync(root, { recursive: true, force: true });
	}
}
