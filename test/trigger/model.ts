/**
 * An in-memory LlamaCloud job list for the trigger's model test: a `JobSource` (the interface the production poll
 * reads through) over seeded jobs, with a simulated clock that each request moves on. It pages newest-first with
 * keyset tokens, caps pages at 100, lets jobs share a created_at, show in the list late, finish in any order or be
 * deleted, and can refuse old page tokens.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { ExtractV2Job } from '../../nodes/shared/contract';
import {
	PageTokenRefused,
	type JobListQuery,
	type JobPage,
	type JobSource,
} from '../../nodes/LlamaExtractTrigger/source';

export type FinalStatus = 'COMPLETED' | 'FAILED' | 'CANCELLED';

export interface ModelJob {
	id: string;
	seq: number;
	createdMs: number;
	/** In the list from this time on (≥ createdMs: a late commit). */
	visibleMs: number;
	/** Final from this time on; Infinity = never. */
	finishMs: number;
	status: FinalStatus;
	/** Gone from this time on (deleted); Infinity = never. */
	deletedMs: number;
}

export class SimClock {
	constructor(public nowMs: number) {}
	readonly now = () => this.nowMs;
}

export interface Latency {
	/** Per request. */
	requestMs: number;
	/** Per job returned. */
	perItemMs: number;
}

const MAX_PAGE = 100;

function byNewest(a: ModelJob, b: ModelJob): number {
	return b.createdMs - a.createdMs || b.seq - a.seq;
}

export class ModelSource implements JobSource {
	/** Requests so far, by kind. */
	counts = { window: 0, byIds: 0, get: 0, manual: 0, itemsInWindow: 0, refused: 0 };

	/** Tokens older than this are refused (Infinity: never). */
	tokenLifetimeMs = Number.POSITIVE_INFINITY;

	private readonly sorted: ModelJob[];
	private readonly byId: Map<string, ModelJob>;

	constructor(
		jobs: ModelJob[],
		readonly clock: SimClock,
		readonly latency: Latency = { requestMs: 80, perItemMs: 1 },
	) {
		this.sorted = [...jobs].sort(byNewest);
		this.byId = new Map(jobs.map((job) => [job.id, job]));
	}

	private listed(job: ModelJob, now: number): boolean {
		return job.visibleMs <= now && now < job.deletedMs;
	}

	/** ISO texts by epoch ms: a scenario lists the same jobs thousands of times, and many share a created_at. */
	private readonly isoTexts = new Map<number, string>();

	private iso(ms: number): string {
		let text = this.isoTexts.get(ms);
		if (text === undefined) {
			text = new Date(ms).toISOString();
			this.isoTexts.set(ms, text);
		}
		return text;
	}

	view(job: ModelJob, now: number): ExtractV2Job {
		const final = now >= job.finishMs;
		return {
			id: job.id,
			file_input: `dfl-${job.seq}`,
			project_id: 'prj-model',
			status: final ? job.status : 'RUNNING',
			created_at: this.iso(job.createdMs),
			updated_at: this.iso(final ? job.finishMs : job.createdMs),
			extract_result: final && job.status === 'COMPLETED' ? { seq: job.seq } : null,
		};
	}

	private spend(items: number): void {
		this.clock.nowMs += this.latency.requestMs + items * this.latency.perItemMs;
	}

	async listPage(query: JobListQuery): Promise<JobPage> {
		const now = this.clock.nowMs;
		const size = Math.min(query.pageSize, MAX_PAGE);
		let candidates: ModelJob[];
		if (query.jobIds) {
			this.counts.byIds++;
			candidates = query.jobIds
				.map((id) => this.byId.get(id))
				.filter((job): job is ModelJob => job !== undefined)
				.sort(byNewest);
		} else if (query.status) {
			this.counts.manual++;
			candidates = this.sorted.filter((job) => now >= job.finishMs && job.status === query.status);
		} else {
			this.counts.window++;
			candidates = this.sorted;
		}
		let start = 0;
		if (query.pageToken) {
			const [c, s, issued] = JSON.parse(query.pageToken) as [number, number, number];
			if (now - issued > this.tokenLifetimeMs) {
				this.spend(0);
				this.counts.refused++;
				throw new PageTokenRefused(new Error('expired'));
			}
			start = lowerBound(
				candidates,
				(job) => job.createdMs < c || (job.createdMs === c && job.seq < s),
			);
		} else if (query.createdOnOrBeforeMs !== undefined) {
			const before = query.createdOnOrBeforeMs;
			start = lowerBound(candidates, (job) => job.createdMs <= before);
		}
		const after = query.createdOnOrAfterMs ?? Number.NEGATIVE_INFINITY;
		const before = query.createdOnOrBeforeMs ?? Number.POSITIVE_INFINITY;
		const page: ModelJob[] = [];
		let more = false;
		for (let index = start; index < candidates.length; index++) {
			const job = candidates[index];
			if (job.createdMs < after) break;
			if (job.createdMs > before || !this.listed(job, now)) continue;
			if (page.length === size) {
				more = true;
				break;
			}
			page.push(job);
		}
		if (!query.jobIds && !query.status) this.counts.itemsInWindow += page.length;
		this.spend(page.length);
		const last = page[page.length - 1];
		return {
			items: page.map((job) => this.view(job, now)),
			nextPageToken: more && last ? JSON.stringify([last.createdMs, last.seq, now]) : undefined,
			// An HTTP Date: whole seconds.
			serverTimeMs: Math.floor(now / 1000) * 1000,
		};
	}

	async getJob(id: string): Promise<ExtractV2Job | undefined> {
		this.counts.get++;
		const now = this.clock.nowMs;
		this.spend(1);
		const job = this.byId.get(id);
		return job && now < job.deletedMs ? this.view(job, now) : undefined;
	}

	requests(): number {
		return this.counts.window + this.counts.byIds + this.counts.get + this.counts.manual;
	}

	/** Jobs created and not yet final (and not deleted) at `now`. */
	unfinished(now: number): number {
		let count = 0;
		for (const job of this.sorted) {
			if (job.createdMs <= now && now < job.finishMs && now < job.deletedMs) count++;
		}
		return count;
	}
}

/** First index whose job satisfies `isAtOrPast` (the predicate is false, then true, along the newest-first list). */
function lowerBound(jobs: ModelJob[], isAtOrPast: (job: ModelJob) => boolean): number {
	let low = 0;
	let high = jobs.length;
	while (low < high) {
		const middle = (low + high) >> 1;
		if (isAtOrPast(jobs[middle])) high = middle;
		else low = middle + 1;
	}
	return low;
}

export function jobIdsOf(items: INodeExecutionData[] | IDataObject[]): string[] {
	return items.map((item) => {
		const json = ('json' in item ? item.json : item) as IDataObject;
		const summary = json._llamaextract as IDataObject | undefined;
		return String(summary?.job_id ?? json.id);
	});
}
