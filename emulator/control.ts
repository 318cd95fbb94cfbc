/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/**
 * Control API for tests and benchmarks, under `/__emulator/` (no auth, not counted in stats, never
 * faulted). Every operation is also a method on the `Emulator` object.
 *
 *   GET    /__emulator/health
 *   POST   /__emulator/reset                  drop every record, timer, fault rule and counter
 *   GET    /__emulator/stats                  {total, byRoute: {"METHOD /template": n}, byStatus}
 *   POST   /__emulator/stats/reset
 *   GET    /__emulator/config                 {jobMs, maxConcurrentJobs, throttledStatus, ...}
 *   PATCH  /__emulator/config                 change any of them (POST works too)
 *   POST   /__emulator/jobs/seed              {jobs: SeedJobSpec[]} -> {jobs: ExtractV2Job[]}
 *   GET    /__emulator/jobs                   {jobs: JobDump[]} (extract, v1 and parse jobs)
 *   GET    /__emulator/faults                 rules with their match/fire counts
 *   PUT    /__emulator/faults                 replace: {seed?, rules?, jobs?}
 *   POST   /__emulator/faults/rules           add one request rule -> {id}
 *   POST   /__emulator/faults/jobs            add one job rule -> {id}
 *   DELETE /__emulator/faults                 clear all rules
 *   DELETE /__emulator/faults/{rule_id}
 *   GET    /__emulator/limits                 rate-limit settings and admitted/refused counts
 *   PATCH  /__emulator/limits                 change: {uploads?, plan?, retryAfter?, countRefused?} (windows restart)
 */
import { ManualClock } from './clock';
import { isFinalStatus, type ExtractV2Job } from '../nodes/shared/contract';
import { resolveConfiguration } from './configuration';
import { extractJobResponse, seedExtractJob, type SeedJobSpec } from './extractJobs';
import type { FaultConfig, FaultRule, JobFaultRule } from './faults';
import type { RateLimitSettings } from './limits';
import { badRequest, json, notFound, readJson } from './http';
import type { Router } from './router';
import { isPlainObject } from './schema';
import type { EmulatorConfig, EmulatorState, ExtractJobRecord, ParseJobRecord, V1JobRecord } from './state';

export interface JobDump {
	id: string;
	kind: 'extract' | 'v1' | 'parse';
	status: string;
	fileInput: string | null;
	configurationId: string | null;
	createdAtMs: number;
	updatedAtMs: number;
	startedAtMs: number | null;
	completedAtMs: number | null;
	/** Extract jobs: when a list or GET response first showed the job final. */
	finalDeliveredAtMs?: number | null;
	seeded: boolean;
	errorMessage: string | null;
	pagesExtracted: number | null;
}

export function dumpJobs(state: EmulatorState): JobDump[] {
	return [
		...[...state.extractJobs.values()].map(dumpExtractJob),
		...[...state.v1Jobs.values()].map(dumpV1Job),
		...[...state.parseJobs.values()].filter((job) => !job.internal).map(dumpParseJob),
	];
}

/** One job's internal view, by id, without walking every job. */
export function dumpJob(state: EmulatorState, id: string): JobDump | undefined {
	const extractJob = state.extractJobs.get(id);
	if (extractJob) return dumpExtractJob(extractJob);
	const v1Job = state.v1Jobs.get(id);
	if (v1Job) return dumpV1Job(v1Job);
	const parseJob = state.parseJobs.get(id);
	return parseJob ? dumpParseJob(parseJob) : undefined;
}

function dumpExtractJob(job: ExtractJobRecord): JobDump {
	return {
		id: job.id,
		kind: 'extract',
		status: job.status,
		fileInput: job.fileInput,
		configurationId: job.configurationId,
		createdAtMs: job.createdAtMs,
		updatedAtMs: job.updatedAtMs,
		startedAtMs: job.startedAtMs ?? null,
		completedAtMs: job.completedAtMs ?? null,
		finalDeliveredAtMs: job.finalDeliveredAtMs ?? null,
		seeded: job.seeded,
		errorMessage: job.errorMessage,
		pagesExtracted: job.outcome?.pagesExtracted ?? null,
	};
}

