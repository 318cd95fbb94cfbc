/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * Legacy Extract v1 (`/api/v1/extraction/*`): extraction agents and jobs, bare-UUID ids, statuses
 * PENDING -> SUCCESS / PARTIAL_SUCCESS / ERROR / CANCELLED. Jobs share the v2 scheduler (and so the
 * concurrency cap). `file_id` takes the bare UUID or the `dfl-` id of a v2 upload; responses give
 * the bare UUID, as the v1 schema's `format: uuid` requires.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { extname } from 'node:path';
import type { ValidationErrorEntry } from '../../nodes/shared/contract';
import {
	V1_CHUNK_MODES,
	V1_EXTRACTION_MODES,
	V1_EXTRACTION_TARGETS,
	V1ExtractAgentCreate,
	V1ExtractAgentUpdate,
	V1ExtractJobCreate,
	type V1ExtractAgent,
	type V1ExtractJob,
	type V1ExtractResult,
} from '../../nodes/shared/contractV1';
import type { ParsedDocument } from '../engine/document';
import { extract, type FieldMetadata } from '../engine/extract';
import type { JsonSchema } from '../engine/values';
import { readMarkers } from '../extractJobs';
import {
	badRequest,
	describeChoices,
	isUuid,
	json,
	notFound,
	parseBody,
	readJson,
	unprocessable,
	validationEntry,
} from '../http';
import type { Router } from '../router';
import type { Plan } from '../scheduler';
import { checkDataSchema } from '../schema';
import {
	iso,
	newId,
	type AgentRecord,
	type EmulatorState,
	type ExtractOutcome,
	type FileRecord,
	type V1JobRecord,
	type V1Status,
} from '../state';
import { receiveUpload } from '../uploads';

const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;

/** `ExtractConfig` defaults from the server spec. */
const CONFIG_DEFAULTS: Record<string, unknown> = {
	priority: null,
	extraction_target: 'PER_DOC',
	extraction_mode: 'PREMIUM',
	parse_model: null,
	extract_model: null,
	multimodal_fast_mode: false,
	system_prompt: null,
	use_reasoning: false,
	cite_sources: false,
	citation_bbox: false,
	confidence_scores: false,
	chunk_mode: 'PAGE',
	high_resolution_mode: false,
	invalidate_cache: false,
	num_pages_context: null,
	page_range: null,
};

