/**
 * When to send a request again, and how long to wait first. Pure functions only: the loop that sleeps and
 * resends lives in transport.ts `sendWithRetries`, so every request gets the same policy.
 *
 * The one hard rule: a call that creates something (`POST /api/v2/extract`, `POST /api/v1/beta/files`) has no
 * idempotency key, so it is sent again blindly only when the server surely did not take it: a 429, or a
 * connection that failed before any byte left. After an ambiguous failure (a 5xx, or a reset or timeout after
 * sending) the caller first looks for what the lost attempt may have created, and adopts it.
 */

/** How a call may be retried. */
export type RetryMode =
	/** Reads and idempotent writes: retry every transient failure. */
	| 'safe'
	/** Non-idempotent creates: blind retry only when the server surely did not take the request. */
	| 'create'
	/** Never retry. */
	| 'none';

export interface RetryPolicy {
	/** Attempts in total, the first one included, while failures are errors (5xx, resets, timeouts). */
	maxAttempts: number;
	/**
	 * Attempts while the failures are 429s. A rate limit is expected to clear, so unattended batches keep going,
	 * still bounded by the deadline; the cap only guards against a server that says "retry now" forever.
	 */
	maxRateLimitedAttempts: number;
	/** Backoff before the second attempt; it doubles per attempt. */
	baseDelayMs: number;
	/** Backoff ceiling. */
	maxDelayMs: number;
	/** Up to this fraction of a backoff is taken off at random, so parallel items do not retry in lockstep. */
	jitter: number;
	/** Retry window of an execution's request when the caller gives no deadline, counted from the first attempt. */
	defaultBudgetMs: number;
	/** The same for someone waiting in the editor (a list search, a credential test). */
	interactiveBudgetMs: number;
}

/** Close to LlamaCloud's own SDKs (0.5 s doubling to 8 s, 60 s timeout), with more attempts because a batch
 * of unattended items should ride out a rate-limit spell rather than fail. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxAttempts: 8,
	maxRateLimitedAttempts: 40,
	baseDelayMs: 500,
	maxDelayMs: 8_000,
	jitter: 0.5,
	defaultBudgetMs: 120_000,
	interactiveBudgetMs: 15_000,
};

/** One failed attempt, reduced to what the decision needs. */
export type AttemptFailure =
	| {
			kind: 'status';
			status: number;
			/** Server-requested wait (`retry-after-ms` / `Retry-After`), when given. */
			retryAfterMs?: number;
			/** The `x-should-retry` header: `true`/`false` overrides the status rule, as LlamaCloud's SDKs do. */
			shouldRetry?: boolean;
	  }
	| { kind: 'network'; code: string };

export type RetryDecision =
	/** Send the same request again after a backoff. */
	| 'retry'
	/** The server may have acted on the request: look for what it created before sending it again. */
	| 'check-then-retry'
	/** Give up and report this failure. */
	| 'stop';

/** Failures before any byte of the request left the machine: the server cannot have acted on them. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/** Network failures where the request may or may not have been processed. */
const AMBIGUOUS_CODES = new Set([
	'ECONNRESET',
	'ECONNABORTED',
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	'EPIPE',
	'ERR_STREAM_PREMATURE_CLOSE',
	'UND_ERR_SOCKET',
]);

/** The execution's cancel signal aborted the request: never retried. */
export const CANCELLED_CODE = 'ERR_CANCELED';

