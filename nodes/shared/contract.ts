/**
 * The LlamaCloud wire contract, described once.
 *
 * Written from the server's own OpenAPI document and the API reference, both vendored in
 * emulator/vendor/llamacloud/ (openapi-extract-subset.json, API.md; sources and date in the README there).
 * The node's transport parses responses with these schemas and the emulator builds and checks its
 * responses with them, so both sides speak the same API.
 *
 * Rules that keep this module portable:
 * - Objects are `wireObject`s (`.passthrough()`): the API grows, and unknown fields must reach the user untouched.
 * - Only zod APIs shared by zod 3.25 (the copy inside n8n 2.41) and zod 4 are used:
 *   object/array/string/number/boolean/enum/union/literal/record(key, value)/unknown/nullable/optional/passthrough.
 */
import { z } from 'zod';

/** A wire object: unknown fields pass through (the first rule above). */
export function wireObject<T extends z.ZodRawShape>(shape: T) {
	return z.object(shape).passthrough();
}

/** JSON value, as FastAPI's `additionalProperties: {anyOf: [...]}` describes it. */
export const jsonObject = z.record(z.string(), z.unknown());

export const JOB_STATUSES = ['PENDING', 'THROTTLED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export const FINAL_STATUSES: readonly string[] = ['COMPLETED', 'FAILED', 'CANCELLED'];

/** A status is final only when the server says so; THROTTLED and unknown values count as still running. */
export function isFinalStatus(status: string | undefined | null): boolean {
	return status !== undefined && status !== null && FINAL_STATUSES.includes(status);
}

export const TIERS = ['cost_effective', 'agentic', 'agentic_plus'] as const;
export const EXTRACTION_TARGETS = ['per_doc', 'per_page', 'per_table_row'] as const;
export const PARSE_TIERS = ['fast', 'cost_effective', 'agentic', 'agentic_plus'] as const;
export const EXPAND_VALUES = ['configuration', 'extract_metadata', 'usage'] as const;
/** What the list's `document_input_type` filter takes: a job's input is an uploaded file or a parse job. */
export const DOCUMENT_INPUT_TYPES = ['file_id', 'parse_job_id'] as const;
/** What `GET /api/v2/extract` (the list) can expand; `usage` needs the per-job GET. */
export const LIST_EXPAND_VALUES: readonly string[] = ['configuration', 'extract_metadata'];
export const FILE_PURPOSES = [
	'user_data',
	'parse',
	'extract',
	'classify',
	'split',
	'sheet',
	'agent_app',
] as const;

/** Inline extract configuration (`ExtractConfiguration`). `tier` stays an open string: new tiers appear before the spec lists them. */
export const ExtractConfiguration = wireObject({
	data_schema: jsonObject,
	tier: z.string().optional(),
	version: z.string().optional(),
	extraction_target: z.string().optional(),
	system_prompt: z.string().nullable().optional(),
	target_pages: z.string().nullable().optional(),
	max_pages: z.number().int().min(1).nullable().optional(),
	cite_sources: z.boolean().optional(),
	confidence_scores: z.boolean().optional(),
	disable_cache: z.boolean().optional(),
	spreadsheet_mode: z.boolean().optional(),
	sheet_names: z.array(z.string()).nullable().optional(),
	parse_tier: z.string().nullable().optional(),
	parse_config_id: z.string().nullable().optional(),
});
export type ExtractConfiguration = z.infer<typeof ExtractConfiguration>;

export const WebhookConfiguration = wireObject({
	webhook_url: z.string().nullable().optional(),
	webhook_events: z.array(z.string()).nullable().optional(),
	webhook_headers: z.record(z.string(), z.string()).nullable().optional(),
	webhook_output_format: z.string().nullable().optional(),
	webhook_signing_secret: z.string().nullable().optional(),
});

/** Request body of `POST /api/v2/extract`. Exactly one of `configuration` / `configuration_id`. */
export const ExtractV2JobCreate = wireObject({
	file_input: z.string().min(1).max(200),
	configuration: ExtractConfiguration.nullable().optional(),
	configuration_id: z.string().nullable().optional(),
	webhook_configurations: z.array(WebhookConfiguration).nullable().optional(),
	webhook_configuration_ids: z.array(z.string()).max(4).nullable().optional(),
});
export type ExtractV2JobCreate = z.infer<typeof ExtractV2JobCreate>;

export const ExtractedFieldMetadata = wireObject({
	document_metadata: jsonObject.nullable().optional(),
	page_metadata: z.array(jsonObject).nullable().optional(),
	row_metadata: z.array(jsonObject).nullable().optional(),
});

export const ExtractJobMetadata = wireObject({
	field_metadata: ExtractedFieldMetadata.nullable().optional(),
	parse_job_id: z.string().nullable().optional(),
	parse_tier: z.string().nullable().optional(),
});

export const ExtractUsage = wireObject({
	credits: z.number().nullable().optional(),
	extract_credits: z.number().nullable().optional(),
	parse_credits: z.number().nullable().optional(),
});

export const ExtractV2JobMetadata = wireObject({
	usage: wireObject({
		num_pages_extracted: z.number().int().nullable().optional(),
		num_pages_billed: z.number().int().nullable().optional(),
	}).nullable().optional(),
});

/** `ExtractV2Job`: returned by create, get, cancel and as list items. */
export const ExtractV2Job = wireObject({
	id: z.string(),
	file_input: z.string(),
	project_id: z.string(),
	status: z.string(),
	created_at: z.string(),
	updated_at: z.string(),
	configuration_id: z.string().nullable().optional(),
	configuration: ExtractConfiguration.nullable().optional(),
	error_message: z.string().nullable().optional(),
	extract_result: z.union([jsonObject, z.array(jsonObject)]).nullable().optional(),
	extract_metadata: ExtractJobMetadata.nullable().optional(),
	metadata: ExtractV2JobMetadata.nullable().optional(),
	usage: ExtractUsage.nullable().optional(),
});
export type ExtractV2Job = z.infer<typeof ExtractV2Job>;

/** Cursor page shape shared by the extract, files and configurations list endpoints. */
export function cursorPage<T extends z.ZodTypeAny>(item: T) {
	return wireObject({
		items: z.array(item),
		next_page_token: z.string().nullable().optional(),
		total_size: z.number().int().nullable().optional(),
	});
}
export const ExtractV2JobQueryResponse = cursorPage(ExtractV2Job);
export type ExtractV2JobQueryResponse = z.infer<typeof ExtractV2JobQueryResponse>;

export const PresignedUrl = wireObject({
	url: z.string().min(1),
	expires_at: z.string(),
	form_fields: z.record(z.string(), z.string()).nullable().optional(),
});

/** `FileV2` from `/api/v1/beta/files`. */
export const FileV2 = wireObject({
	id: z.string(),
	name: z.string().min(1),
	project_id: z.string(),
	external_file_id: z.string().nullable().optional(),
	file_type: z.string().nullable().optional(),
	last_modified_at: z.string().nullable().optional(),
	expires_at: z.string().nullable().optional(),
	purpose: z.string().nullable().optional(),
	download_url: PresignedUrl.nullable().optional(),
});
export type FileV2 = z.infer<typeof FileV2>;

export const PRODUCT_TYPES = [
	'split_v1',
	'extract_v2',
	'classify_v2',
	'parse_v2',
	'spreadsheet_v1',
	'unknown',
] as const;

/** `ExtractV2Parameters`: a saved extract configuration's parameters. */
export const ExtractV2Parameters = ExtractConfiguration.extend({
	product_type: z.literal('extract_v2'),
});
export type ExtractV2Parameters = z.infer<typeof ExtractV2Parameters>;

/** Parameters of any product; only extract_v2 is interpreted here, the rest pass through. */
export const ConfigurationParameters = wireObject({ product_type: z.string() });

export const ConfigurationResponse = wireObject({
	id: z.string(),
	name: z.string(),
	product_type: z.string(),
	version: z.string(),
	parameters: ConfigurationParameters,
	created_at: z.string().nullable().optional(),
	updated_at: z.string().nullable().optional(),
});
export type ConfigurationResponse = z.infer<typeof ConfigurationResponse>;
export const ConfigurationQueryResponse = cursorPage(ConfigurationResponse);

export const ConfigurationCreateRequest = wireObject({
	name: z.string().min(1).max(255),
	parameters: ConfigurationParameters,
});
export const ConfigurationUpdateRequest = wireObject({
	name: z.string().min(1).max(255).nullable().optional(),
	parameters: ConfigurationParameters.nullable().optional(),
});

export const SchemaValidateResponse = wireObject({ data_schema: jsonObject });
export const SchemaGenerateRequest = wireObject({
	name: z.string().max(255).nullable().optional(),
	prompt: z.string().nullable().optional(),
	file_id: z.string().nullable().optional(),
	data_schema: jsonObject.nullable().optional(),
});
/** The generate endpoint answers with a ready `ConfigurationCreateRequest`. */
export const SchemaGenerateResponse = ConfigurationCreateRequest;

/** FastAPI 422 entry. */
export const ValidationErrorEntry = wireObject({
	loc: z.array(z.union([z.string(), z.number()])),
	msg: z.string(),
	type: z.string(),
	input: z.unknown().optional(),
	ctx: jsonObject.optional(),
});
export type ValidationErrorEntry = z.infer<typeof ValidationErrorEntry>;

/** FastAPI error body: `{"detail": "text"}` or the 422 array form. */
export const ErrorBody = wireObject({ detail: z.union([z.string(), z.array(ValidationErrorEntry), jsonObject]) });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Id prefixes the API uses; they let the node catch a wrong kind of id before a round trip. */
export const ID_PREFIX = {
	extractJob: 'ext-',
	file: 'dfl-',
	parseJob: 'pjb-',
	configuration: 'cfg-',
} as const;

/* ------------------------------------------------------------------------------------------------
 * Added for the emulator (request bodies it parses); the node may use them too.
 * ---------------------------------------------------------------------------------------------- */

/** Request body of `POST /api/v2/extract/schema/validation`. */
export const SchemaValidateRequest = wireObject({ data_schema: jsonObject });

/** Request body of `POST /api/v2/parse` (`ParseRequestConfiguration`; only the fields the package reads). */
export const ParseCreateRequest = wireObject({
	tier: z.string(),
	version: z.string(),
	file_id: z.string().nullable().optional(),
	source_url: z.string().nullable().optional(),
	configuration_id: z.string().nullable().optional(),
	user_metadata: z.record(z.string(), z.string()).nullable().optional(),
});

/** `ParseJobResponse`: a `pjb-` parse job. */
export const ParseJobResponse = wireObject({
	id: z.string(),
	project_id: z.string(),
	status: z.string(),
	error_message: z.string().nullable().optional(),
	name: z.string().nullable().optional(),
	tier: z.string().nullable().optional(),
	created_at: z.string().nullable().optional(),
	updated_at: z.string().nullable().optional(),
	user_metadata: z.record(z.string(), z.string()).nullable().optional(),
});
export type ParseJobResponse = z.infer<typeof ParseJobResponse>;

/** `ParseResultResponse` from `GET /api/v2/parse/{job_id}`: the status lives at `job.status`. */
export const ParseResultResponse = wireObject({ job: ParseJobResponse });
