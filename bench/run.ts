/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions, no-console */
/**
 * Batch performance benchmark (issue 7): `npm run bench` (full, ~7 min) or `npm run bench -- --quick` (smoke, ~1 min).
 * Writes bench/results.md and bench/results.json.
 *
 * The emulator runs here with a fixed job time; each measured workflow runs in its own n8n-core process
 * (bench/worker.ts), so timings and memory belong to that process alone. All rows come from the same run.
 *
 *   B1  wall time of Extract Data over one-page PDFs: default concurrency, concurrency 1, the official node's
 *       behaviour (simulated), the ideal ceil(N/c) × job time, and the same with a server-side concurrency cap.
 *   B2  detection slack: from the emulator marking a job final to the first response that tells the client.
 *   B3  HTTP requests per document, counted by the emulator.
 *   B4  RSS growth of the n8n process while uploading a large file from the filesystem binary store vs in memory.
 *   B5  requests made by one idle trigger poll, by a poll that finds many new jobs, and by a poll with 500 unfinished
 *       jobs to re-check, with the trigger's static data at that point. `--trigger-only` runs B5 alone and prints it.
 *   R1-R3 (bench/rate.ts) pacing at LlamaCloud's rate limits and memory, in real n8n 2.41.1. `--rate-only` runs them
 *       alone (bench/results.rate.md); `--no-rate` skips them.
 *   R4  (bench/queue.ts) queue mode, 2 workers: `--queue-only` runs it alone; `--no-queue` skips it.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, promises as fs } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { startEmulator, type Emulator } from '../emulator/server';
import { DEFAULT_MAX_CONCURRENT_JOBS } from '../nodes/LlamaExtract/descriptions/batchOptions';
import { DEFAULT_LIMITS } from '../nodes/LlamaExtractTrigger/cursor';
import { LlamaExtractTrigger } from '../nodes/LlamaExtractTrigger/LlamaExtractTrigger.node';
import { emulatorCredentials } from '../test/harness/emulator';
import { buildWorkflow, makePollContext, registerNodeType } from '../test/harness/n8n';
import { measureQueueRow, queueMarkdown, type QueueRow } from './queue';
import { measureRateRows, type RateRow } from './rate';
import { rateMarkdown, rateTargets } from './rateReport';
import type { ExtractResult, UploadResult, WorkerTask } from './worker';

const API_KEY = 'llx-bench-key';
const MiB = 1024 * 1024;

interface Settings {
	quick: boolean;
	docs: number;
	jobMs: number;
	runs: number;
	uploadBytes: number;
	serverCap: number;
	triggerJobs: number;
}

function readSettings(argv: string[]): Settings {
	const quick = argv.includes('--quick');
	const runsFlag = argv.indexOf('--runs');
	const settings: Settings = quick
		? {
				quick,
				docs: 10,
				jobMs: 1000,
				runs: 1,
				uploadBytes: 64 * MiB,
				serverCap: 4,
				triggerJobs: 60,
			}
		: {
				quick,
				docs: 50,
				jobMs: 3000,
				runs: 3,
				uploadBytes: 200 * MiB,
				serverCap: 10,
				triggerJobs: 250,
			};
	if (runsFlag >= 0) settings.runs = Math.max(1, Number(argv[runsFlag + 1]) || settings.runs);
	return settings;
}

/* ------------------------------------------------------------------------------------------------
 * Statistics
 * ---------------------------------------------------------------------------------------------- */

function percentile(values: number[], fraction: number): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}

const median = (values: number[]) => percentile(values, 0.5);
const round = (value: number, digits = 0) => Number(value.toFixed(digits));
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/* ------------------------------------------------------------------------------------------------
 * Workers
 * ---------------------------------------------------------------------------------------------- */

const workerHome = mkdtempSync(join(tmpdir(), 'llamaextract-bench-'));

