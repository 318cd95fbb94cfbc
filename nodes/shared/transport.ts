/**
 * The one door to LlamaCloud. Every request goes through `httpRequestWithAuthentication`, so n8n's
 * credential layer, proxy settings and cancel signal apply, and the API key never passes through our code.
 *
 * This module knows nothing of node parameters: callers hand it a method, a path, a query and a body.
 */
import type {
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';
import type { z } from 'zod';

import { cursorPage, ErrorBody, type ValidationErrorEntry } from './contract';
import {
	CANCELLED_CODE,
	countFailure,
	decideRetry,
	DEFAULT_RETRY_POLICY,
	planNextStep,
	statusFailure,
	wasNeverSent,
	type AttemptFailure,
	type FailureCounts,
	type RetryMode,
	type StopReason,
} from './retry';

export const CREDENTIAL_TYPE = 'llamaCloudApi';

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
	/** Epoch ms after which no further attempt starts; defaults to the item's deadline (`limitRetriesUntil`). */
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

export interface LlamaCloudConnection {
	baseUrl: string;
	projectId?: string;
	organizationId?: string;
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

/** Reads the credential once per call site and turns the region into a base URL. */
export async function getConnection(this: ApiContext, itemIndex = 0): Promise<LlamaCloudConnection> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE, itemIndex);
	const region = String(credentials.region ?? '');
	const rawBaseUrl = region === 'custom' ? String(credentials.baseUrl ?? '').trim() : region;
	let parsed: URL;
	try {
		parsed = new URL(rawBaseUrl);
	} catch {
		throw new NodeOperationError(
			this.getNode(),
			`The LlamaCloud credential's Base URL "${rawBaseUrl}" is not a valid URL`,
			{
				itemIndex,
				description:
					'Open the LlamaCloud credential and enter a full URL such as https://api.cloud.llamaindex.ai, or pick the US or EU region.',
			},
		);
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		throw new NodeOperationError(
			this.getNode(),
			`The LlamaCloud credential's Base URL "${rawBaseUrl}" must start with http:// or https://`,
			{ itemIndex, description: 'Open the LlamaCloud credential and fix the Base URL.' },
		);
	}
	const projectId = String(credentials.projectId ?? '').trim();
	const organizationId = String(credentials.organizationId ?? '').trim();
	return {
		baseUrl: rawBaseUrl.replace(/\/+$/, ''),
		projectId: projectId || undefined,
		organizationId: organizationId || undefined,
	};
}

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

type NetworkFailure = NodeApiError & { networkCode?: string };

type AttemptOutcome = { response: RawResponse } | { error: NetworkFailure | NodeOperationError };

/** One HTTP exchange, no retry. Network failures come back as a key-free NodeApiError with `networkCode`. */
async function sendOnce(
	ctx: ApiContext,
	call: ApiCall,
	conn: LlamaCloudConnection,
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
		return { error: networkError(ctx, error as Error, call) };
	}
}

/** Per execution context: the epoch ms by which each item must be done, so retries never outlast it. */
const itemDeadlines = new WeakMap<object, Map<number, number>>();

/**
 * Bounds every retry wait of an item's requests (uploads, creates, lookups) by the item's own time limit, e.g.
 * the operation's Wait Timeout, without threading it through each helper. A call's own `deadline` wins.
 */
