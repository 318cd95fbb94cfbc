/* eslint-disable no-console */
/**
 * Runs the production poll (poll.ts `pollForJobs`) the way n8n does, through n8n-core's PollContext with the
 * workflow's static data, against the in-memory job list of model.ts on its simulated clock; restarts rebuild the
 * workflow from the static data last saved. Collects what each scenario of model.test.ts asserts.
 */
import type { IDataObject, Workflow } from 'n8n-workflow';

import {
	idsToRecheck,
	IN_FLIGHT_WINDOW_MS,
	PAGE_SIZE,
	readState,
	type CursorLimits,
} from '../../nodes/LlamaExtractTrigger/cursor';
import { pollForJobs } from '../../nodes/LlamaExtractTrigger/poll';
import { buildWorkflow, makePollContext } from '../harness/n8n';
import { random } from '../harness/random';
import { copyStaticData, TRIGGER_NAME, triggerNode } from '../harness/trigger';
import { jobIdsOf, ModelSource, SimClock, type FinalStatus, type ModelJob } from './model';

export const T0 = Date.parse('2026-03-02T09:00:00.000Z');
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export interface PollFigures {
	requests: number;
	/** Re-check and window requests, and the bound they must stay within. */
	listRequests: number;
	bound: number;
	refused: number;
	durationMs: number;
	stateBytes: number;
	open: number;
	unfinished: number;
}

/** n8n's side: the workflow, its saved static data, restarts, and one poll at a time on the simulated clock. */
export class ModelTrigger {
	workflow: Workflow;
	private persisted: IDataObject | undefined;
	polls = 0;

	constructor(
		readonly source: ModelSource,
		readonly budgetMs: number,
		readonly parameters: IDataObject = { event: 'completed' },
		readonly limits?: CursorLimits,
		staticData?: IDataObject,
	) {
		this.persisted = staticData && copyStaticData(staticData);
		this.workflow = buildWorkflow(
			[triggerNode(parameters)],
			this.persisted && copyStaticData(this.persisted),
		);
	}

	cursor(): IDataObject | undefined {
		return (this.workflow.staticData[`node:${TRIGGER_NAME}`] as IDataObject | undefined)?.cursor as
			| IDataObject
			| undefined;
	}

	/** n8n restarts: the workflow is rebuilt from the static data last saved. */
	restart(): void {
		this.workflow = buildWorkflow(
			[triggerNode(this.parameters)],
			this.persisted && copyStaticData(this.persisted),
		);
	}

	async poll(): Promise<{ ids: string[]; figures: PollFigures }> {
		this.polls++;
		const { source } = this;
		const before = readState(this.cursor());
		const recheck = before ? idsToRecheck(before).length : 0;
		const counts = { ...source.counts };
		const started = source.clock.nowMs;
		const context = makePollContext(this.workflow, TRIGGER_NAME, {}, 'trigger', 'activate', this.budgetMs);
		const result = await pollForJobs.call(context, {
			source,
			now: source.clock.now,
			limits: this.limits,
		});
		if (result !== null || this.polls === 1)
			this.persisted = copyStaticData(this.workflow.staticData);
		const listRequests =
			source.counts.byIds - counts.byIds + (source.counts.window - counts.window);
		const windowItems = source.counts.itemsInWindow - counts.itemsInWindow;
		const cursor = this.cursor();
		return {
			ids: result ? jobIdsOf(result[0]) : [],
			figures: {
				requests: source.requests() - counts.window - counts.byIds - counts.get - counts.manual,
				listRequests,
				// A refused page token costs the refused request on top.
				bound:
					Math.ceil(recheck / PAGE_SIZE) +
					Math.max(1, Math.ceil(windowItems / PAGE_SIZE)) +
					(source.counts.refused - counts.refused),
				refused: source.counts.refused - counts.refused,
				durationMs: source.clock.nowMs - started,
				stateBytes: JSON.stringify(cursor).length,
				open: Object.keys((cursor?.open as IDataObject) ?? {}).length,
				unfinished: source.unfinished(source.clock.nowMs),
			},
		};
	}
}

export interface RunOptions {
	jobs: ModelJob[];
	budgetMs: number;
	/** Poll times after activation (at T0). */
	pollAt: number[];
	restartChance: number;
	seed: number;
	tokenLifetimeMs?: number;
	parameters?: IDataObject;
}

export interface RunFigures {
	jobs: number;
	expected: number;
	missed: string[];
	duplicated: string[];
	unexpected: string[];
	polls: PollFigures[];
	/** Polls whose re-check and window requests exceeded ceil(U/100) + max(1, ceil(listed/100)). */
	overBound: number;
	maxRequests: number;
	maxDurationMs: number;
	peakStateBytes: number;
	/** Largest state while at most 500 jobs were unfinished, and the largest open set seen then. */
	peakBytesUpTo500: number;
	tokenRefusals: number;
	trigger: ModelTrigger;
}

/** Should this job be emitted: completed, not deleted, and created after activation or still running then. */
export function isExpected(job: ModelJob, activatedAt = T0): boolean {
	if (job.status !== 'COMPLETED' || Number.isFinite(job.deletedMs)) return false;
	if (job.createdMs >= activatedAt) return true;
	return job.createdMs >= activatedAt - IN_FLIGHT_WINDOW_MS && job.finishMs > activatedAt;
}

