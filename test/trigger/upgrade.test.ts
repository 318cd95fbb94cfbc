/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports */
/**
 * Upgrading a running trigger: static data saved by the version-1 cursor (recorded by the previous release's node
 * with fixtures/makeV1States.ts: 1,150 jobs, stragglers from its valve, a pass cut short by the budget) is picked up
 * by this version, against the same jobs in the emulator over HTTP. Every completed job is emitted exactly once
 * across the two versions, and the state is rewritten in the new format.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import type { Emulator } from '../../emulator/server';
import { useEmulator, type EmulatorCredentials } from '../harness/emulator';
import { random, shuffle } from '../harness/random';
import { jobIdOf, pollUntil, TriggerRig, triggerNode } from '../harness/trigger';

interface Recorded {
	activatedAt: number;
	jobs: Array<[string, number, 'COMPLETED' | 'FAILED']>;
	/** Indexes into `jobs`. */
	expected: number[];
	snapshots: Array<{
		poll: number;
		staticData: IDataObject;
		finished: number[];
		emitted: number[];
	}>;
}

const recorded = JSON.parse(
	readFileSync(join(__dirname, 'fixtures/v1States.json'), 'utf8'),
) as Recorded;

let emulator: Emulator;
let credentials: EmulatorCredentials;
const running = useEmulator();
beforeAll(() => ({ emulator, credentials } = running));

describe('upgrade from the version-1 state', () => {
	test.each(recorded.snapshots.map((snapshot) => [snapshot.poll, snapshot] as const))(
		'state saved after poll %i goes on with no miss and no duplicate',
		async (_poll, snapshot) => {
			const cursor = (snapshot.staticData['node:LlamaExtract Trigger'] as IDataObject)
				.cursor as IDataObject;
			expect(cursor.version).toBe(1);
			const ids = recorded.jobs.map(([id]) => id);
			emulator.seedJobs(
				recorded.jobs.map(([id, createdAtMs, status]) => ({
					id,
					created_at: createdAtMs,
					status,
					complete_after_ms: 10 * 60_000,
				})),
			);
			emulator.finishNow(snapshot.finished.map((index) => ids[index]));
			const finished = new Set(snapshot.finished);
			const rand = random(snapshot.poll);
			const rest = shuffle(
				ids.filter((_, index) => !finished.has(index)),
				rand,
			);

			const trigger = new TriggerRig(
				triggerNode({ event: 'completed' }),
				credentials,
				snapshot.staticData,
			);
			const before = snapshot.emitted.map((index) => ids[index]);
			const expected = recorded.expected.map((index) => ids[index]);
			const after = await pollUntil(
				trigger,
				(items) => before.length + items.length >= expected.length,
				{
					maxPolls: 60,
					between: (poll) => {
						if (poll % 4 === 3) trigger.restart();
						emulator.finishNow(rest.splice(0, 1 + Math.floor(rand() * 60)));
					},
				},
			);
			for (let poll = 0; poll < 2; poll++) expect(await trigger.poll()).toBeNull();

			const counts = new Map<string, number>();
			for (const id of [...before, ...after.map(jobIdOf)])
				counts.set(id, (counts.get(id) ?? 0) + 1);
			const missed = expected.filter((id) => counts.get(id) !== 1);
			const duplicated = [...counts].filter(([, count]) => count > 1).map(([id]) => id);
			const unexpected = [...counts.keys()].filter((id) => !expected.includes(id));
			expect({ missed, duplicated, unexpected }).toEqual({
				missed: [],
				duplicated: [],
				unexpected: [],
			});
			const state = (trigger.staticData() as IDataObject).cursor as IDataObject;
			expect(state).toMatchObject({ version: 2, open: {}, recent: {} });
		},
	);
});