async function runWorker<T>(task: WorkerTask): Promise<T> {
	return await new Promise<T>((resolve, reject) => {
		const child = spawn(
			process.execPath,
			['--expose-gc', '--import', 'tsx', join(__dirname, 'worker.ts'), JSON.stringify(task)],
			{
				env: { ...process.env, N8N_USER_FOLDER: workerHome },
				stdio: ['ignore', 'pipe', 'inherit'],
			},
		);
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.on('error', reject);
		child.on('close', (code) => {
			const line = output.split('\n').find((entry) => entry.startsWith('RESULT '));
			if (code !== 0 || !line)
				reject(new Error(`worker ${task.kind} exited ${code}: ${output.slice(-2000)}`));
			else resolve(JSON.parse(line.slice('RESULT '.length)) as T);
		});
	});
}

/* ------------------------------------------------------------------------------------------------
 * B1-B3: one batch run and what the emulator saw of it
 * ---------------------------------------------------------------------------------------------- */

interface BatchRun {
	wallMs: number;
	correct: number;
	errors: string[];
	slacksMs: number[];
	requests: { total: number; uploads: number; creates: number; polls: number; jobGets: number };
	/** Time from the start to the creation of the last job of the first wave: uploads and creates of one wave. */
	firstWaveUploadMs: number;
	/** Sequential runs: from one job's result reaching the client to the next job's creation (upload + create). */
	betweenJobsMs: number[];
}

async function measureBatch(
	emulator: Emulator,
	task: WorkerTask & { kind: 'extract' | 'official' },
	waveSize: number,
	settings: Settings,
	serverCap = 0,
): Promise<BatchRun> {
	await emulator.reset();
	emulator.config({ jobMs: settings.jobMs, maxConcurrentJobs: serverCap });
	const result = await runWorker<ExtractResult>(task);
	const jobs = emulator.jobs().filter((job) => job.kind === 'extract');
	const byRoute = emulator.stats().byRoute;
	const created = jobs.map((job) => job.createdAtMs).sort((a, b) => a - b);
	const inOrder = [...jobs].sort((a, b) => a.createdAtMs - b.createdAtMs);
	const betweenJobsMs = inOrder
		.slice(1)
		.map((job, index) => job.createdAtMs - (inOrder[index].finalDeliveredAtMs ?? Number.NaN))
		.filter((gap) => Number.isFinite(gap));
	return {
		wallMs: result.wallMs,
		correct: result.correct,
		errors: result.errors,
		slacksMs: jobs
			.filter((job) => job.completedAtMs !== null && job.finalDeliveredAtMs != null)
			.map((job) => (job.finalDeliveredAtMs as number) - (job.completedAtMs as number)),
		requests: {
			total: emulator.stats().total,
			uploads: byRoute['POST /api/v1/beta/files'] ?? 0,
			creates: byRoute['POST /api/v2/extract'] ?? 0,
			polls: byRoute['GET /api/v2/extract'] ?? 0,
			jobGets: byRoute['GET /api/v2/extract/{job_id}'] ?? 0,
		},
		firstWaveUploadMs: created[Math.min(waveSize, created.length) - 1] - result.startedAtMs,
		betweenJobsMs,
	};
}

interface BatchRow {
	label: string;
	concurrency: number;
	serverCap: number;
	runs: BatchRun[];
	medianWallMs: number;
	idealMs: number;
	idealPlusUploadMs: number;
	slackMedianMs: number;
	slackP95Ms: number;
	requestsPerDoc: number;
	uploadAndCreatePerDoc: number;
	pollsPerRun: number;
	allCorrect: boolean;
}

/**
 * `uploadOneMs`: one upload + create outside a burst (measured in the sequential run). The first wave of a batch
 * uploads all at once; later waves start slot by slot, each paying one upload + create.
 */
