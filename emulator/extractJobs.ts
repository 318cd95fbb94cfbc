 
/**
 * Extract v2 jobs: creation, the run plan (read the document, apply markers and fault rules, run
 * the engine), final states, seeding for tests, and the `ExtractV2Job` wire shape.
 *
 * Document markers (in the text of the file) let a workflow test ask for an outcome without any
 * emulator control call:
 *   EMULATOR_FAIL        the job FAILS with an error_message
 *   EMULATOR_STALL       the job stays RUNNING until cancelled
 *   EMULATOR_JOB_MS=800  this job takes 800 ms
 *   EMULATOR_PARTIAL     (v1 only) the job ends PARTIAL_SUCCESS
 */
import { isFinalStatus, type ExtractV2Job } from '../nodes/shared/contract';
import { TIER_CREDITS_PER_PAGE, withResolvedVersion, type ResolvedConfiguration } from './configuration';
import type { ParsedDocument } from './engine/document';
import { extract, type FieldMetadata } from './engine/extract';
import { ApiError, badRequest, notFound } from './http';
import type { Plan } from './scheduler';
import {
	iso,
	newId,
	type EmulatorState,
	type ExtractJobRecord,
	type ExtractOutcome,
	type ExtractStatus,
	type FileRecord,
	type ParseJobRecord,
} from './state';

export interface Markers {
	fail: boolean;
	stall: boolean;
	partial: boolean;
	jobMs?: number;
}

export function readMarkers(text: string): Markers {
	const jobMs = /EMULATOR_JOB_MS\s*=\s*(\d+)/.exec(text);
	return {
		fail: text.includes('EMULATOR_FAIL'),
		stall: text.includes('EMULATOR_STALL'),
		partial: text.includes('EMULATOR_PARTIAL'),
		jobMs: jobMs ? Number(jobMs[1]) : undefined,
	};
}

/** The file behind a `dfl-` id or a completed `pjb-` parse job. */
export function fileForInput(state: EmulatorState, fileInput: string): FileRecord {
	if (fileInput.startsWith('pjb-')) {
		const parseJob = state.parseJobs.get(fileInput);
		if (!parseJob) throw notFound(`Parse job not found: ${fileInput}`);
		const file = parseJob.fileId ? state.files.get(parseJob.fileId) : undefined;
		if (!file) throw notFound(`File not found for parse job ${fileInput}`);
		return file;
	}
	const file = state.files.get(fileInput);
	if (!file) throw notFound(`File not found: ${fileInput}`);
	return file;
}

/** Checks `file_input` at creation: unknown ids are 404, an unfinished parse job is 400. */
export function checkFileInput(state: EmulatorState, fileInput: string): void {
	if (fileInput.startsWith('pjb-')) {
		const parseJob = state.parseJobs.get(fileInput);
		if (!parseJob) throw notFound(`Parse job not found: ${fileInput}`);
		if (parseJob.status !== 'COMPLETED') {
			throw badRequest(
				`Parse job ${fileInput} is ${parseJob.status}; only a COMPLETED parse job can be used as file_input`,
			);
		}
		return;
	}
	fileForInput(state, fileInput);
}

export interface NewExtractJob {
	fileInput: string;
	configurationId: string | null;
	configuration: ResolvedConfiguration;
	webhookConfigurations?: unknown[] | null;
}

export function createExtractJob(state: EmulatorState, input: NewExtractJob): ExtractJobRecord {
	const now = state.clock.now();
	const job: ExtractJobRecord = {
		id: newId('ext-'),
		seq: state.nextSeq(),
		fileInput: input.fileInput,
		configurationId: input.configurationId,
		configuration: input.configuration,
		status: 'PENDING',
		createdAtMs: now,
		updatedAtMs: now,
		errorMessage: null,
		parseJobId: input.fileInput.startsWith('pjb-') ? input.fileInput : null,
		seeded: false,
		webhookConfigurations: input.webhookConfigurations ?? null,
	};
	state.extractJobs.set(job.id, job);
	state.emit({ type: 'job', kind: 'extract', id: job.id, status: job.status, atMs: now });
	state.scheduler.submit({
		id: job.id,
		createdAtMs: now,
		plan: planExtractJob(state, job),
		onPhase: (phase, atMs) => {
			if (isFinalStatus(job.status)) return;
			const status: ExtractStatus = phase === 'THROTTLED' ? state.config.throttledStatus : 'RUNNING';
			if (phase === 'RUNNING') job.startedAtMs = atMs;
			if (status === job.status) return;
			job.status = status;
			job.updatedAtMs = atMs;
			state.emit({ type: 'job', kind: 'extract', id: job.id, status, atMs });
		},
	});
	return job;
}

