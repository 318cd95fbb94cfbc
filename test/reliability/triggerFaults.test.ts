 
/**
 * The trigger under faults: n8n-core's PollContext in trigger mode against the emulator while it rate-limits, fails
 * in bursts longer than a poll can wait, and drops connections. A poll that fails must leave the saved state as it
 * was, so no job is skipped; once the faults stop, every finished job is emitted exactly once.
 */
import type { IDataObject } from 'n8n-workflow';

import type { FaultRule } from '../../emulator/faults';
import type { Emulator } from '../../emulator/server';
import { API_KEY, emulatorCredentials, useEmulator } from '../harness/emulator';
import { LeakWatch, LogCapture } from '../harness/logs';
import { jobIdOf, TriggerRig, triggerNode } from '../harness/trigger';

const JOBS = 30;
const POLL_BUDGET_MS = 500;

const STORM: FaultRule[] = [
	// Longer than a poll's budget: the poll that meets one of these fails.
	{ id: 'list-outage', route: 'GET /api/v2/extract', probability: 0.06, burst: 20, action: { type: 'status', status: 503, retryAfterMs: 30 } },
	{ id: 'fetch-outage', route: 'GET /api/v2/extract/{job_id}', probability: 0.02, burst: 10, action: { type: 'status', status: 500 } },
	{ id: 'rate-limit', route: '*', probability: 0.3, action: { type: 'status', status: 429, retryAfterMs: 15 } },
	{ id: 'reset', route: '*', probability: 0.03, action: { type: 'reset', when: 'before' } },
];

let emulator: Emulator;
const logs = new LogCapture();
const watch = new LeakWatch();

beforeAll(() => logs.install());
afterAll(() => logs.uninstall());
// The second test reads what the first recorded, so the emulator is not emptied between them.
const running = useEmulator({ resetBeforeEach: false });
beforeAll(() => ({ emulator } = running));

const snapshot = (value: unknown) => JSON.stringify(value ?? null);

describe('trigger under faults', () => {
	test('a failed poll never moves the cursor, and every finished job is emitted exactly once', async () => {
		await emulator.reset();
		// Include Usage makes every due job cost a GET, so faults also strike halfway through a delivery.
		const trigger = new TriggerRig(
			triggerNode({ event: 'completed', options: { includeUsage: true } }),
			emulatorCredentials(emulator.url),
		);
		expect(await trigger.poll()).toBeNull();

		const seeded = emulator.seedJobs(
			Array.from({ length: JOBS }, (_, index) => ({
				created_at: Date.now() - 5_000 + index * 10,
				// Held: the loop below finishes two per poll, so the storm meets deliveries on any machine.
				complete_after_ms: 10 * 60_000,
				status: index % 7 === 3 ? ('FAILED' as const) : ('COMPLETED' as const),
				extract_result: { invoice: index },
			})),
		);
		const wanted = new Set(seeded.filter((_, index) => index % 7 !== 3).map((job) => job.id));
		// Out of creation order: job i finishes in slot (i × 367) mod 2500.
		const finishOrder = seeded
			.map((job, index) => ({ id: job.id, slot: (index * 367) % 2500 }))
			.sort((a, b) => a.slot - b.slot)
			.map((job) => job.id);
		emulator.faults.configure({ seed: 7, rules: STORM });

		const emitted: IDataObject[] = [];
		let failedPolls = 0;
		let emittingPolls = 0;
		for (let poll = 0; poll < 150 && emitted.length < wanted.size; poll++) {
			if (poll === 40) emulator.faults.clear(); // the storm passes
			emulator.finishNow(finishOrder.splice(0, 2));
			const before = snapshot(trigger.staticData());
			try {
				const items = await trigger.poll(POLL_BUDGET_MS);
				if (items) {
					emitted.push(...items);
					emittingPolls++;
				}
			} catch (error) {
				failedPolls++;
				watch.recordValue(error);
				// The failure is a clear API error, and the saved cursor is exactly what it was before the poll.
				expect((error as Error).message).toMatch(/^(503 LlamaCloud unavailable|500 LlamaCloud server error|429 Rate limited|Could not reach LlamaCloud)/);
				expect(snapshot(trigger.staticData())).toBe(before);
			}
		}
		watch.recordValue(emitted);
		const faults = emulator.faults.snapshot();
		emulator.faults.clear();

		// Failures and deliveries alternated: the suite exercised recovery, not just one outage.
		expect(failedPolls).toBeGreaterThan(0);
		expect(emittingPolls).toBeGreaterThan(1);
		const counts = new Map<string, number>();
		for (const item of emitted) counts.set(jobIdOf(item), (counts.get(jobIdOf(item)) ?? 0) + 1);
		expect([...counts.keys()].sort()).toEqual([...wanted].sort());
		expect([...counts.values()].every((count) => count === 1)).toBe(true);
		for (const item of emitted) {
			const index = seeded.findIndex((job) => job.id === jobIdOf(item));
			expect(item.invoice).toBe(index);
		}
		// Nothing more comes once everything is out.
		expect(await trigger.poll(POLL_BUDGET_MS)).toBeNull();
		expect(faults.rules.find((rule) => rule.id === 'list-outage')?.fired).toBeGreaterThan(0);
		expect(faults.rules.find((rule) => rule.id === 'rate-limit')?.fired).toBeGreaterThan(0);
	});

	test('the sentinel API key never appears in an emitted item, a poll error or a log line', () => {
		expect(watch.recorded).toBeGreaterThan(1);
		expect(watch.findLeaks(API_KEY, logs)).toEqual([]);
	});
});
