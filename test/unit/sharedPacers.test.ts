/**
 * The process's pacers (nodes/shared/sharedPacers.ts): one per LlamaCloud project, shared by every execution of the
 * process, forgotten after an idle spell, and keyed without the API key in them.
 */
import { RequestPacer } from '../../nodes/shared/pacer';
import { pacerKey, SharedPacers } from '../../nodes/shared/sharedPacers';
import { ManualClock } from '../harness/clock';

function advance(clock: ManualClock, ms: number): void {
	clock.advanceTo(clock.now() + ms);
}

const API_KEY = 'llx-shared-pacers-secret';
const US = { baseUrl: 'https://api.cloud.llamaindex.ai' };

describe('pacerKey', () => {
	test('differs by server, organization, project and API key; equal for the same credential', () => {
		const base = pacerKey(US, API_KEY);
		expect(pacerKey({ ...US }, API_KEY)).toBe(base);
		expect(pacerKey({ baseUrl: 'https://api.cloud.eu.llamaindex.ai' }, API_KEY)).not.toBe(base);
		expect(pacerKey({ ...US, projectId: 'p-1' }, API_KEY)).not.toBe(base);
		expect(pacerKey({ ...US, projectId: 'p-1' }, API_KEY)).not.toBe(pacerKey({ ...US, projectId: 'p-2' }, API_KEY));
		expect(pacerKey({ ...US, organizationId: 'o-1' }, API_KEY)).not.toBe(base);
		expect(pacerKey(US, 'llx-another-key')).not.toBe(base);
	});

	test('holds no part of the API key', () => {
		const key = pacerKey(US, API_KEY);
		expect(key).not.toContain(API_KEY);
		expect(key).not.toContain('secret');
	});
});

describe('SharedPacers', () => {
	let clock: ManualClock;
	let pacers: SharedPacers;
	beforeEach(() => {
		clock = new ManualClock();
		pacers = new SharedPacers({ create: () => new RequestPacer(clock), idleMs: 60_000, now: () => clock.now() });
	});

	test('one pacer per key, the same one for every lookup', () => {
		const a = pacers.for('a');
		expect(pacers.for('a')).toBe(a);
		expect(pacers.for('b')).not.toBe(a);
		expect(pacers.size).toBe(2);
	});

	test('a pacer in use is kept; one idle past idleMs is dropped and made anew', () => {
		const a = pacers.for('a');
		pacers.for('b');
		advance(clock, 59_000);
		expect(pacers.for('a')).toBe(a);
		advance(clock, 59_000);
		// 'a' was used a minute ago at most; 'b' has been idle for 118 s.
		expect(pacers.for('a')).toBe(a);
		expect(pacers.size).toBe(1);
		advance(clock, 61_000);
		expect(pacers.for('a')).not.toBe(a);
	});

	test('a pacer with a request on the wire is never dropped, however long it is idle', async () => {
		const a = pacers.for('a');
		const grant = await a.acquire(['all']);
		advance(clock, 10 * 60_000);
		pacers.for('b');
		expect(pacers.for('a')).toBe(a);
		if (grant.ok) grant.permit.settle({ kind: 'accepted' });
	});

	test('what one execution taught the pacer, the next one starts from', async () => {
		const first = pacers.for('a');
		const send = async (result: 'accepted' | 'refused') => {
			const grant = await first.acquire(['upload', 'all']);
			if (!grant.ok) throw new Error('not granted');
			grant.permit.settle(result === 'accepted' ? { kind: result } : { kind: result, retryAfterMs: 2_000 });
		};
		for (const result of ['accepted', 'accepted', 'accepted', 'refused'] as const) await send(result);
		// Another project's lookup in between does not disturb it.
		expect(pacers.for('b').classes.upload.cap).toBe(50);
		const next = pacers.for('a');
		expect(next.classes.upload.pausedUntil).toBe(clock.now() + 2_000);
		expect(next.classes.upload.cap).toBe(3);
	});
});