async function planExtractJob(state: EmulatorState, job: ExtractJobRecord): Promise<Plan> {
	let file: FileRecord | undefined;
	try {
		file = fileForInput(state, job.fileInput);
	} catch {
		file = undefined;
	}
	let jobMs = state.jobTime({
		id: job.id,
		kind: 'extract',
		fileInput: job.fileInput,
		fileName: file?.name,
		configurationId: job.configurationId,
	});
	const fail = (message: string): Plan => ({
		jobMs,
		apply: (atMs) => finishExtractJob(state, job, 'FAILED', atMs, { errorMessage: message }),
	});
	const fault = state.faults.forJob(job.fileInput);
	if (fault?.outcome === 'stall') return { jobMs, stall: true, apply: () => undefined };
	if (!file) return fail(`File not found: ${job.fileInput}`);
	let document: ParsedDocument;
	try {
		document = await state.documentOf(file);
	} catch (error) {
		return fail((error as Error).message);
	}
	const markers = readMarkers(document.fullText);
	if (markers.jobMs !== undefined) jobMs = markers.jobMs;
	if (markers.stall) return { jobMs, stall: true, apply: () => undefined };
	if (fault) return fail(fault.errorMessage);
	if (markers.fail) return fail('Extraction failed: the document contains the EMULATOR_FAIL marker');
	try {
		const output = extract(document, {
			schema: job.configuration.data_schema,
			target: job.configuration.extraction_target,
			targetPages: job.configuration.target_pages,
			maxPages: job.configuration.max_pages,
		});
		const outcome: ExtractOutcome = {
			result: output.result,
			fieldMetadata: output.fieldMetadata,
			pagesExtracted: output.pages.length,
		};
		return { jobMs, apply: (atMs) => finishExtractJob(state, job, 'COMPLETED', atMs, { outcome }) };
	} catch (error) {
		return fail(`Extraction failed: ${(error as Error).message}`);
	}
}

export function finishExtractJob(
	state: EmulatorState,
	job: ExtractJobRecord,
	status: 'COMPLETED' | 'FAILED' | 'CANCELLED',
	atMs: number,
	details: { outcome?: ExtractOutcome; errorMessage?: string | null } = {},
): void {
	if (isFinalStatus(job.status) || !state.extractJobs.has(job.id)) return;
	job.status = status;
	job.updatedAtMs = atMs;
	job.completedAtMs = atMs;
	if (details.outcome) job.outcome = details.outcome;
	if (details.errorMessage !== undefined) job.errorMessage = details.errorMessage;
	if (status === 'COMPLETED' && !job.seeded && !job.parseJobId && job.fileInput.startsWith('dfl-')) {
		job.parseJobId = recordInternalParseJob(state, job, atMs).id;
	}
	state.emit({ type: 'job', kind: 'extract', id: job.id, status, atMs });
}

/** Extracting a file parses it first; that parse job is real and reusable as a `pjb-` input. */
function recordInternalParseJob(state: EmulatorState, job: ExtractJobRecord, atMs: number): ParseJobRecord {
	const parseJob: ParseJobRecord = {
		id: newId('pjb-'),
		seq: state.nextSeq(),
		fileId: job.fileInput,
		tier: job.configuration.parse_tier ?? parseTierFor(job.configuration.tier),
		status: 'COMPLETED',
		createdAtMs: job.createdAtMs,
		updatedAtMs: atMs,
		errorMessage: null,
		name: null,
		userMetadata: null,
		internal: true,
	};
	state.parseJobs.set(parseJob.id, parseJob);
	return parseJob;
}