function summarize(
	label: string,
	concurrency: number,
	serverCap: number,
	runs: BatchRun[],
	settings: Settings,
	uploadOneMs: number,
): BatchRow {
	const effective = serverCap > 0 ? Math.min(concurrency, serverCap) : concurrency;
	const waves = Math.ceil(settings.docs / effective);
	const clientWaves = Math.ceil(settings.docs / concurrency);
	const slacks = runs.flatMap((run) => run.slacksMs);
	const firstWave = median(runs.map((run) => run.firstWaveUploadMs));
	const perDoc = (pick: (run: BatchRun) => number) =>
		median(runs.map((run) => pick(run) / settings.docs));
	return {
		label,
		concurrency,
		serverCap,
		runs,
		medianWallMs: median(runs.map((run) => run.wallMs)),
		idealMs: waves * settings.jobMs,
		idealPlusUploadMs: waves * settings.jobMs + firstWave + (clientWaves - 1) * uploadOneMs,
		slackMedianMs: median(slacks),
		slackP95Ms: percentile(slacks, 0.95),
		requestsPerDoc: perDoc((run) => run.requests.total),
		uploadAndCreatePerDoc: perDoc(
			(run) => run.requests.uploads + run.requests.creates + run.requests.jobGets,
		),
		pollsPerRun: median(runs.map((run) => run.requests.polls)),
		allCorrect: runs.every((run) => run.correct === settings.docs && run.errors.length === 0),
	};
}

async function repeat<T>(times: number, once: () => Promise<T>): Promise<T[]> {
	const results: T[] = [];
	for (let index = 0; index < times; index++) results.push(await once());
	return results;
}

/* ------------------------------------------------------------------------------------------------
 * B4: memory while uploading
 * ---------------------------------------------------------------------------------------------- */

async function uploadedSha256(emulator: Emulator, fileId: string): Promise<string> {
	const headers = { authorization: `Bearer ${API_KEY}` };
	const link = (await (
		await fetch(`${emulator.url}/api/v1/beta/files/${fileId}/content`, { headers })
	).json()) as { url: string };
	const hash = createHash('sha256');
	for await (const chunk of (await fetch(link.url)).body as unknown as AsyncIterable<Uint8Array>)
		hash.update(chunk);
	return hash.digest('hex');
}

interface UploadRow {
	mode: 'filesystem' | 'memory';
	runs: UploadResult[];
	medianGrowthMb: number;
	medianWallMs: number;
	intact: boolean;
}

async function measureUploads(
	emulator: Emulator,
	mode: 'filesystem' | 'memory',
	settings: Settings,
	warmUp?: Emulator,
): Promise<UploadRow> {
	const runs = await repeat(settings.runs, async () => {
		await emulator.reset();
		const result = await runWorker<UploadResult>({
			kind: 'upload',
			url: emulator.url,
			apiKey: API_KEY,
			warmUrl: warmUp?.url,
			mode,
			bytes: settings.uploadBytes,
		});
		const intact =
			result.fileId !== undefined &&
			(await uploadedSha256(emulator, result.fileId)) === result.sha256;
		return {
			...result,
			errors: intact ? result.errors : [...result.errors, 'uploaded bytes differ'],
		};
	});
	return {
		mode,
		runs,
		medianGrowthMb: median(runs.map((run) => run.growthMb)),
		medianWallMs: median(runs.map((run) => run.wallMs)),
		intact: runs.every((run) => run.errors.length === 0),
	};
}

/* ------------------------------------------------------------------------------------------------
 * B5: trigger polls
 * ---------------------------------------------------------------------------------------------- */

interface TriggerRow {
	activationRequests: number;
	idleRequests: number;
	newJobs: number;
	newJobsRequests: Record<string, number>;
	newJobsEmitted: number;
	idleAfterRequests: number;
	/** Full runs: the idle poll once the burst is older than the cursor's lag window (it moves the watermark)... */
	windowMovesRequests?: number;
	/** ...and the idle poll after that. */
	idleAfterWindowRequests?: number;
	/** A poll while `unfinished` jobs run (created before the overlap window, so re-checked by id). */
	unfinished: number;
	unfinishedRequests: number;
	/** JSON length of the trigger's static data then. */
	unfinishedStateBytes: number;
}

const TRIGGER_NAME = 'LlamaExtract Trigger';

function triggerWorkflow() {
	return buildWorkflow([
		{
			id: 'trigger',
			name: TRIGGER_NAME,
			type: 'n8n-nodes-llamaextract.llamaExtractTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: { event: 'completed' },
			credentials: { llamaCloudApi: { id: '1', name: 'LlamaCloud (emulator)' } },
		},
	]);
}

