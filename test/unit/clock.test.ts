/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/** The emulator's ManualClock: time moves only when the test says, and timers fire in due order at their own time. */
import { ManualClock, sleepOn } from '../../emulator/clock';

describe('ManualClock', () => {
	test('advance fires the timers due on the way, in order, each seeing its own time', async () => {
		const clock = new ManualClock(1_000);
		const fired: Array<[string, number]> = [];
		clock.setTimer(() => fired.push(['b', clock.now()]), 30);
		clock.setTimer(() => fired.push(['a', clock.now()]), 10);
		clock.setTimer(() => fired.push(['c', clock.now()]), 31);
		await clock.advance(30);
		expect(fired).toEqual([
			['a', 1_010],
			['b', 1_030],
		]);
		expect(clock.now()).toBe(1_030);
		expect(clock.pendingTimers).toBe(1);
	});

	test('a timer set by a timer fires in the same advance when it falls due before the end', async () => {
		const clock = new ManualClock(0);
		const fired: number[] = [];
		clock.setTimer(() => {
			fired.push(clock.now());
			clock.setTimer(() => fired.push(clock.now()), 5);
		}, 10);
		await clock.advance(20);
		expect(fired).toEqual([10, 15]);
		expect(clock.now()).toBe(20);
	});

	test('a cancelled timer never fires; next() jumps to the earliest one and says when none is left', async () => {
		const clock = new ManualClock(0);
		const fired: number[] = [];
		const cancelled = clock.setTimer(() => fired.push(-1), 5);
		clock.setTimer(() => fired.push(clock.now()), 50);
		cancelled.cancel();
		expect(await clock.next()).toBe(true);
		expect(fired).toEqual([50]);
		expect(await clock.next()).toBe(false);
	});

	test('a timer already due fires on the next turn without moving time; sleepOn waits for the clock', async () => {
		const clock = new ManualClock(0);
		let due = false;
		clock.setTimer(() => (due = true), 0);
		await new Promise((resolve) => setImmediate(resolve));
		expect(due).toBe(true);
		let slept = false;
		const sleeping = sleepOn(clock, 100).then(() => (slept = true));
		await clock.advance(99);
		expect(slept).toBe(false);
		await clock.advance(1);
		await sleeping;
		expect(clock.now()).toBe(100);
	});
});
