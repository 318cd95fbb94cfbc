/**
 * The pure retry rules: which failures are retried, how a create is protected from duplicates, the backoff
 * schedule and Retry-After parsing.
 */
import { isFinalStatus } from '../../nodes/shared/contract';
import { echoMatches, isJobFor } from '../../nodes/shared/jobCreate';
import {
	attemptsRemain,
	backoffDelayMs,
	countFailure,
	decideRetry,
	DEFAULT_RETRY_POLICY,
	nextDelayMs,
	parseRetryAfterMs,
	planNextStep,
	type RetryState,
	statusFailure,
	type AttemptFailure,
	type RetryDecision,
	type RetryMode,
} from '../../nodes/shared/retry';

const status = (code: number, extra: Partial<Extract<AttemptFailure, { kind: 'status' }>> = {}): AttemptFailure => ({
	kind: 'status',
	status: code,
	...extra,
});
const network = (code: string): AttemptFailure => ({ kind: 'network', code });

describe('decideRetry: the ambiguous-failure decision', () => {
	const table: Array<[string, RetryMode, AttemptFailure, boolean, RetryDecision]> = [
		// Reads retry every transient failure.
		['safe 429', 'safe', status(429), false, 'retry'],
		['safe 408', 'safe', status(408), false, 'retry'],
		['safe 409', 'safe', status(409), false, 'retry'],
		['safe 500', 'safe', status(500), false, 'retry'],
		['safe 502', 'safe', status(502), false, 'retry'],
		['safe 503', 'safe', status(503), false, 'retry'],
		['safe reset', 'safe', network('ECONNRESET'), false, 'retry'],
		['safe timeout', 'safe', network('ECONNABORTED'), false, 'retry'],
		['safe refused', 'safe', network('ECONNREFUSED'), false, 'retry'],
		// Final answers are never retried.
		['safe 400', 'safe', status(400), false, 'stop'],
		['safe 401', 'safe', status(401), false, 'stop'],
		['safe 402', 'safe', status(402), false, 'stop'],
		['safe 403', 'safe', status(403), false, 'stop'],
		['safe 404', 'safe', status(404), false, 'stop'],
		['safe 422', 'safe', status(422), false, 'stop'],
		['cancelled by the execution', 'safe', network('ERR_CANCELED'), true, 'stop'],
		['unknown network error', 'safe', network('ENOTFOUND'), false, 'stop'],
		['x-should-retry: false beats 503', 'safe', status(503, { shouldRetry: false }), false, 'stop'],
		['x-should-retry: true on a 400', 'safe', status(400, { shouldRetry: true }), false, 'retry'],
		['none never retries', 'none', status(429), true, 'stop'],
		// Creates: a 429 or a refused connection was surely not taken.
		['create 429', 'create', status(429), false, 'retry'],
		['create refused', 'create', network('ECONNREFUSED'), false, 'retry'],
		['create DNS retry', 'create', network('EAI_AGAIN'), false, 'retry'],
		// Anything else may have been processed: look first, or report without resending.
		['create 500 with lookup', 'create', status(500), true, 'check-then-retry'],
		['create 502 with lookup', 'create', status(502), true, 'check-then-retry'],
		['create 503 with lookup', 'create', status(503), true, 'check-then-retry'],
		['create 408 with lookup', 'create', status(408), true, 'check-then-retry'],
		['create reset with lookup', 'create', network('ECONNRESET'), true, 'check-then-retry'],
		['create timeout with lookup', 'create', network('ECONNABORTED'), true, 'check-then-retry'],
		['create 500 without lookup', 'create', status(500), false, 'stop'],
		['create reset without lookup', 'create', network('ECONNRESET'), false, 'stop'],
		['create 402', 'create', status(402), true, 'stop'],
		['create 401', 'create', status(401), true, 'stop'],
		['create cancelled', 'create', network('ERR_CANCELED'), true, 'stop'],
	];
	it.each(table)('%s', (_name, mode, failure, canCheck, expected) => {
		expect(decideRetry(mode, failure, canCheck)).toBe(expected);
	});
});

