/* eslint-disable no-console */
/**
 * The trigger at scale over HTTP: n8n-core's PollContext against the emulator, with many jobs finishing out of order
 * across pages, jobs running long, a burst, and restarts; each completed job emitted once, within the request and
 * state bounds. (The same scenarios at full scale run in memory in model.test.ts.)
 */
import type { IDataObject } from 'n8n-workflow';

import type { SeedJobSpec } from '../../emulator/extractJobs';
import type { Emulator } from '../../emulator/server';
import { idsToRecheck, readState } from '../../nodes/LlamaExtractTrigger/cursor';
import { API_KEY, HELD_MS, seedInPast, useEmulator, type EmulatorCredentials } from '../harness/emulator';
import { random, shuffle } from '../harness/random';
import {
	cursorOf,
	expectEachOnce,
	expectQuiet,
	jobIdOf,
	pollUntil,
	TriggerRig,
	triggerNode,
} from '../harness/trigger';

const LIST_ROUTE = 'GET /api/v2/extract';
const GET_ROUTE = 'GET /api/v2/extract/{job_id}';

let emulator: Emulator;
let credentials: EmulatorCredentials;
const running = useEmulator();
beforeAll(() => ({ emulator, credentials } = running));

const seed = async (specs: SeedJobSpec[]) => await seedInPast(emulator, specs);

function rig(): TriggerRig {
	return new TriggerRig(triggerNode({ event: 'completed' }), credentials);
}

