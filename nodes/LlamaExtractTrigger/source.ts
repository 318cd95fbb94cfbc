/**
 * Where the trigger reads jobs from. The poll (poll.ts) only talks to a `JobSource`; the node plugs in the HTTP one
 * below, and the model test plugs in an in-memory list with a simulated clock. Every LlamaCloud call the trigger
 * makes is in this file.
 */
import type { IPollFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { attachJobId } from '../shared/batch';
import { LlamaCloudClient } from '../shared/client';
import { ExtractV2JobQueryResponse, type ExtractV2Job } from '../shared/contract';
import type { ApiCall, Query } from '../shared/transport';

/** One `GET /api/v2/extract` query. Times are epoch ms; both bounds are inclusive. */
export interface JobListQuery {
	configurationId?: string;
	fileInput?: string;
	status?: string;
	jobIds?: readonly string[];
	createdOnOrAfterMs?: number;
	createdOnOrBeforeMs?: number;
	pageSize: number;
	pageToken?: string;
}

export interface JobPage {
	/** Newest first. */
	items: ExtractV2Job[];
	/** Absent on the last page. */
	nextPageToken?: string;
	/** The server's clock when it answered (HTTP Date), if it sent one. */
	serverTimeMs?: number;
}

/** The server refused a page token (expired, or from another deployment): the caller must query afresh. */
export class PageTokenRefused extends Error {
	constructor(readonly refusal: unknown) {
		super('The page token was refused');
	}
}

/** The error to report for a refused token that cannot be worked around: the server's own. */
export function refusalOf(error: unknown): unknown {
	return error instanceof PageTokenRefused ? error.refusal : error;
}

export interface JobSource {
	/**
	 * One page of the job list. `deadline` (epoch ms) ends retries. Throws `PageTokenRefused` when the query carried
	 * a page token that the server no longer accepts.
	 */
	listPage(query: JobListQuery, deadline?: number): Promise<JobPage>;
	/** One job with `expand`; undefined when it no longer exists (404). Errors carry the job ID. */
	getJob(id: string, expand: readonly string[]): Promise<ExtractV2Job | undefined>;
}

function iso(ms: number | undefined): string | undefined {
	return ms === undefined ? undefined : new Date(ms).toISOString();
}

function isTokenRefusal(error: unknown): boolean {
	const code = (error as { httpCode?: string | null }).httpCode;
	return error instanceof NodeApiError && ['400', '404', '410', '422'].includes(String(code));
}

function isNotFound(error: unknown): boolean {
	return error instanceof NodeApiError && String(error.httpCode) === '404';
}

/** LlamaCloud over HTTP, through the poll's one client (credential read once, retries, errors). */
export function httpJobSource(ctx: IPollFunctions): JobSource {
	const client = LlamaCloudClient.open(ctx);

	return {
		async listPage(query, deadline) {
			const wire: Query = {
				configuration_id: query.configurationId,
				file_input: query.fileInput,
				status: query.status,
				job_ids: query.jobIds,
				created_at_on_or_after: iso(query.createdOnOrAfterMs),
				created_at_on_or_before: iso(query.createdOnOrBeforeMs),
				page_size: query.pageSize,
				page_token: query.pageToken,
			};
			const call: ApiCall = { method: 'GET', path: '/api/v2/extract', query: wire, deadline };
			let reply;
			try {
				reply = await client.exchange(call, ExtractV2JobQueryResponse);
			} catch (error) {
				throw query.pageToken !== undefined && isTokenRefusal(error) ? new PageTokenRefused(error) : error;
			}
			const page = reply.body as ExtractV2JobQueryResponse;
			const date = reply.headers.date;
			const serverTimeMs = typeof date === 'string' ? Date.parse(date) : Number.NaN;
			return {
				items: page.items,
				// An empty page ends the list even if a token came with it (as the SDKs do).
				nextPageToken: page.items.length > 0 ? (page.next_page_token ?? undefined) : undefined,
				serverTimeMs: Number.isNaN(serverTimeMs) ? undefined : serverTimeMs,
			};
		},

		async getJob(id, expand) {
			try {
				return await client.getJob(id, { expand });
			} catch (error) {
				if (isNotFound(error)) return undefined;
				throw attachJobId(error, id);
			}
		},
	};
}
