/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/**
 * The client-side rate limiter (nodes/shared/pacer.ts) on a ManualClock: when a request may go, how a refusal
 * lowers the cap and pauses the class, how the cap creeps back, Retry-After as a floor, deadlines and cancellation.
 */
import { DEFAULT_PACER_SETTINGS, RequestPacer, type Grant, type LimitClass, type Permit } from '../../nodes/shared/pacer';
import { ManualClock } from '../harness/clock';

const UPLOAD: LimitClass[] = ['upload', 'all'];
const OTHER: LimitClass[] = ['all'];
const MARGIN = DEFAULT_PACER_SETTINGS.marginMs;
/** Upload tests: no free-tier probe in the way. */
const PAID = { ...DEFAULT_PACER_SETTINGS, allHypothesis: { requests: 10_000, windowMs: 60_000 } };

/** Resolves to the grant if `promise` settled by the time pending callbacks have run, else 'pending'. */
async function peek(promise: Promise<Grant>): Promise<Grant | 'pending'> {
	const marker = Symbol('pending');
	const result = await Promise.race([promise, new Promise<symbol>((resolve) => setImmediate(() => resolve(marker)))]);
	return result === marker ? 'pending' : (result as Grant);
}

async function permit(pacer: RequestPacer, classes: LimitClass[]): Promise<Permit> {
	const grant = await pacer.acquire(classes);
	if (!grant.ok) throw new Error('not granted');
	return grant.permit;
}

/** `count` requests sent and answered at once, all accepted. */
async function sendAccepted(pacer: RequestPacer, classes: LimitClass[], count: number): Promise<void> {
	for (let index = 0; index < count; index++) (await permit(pacer, classes)).settle({ kind: 'accepted' });
}