export function limitRetriesUntil(ctx: ApiContext, itemIndex: number, deadlineMs: number): void {
	let deadlines = itemDeadlines.get(ctx);
	if (!deadlines) itemDeadlines.set(ctx, (deadlines = new Map()));
	deadlines.set(itemIndex, deadlineMs);
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

function describeFailure(failure: AttemptFailure): string {
	return failure.kind === 'status' ? `HTTP ${failure.status}` : failure.code;
}

function cancelledError(ctx: ApiContext, call: ApiCall): NodeOperationError {
	return new NodeOperationError(
		ctx.getNode(),
		`The execution was cancelled while ${call.method} ${call.path} waited to be retried`,
		{ itemIndex: call.itemIndex, description: 'Nothing more was sent to LlamaCloud. Run the workflow again when ready.' },
	);
}

/** The text appended to the error description when the retries stop. */
function stopNote(reason: StopReason, failure: AttemptFailure, attempt: number, request: string): string {
	switch (reason) {
		case 'ambiguous-create':
			return `LlamaCloud may have processed the request before the failure, so it was not sent again (${request} has no idempotency key). Check LlamaCloud before running this item again.`;
		case 'attempts':
			return `Tried ${attempt} times; LlamaCloud kept failing (${describeFailure(failure)}). Try again later, or lower Max Concurrent Jobs.`;
		case 'deadline': {
			const askedMs = failure.kind === 'status' ? failure.retryAfterMs : undefined;
			return askedMs !== undefined
				? `LlamaCloud asked to wait ${Math.ceil(askedMs / 1000)} s before retrying (Retry-After), which is past this item's time limit. Raise Wait Timeout or run the item later.`
				: `Tried ${attempt} times; a further retry would pass this item's time limit. Raise Wait Timeout or run the item later.`;
		}
		default:
			return attempt > 1 ? `Tried ${attempt} times.` : '';
	}
}

/**
 * Sends a request, retrying transient failures by the rules in retry.ts, and returns status, headers and body
 * without throwing on HTTP errors, so callers can read the FastAPI `detail`. Every wait honours the call's
 * deadline and the execution's cancel signal. Throws only for network failures that were not retried.
 */
export async function sendRaw(
	this: ApiContext,
	call: ApiCall,
	connection?: LlamaCloudConnection,
): Promise<RawResponse> {
	const conn = connection ?? (await getConnection.call(this, call.itemIndex));
	const mode: RetryMode = call.retry ?? (call.method === 'POST' || call.method === 'PATCH' ? 'create' : 'safe');
	const signal = cancelSignalOf(this);
	const firstAttemptAtMs = Date.now();
	const itemDeadline = call.itemIndex === undefined ? undefined : itemDeadlines.get(this)?.get(call.itemIndex);
	const deadlineMs = call.deadline ?? itemDeadline ?? firstAttemptAtMs + defaultRetryBudgetMs(this);
	const request = `${call.method} ${call.path}`;
	const counts: FailureCounts = { rateLimited: 0, other: 0 };
	let sentBefore = false;

	for (let attempt = 1; ; attempt++) {
		const outcome = await sendOnce(this, call, conn);
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
				if (existing !== undefined) return adopt(this, call, existing, attempt, failure);
			}
			return reportFailure(outcome, stopNote(step.reason, failure, attempt, request));
		}

		this.logger?.debug(
			`LlamaCloud ${request} failed (${describeFailure(failure)}); attempt ${attempt + 1} in ${step.delayMs} ms`,
			{ itemIndex: call.itemIndex },
		);
		try {
			await sleep(step.delayMs, signal);
		} catch {
			throw cancelledError(this, call);
		}
		if (signal?.aborted) throw cancelledError(this, call);

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
			if (existing !== undefined) return adopt(this, call, existing, attempt, failure);
		}
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

/** One API call: returns the parsed body (unknown fields kept) or throws a NodeApiError that says what to fix. */
export async function apiRequest<S extends z.ZodTypeAny>(
	this: ApiContext,
	call: ApiCall,
	schema?: S,
	connection?: LlamaCloudConnection,
): Promise<z.infer<S>> {
	const response = await sendRaw.call(this, call, connection);
	if (response.statusCode >= 400) throw toApiError(this, response, call);
	return parseBody(this, response.body, schema, call);
}

export function parseBody<S extends z.ZodTypeAny>(
	ctx: ApiContext,
	body: unknown,
	schema: S | undefined,
	call: ApiCall,
): z.infer<S> {
	if (!schema) return body as z.infer<S>;
	const result = schema.safeParse(body);
	if (result.success) return result.data as z.infer<S>;
	const issues = result.error.issues
		.slice(0, 3)
		.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
		.join('; ');
	throw new NodeApiError(ctx.getNode(), { body } as unknown as JsonObject, {
		message: `LlamaCloud sent an unexpected response to ${call.method} ${call.path}`,
		description: `The response did not match the documented shape (${issues}). If you use a custom base URL, check that it points at the LlamaCloud API.`,
		itemIndex: call.itemIndex,
	});
}