export function registerV1Routes(router: Router, state: EmulatorState): void {
	const base = '/api/v1/extraction';

	router.add('POST', `${base}/extraction-agents`, async (ctx) => {
		const body = parseBody(V1ExtractAgentCreate, await readJson(ctx.req));
		const dataSchema = checkSchema(body.data_schema, ['body', 'data_schema']);
		const config = checkConfig(body.config, ['body', 'config']);
		if ([...state.agents.values()].some((agent) => agent.name === body.name)) {
			throw badRequest(`An extraction agent named "${body.name}" already exists in this project`);
		}
		const now = state.clock.now();
		const agent: AgentRecord = { id: randomUUID(), name: body.name, dataSchema, config, createdAtMs: now, updatedAtMs: now };
		state.agents.set(agent.id, agent);
		return json(200, agentResponse(state, agent));
	});

	router.add('GET', `${base}/extraction-agents`, (ctx) => {
		ctx.query.bool('include_default');
		const agents = [...state.agents.values()].sort((a, b) => a.createdAtMs - b.createdAtMs);
		return json(200, agents.map((agent) => agentResponse(state, agent)));
	});

	router.add('GET', `${base}/extraction-agents/by-name/{name}`, (ctx) => {
		const agent = [...state.agents.values()].find((candidate) => candidate.name === ctx.params.name);
		if (!agent) throw notFound(`Extraction agent not found: ${ctx.params.name}`);
		return json(200, agentResponse(state, agent));
	});

	router.add('GET', `${base}/extraction-agents/{extraction_agent_id}`, (ctx) =>
		json(200, agentResponse(state, requireAgent(state, ctx.params.extraction_agent_id, 'path'))),
	);

	router.add('PUT', `${base}/extraction-agents/{extraction_agent_id}`, async (ctx) => {
		const agent = requireAgent(state, ctx.params.extraction_agent_id, 'path');
		const body = parseBody(V1ExtractAgentUpdate, await readJson(ctx.req));
		agent.dataSchema = checkSchema(body.data_schema, ['body', 'data_schema']);
		agent.config = checkConfig(body.config, ['body', 'config']);
		agent.updatedAtMs = state.clock.now();
		return json(200, agentResponse(state, agent));
	});

	router.add('DELETE', `${base}/extraction-agents/{extraction_agent_id}`, (ctx) => {
		const agent = requireAgent(state, ctx.params.extraction_agent_id, 'path');
		state.agents.delete(agent.id);
		return json(200, {});
	});

	router.add('POST', `${base}/jobs`, async (ctx) => {
		ctx.query.bool('from_ui');
		const body = parseBody(V1ExtractJobCreate, await readJson(ctx.req));
		const problems: ValidationErrorEntry[] = [];
		if (!isUuid(body.extraction_agent_id)) problems.push(uuidProblem(['body', 'extraction_agent_id'], body.extraction_agent_id));
		const fileUuid = body.file_id.replace(/^dfl-/, '');
		if (!isUuid(fileUuid)) problems.push(uuidProblem(['body', 'file_id'], body.file_id));
		if (problems.length > 0) throw unprocessable(problems);
		const agent = requireAgent(state, body.extraction_agent_id, 'body');
		const file = state.findFile(fileUuid);
		if (!file) throw notFound(`File not found: ${body.file_id}`);
		return json(200, jobResponse(state, startV1Job(state, agent, file, body.data_schema_override, body.config_override)));
	});

	// Multipart variant: the document travels in the request, with the overrides as JSON strings.
	router.add('POST', `${base}/jobs/file`, async (ctx) => {
		ctx.query.bool('from_ui');
		const upload = await receiveUpload(ctx.req, state, 'file');
		const problems: ValidationErrorEntry[] = [];
		const agentId = upload.fields.extraction_agent_id;
		if (agentId === undefined) problems.push(validationEntry(['body', 'extraction_agent_id'], 'Field required', 'missing'));
		else if (!isUuid(agentId)) problems.push(uuidProblem(['body', 'extraction_agent_id'], agentId));
		if (!upload.file) problems.push(validationEntry(['body', 'file'], 'Field required', 'missing'));
		const overrides: Record<string, unknown> = {};
		for (const field of ['data_schema_override', 'config_override']) {
			const raw = upload.fields[field];
			if (raw === undefined || raw === '') continue;
			try {
				overrides[field] = JSON.parse(raw);
			} catch {
				problems.push(validationEntry(['body', field], 'Invalid JSON', 'json_invalid', raw));
			}
		}
		if (problems.length > 0 || !upload.file || agentId === undefined) {
			if (upload.file?.tempPath) await fs.rm(upload.file.tempPath, { force: true });
			throw unprocessable(problems);
		}
		const agent = requireAgent(state, agentId, 'body');
		const received = upload.file;
		const name = received.fileName.trim() === '' ? 'upload' : received.fileName.slice(0, 3000);
		const file: FileRecord = {
			id: newId('dfl-'),
			seq: state.nextSeq(),
			name,
			purpose: 'extract',
			externalFileId: null,
			fileType: extname(name).slice(1).toLowerCase() || null,
			mimeType: received.mimeType || 'application/octet-stream',
			size: received.size,
			sha256: received.sha256,
			createdAtMs: state.clock.now(),
			memory: received.memory,
			tempPath: received.tempPath,
		};
		state.files.set(file.id, file);
		const configOverride = overrides.config_override as Record<string, unknown> | undefined;
		return json(200, jobResponse(state, startV1Job(state, agent, file, overrides.data_schema_override, configOverride)));
	});

	router.add('GET', `${base}/jobs`, (ctx) => {
		const agentId = ctx.query.string('extraction_agent_id');
		if (agentId === undefined) {
			throw unprocessable([validationEntry(['query', 'extraction_agent_id'], 'Field required', 'missing')]);
		}
		if (!isUuid(agentId)) throw unprocessable([uuidProblem(['query', 'extraction_agent_id'], agentId)]);
		const jobs = [...state.v1Jobs.values()]
			.filter((job) => job.agent.id === agentId)
			.sort((a, b) => b.createdAtMs - a.createdAtMs);
		return json(200, jobs.map((job) => jobResponse(state, job)));
	});

	router.add('GET', `${base}/jobs/{job_id}`, (ctx) => json(200, jobResponse(state, requireJob(state, ctx.params.job_id))));

	router.add('GET', `${base}/jobs/{job_id}/result`, (ctx) => {
		const job = requireJob(state, ctx.params.job_id);
		if (job.status === 'PENDING' || job.status === 'CANCELLED' || !job.runId) {
			throw notFound(`Extraction result not found for job ${job.id}: the job is ${job.status}`);
		}
		const pages = job.outcome?.pagesExtracted ?? 0;
		const result: V1ExtractResult = {
			run_id: job.runId,
			extraction_agent_id: job.agent.id,
			data: job.status === 'ERROR' ? null : (job.outcome?.result ?? null),
			extraction_metadata: {
				field_metadata: filterMetadata(job.outcome?.fieldMetadata?.document_metadata ?? null, job.config),
				usage: { num_pages_extracted: pages, num_document_tokens: pages * 500, num_output_tokens: pages * 50 },
			},
		};
		return json(200, result);
	});
}