describe('backoff schedule', () => {
	const policy = DEFAULT_RETRY_POLICY;

	it('doubles from the base delay and stops at the cap', () => {
		const withoutJitter = [1, 2, 3, 4, 5, 6, 7].map((attempt) => backoffDelayMs(attempt, policy, 0));
		expect(withoutJitter).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
	});

	it('jitter only shortens a delay, by at most the jitter fraction', () => {
		for (const random of [0, 0.25, 0.5, 0.999, 1]) {
			const delay = backoffDelayMs(3, policy, random);
			expect(delay).toBeLessThanOrEqual(2000);
			expect(delay).toBeGreaterThanOrEqual(2000 * (1 - policy.jitter));
		}
		expect(backoffDelayMs(3, policy, 1)).toBe(1000);
	});

	it('a server-requested wait wins over the backoff and is never shortened', () => {
		expect(nextDelayMs(1, status(429, { retryAfterMs: 3000 }), policy, 0)).toBe(3000);
		const jittered = nextDelayMs(1, status(429, { retryAfterMs: 3000 }), policy, 1);
		expect(jittered).toBeGreaterThan(3000);
		expect(jittered).toBeLessThanOrEqual(3300);
		expect(nextDelayMs(4, status(503), policy, 0)).toBe(4000);
	});

	it('the whole schedule of the default policy stays under a minute', () => {
		let total = 0;
		for (let attempt = 1; attempt < policy.maxAttempts; attempt++) total += backoffDelayMs(attempt, policy, 0);
		expect(total).toBe(500 + 1000 + 2000 + 4000 + 8000 + 8000 + 8000);
		expect(total).toBeLessThan(60_000);
	});
});

describe('attempt limits', () => {
	const policy = DEFAULT_RETRY_POLICY;

	it('errors use up the attempts; 429s have their own, larger allowance', () => {
		const counts = { rateLimited: 0, other: 0 };
		for (let failure = 1; failure < policy.maxAttempts; failure++) {
			expect(countFailure(counts, status(503))).toBe(failure);
			expect(attemptsRemain(counts, policy)).toBe(true);
		}
		expect(countFailure(counts, network('ECONNRESET'))).toBe(policy.maxAttempts);
		expect(attemptsRemain(counts, policy)).toBe(false);

		const limited = { rateLimited: 0, other: 0 };
		for (let failure = 1; failure < policy.maxRateLimitedAttempts; failure++) countFailure(limited, status(429));
		expect(attemptsRemain(limited, policy)).toBe(true);
		countFailure(limited, status(429));
		expect(attemptsRemain(limited, policy)).toBe(false);
	});

	it('the backoff exponent counts failures of the same kind, so 429s between errors do not inflate it', () => {
		const counts = { rateLimited: 0, other: 0 };
		countFailure(counts, status(429));
		countFailure(counts, status(429));
		expect(countFailure(counts, status(502))).toBe(1);
	});
});

describe('planNextStep: wait and send again, look first, or stop and say why', () => {
	const state = (extra: Partial<RetryState> = {}): RetryState => ({
		mode: 'safe',
		canCheck: false,
		counts: { rateLimited: 0, other: 1 },
		nowMs: 1_000_000,
		deadlineMs: 1_000_000 + 60_000,
		policy: DEFAULT_RETRY_POLICY,
		random: 0,
		...extra,
	});

	it('retries a read after the backoff for its failure count', () => {
		expect(planNextStep(status(503), state())).toEqual({ action: 'retry', delayMs: 500 });
		expect(planNextStep(status(503), state({ counts: { rateLimited: 0, other: 3 } }))).toEqual({
			action: 'retry',
			delayMs: 2000,
		});
	});

	it('an ambiguous create looks first when it can, and otherwise stops with that reason', () => {
		expect(planNextStep(status(500), state({ mode: 'create', canCheck: true }))).toEqual({
			action: 'check-then-retry',
			delayMs: 500,
		});
		expect(planNextStep(network('ECONNRESET'), state({ mode: 'create' }))).toEqual({
			action: 'stop',
			reason: 'ambiguous-create',
		});
	});

	it('final answers stop as final', () => {
		expect(planNextStep(status(402), state({ mode: 'create', canCheck: true }))).toEqual({
			action: 'stop',
			reason: 'final',
		});
	});

	it('stops when the attempts are used up', () => {
		expect(planNextStep(status(503), state({ counts: { rateLimited: 0, other: 8 } }))).toEqual({
			action: 'stop',
			reason: 'attempts',
		});
	});

	it('stops instead of waiting past the deadline, e.g. for a long Retry-After', () => {
		const rateLimited = status(429, { retryAfterMs: 3_600_000 });
		expect(planNextStep(rateLimited, state({ counts: { rateLimited: 1, other: 0 } }))).toEqual({
			action: 'stop',
			reason: 'deadline',
		});
		expect(planNextStep(status(503), state({ deadlineMs: 1_000_000 + 100 }))).toEqual({
			action: 'stop',
			reason: 'deadline',
		});
	});
});