/** Requests of one poll while `count` jobs are unfinished, and the static data it leaves. */
async function measureUnfinished(emulator: Emulator, count: number) {
	await emulator.reset();
	// Running at activation, created over the 9 minutes before it: older than the overlap window, so the poll
	// re-checks them by id rather than finding them in its scan.
	const now = Date.now();
	emulator.seedJobs(
		Array.from({ length: count }, (_, index) => ({
			created_at: now - 9 * 60_000 + Math.floor((index * 8 * 60_000) / count),
			complete_after_ms: 60 * 60_000,
		})),
	);
	const workflow = triggerWorkflow();
	const trigger = new LlamaExtractTrigger();
	const credentials = emulatorCredentials(emulator.url, API_KEY);
	const poll = async () =>
		await trigger.poll.call(makePollContext(workflow, TRIGGER_NAME, credentials));
	await poll();
	emulator.resetStats();
	await poll();
	const requests = emulator.stats().total;
	const staticData = JSON.stringify(workflow.staticData[`node:${TRIGGER_NAME}`]);
	await emulator.reset();
	return { requests, stateBytes: staticData.length };
}

async function measureTrigger(emulator: Emulator, settings: Settings): Promise<TriggerRow> {
	registerNodeType('llamaExtractTrigger', new LlamaExtractTrigger());
	const unfinished = await measureUnfinished(emulator, 500);
	const name = TRIGGER_NAME;
	const workflow = triggerWorkflow();
	const trigger = new LlamaExtractTrigger();
	const credentials = emulatorCredentials(emulator.url, API_KEY);
	const poll = async () => {
		emulator.resetStats();
		const output = await trigger.poll.call(makePollContext(workflow, name, credentials));
		return { stats: emulator.stats(), emitted: output?.[0]?.length ?? 0 };
	};
	const activation = await poll();
	const idle = await poll();
	emulator.seedJobs(
		Array.from({ length: settings.triggerJobs }, (_, index) => ({
			extract_result: { invoice_number: `T-${index}` },
		})),
	);
	const busy = await poll();
	const idleAfter = await poll();
	let windowMoves;
	let idleAfterWindow;
	if (!settings.quick) {
		await new Promise((resolve) => setTimeout(resolve, DEFAULT_LIMITS.lagMs + 2000));
		windowMoves = await poll();
		idleAfterWindow = await poll();
	}
	return {
		activationRequests: activation.stats.total,
		idleRequests: idle.stats.total,
		newJobs: settings.triggerJobs,
		newJobsRequests: busy.stats.byRoute,
		newJobsEmitted: busy.emitted,
		idleAfterRequests: idleAfter.stats.total,
		windowMovesRequests: windowMoves?.stats.total,
		idleAfterWindowRequests: idleAfterWindow?.stats.total,
		unfinished: 500,
		unfinishedRequests: unfinished.requests,
		unfinishedStateBytes: unfinished.stateBytes,
	};
}

/* ------------------------------------------------------------------------------------------------
 * Report
 * ---------------------------------------------------------------------------------------------- */

interface Report {
	settings: Settings;
	environment: {
		date: string;
		node: string;
		cpus: number;
		cpuModel: string;
		loadAverageAtStart: number;
		loadAverageAtEnd: number;
	};
	durationMs: number;
	batch: BatchRow[];
	uploads: UploadRow[];
	trigger?: TriggerRow;
	targets: Array<{ id: string; target: string; measured: string; met: boolean }>;
	rate: RateRow[];
	rateTargets: ReturnType<typeof rateTargets>;
	queue?: QueueRow;
}

