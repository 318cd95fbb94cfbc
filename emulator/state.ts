/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * The emulator's in-memory world: records, configuration, statistics and the helpers routes share.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { promises as fs } from 'node:fs';
import type { ResolvedConfiguration } from './configuration';
import { readDocument, type ParsedDocument } from './engine/document';
import type { MetadataObject } from './engine/extract';
import { Faults } from './faults';
import { RateLimiter, type RateLimitSettings } from './limits';
import { ApiError } from './http';
import { Scheduler } from './scheduler';
import { realClock, type Clock } from './clock';

export type ExtractStatus = 'PENDING' | 'THROTTLED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
export type V1Status = 'PENDING' | 'SUCCESS' | 'ERROR' | 'PARTIAL_SUCCESS' | 'CANCELLED';

export interface FileRecord {
	id: string;
	seq: number;
	name: string;
	purpose: string;
	externalFileId: string | null;
	fileType: string | null;
	mimeType: string;
	size: number;
	sha256: string;
	createdAtMs: number;
	/** Small files stay in memory; large ones live in a temp file. */
	memory?: Buffer;
	tempPath?: string;
	document?: Promise<ParsedDocument>;
}

export interface ConfigurationRecord {
	id: string;
	seq: number;
	name: string;
	productType: string;
	parameters: Record<string, unknown>;
	version: string;
	createdAtMs: number;
	updatedAtMs: number;
}

export interface ExtractOutcome {
	result: Record<string, unknown> | Array<Record<string, unknown>> | null;
	fieldMetadata: {
		document_metadata?: MetadataObject;
		page_metadata?: MetadataObject[];
		row_metadata?: MetadataObject[];
	} | null;
	pagesExtracted: number;
}

export interface ExtractJobRecord {
	id: string;
	seq: number;
	fileInput: string;
	configurationId: string | null;
	configuration: ResolvedConfiguration;
	status: ExtractStatus;
	createdAtMs: number;
	updatedAtMs: number;
	startedAtMs?: number;
	/** When the job reached its final state; benchmarks measure detection slack from it. */
	completedAtMs?: number;
	/** When a list or GET response first told a client the job was final: the end of the detection slack. */
	finalDeliveredAtMs?: number;
	errorMessage: string | null;
	outcome?: ExtractOutcome;
	parseJobId: string | null;
	seeded: boolean;
	webhookConfigurations: unknown[] | null;
}

export interface ParseJobRecord {
	id: string;
	seq: number;
	fileId: string | null;
	tier: string;
	status: 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
	createdAtMs: number;
	updatedAtMs: number;
	errorMessage: string | null;
	name: string | null;
	userMetadata: Record<string, string> | null;
	/** Parse jobs the emulator made itself while extracting a `dfl-` file. */
	internal: boolean;
}

export interface AgentRecord {
	id: string;
	name: string;
	dataSchema: Record<string, unknown>;
	config: Record<string, unknown>;
	createdAtMs: number;
	updatedAtMs: number;
}

export interface V1JobRecord {
	id: string;
	agent: AgentRecord;
	fileId: string;
	status: V1Status;
	error: string | null;
	createdAtMs: number;
	updatedAtMs: number;
	completedAtMs?: number;
	runId?: string;
	dataSchema: Record<string, unknown>;
	config: Record<string, unknown>;
	outcome?: ExtractOutcome;
}

export interface EmulatorConfig {
	/** Default time from creation to completion of a job, in ms. */
	jobMs: number;
	/** At most this many jobs RUNNING at once; 0 = no cap. */
	maxConcurrentJobs: number;
	/** How a job waiting for a slot shows: THROTTLED (default) or PENDING. */
	throttledStatus: 'THROTTLED' | 'PENDING';
	/** Upload limit; the platform's is 512 MB. */
	maxUploadBytes: number;
	/** Files larger than this are not parsed (LlamaExtract's 100 MB limit); the job fails. */
	maxExtractBytes: number;
	/** Uploads above this size are kept in a temp file instead of memory. */
	memoryFileBytes: number;
	/** Largest page the extract job list returns, whatever page_size asks (0 = the default 100); small values test paging. */
	maxListPageSize: number;
}

export interface JobTimingInfo {
	id: string;
	kind: 'extract' | 'v1' | 'parse';
	fileInput: string;
	fileName?: string;
	configurationId?: string | null;
}

export interface RequestStats {
	total: number;
	byRoute: Record<string, number>;
	byStatus: Record<string, number>;
}

export type EmulatorEvent =
	| { type: 'job'; kind: 'extract' | 'v1' | 'parse'; id: string; status: string; atMs: number };

export class EmulatorState {
	readonly files = new Map<string, FileRecord>();
	readonly configurations = new Map<string, ConfigurationRecord>();
	readonly extractJobs = new Map<string, ExtractJobRecord>();
	readonly parseJobs = new Map<string, ParseJobRecord>();
	readonly agents = new Map<string, AgentRecord>();
	readonly v1Jobs = new Map<string, V1JobRecord>();
	readonly faults = new Faults();
	/** LlamaCloud's rate limits (off unless configured); `reset()` goes back to `initialLimits`. */
	readonly limits: RateLimiter;
	initialLimits: RateLimitSettings | undefined;
	readonly events = new EventEmitter();
	readonly scheduler: Scheduler;
	stats: RequestStats = { total: 0, byRoute: {}, byStatus: {} };
	private sequence = 0;
	tempDir?: string;

