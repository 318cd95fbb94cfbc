 
/** Extract v2: `/api/v2/extract*`. */
import {
	DOCUMENT_INPUT_TYPES,
	ExtractV2JobCreate,
	isFinalStatus,
	JOB_STATUSES,
	LIST_EXPAND_VALUES,
	SchemaGenerateRequest,
	SchemaValidateRequest,
	type ExtractV2JobQueryResponse,
	type ValidationErrorEntry,
} from '../../nodes/shared/contract';
import { checkId, type IdKindName } from '../../nodes/shared/rules';
import { resolveConfiguration, type ResolvedConfiguration } from '../configuration';
import type { ParsedDocument } from '../engine/document';
import {
	cancelExtractJob,
	checkFileInput,
	createExtractJob,
	extractJobResponse,
	stripProductType,
} from '../extractJobs';
import { ApiError, badRequest, json, notFound, parseBody, readJson, unprocessable, validationEntry } from '../http';
import type { Router } from '../router';
import { checkDataSchema, generateSchema, snakeCase } from '../schema';
import { newestFirst, paginate, type EmulatorState, type ExtractJobRecord } from '../state';
import { requireFile } from './files';

const MAX_LIST_PAGE = 100;

function idProblem(value: unknown, kinds: IdKindName[], loc: string[]): ValidationErrorEntry | undefined {
	const checked = checkId(value, kinds);
	return 'problem' in checked ? validationEntry(loc, `${loc[loc.length - 1]} ${checked.message}`, 'value_error', value) : undefined;
}