describe('exactly once at scale', () => {
	test('1,000 jobs finishing out of order across pages of 25, with a restart in the middle', async () => {
		emulator.config({ maxListPageSize: 25 });
		const seededAt = Date.now();
		const rand = random(1000);
		const specs: SeedJobSpec[] = Array.from({ length: 1000 }, (_, index) => {
			const roll = rand();
			return {
				// Created over the 4 minutes before activation, two or three per timestamp, all still running then.
				created_at: seededAt - 5 * 60_000 + Math.floor(index / 2.5) * 600,
				status: roll < 0.85 ? 'COMPLETED' : roll < 0.95 ? 'FAILED' : 'CANCELLED',
				// Held until the test finishes them, so the machine's speed cannot change what a poll sees.
				complete_after_ms: HELD_MS,
				extract_result: { sequence: index },
			};
		});
		const jobs = await seed(specs);
		const completed = jobs
			.filter((_, index) => specs[index].status === 'COMPLETED')
			.map((job) => job.id);
		// Finish order: the first 100 jobs (the oldest) last, the rest shuffled; 0 to 80 jobs finish between polls.
		const finishOrder = [
			...shuffle(jobs.slice(100), rand),
			...shuffle(jobs.slice(0, 100), rand),
		].map((job) => job.id);
		const finishedBeforePoll = new Map<string, number>();

		emulator.resetStats();
		const trigger = rig();
		const activation = Date.now();
		expect(await trigger.poll()).toBeNull();
		const activationMs = Date.now() - activation;
		expect(emulator.jobs().every((job) => job.status === 'RUNNING')).toBe(true);
		const started = Date.now();
		let peakStateBytes = 0;
		let emittedSoFar = 0;
		const emittedAtPoll = new Map<string, number>();
		const emitted = await pollUntil(
			trigger,
			(items) => {
				for (const item of items.slice(emittedSoFar))
					emittedAtPoll.set(jobIdOf(item), trigger.polls);
				emittedSoFar = items.length;
				return items.length >= completed.length;
			},
			{
				maxPolls: 400,
				between: (poll) => {
					peakStateBytes = Math.max(peakStateBytes, JSON.stringify(trigger.staticData()).length);
					if (poll === 2) trigger.restart();
					const batch = finishOrder.splice(0, Math.floor(rand() * 81));
					emulator.finishNow(batch);
					for (const id of batch) finishedBeforePoll.set(id, trigger.polls + 1);
				},
			},
		);
		const elapsedMs = Date.now() - started;
		const stats = emulator.stats();
		await expectQuiet(trigger);

		expectEachOnce(emitted, completed);
		// Each item carries its own job's result, and arrives with the first poll after its job finished.
		for (const item of emitted) {
			const index = jobs.findIndex((job) => job.id === jobIdOf(item));
			expect(item.sequence).toBe(index);
			expect((item._llamaextract as IDataObject).status).toBe('COMPLETED');
		}
		const late = completed.filter((id) => emittedAtPoll.get(id) !== finishedBeforePoll.get(id));
		expect(late).toEqual([]);
		expect(JSON.stringify(emitted)).not.toContain(API_KEY);
		// The oldest jobs really finished after all the later ones, and were still emitted.
		const order = emitted.map(jobIdOf);
		const firstOld = order.findIndex((id) => jobs.slice(0, 100).some((job) => job.id === id));
		expect(firstOld).toBeGreaterThan(600);
		// Once everything is done (and the server clock is past the lag), nothing is left in the state.
		const cursor = cursorOf(trigger);
		expect(cursor.open).toEqual({});
		expect(cursor.recent).toEqual({});
		emulator.resetStats();
		expect(await trigger.poll()).toBeNull();
		expect(emulator.stats().total).toBe(1);
		console.log(
			`trigger 1000 jobs: activation poll ${activationMs} ms (40 pages), ${trigger.polls} polls, ${stats.byRoute[LIST_ROUTE]} list requests, ${stats.byRoute[GET_ROUTE] ?? 0} job GETs, ${elapsedMs} ms from activation to the last emit, state ${peakStateBytes} bytes at peak, ${JSON.stringify(trigger.staticData()).length} after`,
		);
	});

	test('the model scenarios at reduced scale: 500 unfinished, long jobs, a burst, pages of 100, restarts, bounded requests and state', async () => {
		const rand = random(500);
		const activation = Date.now();
		// 500 jobs running at activation, created over the 9 minutes before it; 60 of them run "for hours".
		const runningSpecs: SeedJobSpec[] = Array.from({ length: 500 }, (_, index) => ({
			created_at: activation - 9 * 60_000 + Math.floor(index / 3) * 3_000,
			status: rand() < 0.85 ? 'COMPLETED' : 'FAILED',
			complete_after_ms: HELD_MS,
		}));
		const running = await seed(runningSpecs);
		const long = new Set(
			shuffle(running, rand)
				.slice(0, 60)
				.map((job) => job.id),
		);
		const trigger = rig();
		expect(await trigger.poll()).toBeNull();
		// Then a burst of 250 jobs inside one poll interval, a third of them sharing one created_at.
		const burstStart = Date.now() - 1_000;
		const burstSpecs: SeedJobSpec[] = Array.from({ length: 250 }, (_, index) => ({
			created_at: burstStart + (index % 3 === 0 ? 0 : index),
			status: rand() < 0.85 ? 'COMPLETED' : 'CANCELLED',
			complete_after_ms: HELD_MS,
		}));
		const burst = await seed(burstSpecs);
		const all = [...running, ...burst];
		const specs = [...runningSpecs, ...burstSpecs];
		const completed = all
			.filter((_, index) => specs[index].status === 'COMPLETED')
			.map((job) => job.id);
		const finishOrder = [
			...shuffle(
				all.filter((job) => !long.has(job.id)),
				rand,
			),
			...running.filter((job) => long.has(job.id)),
		].map((job) => job.id);

		let peakBytes = 0;
		let overBound = 0;
		const emitted: IDataObject[] = [];
		for (let poll = 0; poll < 80 && emitted.length < completed.length; poll++) {
			if (poll % 3 === 2) trigger.restart();
			emulator.finishNow(finishOrder.splice(0, Math.floor(rand() * 40)));
			const state = readState(cursorOf(trigger));
			const recheck = state ? idsToRecheck(state).length : 0;
			const listed = emulator
				.jobs()
				.filter((job) => job.createdAtMs >= (state?.watermark ?? 0)).length;
			emulator.resetStats();
			const items = await trigger.poll();
			if (items) emitted.push(...items);
			const requests = emulator.stats().byRoute[LIST_ROUTE] ?? 0;
			if (requests > Math.ceil(recheck / 100) + Math.max(1, Math.ceil(listed / 100))) overBound++;
			peakBytes = Math.max(peakBytes, JSON.stringify(cursorOf(trigger)).length);
		}
		await expectQuiet(trigger);
		expectEachOnce(emitted, completed);
		expect(overBound).toBe(0);
		expect(peakBytes).toBeLessThanOrEqual(64 * 1024);
		expect(cursorOf(trigger)).toMatchObject({ open: {}, recent: {} });
		console.log(
			`trigger reduced-scale model over HTTP: ${all.length} jobs, peak state ${peakBytes} bytes`,
		);
	});
});
