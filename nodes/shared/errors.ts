/**
 * The wording of LlamaCloud failures: HTTP answers, network failures and unexpected bodies become NodeApiErrors
 * that say what went wrong and what to change. No I/O here; transport.ts and client.ts decide when to use them.
 */
import type { JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { z } from 'zod';

import { ErrorBody, type ValidationErrorEntry } from './contract';
import { CANCELLED_CODE, type AttemptFailure, type StopReason } from './retry';
import { regionOfBaseUrl, SIZE_LIMITS_TEXT } from './rules';
import type { ApiCall, ApiContext, RawResponse } from './transport';

export type NetworkFailure = NodeApiError & { networkCode?: string };

export function describeFailure(failure: AttemptFailure): string {
	return failure.kind === 'status' ? `HTTP ${failure.status}` : failure.code;
}

export function retryCancelledError(ctx: ApiContext, call: ApiCall): NodeOperationError {
	return new NodeOperationError(
		ctx.getNode(),
		`The execution was cancelled while ${call.method} ${call.path} waited to be retried`,
		{ itemIndex: call.itemIndex, description: 'Nothing more was sent to LlamaCloud. Run the workflow again when ready.' },
	);
}

/** The text appended to the error description when the retries stop. */
export function stopNote(reason: StopReason, failure: AttemptFailure, attempt: number, request: string): string {
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

/** Why a request was not sent: waiting for its turn under LlamaCloud's rate limit would pass the item's time limit. */
export function pacedPastDeadlineNote(waitMs: number): string {
	return `LlamaCloud's rate limit would have kept this request waiting ${Math.max(1, Math.ceil(waitMs / 1000))} s more, past this item's time limit, so it was not sent. Raise Wait Timeout, or run fewer items at once (Max Concurrent Jobs) if other workflows share the project.`;
}

/** The body checked against its schema (unknown fields kept), or an error that says the answer was not LlamaCloud's. */
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

function describeEndpoint(baseUrl: string | undefined): string {
	if (!baseUrl) return 'LlamaCloud';
	let host = '';
	try {
		host = new URL(baseUrl).host;
	} catch {
		return 'LlamaCloud';
	}
	const region = regionOfBaseUrl(baseUrl);
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
			return `${SIZE_LIMITS_TEXT} Split or compress the file.`;
		case 422: {
			const fields = labelledFields(response.body, call);
			return fields.length > 0
				? `Fix ${fields.join(' and ')}${onItem}, then run the node again.`
				: `LlamaCloud rejected the request fields listed above (field: problem). Fix the node parameter that sets each field${onItem}, then run the node again.`;
		}
		case 429:
			return 'LlamaCloud is rate limiting this key. The node paces its own requests, so other clients of the same project or organization may be using the limit too: retry later.';
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
export function networkError(
	ctx: ApiContext,
	error: Error,
	call: ApiCall,
	timeoutMs: number,
): NetworkFailure | NodeOperationError {
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
		message = `LlamaCloud did not answer ${request} within ${Math.round(timeoutMs / 1000)} s`;
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