function dumpV1Job(job: V1JobRecord): JobDump {
	return {
		id: job.id,
		kind: 'v1',
		status: job.status,
		fileInput: job.fileId,
		configurationId: job.agent.id,
		createdAtMs: job.createdAtMs,
		updatedAtMs: job.updatedAtMs,
		startedAtMs: null,
		completedAtMs: job.completedAtMs ?? null,
		seeded: false,
		errorMessage: job.error,
		pagesExtracted: job.outcome?.pagesExtracted ?? null,
	};
}

function dumpParseJob(job: ParseJobRecord): JobDump {
	return {
		id: job.id,
		kind: 'parse',
		status: job.status,
		fileInput: job.fileId,
		configurationId: null,
		createdAtMs: job.createdAtMs,
		updatedAtMs: job.updatedAtMs,
		startedAtMs: null,
		completedAtMs: isFinalStatus(job.status) ? job.updatedAtMs : null,
		seeded: false,
		errorMessage: job.errorMessage,
		pagesExtracted: null,
	};
}

export function seedJobs(state: EmulatorState, specs: SeedJobSpec[]): ExtractV2Job[] {
	return specs.map((spec) => {
		const job = seedExtractJob(state, spec, (config) => resolveConfiguration(config, ['body', 'configuration']));
		return extractJobResponse(state, job, ['configuration']);
	});
}

const CONFIG_KEYS: Array<keyof EmulatorConfig> = [
	'jobMs',
	'maxConcurrentJobs',
	'throttledStatus',
	'maxUploadBytes',
	'maxExtractBytes',
	'memoryFileBytes',
	'maxListPageSize',
];

export function updateConfig(state: EmulatorState, update: Partial<EmulatorConfig>): EmulatorConfig {
	for (const key of CONFIG_KEYS) {
		const value = update[key];
		if (value === undefined) continue;
		if (key === 'throttledStatus') {
			if (value !== 'THROTTLED' && value !== 'PENDING') throw badRequest('throttledStatus must be THROTTLED or PENDING');
			state.config.throttledStatus = value;
		} else {
			if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw badRequest(`${key} must be a number >= 0`);
			state.config[key] = value;
		}
	}
	state.scheduler.pump();
	return { ...state.config };
}

/**
 * Finishes timed jobs now, in the order given: seeded extract jobs (with the final status they were seeded with) and
 * parse jobs. Tests give them a far completion time and finish them here, so what a request sees never depends on
 * the machine's speed.
 */
export function finishNow(state: EmulatorState, ids: readonly string[]): void {
	const unknown = ids.filter((id) => typeof id !== 'string' || !state.scheduler.hasTimed(id));
	if (unknown.length > 0) throw badRequest(`Not a seeded or parse job still running: ${unknown.join(', ')}`);
	for (const id of ids) state.scheduler.runNow(id);
}

