/**
 * The two reads of a poll (cursor.ts explains why): re-checking open jobs by id, and scanning the jobs created at or
 * after the watermark. Both stop at their share of the poll budget but always make one request, so they progress.
 */
import type { ExtractV2Job } from '../shared/contract';
import { PAGE_SIZE, type CursorState, type Pass, type ScanResult } from './cursor';
import { PageTokenRefused, refusalOf, type JobListQuery, type JobSource } from './source';

export interface ReadLimits {
	/** The poll's clock (epoch ms). */
	now: () => number;
	/** Stop starting requests at this time (at least one is made). */
	until: number;
	/** End of the poll budget: no retry starts after it. */
	deadline: number;
}

export interface Recheck {
	jobs: ExtractV2Job[];
	/** Ids asked about, in order. */
	checked: string[];
	/** Ids asked about that the list did not return; the caller confirms each with a GET. */
	missing: string[];
}

/** The current listing of `ids`, 100 per request, until `until`. */
export async function recheckOpen(
	source: JobSource,
	ids: readonly string[],
	limits: ReadLimits,
): Promise<Recheck> {
	const result: Recheck = { jobs: [], checked: [], missing: [] };
	for (let start = 0; start < ids.length; start += PAGE_SIZE) {
		if (start > 0 && limits.now() >= limits.until) break;
		const chunk = ids.slice(start, start + PAGE_SIZE);
		const wanted = new Set(chunk);
		const found = new Set<string>();
		let pageToken: string | undefined;
		do {
			const page = await source
				.listPage({ jobIds: chunk, pageSize: chunk.length, pageToken }, limits.deadline)
				.catch((error: unknown) => {
					throw refusalOf(error);
				});
			for (const job of page.items) {
				if (!wanted.has(job.id)) continue;
				found.add(job.id);
				result.jobs.push(job);
			}
			pageToken = page.nextPageToken;
		} while (pageToken);
		result.checked.push(...chunk);
		result.missing.push(...chunk.filter((id) => !found.has(id)));
	}
	return result;
}

export interface WindowScan extends ScanResult {
	jobs: ExtractV2Job[];
	/** The saved page token was refused and the pass resumed by time. */
	tokenRefused: boolean;
}

/**
 * Jobs created at or after the watermark, newest first, from where the saved pass stopped, until the last page or
 * `until`. A refused token resumes the pass by time: every job created up to 1 ms after the oldest one it read.
 */
export async function scanWindow(
	source: JobSource,
	state: CursorState,
	filters: Pick<JobListQuery, 'configurationId' | 'fileInput'>,
	createdMs: (job: ExtractV2Job) => number,
	limits: ReadLimits,
): Promise<WindowScan> {
	const base: JobListQuery = {
		...filters,
		createdOnOrAfterMs: state.watermark,
		pageSize: PAGE_SIZE,
	};
	let before = state.pass?.before;
	let pageToken = state.pass?.token;
	const scan: WindowScan = {
		jobs: [],
		complete: false,
		newest: null,
		oldest: null,
		tokenRefused: false,
	};
	for (let pages = 0; ; pages++) {
		const query: JobListQuery = { ...base, createdOnOrBeforeMs: before, pageToken };
		const resumable = state.pass !== undefined && !scan.tokenRefused;
		const page = await source.listPage(query, limits.deadline).catch((error: unknown) => {
			if (resumable && error instanceof PageTokenRefused) return undefined;
			throw refusalOf(error);
		});
		if (!page) {
			scan.tokenRefused = true;
			before = (state.pass as Pass).upper + 1;
			pageToken = undefined;
			continue;
		}
		// The clock of a pass is the server's time when its first page was read.
		if (pages === 0 && !state.pass) scan.serverTimeMs = page.serverTimeMs;
		for (const job of page.items) {
			const created = createdMs(job);
			scan.jobs.push(job);
			scan.newest = scan.newest === null ? created : Math.max(scan.newest, created);
			scan.oldest = scan.oldest === null ? created : Math.min(scan.oldest, created);
		}
		pageToken = page.nextPageToken;
		if (!pageToken) {
			scan.complete = true;
			return scan;
		}
		if (limits.now() >= limits.until) {
			scan.nextToken = pageToken;
			scan.before = before;
			return scan;
		}
	}
}