describe('RequestPacer', () => {
	let clock: ManualClock;
	let pacer: RequestPacer;
	beforeEach(() => {
		clock = new ManualClock();
		pacer = new RequestPacer(clock);
	});

	test('uploads start at the documented 50 per 5 s: the 51st waits until the first answer is a window old', async () => {
		const start = clock.now();
		await sendAccepted(pacer, UPLOAD, 50);
		const next = pacer.acquire(UPLOAD);
		expect(await peek(next)).toBe('pending');
		expect(await clock.nextWakeUp()).toBe(start + 5_000 + MARGIN);
		clock.advanceTo(start + 5_000 + MARGIN);
		expect((await next).ok).toBe(true);
		expect(pacer.classes.upload.refusals).toBe(0);
	});

	test('a status poll does not wait behind uploads held by the upload window; the uploads go when the window turns', async () => {
		pacer = new RequestPacer(clock, PAID);
		await sendAccepted(pacer, UPLOAD, 50);
		const uploads = [pacer.acquire(UPLOAD), pacer.acquire(UPLOAD)];
		const poll = pacer.acquire(OTHER);
		expect(await peek(poll)).toMatchObject({ ok: true });
		expect(await peek(uploads[0])).toBe('pending');
		clock.advanceTo(clock.now() + 5_000 + MARGIN);
		expect((await uploads[0]).ok).toBe(true);
		expect((await uploads[1]).ok).toBe(true);
	});

	test('free tier: past 20 requests a minute one request goes alone; its refusal caps every request at 20 per window', async () => {
		const start = clock.now();
		await sendAccepted(pacer, OTHER, 20);
		const probe = await permit(pacer, OTHER);
		// While the probe is out, nobody else goes: at most one refusal, not a burst.
		const behind = pacer.acquire(OTHER);
		expect(await peek(behind)).toBe('pending');
		probe.settle({ kind: 'refused', retryAfterMs: 59_000 });
		expect(pacer.classes.all.cap).toBe(20);
		// The Retry-After is the floor: nothing goes before it.
		expect(await clock.nextWakeUp()).toBe(start + 59_000);
		clock.advanceTo(start + 59_000);
		expect(await peek(behind)).toBe('pending');
		// Then the window decides: the 21 requests (the refused one too) must age out until 19 remain.
		const wake = await clock.nextWakeUp();
		expect(wake).toBe(start + 60_000 + MARGIN);
		clock.advanceTo(wake);
		expect((await behind).ok).toBe(true);
	});

	test('a probe that is answered ends the free-tier check: paid plans are not paced on every request', async () => {
		await sendAccepted(pacer, OTHER, 20);
		(await permit(pacer, OTHER)).settle({ kind: 'accepted' });
		expect(pacer.classes.all.hypothesis).toBeUndefined();
		for (let index = 0; index < 200; index++) expect(await peek(pacer.acquire(OTHER))).toMatchObject({ ok: true });
	});

	test('adapt down: a refusal caps at what got through; refused again within a window, a fifth comes off, once', async () => {
		pacer = new RequestPacer(clock, PAID);
		await sendAccepted(pacer, UPLOAD, 30);
		(await permit(pacer, UPLOAD)).settle({ kind: 'refused', retryAfterMs: 2_000 });
		// Another client shares the project: 30 got through in this window, so 30 it is.
		expect(pacer.classes.upload.cap).toBe(30);
		expect(pacer.classes.upload.refusedLevel).toBe(31);
		expect(pacer.classes.all.cap).toBeUndefined();
		clock.advanceTo(clock.now() + 6_000);
		await sendAccepted(pacer, UPLOAD, 28);
		// Two in flight together, both refused: one cut, not two.
		const [first, second] = [await permit(pacer, UPLOAD), await permit(pacer, UPLOAD)];
		first.settle({ kind: 'refused', retryAfterMs: 1_000 });
		second.settle({ kind: 'refused', retryAfterMs: 1_000 });
		expect(pacer.classes.upload.cap).toBe(24);
		expect(pacer.classes.upload.refusedLevel).toBe(29);
		expect(pacer.classes.upload.refusals).toBe(3);
	});

	test('creep up: one more per clean window used to its cap, doubling while a share goes unrefused', async () => {
		pacer = new RequestPacer(clock, PAID);
		await sendAccepted(pacer, UPLOAD, 10);
		(await permit(pacer, UPLOAD)).settle({ kind: 'refused', retryAfterMs: 1_000 });
		expect(pacer.classes.upload.cap).toBe(10);
		clock.advanceTo(clock.now() + 6_000);
		await sendAccepted(pacer, UPLOAD, 9);
		(await permit(pacer, UPLOAD)).settle({ kind: 'refused', retryAfterMs: 1_000 });
		expect(pacer.classes.upload.cap).toBe(8);
		expect(pacer.classes.upload.refusedLevel).toBe(10);
		const creep = async (windows: number) => {
			const caps: number[] = [];
			for (let window = 0; window < windows; window++) {
				clock.advanceTo(clock.now() + 5_000 + MARGIN);
				await sendAccepted(pacer, UPLOAD, pacer.classes.upload.cap!);
				caps.push(pacer.classes.upload.cap!);
			}
			return caps;
		};
		// Refused below the documented 50, the level is a share of a limit others use too (they may have gone quiet):
		// past it, one more, then twice the step each clean window in a row, at most 8.
		expect(await creep(6)).toEqual([9, 11, 15, 23, 31, 39]);
		// A refusal starts the steps over from one.
		(await permit(pacer, UPLOAD)).settle({ kind: 'refused', retryAfterMs: 1_000 });
		expect(pacer.classes.upload.cap).toBe(31);
		clock.advanceTo(clock.now() + 1_000);
		expect(await creep(2)).toEqual([32, 34]);
	});

	test('creep up at a documented limit: the free tier limit of 20 is tried again only after 20 clean windows', async () => {
		await sendAccepted(pacer, OTHER, 20);
		(await permit(pacer, OTHER)).settle({ kind: 'refused', retryAfterMs: 60_000 });
		expect(pacer.classes.all.cap).toBe(20);
		const caps: number[] = [];
		for (let window = 0; window < 22; window++) {
			clock.advanceTo(clock.now() + 60_000 + MARGIN);
			await sendAccepted(pacer, OTHER, pacer.classes.all.cap!);
			caps.push(pacer.classes.all.cap!);
		}
		expect(caps.slice(0, 19)).toEqual(Array(19).fill(20));
		expect(caps.find((cap) => cap > 20)).toBe(21);
	});

	test('Retry-After is a floor for the class; without one, the class pauses a full window', async () => {
		const start = clock.now();
		(await permit(pacer, UPLOAD)).settle({ kind: 'refused', retryAfterMs: 3_000 });
		const upload = pacer.acquire(UPLOAD);
		expect(await clock.nextWakeUp()).toBe(start + 3_000);
		clock.advanceTo(start + 3_000);
		expect((await upload).ok).toBe(true);
		// The pause held uploads only: other requests went on.
		expect(pacer.classes.all.pausedUntil).toBe(0);

		const other = new RequestPacer(clock);
		await sendAccepted(other, OTHER, 20);
		const probeAt = clock.now();
		(await permit(other, OTHER)).settle({ kind: 'refused' });
		const next = other.acquire(OTHER);
		expect(await clock.nextWakeUp()).toBe(probeAt + 60_000 + MARGIN);
		clock.advanceTo(probeAt + 60_000 + MARGIN);
		expect((await next).ok).toBe(true);
	});

	test('a wait under a second, or fewer requests than the free tier allows, pauses but caps nothing', async () => {
		await sendAccepted(pacer, OTHER, 3);
		(await permit(pacer, OTHER)).settle({ kind: 'refused', retryAfterMs: 25 });
		expect(pacer.classes.all.cap).toBeUndefined();
		expect(pacer.classes.all.hypothesis).toBe(20);
		clock.advanceTo(clock.now() + 25);
		(await permit(pacer, OTHER)).settle({ kind: 'refused', retryAfterMs: 2_000 });
		expect(pacer.classes.all.cap).toBeUndefined();
		clock.advanceTo(clock.now() + 2_000);
		await sendAccepted(pacer, UPLOAD, 4);
		(await permit(pacer, UPLOAD)).settle({ kind: 'refused', retryAfterMs: 25 });
		expect(pacer.classes.upload.cap).toBe(50);
	});

	test('a request past its deadline still goes once the probe it waits behind is answered', async () => {
		await sendAccepted(pacer, OTHER, 20);
		const probe = await permit(pacer, OTHER);
		const late = pacer.acquire(OTHER, { deadlineMs: clock.now() - 1 });
		expect(await peek(late)).toBe('pending');
		probe.settle({ kind: 'accepted' });
		expect((await late).ok).toBe(true);
	});

	test('a wait past the deadline is not started; cancelling ends the wait and lets later requests through', async () => {
		const start = clock.now();
		await sendAccepted(pacer, UPLOAD, 50);
		expect(await pacer.acquire(UPLOAD, { deadlineMs: start + 1_000 })).toEqual({ ok: false, readyAtMs: start + 5_000 + MARGIN });

		const controller = new AbortController();
		const cancelled = pacer.acquire(UPLOAD, { signal: controller.signal });
		const queued = pacer.acquire(UPLOAD);
		await clock.nextWakeUp();
		controller.abort();
		await expect(cancelled).rejects.toThrow('cancelled');
		expect(await peek(queued)).toBe('pending');
		clock.advanceTo(start + 5_000 + MARGIN);
		expect((await queued).ok).toBe(true);
	});
});
