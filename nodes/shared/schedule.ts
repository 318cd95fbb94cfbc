/**
 * When the shared status poll goes (pure). Each job's poll interval grows with its age, so a finished job is
 * noticed soon after it finishes without hammering the API while long jobs run. The official node polls every
 * job on its own (1 s → 5 s); here one request a round serves every job in flight (waiter.ts).
 */

export interface PollSchedule {
	/** Wait before a job's first poll, and the shortest gap between two polls. */
	minIntervalMs: number;
	/** Longest gap between two polls of a job still running. */
	maxIntervalMs: number;
	/** After each poll a job waits this fraction of its age before it wants the next one. */
	ageFraction: number;
}

/**
 * Polling defaults. A job polled at age a is looked at again after 0.2·a (0.5 s to 5 s): a job that finishes at
 * time T is seen at most ~20% of T later, so the median detection slack is about 10% of the job time, or under
 * 0.5 s for short jobs, while a 60 s job costs ~20 polls, not 240. Every job of the batch rides on the same poll.
 */
export const DEFAULT_POLL_SCHEDULE: PollSchedule = { minIntervalMs: 500, maxIntervalMs: 5000, ageFraction: 0.2 };

/** What the schedule knows about one waiting job (epoch ms). */
export interface ScheduledJob {
	registeredAt: number;
	/** When the last poll that included this job was sent; undefined before its first poll. */
	lastPolledAt?: number;
	deadline: number;
}

/** Gap after a poll at `ageMs`: a fraction of the age, clamped. Young jobs are looked at soon, old ones less often. */
export function nextPollDelay(ageMs: number, schedule: PollSchedule = DEFAULT_POLL_SCHEDULE): number {
	const proposed = Math.max(0, ageMs) * schedule.ageFraction;
	return Math.round(Math.min(schedule.maxIntervalMs, Math.max(schedule.minIntervalMs, proposed)));
}

/**
 * When the shared poll should go: as soon as the first job wants one, but not before `notBefore` (the retry time of
 * an outage), or when the first job reaches its deadline.
 */
export function nextPollAt(
	jobs: Iterable<ScheduledJob>,
	schedule: PollSchedule = DEFAULT_POLL_SCHEDULE,
	notBefore = Number.NEGATIVE_INFINITY,
): number {
	let earliest = Number.POSITIVE_INFINITY;
	for (const job of jobs) {
		const since = job.lastPolledAt ?? job.registeredAt;
		const due = since + nextPollDelay(since - job.registeredAt, schedule);
		earliest = Math.min(earliest, Math.max(due, notBefore), job.deadline);
	}
	return earliest;
}