export async function runModel(options: RunOptions): Promise<RunFigures> {
	const rand = random(options.seed);
	const clock = new SimClock(T0);
	const source = new ModelSource(options.jobs, clock);
	if (options.tokenLifetimeMs !== undefined) source.tokenLifetimeMs = options.tokenLifetimeMs;
	const trigger = new ModelTrigger(source, options.budgetMs, options.parameters);
	const counts = new Map<string, number>();
	const polls: PollFigures[] = [];
	for (const [index, at] of [0, ...options.pollAt].entries()) {
		clock.nowMs = Math.max(clock.nowMs, T0 + at);
		if (index > 0 && rand() < options.restartChance) trigger.restart();
		const { ids, figures } = await trigger.poll();
		for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
		polls.push(figures);
	}
	const expected = options.jobs.filter((job) => isExpected(job));
	const expectedIds = new Set(expected.map((job) => job.id));
	return {
		jobs: options.jobs.length,
		expected: expected.length,
		missed: expected.filter((job) => counts.get(job.id) !== 1).map((job) => job.id),
		duplicated: [...counts].filter(([, count]) => count > 1).map(([id]) => id),
		unexpected: [...counts.keys()].filter((id) => !expectedIds.has(id)),
		polls,
		overBound: polls.filter((poll) => poll.listRequests > poll.bound).length,
		maxRequests: Math.max(...polls.map((poll) => poll.requests)),
		maxDurationMs: Math.max(...polls.map((poll) => poll.durationMs)),
		peakStateBytes: Math.max(...polls.map((poll) => poll.stateBytes)),
		peakBytesUpTo500: Math.max(
			0,
			...polls.filter((poll) => poll.unfinished <= 500).map((poll) => poll.stateBytes),
		),
		tokenRefusals: source.counts.refused,
		trigger,
	};
}

/** A job id shaped like LlamaCloud's (ext- and a UUID), so state sizes are realistic. */
function jobId(seq: number): string {
	const hex = seq.toString(16).padStart(12, '0');
	return `ext-7f3c9a10-4b2e-4c1d-9e8f-${hex}`;
}

export class JobMaker {
	private seq = 0;
	readonly jobs: ModelJob[] = [];

	constructor(private readonly rand: () => number) {}

	add(createdMs: number, runMs: number, options: Partial<ModelJob> = {}): ModelJob {
		const roll = this.rand();
		const status: FinalStatus = roll < 0.8 ? 'COMPLETED' : roll < 0.9 ? 'FAILED' : 'CANCELLED';
		// One job in ten shows in the list up to 20 s late (within the cursor's 30 s lag).
		const late = this.rand() < 0.1 ? Math.floor(this.rand() * 20_000) : 0;
		const job: ModelJob = {
			id: jobId(this.seq),
			seq: this.seq++,
			createdMs,
			visibleMs: createdMs + late,
			finishMs: createdMs + runMs,
			status,
			deletedMs: Number.POSITIVE_INFINITY,
			...options,
		};
		this.jobs.push(job);
		return job;
	}

	/** `count` jobs created over [from, from + spanMs), on whole seconds so many share a created_at. */
	spread(count: number, from: number, spanMs: number, runMs: () => number): void {
		for (let index = 0; index < count; index++) {
			const created = from + Math.floor((this.rand() * spanMs) / 1000) * 1000;
			this.add(created, runMs());
		}
	}
}

export function minutes(from: number, to: number, stepMs = MINUTE): number[] {
	const times: number[] = [];
	for (let at = from; at <= to; at += stepMs) times.push(at);
	return times;
}

export function report(name: string, run: RunFigures) {
	const requests = run.polls.map((poll) => poll.requests);
	const mean = requests.reduce((a, b) => a + b, 0) / requests.length;
	console.log(
		`trigger model ${name}: ${run.jobs} jobs (${run.expected} to emit), ${run.missed.length} missed, ${run.duplicated.length} duplicates, ${run.polls.length} polls, requests per poll mean ${mean.toFixed(2)} max ${run.maxRequests}, longest poll ${(run.maxDurationMs / 1000).toFixed(1)} s, peak state ${run.peakStateBytes} bytes (${run.peakBytesUpTo500} while ≤ 500 jobs were unfinished), ${run.tokenRefusals} refused tokens`,
	);
}

export function expectExact(run: RunFigures) {
	expect({ missed: run.missed, duplicated: run.duplicated, unexpected: run.unexpected }).toEqual({
		missed: [],
		duplicated: [],
		unexpected: [],
	});
}

/** After everything is out: idle polls are one request each and the state holds nothing but the watermark. */
export async function expectIdle(run: RunFigures) {
	const { trigger } = run;
	for (let poll = 0; poll < 2; poll++) {
		trigger.source.clock.nowMs += MINUTE;
		const { ids, figures } = await trigger.poll();
		expect(ids).toEqual([]);
		expect(figures.requests).toBe(1);
	}
	expect(trigger.cursor()).toMatchObject({ open: {}, recent: {} });
}