describe('Retry-After parsing', () => {
	const now = Date.parse('2026-09-01T12:00:00Z');

	it.each([
		['delta seconds', { 'retry-after': '3' }, 3000],
		['fractional seconds', { 'Retry-After': '1.5' }, 1500],
		['zero', { 'retry-after': '0' }, 0],
		['HTTP date', { 'retry-after': 'Tue, 01 Sep 2026 12:00:07 GMT' }, 7000],
		['HTTP date in the past', { 'retry-after': 'Tue, 01 Sep 2026 11:59:00 GMT' }, 0],
		['retry-after-ms first', { 'retry-after-ms': '250', 'retry-after': '9' }, 250],
		['array header value', { 'retry-after': ['2'] }, 2000],
		['garbage', { 'retry-after': 'soon' }, undefined],
		['negative', { 'retry-after': '-5' }, undefined],
		['absent', {}, undefined],
	])('%s', (_name, headers, expected) => {
		expect(parseRetryAfterMs(headers as Record<string, string | string[]>, now)).toBe(expected);
	});

	it('statusFailure carries the wait and ignores final statuses', () => {
		expect(statusFailure(429, { 'retry-after': '2' }, now)).toEqual({
			kind: 'status',
			status: 429,
			retryAfterMs: 2000,
			shouldRetry: undefined,
		});
		expect(statusFailure(404, {}, now)).toBeUndefined();
		expect(statusFailure(200, {}, now)).toBeUndefined();
		expect(statusFailure(503, { 'x-should-retry': 'false' }, now)).toBeUndefined();
	});
});

describe('matching a listed job to a lost create', () => {
	const job = (extra: Record<string, unknown>) =>
		({
			id: 'ext-1',
			file_input: 'dfl-1',
			project_id: 'p',
			status: 'PENDING',
			created_at: '2026-09-01T12:00:00Z',
			updated_at: '2026-09-01T12:00:00Z',
			...extra,
		}) as never;
	const schema = { type: 'object', properties: { total: { type: 'number' } } };

	it('same file and inline configuration, with server defaults and a resolved version', () => {
		const sent = { file_input: 'dfl-1', configuration: { data_schema: schema, version: 'latest', max_pages: 2 } };
		expect(
			isJobFor(
				sent,
				job({ configuration: { data_schema: schema, version: '2026-08-01', tier: 'cost_effective', max_pages: 2 } }),
			),
		).toBe(true);
	});

	it('another schema, another setting, another file or a saved configuration is not a match', () => {
		const sent = { file_input: 'dfl-1', configuration: { data_schema: schema, max_pages: 2 } };
		expect(isJobFor(sent, job({ configuration: { data_schema: { type: 'object' }, max_pages: 2 } }))).toBe(false);
		expect(isJobFor(sent, job({ configuration: { data_schema: schema, max_pages: 3 } }))).toBe(false);
		expect(isJobFor(sent, job({ file_input: 'dfl-2', configuration: { data_schema: schema, max_pages: 2 } }))).toBe(
			false,
		);
		expect(isJobFor(sent, job({ configuration_id: 'cfg-1' }))).toBe(false);
	});

	it('saved configurations match by ID', () => {
		const sent = { file_input: 'dfl-1', configuration_id: 'cfg-1' };
		expect(isJobFor(sent, job({ configuration_id: 'cfg-1' }))).toBe(true);
		expect(isJobFor(sent, job({ configuration_id: 'cfg-2' }))).toBe(false);
		expect(isJobFor(sent, job({ configuration_id: null }))).toBe(false);
	});

	it('echoMatches ignores what the server did not echo and what it added', () => {
		expect(echoMatches({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 2], d: true }, e: 0 })).toBe(true);
		expect(echoMatches({ a: 1 }, undefined)).toBe(true);
		expect(echoMatches({ a: 1 }, {})).toBe(true);
		expect(echoMatches({ b: { c: [1, 2] } }, { b: { c: [2, 1] } })).toBe(false);
		expect(echoMatches('x', null)).toBe(false);
	});
});

describe('job statuses', () => {
	it.each(['PENDING', 'THROTTLED', 'RUNNING', 'QUEUED', 'SOMETHING_NEW', '', undefined, null])(
		'%p counts as still running',
		(value) => {
			expect(isFinalStatus(value as string | undefined)).toBe(false);
		},
	);
	it.each(['COMPLETED', 'FAILED', 'CANCELLED'])('%s is final', (value) => {
		expect(isFinalStatus(value)).toBe(true);
	});
});