/** Creates a v1 job for an agent and a stored file, with the request's optional schema/config overrides. */
function startV1Job(
	state: EmulatorState,
	agent: AgentRecord,
	file: FileRecord,
	dataSchemaOverride: unknown,
	configOverride: Record<string, unknown> | null | undefined,
): V1JobRecord {
	const dataSchema =
		dataSchemaOverride !== null && dataSchemaOverride !== undefined
			? checkSchema(dataSchemaOverride, ['body', 'data_schema_override'])
			: agent.dataSchema;
	const config =
		configOverride !== null && configOverride !== undefined
			? checkConfig({ ...agent.config, ...configOverride }, ['body', 'config_override'])
			: agent.config;
	const now = state.clock.now();
	const job: V1JobRecord = {
		id: randomUUID(),
		agent: { ...agent },
		fileId: file.id,
		status: 'PENDING',
		error: null,
		createdAtMs: now,
		updatedAtMs: now,
		dataSchema,
		config,
	};
	state.v1Jobs.set(job.id, job);
	state.emit({ type: 'job', kind: 'v1', id: job.id, status: job.status, atMs: now });
	state.scheduler.submit({
		id: job.id,
		createdAtMs: now,
		plan: planV1Job(state, job),
		// v1 has no RUNNING: a started job is still PENDING.
		onPhase: () => undefined,
	});
	return job;
}

function uuidProblem(loc: Array<string | number>, input: string): ValidationErrorEntry {
	return validationEntry(loc, 'Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-]', 'uuid_parsing', input);
}

function requireAgent(state: EmulatorState, id: string, where: 'path' | 'body'): AgentRecord {
	if (!isUuid(id)) {
		throw unprocessable([uuidProblem(where === 'path' ? ['path', 'extraction_agent_id'] : ['body', 'extraction_agent_id'], id)]);
	}
	const agent = state.agents.get(id.toLowerCase());
	if (!agent) throw notFound(`Extraction agent not found: ${id}`);
	return agent;
}

function requireJob(state: EmulatorState, id: string): V1JobRecord {
	if (!isUuid(id)) throw unprocessable([uuidProblem(['path', 'job_id'], id)]);
	const job = state.v1Jobs.get(id.toLowerCase());
	if (!job) throw notFound(`Extraction job not found: ${id}`);
	return job;
}

/** v1 accepts the schema as an object or a JSON string. */
function checkSchema(raw: unknown, loc: Array<string | number>): Record<string, unknown> {
	let value = raw;
	if (typeof raw === 'string') {
		try {
			value = JSON.parse(raw);
		} catch {
			throw unprocessable([validationEntry(loc, 'data_schema is a string but not valid JSON', 'value_error', raw)]);
		}
	}
	const checked = checkDataSchema(value, loc);
	if (!checked.ok) throw unprocessable(checked.errors);
	return checked.schema;
}

function checkConfig(raw: Record<string, unknown>, loc: Array<string | number>): Record<string, unknown> {
	const config = { ...CONFIG_DEFAULTS, ...raw };
	const problems: ValidationErrorEntry[] = [];
	const oneOf = (field: string, allowed: readonly string[], nullable = false) => {
		const value = config[field];
		if (nullable && (value === null || value === undefined)) return;
		if (typeof value !== 'string' || !allowed.includes(value)) {
			problems.push(validationEntry([...loc, field], `Input should be ${describeChoices(allowed)}`, 'enum', value));
		}
	};
	oneOf('extraction_mode', V1_EXTRACTION_MODES);
	oneOf('extraction_target', V1_EXTRACTION_TARGETS);
	oneOf('chunk_mode', V1_CHUNK_MODES);
	oneOf('priority', PRIORITIES, true);
	if (problems.length > 0) throw unprocessable(problems);
	return config;
}