/** `loc: body.file_input — Field required` lines from a FastAPI 422 body. */
export function formatValidationErrors(entries: ValidationErrorEntry[]): string {
	return entries
		.map((entry) => `${entry.loc.join('.')}: ${entry.msg}`)
		.join('; ');
}

export function errorDetail(body: unknown): string {
	const parsed = ErrorBody.safeParse(body);
	if (!parsed.success) {
		if (typeof body === 'string' && body.trim()) return body.trim().slice(0, 500);
		return '';
	}
	const { detail } = parsed.data;
	if (typeof detail === 'string') return detail;
	if (Array.isArray(detail)) return formatValidationErrors(detail);
	return JSON.stringify(detail).slice(0, 500);
}

const STATUS_TITLES: Record<number, string> = {
	400: 'Bad request',
	401: 'Unauthorized',
	402: 'Payment required',
	403: 'Forbidden',
	404: 'Not found',
	408: 'Request timeout',
	409: 'Conflict',
	413: 'File too large',
	422: 'Invalid request',
	429: 'Rate limited',
	500: 'LlamaCloud server error',
	502: 'Bad gateway',
	503: 'LlamaCloud unavailable',
	504: 'Gateway timeout',
};

const REGION_HOSTS: Record<string, string> = {
	'api.cloud.llamaindex.ai': 'the US region',
	'api.cloud.eu.llamaindex.ai': 'the EU region',
};

function describeEndpoint(baseUrl: string | undefined): string {
	if (!baseUrl) return 'LlamaCloud';
	let host = '';
	try {
		host = new URL(baseUrl).host;
	} catch {
		return 'LlamaCloud';
	}
	const region = REGION_HOSTS[host];
	return region ? `LlamaCloud in ${region} (${host})` : `LlamaCloud at ${baseUrl}`;
}

/** "Extraction Settings › Version (configuration.version)" for the 422 entries whose field the caller named. */
function labelledFields(body: unknown, call: ApiCall): string[] {
	const parsed = ErrorBody.safeParse(body);
	if (!parsed.success || !Array.isArray(parsed.data.detail) || !call.fieldLabels) return [];
	const labels: string[] = [];
	for (const entry of parsed.data.detail) {
		const path = entry.loc.filter((part) => part !== 'body');
		const field = [...path].reverse().find((part): part is string => typeof part === 'string' && part in call.fieldLabels!);
		const label = field ? `${call.fieldLabels[field]} (${path.join('.')})` : undefined;
		if (label && !labels.includes(label)) labels.push(label);
	}
	return labels;
}

function hintFor(status: number, call: ApiCall, response: RawResponse): string {
	const onItem = call.itemIndex === undefined ? '' : ` on item ${call.itemIndex}`;
	switch (status) {
		case 401:
			return `${describeEndpoint(response.baseUrl)} did not accept the API key. Keys belong to one region: a key made in the EU region fails on the US endpoint and the other way round. Open the LlamaCloud credential, check the API key, and pick the region the key was created in.`;
		case 402:
			return 'The LlamaCloud organization is out of credits, so nothing was retried. Add credits or upgrade the plan in LlamaCloud (Settings › Billing), then run the node again.';
		case 403:
			return 'The key has no access to this project or resource. Check the Project ID and Organization ID in the credential and the role of the key.';
		case 404:
			return call.notFoundHint ?? `Check the ID${onItem}: it must exist in the project and region of the LlamaCloud credential.`;
		case 413:
			return 'LlamaCloud accepts files up to 512 MB for upload and 100 MB for extraction. Split or compress the file.';
		case 422: {
			const fields = labelledFields(response.body, call);
			return fields.length > 0
				? `Fix ${fields.join(' and ')}${onItem}, then run the node again.`
				: `LlamaCloud rejected the request fields listed above (field: problem). Fix the node parameter that sets each field${onItem}, then run the node again.`;
		}
		case 429:
			return 'LlamaCloud is rate limiting this key. Lower Max Concurrent Jobs, or retry later.';
		default:
			return status >= 500
				? 'LlamaCloud had a problem on its side. Retry later; if it persists, quote the correlation ID above to LlamaCloud support.'
				: 'Check the node parameters against the LlamaCloud API documentation.';
	}
}

