/**
 * The shared poll's schedule (pure): poll soon, back off with age, never sleep far past a completion.
 */
import {
	DEFAULT_POLL_SCHEDULE,
	nextPollAt,
	nextPollDelay,
	type PollSchedule,
	type ScheduledJob,
} from '../../nodes/shared/schedule';

const schedule: PollSchedule = { minIntervalMs: 500, maxIntervalMs: 5000, ageFraction: 0.2 };

/** The ages at which one job alone is polled, until `untilMs`. */
function pollAges(untilMs: number, settings: PollSchedule = schedule): number[] {
	const job: ScheduledJob = { registeredAt: 0, deadline: Number.POSITIVE_INFINITY };
	const ages: number[] = [];
	for (;;) {
		const at = nextPollAt([job], settings);
		if (at > untilMs) return ages;
		ages.push(at);
		job.lastPolledAt = at;
	}
}

describe('nextPollDelay', () => {
	it('polls a new job after the minimum interval', () => {
		expect(nextPollDelay(0, schedule)).toBe(500);
	});

	it('grows with the age of the job, as the age fraction says', () => {
		expect(nextPollDelay(10_000, schedule)).toBe(2000);
		expect(nextPollDelay(20_000, schedule)).toBe(4000);
	});

	it('never waits longer than the maximum interval', () => {
		expect(nextPollDelay(10 * 60_000, schedule)).toBe(5000);
	});

	it('treats a negative age (clock skew) as a new job', () => {
		expect(nextPollDelay(-1_000, schedule)).toBe(500);
	});

	it('uses the documented defaults', () => {
		expect(DEFAULT_POLL_SCHEDULE).toEqual(schedule);
		expect(nextPollDelay(0)).toBe(500);
	});
});

describe('nextPollAt', () => {
	it('detects a job within a fifth of its run time, or the minimum interval', () => {
		const ages = pollAges(120_000);
		for (const finishedAt of [700, 3_000, 9_500, 30_000, 90_000]) {
			const seenAt = ages.find((age) => age >= finishedAt)!;
			expect(seenAt - finishedAt).toBeLessThanOrEqual(Math.max(500, 0.2 * finishedAt));
		}
	});

	it('spends few polls on a long job: a 60 s job costs about 20 polls, not one a second', () => {
		const polls = pollAges(60_000).length;
		expect(polls).toBeGreaterThan(10);
		expect(polls).toBeLessThanOrEqual(25);
	});

	it('goes when the first job of the batch wants a poll', () => {
		const old: ScheduledJob = {
			registeredAt: 0,
			lastPolledAt: 20_000,
			deadline: Number.POSITIVE_INFINITY,
		};
		const young: ScheduledJob = {
			registeredAt: 19_000,
			lastPolledAt: 20_000,
			deadline: Number.POSITIVE_INFINITY,
		};
		expect(nextPollAt([old], schedule)).toBe(24_000);
		// The young job (1 s old at the last poll) wants the next poll after the minimum interval.
		expect(nextPollAt([old, young], schedule)).toBe(20_500);
	});

	it('gives a job registered after the last poll its first poll soon', () => {
		const old: ScheduledJob = {
			registeredAt: 0,
			lastPolledAt: 30_000,
			deadline: Number.POSITIVE_INFINITY,
		};
		const fresh: ScheduledJob = { registeredAt: 31_000, deadline: Number.POSITIVE_INFINITY };
		expect(nextPollAt([old, fresh], schedule)).toBe(31_500);
	});

	it('polls at a deadline even if no job wants a poll yet', () => {
		const job: ScheduledJob = { registeredAt: 0, lastPolledAt: 30_000, deadline: 31_000 };
		expect(nextPollAt([job], schedule)).toBe(31_000);
	});

	it('during an outage waits for the retry time, yet never past a deadline', () => {
		const job: ScheduledJob = { registeredAt: 0, lastPolledAt: 30_000, deadline: 40_000 };
		// Due at 35 s on its own; an outage says not before 38 s; a later retry time still ends at the deadline.
		expect(nextPollAt([job], schedule)).toBe(35_000);
		expect(nextPollAt([job], schedule, 38_000)).toBe(38_000);
		expect(nextPollAt([job], schedule, 45_000)).toBe(40_000);
		expect(nextPollAt([job], schedule, 20_000)).toBe(35_000);
	});

	it('has nothing to do without jobs', () => {
		expect(nextPollAt([], schedule)).toBe(Number.POSITIVE_INFINITY);
	});
});