function targetsOf(
	settings: Settings,
	ours: BatchRow,
	spread: BatchRow,
	sequential: BatchRow,
	uploads: UploadRow[],
	trigger: TriggerRow | undefined,
): Report['targets'] {
	const speedup = sequential.medianWallMs / ours.medianWallMs;
	const vsIdeal = ours.medianWallMs / ours.idealPlusUploadMs;
	const filesystem = uploads.find((row) => row.mode === 'filesystem')!;
	const rounds = ours.pollsPerRun;
	const targets: Report['targets'] = [
		{
			id: 'B1',
			target: 'default ≥ 10× faster than concurrency 1',
			measured: `${speedup.toFixed(1)}×`,
			met: speedup >= 10,
		},
		{
			id: 'B1',
			target: 'default ≤ 1.25× (ideal + upload time)',
			measured: `${vsIdeal.toFixed(2)}×`,
			met: vsIdeal <= 1.25,
		},
		{
			id: 'B2',
			target: 'median detection slack ≤ 500 ms',
			measured: `${round(ours.slackMedianMs)} ms (job times spread: ${round(spread.slackMedianMs)} ms)`,
			met: ours.slackMedianMs <= 500 && spread.slackMedianMs <= 500,
		},
		{
			id: 'B3',
			target: '≤ 2 requests per document + one shared poll per round',
			measured: `${ours.uploadAndCreatePerDoc.toFixed(2)} per doc + ${rounds} polls (1 per round)`,
			met: ours.uploadAndCreatePerDoc <= 2,
		},
		{
			id: 'B4',
			target: '≤ 64 MB RSS growth, streamed from the filesystem store',
			measured: `${filesystem.medianGrowthMb.toFixed(1)} MB for ${settings.uploadBytes / MiB} MB`,
			met: filesystem.medianGrowthMb <= 64 && filesystem.intact,
		},
	];
	if (trigger) {
		targets.push({
			id: 'B5',
			target: 'one idle trigger poll = 1 request',
			measured: `${trigger.idleRequests} request${trigger.idleRequests === 1 ? '' : 's'}${trigger.idleAfterWindowRequests === undefined ? '' : ` (after a burst of ${trigger.newJobs} jobs: ${trigger.idleAfterRequests} while they are inside the cursor's lag window, ${trigger.idleAfterWindowRequests} once it has moved past them)`}`,
			met: trigger.idleRequests === 1 && (trigger.idleAfterWindowRequests ?? 1) === 1,
		});
		targets.push({
			id: 'B5',
			target: `a trigger poll with ${trigger.unfinished} unfinished jobs ≤ ceil(${trigger.unfinished}/100) + 1 requests, static data ≤ 64 KB`,
			measured: `${trigger.unfinishedRequests} requests, ${trigger.unfinishedStateBytes} bytes`,
			met:
				trigger.unfinishedRequests <= Math.ceil(trigger.unfinished / 100) + 1 &&
				trigger.unfinishedStateBytes <= 64 * 1024,
		});
	}
	return targets;
}

function markdown(report: Report): string {
	const { settings, environment } = report;
	const lines: string[] = [];
	lines.push('# Batch performance benchmark');
	lines.push('');
	lines.push(
		`Command: \`npm run bench${settings.quick ? ' -- --quick' : ''}\`. ${environment.date}, Node ${environment.node}, ${environment.cpus} × ${environment.cpuModel} (1-min load average ${environment.loadAverageAtStart.toFixed(1)} at start, ${environment.loadAverageAtEnd.toFixed(1)} at end${Math.max(environment.loadAverageAtStart, environment.loadAverageAtEnd) > environment.cpus ? '; other work shared the machine' : ''}); whole run ${seconds(report.durationMs)}.`,
	);
	lines.push(
		`Emulator on 127.0.0.1 with a fixed job time of ${settings.jobMs / 1000} s; ${settings.docs} one-page invoice PDFs per batch; every workflow in its own n8n-core process. ` +
			`Medians of ${settings.runs} run(s) for concurrent rows; sequential rows are 1 run each (${settings.docs} documents, ran side by side on two emulators, one job in flight each).`,
	);
	lines.push('');
	lines.push('## Targets');
	lines.push('');
	if (settings.quick) {
		lines.push(
			`Smoke run: the targets are set for the full run (50 documents, 3 s jobs, 200 MB upload); with ${settings.docs} documents the speed-up cannot exceed ${settings.docs}×.`,
		);
		lines.push('');
	}
	lines.push('| | Target | Measured | Met |');
	lines.push('|---|---|---|---|');
	for (const target of report.targets)
		lines.push(
			`| ${target.id} | ${target.target} | ${target.measured} | ${target.met ? 'yes' : '**no**'} |`,
		);
	lines.push('');
	lines.push(`## B1–B3: ${settings.docs} documents, job time ${settings.jobMs / 1000} s`);
	lines.push('');
	lines.push(
		'| Row | Concurrency | Wall time (median) | Ideal ceil(N/c)×job | Ideal + upload | Wall / (ideal + upload) | Speed-up vs concurrency 1 | Slack median (B2) | Slack p95 | Requests / doc (B3) | Upload, create, job GET / doc | List polls / run | Results correct |',
	);
	lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
	const sequential = report.batch.find((row) => row.label.startsWith('This node, concurrency 1'));
	for (const row of report.batch) {
		const cap = row.serverCap > 0 ? ` (server cap ${row.serverCap})` : '';
		lines.push(
			`| ${row.label} | ${row.concurrency}${cap} | ${seconds(row.medianWallMs)} | ${seconds(row.idealMs)} | ${seconds(row.idealPlusUploadMs)} | ${(row.medianWallMs / row.idealPlusUploadMs).toFixed(2)}× | ${sequential ? `${(sequential.medianWallMs / row.medianWallMs).toFixed(1)}×` : '–'} | ${round(row.slackMedianMs)} ms | ${round(row.slackP95Ms)} ms | ${row.requestsPerDoc.toFixed(2)} | ${row.uploadAndCreatePerDoc.toFixed(2)} | ${row.pollsPerRun} | ${row.allCorrect ? 'all' : '**not all**'} |`,
		);
	}
	lines.push('');
	lines.push(
		'Slack = emulator marks the job final → first API response showing it final. "Ideal + upload" = ceil(N/c) × job time + the measured time to upload and create the first wave + one upload and create (measured in the sequential run) for every later wave. ' +
			'The spread row varies job times per document (same mean), so poll times cannot line up with completions by chance. ' +
			"The official node's row simulates its documented behaviour (sequential; per item upload, create, then GET the job with no initial wait, 1 s ×1.5 up to 5 s).",
	);
	lines.push('');
	lines.push(`## B4: uploading a ${settings.uploadBytes / MiB} MB file`);
	lines.push('');
	lines.push('| Binary data | RSS growth (median) | Upload wall time (median) | Bytes intact |');
	lines.push('|---|---|---|---|');
	for (const row of report.uploads) {
		lines.push(
			`| ${row.mode === 'filesystem' ? 'Filesystem store (streamed)' : 'In memory'} | ${row.medianGrowthMb.toFixed(1)} MB | ${seconds(row.medianWallMs)} | ${row.intact ? 'yes' : '**no**'} |`,
		);
	}
	lines.push('');
	lines.push(
		'Growth = peak RSS (sampled every 5 ms) minus RSS after GC just before the run, in the n8n process only.',
	);
	if (report.trigger) {
		const trigger = report.trigger;
		lines.push('');
		lines.push('## B5: trigger polls');
		lines.push('');
		lines.push('| Poll | Requests |');
		lines.push('|---|---|');
		lines.push(`| First poll (activation) | ${trigger.activationRequests} |`);
		lines.push(`| Idle poll | ${trigger.idleRequests} |`);
		lines.push(
			`| Poll finding ${trigger.newJobs} new completed jobs (${trigger.newJobsEmitted} emitted) | ${Object.values(trigger.newJobsRequests).reduce((a, b) => a + b, 0)} (${Object.entries(
				trigger.newJobsRequests,
			)
				.map(([route, count]) => `${route}: ${count}`)
				.join(', ')}) |`,
		);
		lines.push(
			`| Idle poll right after that (the ${trigger.newJobs} jobs are still inside the cursor's ${DEFAULT_LIMITS.lagMs / 1000} s overlap window; the emulator serves at most 100 jobs per page) | ${trigger.idleAfterRequests} |`,
		);
		if (trigger.idleAfterWindowRequests !== undefined) {
			lines.push(
				`| Idle poll ${DEFAULT_LIMITS.lagMs / 1000 + 2} s later (reads the window once more, then moves the watermark past the burst) | ${trigger.windowMovesRequests} |`,
			);
			lines.push(`| Next idle poll | ${trigger.idleAfterWindowRequests} |`);
		}
		lines.push(
			`| Poll with ${trigger.unfinished} unfinished jobs (re-checked by id, 100 per request; static data ${trigger.unfinishedStateBytes} bytes) | ${trigger.unfinishedRequests} |`,
		);
	}
	lines.push('');
	if (report.rate.length > 0) lines.push(rateMarkdown(report.rate));
	if (report.queue) lines.push(queueMarkdown(report.queue));
	return lines.join('\n');
}

async function main(): Promise<void> {
	const settings = readSettings(process.argv.slice(2));
	const started = Date.now();
	if (process.argv.includes('--trigger-only')) {
		const alone = await startEmulator({ apiKey: API_KEY, jobMs: settings.jobMs });
		try {
			console.log(JSON.stringify(await measureTrigger(alone, settings), null, '\t'));
		} finally {
			await alone.close();
		}
		return;
	}
	const log0 = (text: string) => console.log(`[bench ${seconds(Date.now() - started)}] ${text}`);
	if (process.argv.includes('--queue-only')) {
		console.log(queueMarkdown(await measureQueueRow(settings.quick, log0)));
		return;
	}
	if (process.argv.includes('--rate-only')) {
		const rows = await measureRateRows(settings.quick, log0);
		const text = `# Rate-limit rows only\n\nCommand: \`npm run bench -- --rate-only${settings.quick ? ' --quick' : ''}\`. ${new Date().toISOString()}; whole run ${seconds(Date.now() - started)}.\n\n${rateMarkdown(rows)}`;
		await fs.writeFile(join(__dirname, `results.rate${settings.quick ? '.quick' : ''}.md`), text);
		await fs.writeFile(join(__dirname, `results.rate${settings.quick ? '.quick' : ''}.json`), `${JSON.stringify(rows, null, '\t')}\n`);
		console.log(text);
		return;
	}
	const loadAverageAtStart = loadavg()[0];
	const emulator = await startEmulator({ apiKey: API_KEY, jobMs: settings.jobMs });
	const second = await startEmulator({ apiKey: API_KEY, jobMs: settings.jobMs });
	// Workers warm up here first (one small run), so no measured run pays for loading code or the PDF parser.
	const warmUp = await startEmulator({ apiKey: API_KEY, jobMs: 100 });
	// Fixed job times line up with a schedule's poll times; this one varies them per document (2-4 s for 3 s).
	const spread = await startEmulator({
		apiKey: API_KEY,
		jobMs: settings.jobMs,
		jobMsFor: (job) => {
			const index = Number(/invoice-(\d+)/.exec(job.fileName ?? '')?.[1] ?? 0);
			return Math.round(settings.jobMs * (0.67 + 0.66 * (((index * 37) % 41) / 40)));
		},
	});
	const log = (text: string) => console.log(`[bench ${seconds(Date.now() - started)}] ${text}`);
	try {
		const extractTask = (url: string, concurrency?: number): WorkerTask & { kind: 'extract' } => ({
			kind: 'extract',
			url,
			apiKey: API_KEY,
			warmUrl: warmUp.url,
			docs: settings.docs,
			concurrency,
		});
		const sequentialTask = extractTask(emulator.url, 1);
		const officialTask: WorkerTask & { kind: 'official' } = {
			kind: 'official',
			url: second.url,
			apiKey: API_KEY,
			warmUrl: warmUp.url,
			docs: settings.docs,
		};
		log('B1 concurrency 1 and the official node (simulated), side by side, 1 run each');
		const [sequentialRun, officialRun] = await Promise.all([
			measureBatch(emulator, sequentialTask, 1, settings),
			measureBatch(second, officialTask, 1, settings),
		]);
		const uploadOneMs = median(sequentialRun.betweenJobsMs);

		log(`B1 default concurrency (${DEFAULT_MAX_CONCURRENT_JOBS}), ${settings.runs} run(s)`);
		const oursRuns = await repeat(
			settings.runs,
			async () =>
				await measureBatch(
					emulator,
					extractTask(emulator.url),
					DEFAULT_MAX_CONCURRENT_JOBS,
					settings,
				),
		);
		const ours = summarize(
			'This node, default concurrency',
			DEFAULT_MAX_CONCURRENT_JOBS,
			0,
			oursRuns,
			settings,
			uploadOneMs,
		);

		log(
			`B2 default concurrency, job times spread over ${Math.round(settings.jobMs * 0.67)}-${Math.round(settings.jobMs * 1.33)} ms, ${settings.runs} run(s)`,
		);
		const spreadRuns = await repeat(
			settings.runs,
			async () =>
				await measureBatch(spread, extractTask(spread.url), DEFAULT_MAX_CONCURRENT_JOBS, settings),
		);
		const spreadRow = summarize(
			'This node, default concurrency, job times spread ±33%',
			DEFAULT_MAX_CONCURRENT_JOBS,
			0,
			spreadRuns,
			settings,
			uploadOneMs,
		);

		log(
			`B1 default concurrency with a server-side cap of ${settings.serverCap}, ${settings.runs} run(s)`,
		);
		const cappedRuns = await repeat(
			settings.runs,
			async () =>
				await measureBatch(
					emulator,
					extractTask(emulator.url),
					DEFAULT_MAX_CONCURRENT_JOBS,
					settings,
					settings.serverCap,
				),
		);
		const sequential = summarize(
			'This node, concurrency 1 (sequential baseline)',
			1,
			0,
			[sequentialRun],
			settings,
			uploadOneMs,
		);
		const batch: BatchRow[] = [
			ours,
			spreadRow,
			summarize(
				'This node, default concurrency, server caps running jobs',
				DEFAULT_MAX_CONCURRENT_JOBS,
				settings.serverCap,
				cappedRuns,
				settings,
				uploadOneMs,
			),
			sequential,
			summarize('Official LlamaCloud node (simulated)', 1, 0, [officialRun], settings, uploadOneMs),
		];

		log(`B4 uploads of ${settings.uploadBytes / MiB} MB, ${settings.runs} run(s) each`);
		const uploads = [
			await measureUploads(emulator, 'filesystem', settings, warmUp),
			await measureUploads(emulator, 'memory', settings, warmUp),
		];

		log('B5 trigger polls');
		let trigger: TriggerRow | undefined;
		try {
			trigger = await measureTrigger(emulator, settings);
		} catch (error) {
			log(`B5 skipped: ${(error as Error).message}`);
		}

		let rate: RateRow[] = [];
		if (!process.argv.includes('--no-rate')) rate = await measureRateRows(settings.quick, log);
		let queue: QueueRow | undefined;
		if (!settings.quick && !process.argv.includes('--no-queue')) {
			try {
				queue = await measureQueueRow(settings.quick, log);
			} catch (error) {
				log(`R4 skipped: ${(error as Error).message.slice(0, 2000)}`);
			}
		}

		const report: Report = {
			settings,
			environment: {
				date: new Date().toISOString(),
				node: process.version,
				cpus: cpus().length,
				cpuModel: cpus()[0]?.model ?? 'unknown',
				loadAverageAtStart,
				loadAverageAtEnd: loadavg()[0],
			},
			durationMs: Date.now() - started,
			batch,
			uploads,
			trigger,
			targets: targetsOf(settings, ours, spreadRow, sequential, uploads, trigger),
			rate,
			rateTargets: rateTargets(rate),
			queue,
		};
		const suffix = settings.quick ? '.quick' : '';
		await fs.writeFile(
			join(__dirname, `results${suffix}.json`),
			`${JSON.stringify(report, null, '\t')}\n`,
		);
		await fs.writeFile(join(__dirname, `results${suffix}.md`), markdown(report));
		console.log(markdown(report));
		log(`wrote bench/results${suffix}.md and bench/results${suffix}.json`);
	} finally {
		await emulator.close();
		await second.close();
		await warmUp.close();
		await spread.close();
		await fs.rm(workerHome, { recursive: true, force: true });
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