function parseTierFor(tier: string): string {
	return tier === 'turbo' ? 'fast' : tier;
}

export function cancelExtractJob(state: EmulatorState, job: ExtractJobRecord): void {
	if (isFinalStatus(job.status)) {
		throw badRequest(`Job ${job.id} is already ${job.status} and cannot be cancelled`);
	}
	state.scheduler.cancel(job.id);
	finishExtractJob(state, job, 'CANCELLED', state.clock.now());
}

/* ------------------------------------------------------------------------------------------------
 * Wire shape
 * ---------------------------------------------------------------------------------------------- */

/**
 * `ExtractV2Job`. Optional fields are present as null, as pydantic serialises them.
 * Choice (API.md §18 leaves it open): a COMPLETED job carries `extract_result` in GET and in list
 * items alike, with or without `expand`; `configuration` and `usage` need `expand`;
 * `extract_metadata` needs `expand=extract_metadata` unless the job asked for citations or
 * confidence, in which case it is always included.
 */
export function extractJobResponse(state: EmulatorState, job: ExtractJobRecord, expand: readonly string[]): ExtractV2Job {
	const completed = job.status === 'COMPLETED';
	const config = job.configuration;
	const wantsMetadata = expand.includes('extract_metadata') || config.cite_sources || config.confidence_scores;
	const pages = job.outcome?.pagesExtracted ?? 0;
	return {
		id: job.id,
		file_input: job.fileInput,
		project_id: state.jobProjectId,
		status: job.status,
		created_at: iso(job.createdAtMs),
		updated_at: iso(job.updatedAtMs),
		configuration_id: job.configurationId,
		configuration: expand.includes('configuration') ? withResolvedVersion(config) : null,
		error_message: job.errorMessage,
		extract_result: completed ? (job.outcome?.result ?? null) : null,
		extract_metadata:
			wantsMetadata && completed
				? {
						field_metadata: filterFieldMetadata(job.outcome?.fieldMetadata ?? null, config),
						parse_job_id: job.parseJobId,
						parse_tier: config.parse_tier ?? parseTierFor(config.tier),
					}
				: null,
		metadata: completed ? { usage: { num_pages_extracted: pages, num_pages_billed: pages } } : null,
		usage: expand.includes('usage') ? usageOf(job) : null,
	};
}

function usageOf(job: ExtractJobRecord): ExtractV2Job['usage'] {
	if (job.status !== 'COMPLETED') return { credits: null, extract_credits: null, parse_credits: null };
	const credits = (job.outcome?.pagesExtracted ?? 0) * (TIER_CREDITS_PER_PAGE[job.configuration.tier] ?? 5);
	// Parsing is included in the emulator's extract price.
	return { credits, extract_credits: credits, parse_credits: 0 };
}

/** Keeps `citation` only with cite_sources and `confidence` only with confidence_scores. */
function filterFieldMetadata(
	metadata: ExtractOutcome['fieldMetadata'],
	config: ResolvedConfiguration,
): Record<string, unknown> | null {
	if (!metadata || (!config.cite_sources && !config.confidence_scores)) return null;
	const filter = (node: FieldMetadata): unknown => {
		if (Array.isArray(node)) return node.map(filter);
		if (isEntry(node)) {
			const kept: Record<string, unknown> = {};
			if (config.cite_sources) kept.citation = node.citation;
			if (config.confidence_scores) kept.confidence = node.confidence;
			return kept;
		}
		return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, filter(value)]));
	};
	const filtered: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(metadata)) {
		if (value === undefined) continue;
		filtered[key] = Array.isArray(value) ? value.map((entry) => filter(entry)) : filter(value);
	}
	return filtered;
}

function isEntry(node: FieldMetadata): node is { citation: Array<{ page: number; matching_text: string }>; confidence: number } {
	return (
		typeof node === 'object' &&
		node !== null &&
		!Array.isArray(node) &&
		Array.isArray((node as Record<string, unknown>).citation) &&
		typeof (node as Record<string, unknown>).confidence === 'number'
	);
}