export function registerExtractRoutes(router: Router, state: EmulatorState): void {
	router.add('POST', '/api/v2/extract', async (ctx) => {
		const body = parseBody(ExtractV2JobCreate, await readJson(ctx.req));
		const hasInline = body.configuration !== null && body.configuration !== undefined;
		const hasSaved = typeof body.configuration_id === 'string' && body.configuration_id !== '';
		if (hasInline === hasSaved) {
			throw unprocessable([
				validationEntry(
					['body'],
					hasInline
						? 'Provide exactly one of configuration or configuration_id, not both'
						: 'Provide exactly one of configuration or configuration_id',
					'value_error',
				),
			]);
		}
		// The shared ID rule (rules.ts): a wrong kind of ID is a validation error, an unknown one of the right kind a 404.
		const idProblems = [
			idProblem(body.file_input, ['file', 'parseJob'], ['body', 'file_input']),
			hasSaved ? idProblem(body.configuration_id, ['configuration'], ['body', 'configuration_id']) : undefined,
		].filter((entry) => entry !== undefined);
		if (idProblems.length > 0) throw unprocessable(idProblems);
		const configuration = hasInline
			? resolveConfiguration(body.configuration, ['body', 'configuration'])
			: undefined;
		checkFileInput(state, body.file_input);
		const job = createExtractJob(state, {
			fileInput: body.file_input,
			configurationId: hasSaved ? (body.configuration_id as string) : null,
			configuration: configuration ?? savedConfiguration(state, body.configuration_id as string),
			webhookConfigurations: body.webhook_configurations ?? null,
		});
		return json(200, extractJobResponse(state, job, []));
	});

	router.add('GET', '/api/v2/extract', (ctx) => {
		const q = ctx.query;
		const status = q.oneOf('status', JOB_STATUSES);
		const pageSize = Math.min(q.int('page_size', { min: 1 }) ?? 50, state.config.maxListPageSize || MAX_LIST_PAGE);
		const configurationId = q.string('configuration_id');
		const fileInput = q.string('file_input') ?? q.string('document_input_value');
		const inputType = q.string('document_input_type');
		// A Set: the trigger's re-check asks for a hundred IDs at a time against thousands of jobs.
		const jobIds = new Set(q.list('job_ids'));
		const after = q.dateTime('created_at_on_or_after');
		const before = q.dateTime('created_at_on_or_before');
		// The list documents only `configuration` and `extract_metadata` (API.md §4); `usage` is for the GET.
		const expand = q.list('expand').filter((value) => LIST_EXPAND_VALUES.includes(value));
		const matching = newestFirst(state.extractJobs.values()).filter(
			(job) =>
				(status === undefined || job.status === status) &&
				(configurationId === undefined || job.configurationId === configurationId) &&
				(fileInput === undefined || job.fileInput === fileInput) &&
				(inputType === undefined || inputTypeOf(job) === inputType) &&
				(jobIds.size === 0 || jobIds.has(job.id)) &&
				(after === undefined || job.createdAtMs >= after) &&
				(before === undefined || job.createdAtMs <= before),
		);
		const { page, nextPageToken } = paginate(matching, pageSize, q.string('page_token'));
		page.forEach((job) => noteFinalDelivery(state, job));
		const response: ExtractV2JobQueryResponse = {
			items: page.map((job) => extractJobResponse(state, job, expand)),
			next_page_token: nextPageToken,
			total_size: null,
		};
		return json(200, response);
	});

	router.add('GET', '/api/v2/extract/{job_id}', (ctx) => {
		const job = requireJob(state, ctx.params.job_id);
		noteFinalDelivery(state, job);
		return json(200, extractJobResponse(state, job, ctx.query.list('expand')));
	});

	router.add('DELETE', '/api/v2/extract/{job_id}', (ctx) => {
		const job = requireJob(state, ctx.params.job_id);
		const force = ctx.query.bool('force') ?? false;
		if (!isFinalStatus(job.status) && !force) {
			throw new ApiError(
				409,
				`Job ${job.id} is ${job.status}; cancel it first, or pass force=true to delete a job that is still running`,
			);
		}
		state.scheduler.cancel(job.id);
		state.extractJobs.delete(job.id);
		return json(200, {});
	});

	router.add('POST', '/api/v2/extract/{job_id}/cancel', (ctx) => {
		const job = requireJob(state, ctx.params.job_id);
		cancelExtractJob(state, job);
		return json(200, extractJobResponse(state, job, []));
	});

	router.add('POST', '/api/v2/extract/schema/validation', async (ctx) => {
		const body = parseBody(SchemaValidateRequest, await readJson(ctx.req));
		const checked = checkDataSchema(body.data_schema, ['body', 'data_schema']);
		if (!checked.ok) throw unprocessable(checked.errors);
		return json(200, { data_schema: checked.schema });
	});

	router.add('POST', '/api/v2/extract/schema/generate', async (ctx) => {
		const body = parseBody(SchemaGenerateRequest, await readJson(ctx.req));
		const prompt = body.prompt?.trim() || undefined;
		if (!prompt && !body.file_id && !body.data_schema) {
			throw unprocessable([
				validationEntry(['body'], 'Provide at least one of prompt, file_id or data_schema', 'value_error'),
			]);
		}
		let document: ParsedDocument | undefined;
		let fileName: string | undefined;
		if (body.file_id) {
			const file = requireFile(state, body.file_id);
			fileName = file.name;
			try {
				document = await state.documentOf(file);
			} catch (error) {
				throw badRequest(`Could not read ${file.id}: ${(error as Error).message}`);
			}
		}
		const generated = generateSchema({ prompt, document, dataSchema: body.data_schema ?? null });
		const checked = checkDataSchema(generated, ['body']);
		if (!checked.ok) {
			throw unprocessable([
				validationEntry(
					['body'],
					'Could not derive any field: name the fields in the prompt (e.g. "vendor name, total amount") or pass a file with "Label: value" lines',
					'value_error',
				),
			]);
		}
		const name =
			body.name ??
			((fileName ? `${snakeCase(fileName.replace(/\.[^.]+$/, ''))}_schema` : snakeCase(prompt ?? '').slice(0, 60)) ||
				'generated_schema');
		return json(200, {
			name: name.slice(0, 255) || 'generated_schema',
			parameters: {
				product_type: 'extract_v2',
				data_schema: checked.schema,
				tier: 'cost_effective',
				extraction_target: 'per_doc',
				version: 'latest',
			},
		});
	});
}

/** Benchmarks measure detection slack up to the first response that shows a job final. */
function noteFinalDelivery(state: EmulatorState, job: ExtractJobRecord): void {
	if (isFinalStatus(job.status) && job.finalDeliveredAtMs === undefined) job.finalDeliveredAtMs = state.clock.now();
}

function inputTypeOf(job: ExtractJobRecord): (typeof DOCUMENT_INPUT_TYPES)[number] {
	return job.fileInput.startsWith('pjb-') ? 'parse_job_id' : 'file_id';
}

export function requireJob(state: EmulatorState, id: string): ExtractJobRecord {
	const job = state.extractJobs.get(id);
	if (!job) throw notFound(`Extract job not found: ${id}`);
	return job;
}

/** A saved configuration's parameters as a job configuration; unknown ids (incl. v1 agent UUIDs) are 404. */
function savedConfiguration(state: EmulatorState, id: string): ResolvedConfiguration {
	const saved = state.configurations.get(id);
	if (!saved) throw notFound(`Configuration not found: ${id}`);
	if (saved.productType !== 'extract_v2') {
		throw badRequest(`Configuration ${id} is a ${saved.productType} configuration; extract jobs need an extract_v2 configuration`);
	}
	return resolveConfiguration(stripProductType(saved.parameters), ['body', 'configuration_id']);
}