export function registerControlRoutes(router: Router, state: EmulatorState): void {
	const control = (method: string, path: string, handler: Parameters<Router['add']>[2]) =>
		router.add(method, `/__emulator${path}`, handler, { auth: false });

	control('GET', '/health', () => json(200, { ok: true }));
	control('POST', '/reset', async () => {
		await state.reset();
		return json(200, { ok: true });
	});
	control('GET', '/stats', () => json(200, state.stats));
	control('POST', '/stats/reset', () => {
		state.resetStats();
		return json(200, { ok: true });
	});
	control('GET', '/config', () => json(200, state.config));
	const configUpdate = async (ctx: Parameters<Parameters<Router['add']>[2]>[0]) => {
		const body = await readJson(ctx.req);
		if (!isPlainObject(body)) throw badRequest('Send a JSON object');
		return json(200, updateConfig(state, body as Partial<EmulatorConfig>));
	};
	control('PATCH', '/config', configUpdate);
	control('POST', '/config', configUpdate);
	control('POST', '/jobs/seed', async (ctx) => {
		const body = await readJson(ctx.req);
		const specs = Array.isArray(body) ? body : isPlainObject(body) && Array.isArray(body.jobs) ? body.jobs : undefined;
		if (!specs) throw badRequest('Send {"jobs": [...]} or an array of job specs');
		return json(200, { jobs: seedJobs(state, specs as SeedJobSpec[]) });
	});
	control('POST', '/jobs/finish', async (ctx) => {
		const body = await readJson(ctx.req);
		if (!isPlainObject(body) || !Array.isArray(body.ids)) throw badRequest('Send {"ids": ["ext-…", "pjb-…"]}');
		finishNow(state, body.ids as string[]);
		return json(200, { jobs: dumpJobs(state).filter((job) => (body.ids as string[]).includes(job.id)) });
	});
	control('GET', '/jobs', () => json(200, { jobs: dumpJobs(state) }));
	control('GET', '/limits', () => json(200, { settings: state.limits.settings, counts: state.limits.counts }));
	control('PATCH', '/limits', async (ctx) => {
		const body = await readJson(ctx.req);
		if (!isPlainObject(body)) throw badRequest('Send {"uploads"?, "plan"?, "retryAfter"?, "countRefused"?}');
		try {
			return json(200, { settings: state.limits.configure(body as Partial<RateLimitSettings>), counts: state.limits.counts });
		} catch (error) {
			throw badRequest((error as Error).message);
		}
	});
	control('GET', '/faults', () => json(200, state.faults.snapshot()));
	control('PUT', '/faults', async (ctx) => {
		const body = await readJson(ctx.req);
		if (!isPlainObject(body)) throw badRequest('Send a JSON object');
		state.faults.configure(body as FaultConfig);
		return json(200, state.faults.snapshot());
	});
	control('POST', '/faults/rules', async (ctx) => {
		const body = await readJson(ctx.req);
		if (!isPlainObject(body) || !isPlainObject(body.action)) throw badRequest('A rule needs an "action" object');
		return json(200, { id: state.faults.addRule(body as unknown as FaultRule) });
	});
	control('POST', '/faults/jobs', async (ctx) => {
		const body = await readJson(ctx.req);
		if (!isPlainObject(body) || (body.outcome !== 'fail' && body.outcome !== 'stall')) {
			throw badRequest('A job rule needs "outcome": "fail" or "stall"');
		}
		return json(200, { id: state.faults.addJobRule(body as unknown as JobFaultRule) });
	});
	control('DELETE', '/faults', () => {
		state.faults.clear();
		return json(200, { ok: true });
	});
	control('DELETE', '/faults/{rule_id}', (ctx) => {
		if (!state.faults.removeRule(ctx.params.rule_id)) throw notFound(`Fault rule not found: ${ctx.params.rule_id}`);
		return json(200, { ok: true });
	});
}

/** On a ManualClock, moves time from timer to timer until the job gets there; on the real clock, waits for it. */
export async function waitForJob(state: EmulatorState, id: string, statuses: string[] | undefined, timeoutMs: number): Promise<JobDump> {
	const wanted = statuses ?? ['COMPLETED', 'FAILED', 'CANCELLED', 'SUCCESS', 'PARTIAL_SUCCESS', 'ERROR'];
	const clock = state.clock;
	if (!(clock instanceof ManualClock)) return await waitForJobEvent(state, id, wanted, timeoutMs);
	const deadline = clock.now() + timeoutMs;
	for (;;) {
		const job = dumpJob(state, id);
		if (job && wanted.includes(job.status)) return job;
		await state.scheduler.plansReady();
		const again = dumpJob(state, id);
		if (again && wanted.includes(again.status)) return again;
		if (clock.now() > deadline || !(await clock.next())) {
			throw new Error(`Job ${id} did not reach ${wanted.join('/')} within ${timeoutMs} ms of emulator time (now ${again?.status ?? 'missing'})`);
		}
	}
}

function waitForJobEvent(state: EmulatorState, id: string, wanted: string[], timeoutMs: number): Promise<JobDump> {
	const current = () => dumpJob(state, id);
	return new Promise((resolve, reject) => {
		const now = current();
		if (now && wanted.includes(now.status)) {
			resolve(now);
			return;
		}
		const onEvent = (event: { id: string; status: string }) => {
			if (event.id !== id || !wanted.includes(event.status)) return;
			cleanup();
			const job = current();
			if (job) resolve(job);
			else reject(new Error(`Job ${id} disappeared`));
		};
		const timer = setTimeout(() => {
			cleanup();
			reject(new Error(`Job ${id} did not reach ${wanted.join('/')} within ${timeoutMs} ms (now ${current()?.status ?? 'missing'})`));
		}, timeoutMs);
		const cleanup = () => {
			clearTimeout(timer);
			state.events.off('job', onEvent);
		};
		state.events.on('job', onEvent);
	});
}