/* ------------------------------------------------------------------------------------------------
 * Seeding (control API)
 * ---------------------------------------------------------------------------------------------- */

export interface SeedJobSpec {
	/** Defaults to a fresh `ext-<uuid>`. */
	id?: string;
	/** ISO date-time or epoch ms; default now. Equal values across jobs are fine. */
	created_at?: string | number;
	/** Final status; default COMPLETED. */
	status?: 'COMPLETED' | 'FAILED' | 'CANCELLED';
	/** When the job reaches its final status (ISO or epoch ms). In the future: RUNNING until then. */
	completed_at?: string | number;
	/** Alternative to completed_at: finish this many ms from now. */
	complete_after_ms?: number;
	configuration_id?: string | null;
	/** Inline configuration; default: an empty schema. */
	configuration?: Record<string, unknown>;
	/** Default: a made-up `dfl-<uuid>` (it need not exist). */
	file_input?: string;
	extract_result?: Record<string, unknown> | Array<Record<string, unknown>> | null;
	error_message?: string | null;
	/** Pages reported in usage; default 1. */
	pages?: number;
}

export function seedExtractJob(state: EmulatorState, spec: SeedJobSpec, resolve: (config: unknown) => ResolvedConfiguration): ExtractJobRecord {
	const now = state.clock.now();
	const createdAtMs = toMillis(spec.created_at, 'created_at') ?? now;
	const finalStatus = spec.status ?? 'COMPLETED';
	if (!isFinalStatus(finalStatus)) throw badRequest(`status must be COMPLETED, FAILED or CANCELLED, not ${String(spec.status)}`);
	const completeAtMs =
		toMillis(spec.completed_at, 'completed_at') ??
		(spec.complete_after_ms !== undefined ? now + spec.complete_after_ms : createdAtMs);
	const id = spec.id ?? newId('ext-');
	if (state.extractJobs.has(id)) throw new ApiError(409, `Job ${id} already exists`);

	let configuration: ResolvedConfiguration;
	const saved = spec.configuration_id ? state.configurations.get(spec.configuration_id) : undefined;
	if (saved) configuration = resolve(stripProductType(saved.parameters));
	else if (spec.configuration) configuration = resolve(spec.configuration);
	else configuration = resolve({ data_schema: { type: 'object', properties: { value: { type: 'string' } } } });

	const job: ExtractJobRecord = {
		id,
		seq: state.nextSeq(),
		fileInput: spec.file_input ?? newId('dfl-'),
		configurationId: spec.configuration_id ?? null,
		configuration,
		status: 'RUNNING',
		createdAtMs,
		updatedAtMs: createdAtMs,
		startedAtMs: createdAtMs,
		errorMessage: null,
		parseJobId: null,
		seeded: true,
		webhookConfigurations: null,
	};
	const outcome: ExtractOutcome = {
		result: spec.extract_result !== undefined ? spec.extract_result : finalStatus === 'COMPLETED' ? {} : null,
		fieldMetadata: null,
		pagesExtracted: spec.pages ?? 1,
	};
	const errorMessage = finalStatus === 'FAILED' ? (spec.error_message ?? 'Seeded failure') : (spec.error_message ?? null);
	state.extractJobs.set(id, job);
	const settle = (atMs: number) => {
		finishExtractJob(state, job, finalStatus as 'COMPLETED' | 'FAILED' | 'CANCELLED', atMs, { outcome, errorMessage });
	};
	if (completeAtMs <= now) settle(completeAtMs);
	else state.scheduler.at(id, completeAtMs, () => settle(state.clock.now()));
	return job;
}

function stripProductType(parameters: Record<string, unknown>): Record<string, unknown> {
	const { product_type: _productType, ...rest } = parameters;
	void _productType;
	return rest;
}

function toMillis(value: string | number | undefined, name: string): number | undefined {
	if (value === undefined || value === null) return undefined;
	if (typeof value === 'number') return value;
	const millis = Date.parse(value);
	if (Number.isNaN(millis)) throw badRequest(`${name} is not a valid date-time: ${value}`);
	return millis;
}

export { stripProductType };