	constructor(
		readonly config: EmulatorConfig,
		readonly projectId: string,
		readonly jobMsFor?: (job: JobTimingInfo) => number | undefined,
		readonly clock: Clock = realClock,
	) {
		this.scheduler = new Scheduler(() => this.config.maxConcurrentJobs, clock);
		this.limits = new RateLimiter(clock);
	}

	/** Project id as job responses show it (`prj-…`, as in the spec's examples); files and agents use the bare UUID. */
	get jobProjectId(): string {
		return `prj-${this.projectId}`;
	}

	nextSeq(): number {
		return ++this.sequence;
	}

	emit(event: EmulatorEvent): void {
		this.events.emit(event.type, event);
	}

	jobTime(info: JobTimingInfo): number {
		return this.jobMsFor?.(info) ?? this.config.jobMs;
	}

	countRequest(method: string, template: string): void {
		const key = `${method} ${template}`;
		this.stats.total++;
		this.stats.byRoute[key] = (this.stats.byRoute[key] ?? 0) + 1;
	}

	countStatus(status: number): void {
		this.stats.byStatus[String(status)] = (this.stats.byStatus[String(status)] ?? 0) + 1;
	}

	resetStats(): void {
		this.stats = { total: 0, byRoute: {}, byStatus: {} };
	}

	/** Drops every record, timer and temp file. */
	async reset(): Promise<void> {
		this.scheduler.clear();
		const tempFiles = [...this.files.values()].map((file) => file.tempPath).filter((path): path is string => !!path);
		this.files.clear();
		this.configurations.clear();
		this.extractJobs.clear();
		this.parseJobs.clear();
		this.agents.clear();
		this.v1Jobs.clear();
		this.faults.clear();
		this.limits.configure(this.initialLimits ?? {});
		this.resetStats();
		await Promise.all(tempFiles.map((path) => fs.rm(path, { force: true })));
	}

	/** The document behind a file, parsed once and cached. */
	documentOf(file: FileRecord): Promise<ParsedDocument> {
		if (!file.document) {
			file.document = (async () => {
				if (file.size > this.config.maxExtractBytes) {
					throw new ApiError(
						413,
						`File ${file.id} is ${file.size} bytes; extraction is limited to ${Math.round(this.config.maxExtractBytes / 1048576)} MB`,
					);
				}
				const bytes = await this.bytesOf(file);
				return readDocument(bytes, { fileName: file.name, mimeType: file.mimeType });
			})();
			// A failed read is retried on the next job rather than cached forever.
			file.document.catch(() => {
				file.document = undefined;
			});
		}
		return file.document;
	}

	async bytesOf(file: FileRecord): Promise<Buffer> {
		if (file.memory) return file.memory;
		if (file.tempPath) return fs.readFile(file.tempPath);
		return Buffer.alloc(0);
	}

	/** Resolves `dfl-…` (or the bare UUID v1 uses) to a file record. */
	findFile(id: string): FileRecord | undefined {
		return this.files.get(id) ?? this.files.get(`dfl-${id}`);
	}
}

export function newId(prefix: string): string {
	return `${prefix}${randomUUID()}`;
}

export function iso(millis: number): string {
	return new Date(millis).toISOString();
}

/* ------------------------------------------------------------------------------------------------
 * Cursor pages. Tokens are keyset positions (created_at, insertion order), so items created while a
 * client pages through (they sort first) never shift later pages.
 * ---------------------------------------------------------------------------------------------- */

export interface Keyed {
	createdAtMs: number;
	seq: number;
}

/** Newest first; equal timestamps: the later-created record first. */
export function newestFirst<T extends Keyed>(items: Iterable<T>): T[] {
	return [...items].sort((a, b) => b.createdAtMs - a.createdAtMs || b.seq - a.seq);
}

export function paginate<T extends Keyed>(
	sorted: T[],
	pageSize: number,
	token: string | undefined,
): { page: T[]; nextPageToken: string | null } {
	let start = 0;
	if (token) {
		const position = decodeToken(token);
		start = sorted.findIndex(
			(item) => item.createdAtMs < position.createdAtMs || (item.createdAtMs === position.createdAtMs && item.seq < position.seq),
		);
		if (start < 0) start = sorted.length;
	}
	const page = sorted.slice(start, start + pageSize);
	const more = start + pageSize < sorted.length;
	const last = page[page.length - 1];
	return { page, nextPageToken: more && last ? encodeToken(last) : null };
}

function encodeToken(item: Keyed): string {
	return Buffer.from(JSON.stringify([item.createdAtMs, item.seq])).toString('base64url');
}

function decodeToken(token: string): Keyed {
	try {
		const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
		if (Array.isArray(decoded) && decoded.length === 2 && decoded.every((part) => typeof part === 'number')) {
			return { createdAtMs: decoded[0] as number, seq: decoded[1] as number };
		}
	} catch {
		// fall through
	}
	throw new ApiError(400, `Invalid page_token: ${token}`);
}