/** HTTP statuses worth another try: timeouts, lock conflicts, rate limits and server errors. */
export function isRetryableStatus(status: number): boolean {
	return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Whether a network error code means the request surely never reached the server. */
export function wasNeverSent(code: string): boolean {
	return NOT_SENT_CODES.has(code);
}

/**
 * The ambiguous-failure decision. `canCheck` says whether the caller can look up what a lost create made
 * (a job list filter, an upload token); without it an ambiguous create is reported, never resent.
 */
export function decideRetry(mode: RetryMode, failure: AttemptFailure, canCheck: boolean): RetryDecision {
	if (mode === 'none') return 'stop';
	if (failure.kind === 'network') {
		if (failure.code === CANCELLED_CODE) return 'stop';
		if (wasNeverSent(failure.code)) return 'retry';
		if (!AMBIGUOUS_CODES.has(failure.code)) return 'stop';
		if (mode === 'safe') return 'retry';
		return canCheck ? 'check-then-retry' : 'stop';
	}
	const retryable = failure.shouldRetry ?? isRetryableStatus(failure.status);
	if (!retryable) return 'stop';
	if (mode === 'safe') return 'retry';
	// A rate limiter answers before the request is handled, so a 429'd create was surely not taken.
	if (failure.status === 429) return 'retry';
	return canCheck ? 'check-then-retry' : 'stop';
}

/** Failures so far in one call, counted apart: 429s do not use up the attempts meant for errors. */
export interface FailureCounts {
	rateLimited: number;
	other: number;
}

export function isRateLimit(failure: AttemptFailure): boolean {
	return failure.kind === 'status' && failure.status === 429;
}

/** Counts `failure` in, and says how many failures of its kind there have been (the backoff exponent). */
export function countFailure(counts: FailureCounts, failure: AttemptFailure): number {
	return isRateLimit(failure) ? ++counts.rateLimited : ++counts.other;
}

/** Whether another attempt is allowed after the failures counted so far. */
export function attemptsRemain(counts: FailureCounts, policy: RetryPolicy): boolean {
	return counts.other < policy.maxAttempts && counts.rateLimited < policy.maxRateLimitedAttempts;
}

/** Why a call stops retrying. */
export type StopReason =
	/** A final answer, or a failure not worth another try (including a cancelled execution). */
	| 'final'
	/** A create that may have been processed, with no way to look up what it made. */
	| 'ambiguous-create'
	/** The attempts are used up. */
	| 'attempts'
	/** The next wait would pass the deadline. */
	| 'deadline';

export type RetryStep =
	| { action: 'retry' | 'check-then-retry'; delayMs: number }
	| { action: 'stop'; reason: StopReason };

export interface RetryState {
	mode: RetryMode;
	/** The caller can look up what a lost create made. */
	canCheck: boolean;
	/** Failures so far, the latest one included (see `countFailure`). */
	counts: FailureCounts;
	nowMs: number;
	deadlineMs: number;
	policy: RetryPolicy;
	/** 0..1, for the jitter. */
	random: number;
}

/** What to do after `failure`: wait and send again (maybe looking first), or stop and say why. */
export function planNextStep(failure: AttemptFailure, state: RetryState): RetryStep {
	const decision = decideRetry(state.mode, failure, state.canCheck);
	if (decision === 'stop') {
		const ambiguous = state.mode === 'create' && decideRetry('safe', failure, false) === 'retry';
		return { action: 'stop', reason: ambiguous ? 'ambiguous-create' : 'final' };
	}
	if (!attemptsRemain(state.counts, state.policy)) return { action: 'stop', reason: 'attempts' };
	const failuresOfKind = isRateLimit(failure) ? state.counts.rateLimited : state.counts.other;
	const delayMs = nextDelayMs(failuresOfKind, failure, state.policy, state.random);
	if (state.nowMs + delayMs > state.deadlineMs) return { action: 'stop', reason: 'deadline' };
	return { action: decision, delayMs };
}

/** Capped exponential backoff with jitter; `attempt` is the number of the attempt that just failed (1-based). */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: number): number {
	const exponential = policy.baseDelayMs * 2 ** Math.max(0, attempt - 1);
	const capped = Math.min(policy.maxDelayMs, exponential);
	return Math.round(capped * (1 - policy.jitter * Math.min(1, Math.max(0, random))));
}

/**
 * The wait before the next attempt: the server's own request when it made one, otherwise the backoff.
 * A server-requested wait gets a little jitter on top (never less than asked), so a batch does not come back
 * all in the same millisecond.
 */
export function nextDelayMs(
	attempt: number,
	failure: AttemptFailure,
	policy: RetryPolicy,
	random: number,
): number {
	if (failure.kind === 'status' && failure.retryAfterMs !== undefined) {
		const spread = Math.min(1_000, failure.retryAfterMs * 0.1);
		return Math.round(failure.retryAfterMs + spread * Math.min(1, Math.max(0, random)));
	}
	return backoffDelayMs(attempt, policy, random);
}

type HeaderBag = Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() !== name) continue;
		const text = Array.isArray(value) ? value[0] : value;
		return text === undefined ? undefined : String(text).trim();
	}
	return undefined;
}

/**
 * The server's requested wait in milliseconds: `retry-after-ms` first (what LlamaCloud's SDKs read first), then
 * `Retry-After` as delta-seconds or an HTTP date. Unparseable or negative values count as absent.
 */
export function parseRetryAfterMs(headers: HeaderBag, nowMs: number): number | undefined {
	const millis = header(headers, 'retry-after-ms');
	if (millis !== undefined && /^\d+(\.\d+)?$/.test(millis)) return Math.round(Number(millis));
	const value = header(headers, 'retry-after');
	if (value === undefined || value === '') return undefined;
	if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
	// An HTTP date names its weekday or month; anything else (e.g. "-5") is not a date.
	if (!/[a-z]{3}/i.test(value)) return undefined;
	const date = Date.parse(value);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - nowMs);
}

/** `x-should-retry: true|false`, or undefined when absent. */
export function parseShouldRetry(headers: HeaderBag): boolean | undefined {
	const value = header(headers, 'x-should-retry')?.toLowerCase();
	if (value === 'true') return true;
	if (value === 'false') return false;
	return undefined;
}

/** The failure an HTTP response represents, or undefined for a success or a final client error. */
export function statusFailure(
	statusCode: number,
	headers: HeaderBag,
	nowMs: number,
): Extract<AttemptFailure, { kind: 'status' }> | undefined {
	if (statusCode < 400) return undefined;
	const shouldRetry = parseShouldRetry(headers);
	if (!(shouldRetry ?? isRetryableStatus(statusCode))) return undefined;
	return { kind: 'status', status: statusCode, retryAfterMs: parseRetryAfterMs(headers, nowMs), shouldRetry };
}

/** Server clocks and ours may differ a little; the look-up after an ambiguous create opens its window this much earlier. */
export const CLOCK_SKEW_ALLOWANCE_MS = 30_000;

/**
 * Whether waiting may help: the transport gave up on a server error, a rate limit or the network. A 4xx answer
 * (the key, the project, a deleted job) will be the same next time.
 */
export function isPassingFailure(error: unknown): boolean {
	const failure = error as { httpCode?: string | null; networkCode?: string } | undefined;
	if (!failure || typeof failure !== 'object') return false;
	if (failure.networkCode) return true;
	const status = Number(failure.httpCode);
	return Number.isInteger(status) && isRetryableStatus(status);
}