function agentResponse(state: EmulatorState, agent: AgentRecord): V1ExtractAgent {
	return {
		id: agent.id,
		name: agent.name,
		project_id: state.projectId,
		data_schema: agent.dataSchema,
		config: agent.config,
		custom_configuration: null,
		created_at: iso(agent.createdAtMs),
		updated_at: iso(agent.updatedAtMs),
	};
}

function jobResponse(state: EmulatorState, job: V1JobRecord): V1ExtractJob {
	return {
		id: job.id,
		extraction_agent: agentResponse(state, job.agent),
		status: job.status,
		error: job.error,
		file_id: job.fileId.replace(/^dfl-/, ''),
		file: null,
	};
}

async function planV1Job(state: EmulatorState, job: V1JobRecord): Promise<Plan> {
	const file = state.files.get(job.fileId);
	let jobMs = state.jobTime({ id: job.id, kind: 'v1', fileInput: job.fileId, fileName: file?.name });
	const finish = (status: V1Status, details: { outcome?: ExtractOutcome; error?: string }) => (atMs: number) => {
		if (job.status !== 'PENDING' || !state.v1Jobs.has(job.id)) return;
		job.status = status;
		job.updatedAtMs = atMs;
		job.completedAtMs = atMs;
		job.runId = randomUUID();
		if (details.outcome) job.outcome = details.outcome;
		if (details.error) job.error = details.error;
		state.emit({ type: 'job', kind: 'v1', id: job.id, status, atMs });
	};
	const fault = state.faults.forJob(job.fileId);
	if (fault?.outcome === 'stall') return { jobMs, stall: true, apply: () => undefined };
	if (!file) return { jobMs, apply: finish('ERROR', { error: `File not found: ${job.fileId}` }) };
	let document: ParsedDocument;
	try {
		document = await state.documentOf(file);
	} catch (error) {
		return { jobMs, apply: finish('ERROR', { error: (error as Error).message }) };
	}
	const markers = readMarkers(document.fullText);
	if (markers.jobMs !== undefined) jobMs = markers.jobMs;
	if (markers.stall) return { jobMs, stall: true, apply: () => undefined };
	if (fault) return { jobMs, apply: finish('ERROR', { error: fault.errorMessage }) };
	if (markers.fail) return { jobMs, apply: finish('ERROR', { error: 'Extraction failed: the document contains the EMULATOR_FAIL marker' }) };
	try {
		const target = String(job.config.extraction_target ?? 'PER_DOC').toLowerCase() as 'per_doc' | 'per_page' | 'per_table_row';
		const output = extract(document, {
			schema: job.dataSchema as JsonSchema,
			target,
			targetPages: (job.config.page_range as string | null) ?? null,
		});
		const outcome: ExtractOutcome = { result: output.result, fieldMetadata: output.fieldMetadata, pagesExtracted: output.pages.length };
		return { jobMs, apply: finish(markers.partial ? 'PARTIAL_SUCCESS' : 'SUCCESS', { outcome }) };
	} catch (error) {
		return { jobMs, apply: finish('ERROR', { error: `Extraction failed: ${(error as Error).message}` }) };
	}
}

function filterMetadata(metadata: Record<string, FieldMetadata> | null, config: Record<string, unknown>): Record<string, unknown> {
	if (!metadata) return {};
	const cite = config.cite_sources === true;
	const confidence = config.confidence_scores === true;
	if (!cite && !confidence) return {};
	const filter = (node: FieldMetadata): unknown => {
		if (Array.isArray(node)) return node.map(filter);
		const record = node as Record<string, unknown>;
		if (Array.isArray(record.citation) && typeof record.confidence === 'number') {
			const kept: Record<string, unknown> = {};
			if (cite) kept.citation = record.citation;
			if (confidence) kept.extraction_confidence = record.confidence;
			return kept;
		}
		return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, filter(value as FieldMetadata)]));
	};
	return filter(metadata) as Record<string, unknown>;
}

