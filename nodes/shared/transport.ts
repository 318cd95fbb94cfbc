/**
 * The one door to LlamaCloud. Every request goes through `httpRequestWithAuthentication`, so n8n's
 * credential layer, proxy settings and cancel signal apply, and our code never puts the API key into a request (it
 * hands n8n the credential the client read once, so n8n does not read it from its database for every request).
 *
 * This module knows nothing of node parameters: the client (client.ts) hands it a connection and a call. What the
 * errors say lives in errors.ts; when to retry, in retry.ts.
 */
import type {
	ICredentialsDecrypted,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { CREDENTIAL_TYPE, type LlamaCloudConnection } from './connection';
import { describeFailure, networkError, pacedPastDeadlineNote, retryCancelledError, stopNote, type NetworkFailure } from './errors';
import { limitClassesOf, type PaceResult, type RequestPacer } from './pacer';
import {
	countFailure,
	decideRetry,
	isRateLimit,
	parseRetryAfterMs,
	DEFAULT_RETRY_POLICY,
	planNextStep,
	statusFailure,
	wasNeverSent,
	type AttemptFailure,
	type FailureCounts,
	type RetryMode,
} from './retry';

export type ApiContext = IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions;

export type QueryValue = string | number | boolean | null | undefined | readonly string[];
export type Query = Record<string, QueryValue>;

export interface ApiCall {
	method: IHttpRequestMethods;
	/** Absolute API path, e.g. `/api/v2/extract`. */
	path: string;
	query?: Query;
	body?: object | FormData;
	/** The item this call serves, so errors point at it. */
	itemIndex?: number;
	/** Per-request timeout; LlamaCloud's SDKs use 60 s. */
	timeoutMs?: number;
	/** The description of a 404, e.g. which parameter holds the ID and where to find the right one. */
	notFoundHint?: string;
	/** Request body field → the node parameter that sets it, so a 422 says which parameter to fix. */
	fieldLabels?: Record<string, string>;
	/**
	 * How failures are retried (retry.ts). Default: `safe` for GET/PUT/DELETE, `create` for POST/PATCH, which
	 * resends only what the server surely did not take. Mark an idempotent POST (upsert, validation) `safe`.
	 */
	retry?: RetryMode;
	/** Epoch ms after which no further attempt starts; the client sets the item's deadline (`limitRetriesUntil`). */
	deadline?: number;
	/**
	 * For `create` calls: after an ambiguous failure (5xx, or a reset or timeout after sending), looks for what the
	 * lost attempt may have created, given the time just before the first attempt. What it returns is adopted as
	 * the response body; undefined means nothing was created, so the request is sent again.
	 */
	findExisting?: (firstAttemptAtMs: number) => Promise<unknown>;
	/** Builds the body afresh for every attempt (a stream can be sent once only); used instead of `body`. */
	makeBody?: () => Promise<object | FormData> | object | FormData;
	/** Extra request headers, e.g. the content type and length of a hand-built multipart body. */
	headers?: Record<string, string>;
	/**
	 * False for uploads: to replay a body on a redirect, the HTTP client keeps every byte it sent, which would hold a
	 * streamed 500 MB file in memory. The API does not redirect these calls.
	 */
	followRedirects?: boolean;
}

export interface RawResponse {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
	/** Why the retry loop stopped on this failure; appended to the error description. */
	retryNote?: string;
	/** The body came from `findExisting` after an ambiguous failure, not from the request itself. */
	adopted?: boolean;
	/** Where the request went, so a 401 can name the region the key was sent to. */
	baseUrl?: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** Query strings with repeated keys for arrays (`job_ids=a&job_ids=b`), the form FastAPI expects. */
export function buildQueryString(query: Query): string {
	const params = new URLSearchParams();
	for (const [key, value] of Object.entries(query)) {
		if (value === undefined || value === null || value === '') continue;
		if (Array.isArray(value)) {
			for (const entry of value as readonly string[]) params.append(key, entry);
		} else {
			params.append(key, String(value));
		}
	}
	const text = params.toString();
	return text ? `?${text}` : '';
}

type AttemptOutcome = { response: RawResponse } | { error: NetworkFailure | NodeOperationError };

/** One HTTP exchange, no retry. Network failures come back as a key-free NodeApiError with `networkCode`. */
async function sendOnce(
	ctx: ApiContext,
	call: ApiCall,
	conn: LlamaCloudConnection,
	credential: ICredentialsDecrypted | undefined,
): Promise<AttemptOutcome> {
	const query: Query = {
		...call.query,
		project_id: conn.projectId,
		organization_id: conn.organizationId,
	};
	const options: IHttpRequestOptions = {
		method: call.method,
		url: `${conn.baseUrl}${call.path}${buildQueryString(query)}`,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: call.timeoutMs ?? DEFAULT_TIMEOUT_MS,
	};
	if (call.headers) options.headers = { ...call.headers };
	if (call.followRedirects === false) options.disableFollowRedirect = true;
	const body = call.makeBody ? await call.makeBody() : call.body;
	if (body !== undefined) options.body = body as IHttpRequestOptions['body'];
	try {
		const response = (await ctx.helpers.httpRequestWithAuthentication.call(
			ctx,
			CREDENTIAL_TYPE,
			options,
			// Without it n8n reads and decrypts the credential from its database for every request.
			credential ? { credentialsDecrypted: credential } : undefined,
		)) as { statusCode: number; headers?: RawResponse['headers']; body: unknown };
		return {
			response: {
				statusCode: response.statusCode,
				headers: response.headers ?? {},
				body: response.body,
				baseUrl: conn.baseUrl,
			},
		};
	} catch (error) {
		return { error: networkError(ctx, error as Error, call, call.timeoutMs ?? DEFAULT_TIMEOUT_MS) };
	}
}

/** How long a call may keep retrying when neither it nor its item sets a deadline. */
function defaultRetryBudgetMs(ctx: ApiContext): number {
	if ('getExecutionCancelSignal' in ctx) return DEFAULT_RETRY_POLICY.defaultBudgetMs;
	// A poll must finish inside its tick (older n8n versions have no budget); anything else is the editor waiting.
	if ('__emit' in ctx) {
		return typeof ctx.getPollBudgetMs === 'function'
			? Math.min(ctx.getPollBudgetMs(), DEFAULT_RETRY_POLICY.defaultBudgetMs)
			: DEFAULT_RETRY_POLICY.defaultBudgetMs;
	}
	return DEFAULT_RETRY_POLICY.interactiveBudgetMs;
}

/** `IPollFunctions` and `ILoadOptionsFunctions` have no cancel signal; executions do. */
function cancelSignalOf(ctx: ApiContext): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in ctx ? ctx.getExecutionCancelSignal() : undefined;
}

/** What the pacer learns from one attempt: answered, refused (429, with the server's wait), or failed otherwise. */
function paceResultOf(outcome: AttemptOutcome | undefined): PaceResult {
	if (!outcome || !('response' in outcome)) return { kind: 'failed' };
	const { statusCode, headers } = outcome.response;
	if (statusCode === 429) return { kind: 'refused', retryAfterMs: parseRetryAfterMs(headers, Date.now()) };
	return statusCode >= 500 ? { kind: 'failed' } : { kind: 'accepted' };
}

/**
 * Sends a request, retrying transient failures by the rules in retry.ts, and returns status, headers and body
 * without throwing on HTTP errors, so callers can read the FastAPI `detail`. Every wait honours the call's
 * deadline and the execution's cancel signal. Throws only for network failures that were not retried.
 *
 * With a pacer (the client's, one per execution), every attempt first waits for its turn under the rate limits,
 * and a 429 is waited out there, for every item at once, instead of by this request's own backoff. Waiting for a
 * turn is not a failed attempt; only the deadline bounds it.
 */
export async function sendWithRetries(
	ctx: ApiContext,
	conn: LlamaCloudConnection,
	call: ApiCall,
	pacer?: RequestPacer,
	/** The credential the client read once; n8n applies its authentication to every attempt. */
	credential?: ICredentialsDecrypted,
): Promise<RawResponse> {
	const mode: RetryMode = call.retry ?? (call.method === 'POST' || call.method === 'PATCH' ? 'create' : 'safe');
	const signal = cancelSignalOf(ctx);
	const firstAttemptAtMs = Date.now();
	const deadlineMs = call.deadline ?? firstAttemptAtMs + defaultRetryBudgetMs(ctx);
	const request = `${call.method} ${call.path}`;
	const counts: FailureCounts = { rateLimited: 0, other: 0 };
	let sentBefore = false;
	let lastOutcome: AttemptOutcome | undefined;
	const classes = limitClassesOf(call.method, call.path);

	for (let attempt = 1; ; attempt++) {
		const turn = pacer ? await waitForTurn(ctx, call, pacer, classes, signal, deadlineMs) : undefined;
		if (turn && !turn.ok) {
			const note = pacedPastDeadlineNote(turn.readyAtMs - Date.now());
			if (lastOutcome) return reportFailure(lastOutcome, note);
			return { statusCode: 429, headers: {}, body: { detail: 'Not sent: the rate limit would have held it past its time limit.' }, retryNote: note, baseUrl: conn.baseUrl };
		}
		let outcome: AttemptOutcome | undefined;
		try {
			outcome = await sendOnce(ctx, call, conn, credential);
		} finally {
			turn?.permit.settle(paceResultOf(outcome));
		}
		lastOutcome = outcome;
		let failure: AttemptFailure;
		if ('response' in outcome) {
			const { statusCode } = outcome.response;
			// A DELETE whose earlier answer was lost may have worked: "not found" now means it is gone, as asked.
			if (call.method === 'DELETE' && statusCode === 404 && sentBefore) {
				return { ...outcome.response, statusCode: 204, body: undefined };
			}
			const statusFailed = statusFailure(statusCode, outcome.response.headers, Date.now());
			if (!statusFailed) return outcome.response;
			failure = statusFailed;
		} else {
			const code = (outcome.error as NetworkFailure).networkCode;
			if (code === undefined) throw outcome.error;
			failure = { kind: 'network', code };
		}
		sentBefore ||= !(failure.kind === 'network' && wasNeverSent(failure.code));
		countFailure(counts, failure);
		const step = planNextStep(failure, {
			mode,
			canCheck: call.findExisting !== undefined,
			counts,
			nowMs: Date.now(),
			deadlineMs,
			policy: DEFAULT_RETRY_POLICY,
			random: Math.random(),
		});

		if (step.action === 'stop') {
			if (call.findExisting && decideRetry(mode, failure, true) === 'check-then-retry') {
				// The last attempt may still have created something: look once more before reporting.
				const existing = await findQuietly(call, firstAttemptAtMs);
				if (existing !== undefined) return adopt(ctx, call, existing, attempt, failure);
			}
			return reportFailure(outcome, stopNote(step.reason, failure, attempt, request));
		}

		// A paced 429 is waited out by the pacer (Retry-After or a full window, for every item at once).
		const delayMs = pacer && isRateLimit(failure) ? 0 : step.delayMs;
		ctx.logger?.debug(
			`LlamaCloud ${request} failed (${describeFailure(failure)}); attempt ${attempt + 1} in ${delayMs} ms`,
			{ itemIndex: call.itemIndex },
		);
		if (delayMs > 0) {
			try {
				await sleep(delayMs, signal);
			} catch {
				throw retryCancelledError(ctx, call);
			}
		}
		if (signal?.aborted) throw retryCancelledError(ctx, call);

		if (step.action === 'check-then-retry') {
			let existing: unknown;
			try {
				existing = await call.findExisting!(firstAttemptAtMs);
			} catch (checkError) {
				// Without knowing whether the lost attempt created something, sending again could duplicate it.
				return reportFailure(
					outcome,
					`Sending it again could create a duplicate, and checking whether the lost attempt went through failed too (${(checkError as Error).message}). Check LlamaCloud before running this item again.`,
				);
			}
			if (existing !== undefined) return adopt(ctx, call, existing, attempt, failure);
		}
	}
}

/** The pacer's turn for one attempt; a cancelled execution ends the wait with the usual cancel error. */
async function waitForTurn(
	ctx: ApiContext,
	call: ApiCall,
	pacer: RequestPacer,
	classes: ReturnType<typeof limitClassesOf>,
	signal: AbortSignal | undefined,
	deadlineMs: number,
) {
	try {
		return await pacer.acquire(classes, { signal, deadlineMs });
	} catch {
		throw retryCancelledError(ctx, call);
	}
}

/** The last failure, as the caller sees it: the HTTP answer with a note, or the network error (thrown). */
function reportFailure(outcome: AttemptOutcome, note: string): RawResponse {
	if ('response' in outcome) return { ...outcome.response, retryNote: note || undefined };
	const error = outcome.error;
	if (note) error.description = `${error.description ?? ''} ${note}`.trim();
	throw error;
}

async function findQuietly(call: ApiCall, firstAttemptAtMs: number): Promise<unknown> {
	try {
		return await call.findExisting!(firstAttemptAtMs);
	} catch {
		return undefined;
	}
}

function adopt(
	ctx: ApiContext,
	call: ApiCall,
	existing: unknown,
	attempt: number,
	failure: AttemptFailure,
): RawResponse {
	ctx.logger?.info(
		`LlamaCloud ${call.method} ${call.path} failed (${describeFailure(failure)}) on attempt ${attempt}, but the request had gone through: using what it created instead of sending it again`,
		{ itemIndex: call.itemIndex },
	);
	return { statusCode: 200, headers: {}, body: existing, adopted: true };
}
