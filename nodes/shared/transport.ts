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
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { z } from 'zod';

import { cursorPage, ErrorBody, type ValidationErrorEntry } from './contract';

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
	/** Extra hint appended to a 404 description, e.g. where to find the right ID. */
	notFoundHint?: string;
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

/**
 * Sends one request and returns status, headers and body without throwing on HTTP errors,
 * so callers (and the retry layer) can read `Retry-After` and the FastAPI `detail`.
 */
export async function sendRaw(
	this: ApiContext,
	call: ApiCall,
	connection?: LlamaCloudConnection,
): Promise<RawResponse> {
	const conn = connection ?? (await getConnection.call(this, call.itemIndex));
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
	if (call.body !== undefined) options.body = call.body as IHttpRequestOptions['body'];
	let response: { statusCode: number; headers: RawResponse['headers']; body: unknown };
	try {
		response = (await this.helpers.httpRequestWithAuthentication.call(
			this,
			CREDENTIAL_TYPE,
			options,
		)) as typeof response;
	} catch (error) {
		throw networkError(this, error as Error, call);
	}
	return { statusCode: response.statusCode, headers: response.headers ?? {}, body: response.body };
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

function hintFor(status: number, call: ApiCall): string {
	switch (status) {
		case 401:
			return 'Check the API key and the region in the LlamaCloud credential: keys are region-bound, so an EU key fails on the US endpoint and vice versa.';
		case 402:
			return 'The LlamaCloud organization is out of credits. Add credits or upgrade the plan in LlamaCloud, then run the node again.';
		case 403:
			return 'The key has no access to this project or resource. Check the Project ID and Organization ID in the credential and the role of the key.';
		case 404:
			return call.notFoundHint ?? 'Check that the ID exists in this project and region.';
		case 413:
			return 'LlamaCloud accepts files up to 512 MB for upload and 100 MB for extraction. Split or compress the file.';
		case 422:
			return 'LlamaCloud rejected the request fields listed above. Fix the matching node parameter.';
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
	return new NodeApiError(ctx.getNode(), errorResponse, {
		message,
		description: hintFor(status, call),
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
	const withCode = error as Error & { code?: string; cause?: { code?: string } };
	const code = withCode.code ?? withCode.cause?.code ?? '';
	const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(error.message);
	const message = timedOut
		? `LlamaCloud did not answer ${call.method} ${call.path} in time`
		: `Could not reach LlamaCloud for ${call.method} ${call.path}${code ? ` (${code})` : ''}`;
	const apiError = new NodeApiError(
		ctx.getNode(),
		{ code, request: `${call.method} ${call.path}` } as JsonObject,
		{
			message,
			description:
				'Check the network, any proxy settings, and the region or Base URL in the LlamaCloud credential.',
			itemIndex: call.itemIndex,
		},
	);
	(apiError as NodeApiError & { networkCode?: string }).networkCode = code || (timedOut ? 'ETIMEDOUT' : 'ENETWORK');
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
): Promise<Array<z.infer<S>>> {
	const pageSchema = cursorPage(itemSchema);
	const connection = await getConnection.call(this, call.itemIndex);
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