/** A NodeApiError that carries the server's `detail` and a hint that says what to fix. */
export function toApiError(ctx: ApiContext, response: RawResponse, call: ApiCall): NodeApiError {
	const status = response.statusCode;
	const detail = errorDetail(response.body);
	const title = STATUS_TITLES[status] ?? (status >= 500 ? 'LlamaCloud server error' : 'Request failed');
	const message = `${status} ${title}${detail ? `: ${detail}` : ''}`;
	const errorResponse: JsonObject = {
		httpCode: String(status),
		detail: (response.body as JsonObject)?.detail ?? null,
		request: `${call.method} ${call.path}`,
	};
	const hint = hintFor(status, call, response);
	return new NodeApiError(ctx.getNode(), errorResponse, {
		message,
		description: response.retryNote ? `${hint} ${response.retryNote}` : hint,
		httpCode: String(status),
		itemIndex: call.itemIndex,
	});
}

/** Network failures (refused, reset, timeout) rebuilt from scratch so no request options, and so no key, ride along. */
function networkError(
	ctx: ApiContext,
	error: Error,
	call: ApiCall,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeOperationError) return error;
	const withCode = error as Error & { code?: string; cause?: { code?: string; message?: string } };
	const code = withCode.code ?? withCode.cause?.code ?? '';
	const causeMessage = withCode.cause?.message ?? error.message;
	const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(causeMessage);
	const request = `${call.method} ${call.path}`;
	let message: string;
	let description =
		'Check the network, any proxy settings, and the region or Base URL in the LlamaCloud credential.';
	if (code === CANCELLED_CODE) {
		message = `${request} was stopped because the execution was cancelled`;
		description = 'Run the workflow again when ready.';
	} else if (timedOut) {
		message = `LlamaCloud did not answer ${request} within ${Math.round((call.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s`;
	} else {
		message = `Could not reach LlamaCloud for ${request}${code ? ` (${code})` : ''}`;
	}
	// Built from scratch, without the original error as cause: its request options hold the API key.
	// Not under a `code` key: NodeApiError would swap our message for its generic one for that code.
	const apiError = new NodeApiError(ctx.getNode(), { request, networkError: code } as JsonObject, {
		message,
		description,
		itemIndex: call.itemIndex,
	});
	// NodeApiError also swaps a message that merely mentions a code such as ECONNRESET; keep ours.
	apiError.message = message;
	(apiError as NetworkFailure).networkCode = code || (timedOut ? 'ETIMEDOUT' : 'ENETWORK');
	return apiError;
}

export interface PageOptions {
	/** Stop once this many items are collected; undefined = all. */
	limit?: number;
	pageSize?: number;
}

/**
 * Cursor pagination over `{items, next_page_token}` lists. Stops early at `limit`, and on an empty page
 * or a missing token, as LlamaCloud's own SDK does.
 */
export async function apiRequestAllItems<S extends z.ZodTypeAny>(
	this: ApiContext,
	call: ApiCall,
	itemSchema: S,
	options: PageOptions = {},
	knownConnection?: LlamaCloudConnection,
): Promise<Array<z.infer<S>>> {
	const pageSchema = cursorPage(itemSchema);
	const connection = knownConnection ?? (await getConnection.call(this, call.itemIndex));
	const items: Array<z.infer<S>> = [];
	let pageToken: string | undefined;
	do {
		const remaining = options.limit === undefined ? undefined : options.limit - items.length;
		const pageSize = Math.min(options.pageSize ?? 100, remaining ?? Number.MAX_SAFE_INTEGER);
		const page = await apiRequest.call(
			this,
			{ ...call, query: { ...call.query, page_size: pageSize, page_token: pageToken } },
			pageSchema,
			connection,
		);
		const pageItems = page.items as Array<z.infer<S>>;
		items.push(...pageItems);
		pageToken = page.next_page_token ?? undefined;
		if (pageItems.length === 0) break;
	} while (pageToken && (options.limit === undefined || items.length < options.limit));
	return options.limit === undefined ? items : items.slice(0, options.limit);
}
