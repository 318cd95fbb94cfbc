/**
 * Creating an extract job. `POST /api/v2/extract` has no idempotency key: the transport resends only what surely
 * did not arrive, and after an ambiguous failure the job the lost attempt made is looked up and adopted
 * (`findCreatedJob`) instead of creating a second one.
 */
import type { LlamaCloudClient } from './client';
import { ExtractV2Job, type ExtractConfiguration, type ExtractV2JobCreate } from './contract';
import { CLOCK_SKEW_ALLOWANCE_MS } from './retry';

export interface CreateJobInput {
	fileInput: string;
	configuration?: ExtractConfiguration;
	configurationId?: string;
	itemIndex: number;
}

/** The node parameter behind each field of a create request, so a 422 says what to change. */
const CREATE_FIELD_LABELS: Record<string, string> = {
	file_input: 'File or Parse Job ID',
	configuration_id: 'Configuration',
	data_schema: 'the schema (JSON Schema, Fields or JSON Example)',
	tier: 'Extraction Settings › Tier',
	version: 'Extraction Settings › Version',
	extraction_target: 'Extraction Settings › Extraction Target',
	system_prompt: 'Extraction Settings › System Prompt',
	target_pages: 'Extraction Settings › Target Pages',
	max_pages: 'Extraction Settings › Max Pages',
	parse_tier: 'Extraction Settings › Parse Tier',
	parse_config_id: 'Extraction Settings › Parse Configuration ID',
	cite_sources: 'Extraction Settings › Cite Sources',
	confidence_scores: 'Extraction Settings › Confidence Scores',
};

/**
 * Whether a JSON value sent in a create matches what the server echoes back. Keys it added (defaults) are
 * ignored. A key the server did not echo is not held against it, unless `complete` says the echo must hold
 * everything that was sent (a JSON Schema: a missing `properties` is another schema).
 */
export function echoMatches(sent: unknown, seen: unknown, complete = false): boolean {
	if (seen === undefined) return !complete || sent === undefined;
	if (sent === null || typeof sent !== 'object') return sent === seen || (sent === undefined && seen === null);
	if (seen === null || typeof seen !== 'object') return false;
	if (Array.isArray(sent)) {
		if (!Array.isArray(seen) || seen.length !== sent.length) return false;
		return sent.every((entry, index) => echoMatches(entry, seen[index], complete));
	}
	const seenObject = seen as Record<string, unknown>;
	return Object.entries(sent as Record<string, unknown>).every(
		([key, value]) => value === undefined || echoMatches(value, seenObject[key], complete),
	);
}

/** Whether a listed job is the one `sent` would have created: same file, same saved or inline configuration. */
export function isJobFor(sent: ExtractV2JobCreate, job: ExtractV2Job): boolean {
	if (job.file_input !== sent.file_input) return false;
	if (sent.configuration_id) return echoMatches(sent.configuration_id, job.configuration_id);
	if (job.configuration_id) return false;
	const seen = job.configuration ?? undefined;
	if (seen === undefined) return true; // the list did not include configurations: file and time must do
	// "latest" comes back as the concrete version it resolved to.
	const { version, data_schema: schema, ...rest } = sent.configuration ?? ({} as ExtractConfiguration);
	const compared = version && version !== 'latest' ? { ...rest, version } : rest;
	return echoMatches(schema, seen.data_schema, true) && echoMatches(compared, seen);
}

/**
 * After a create failed ambiguously: the job that attempt made, if the job list has one for the same file and
 * configuration created since just before the first attempt and not owned by another item.
 */
export async function findCreatedJob(
	client: LlamaCloudClient,
	sent: ExtractV2JobCreate,
	firstAttemptAtMs: number,
	itemIndex?: number,
): Promise<ExtractV2Job | undefined> {
	const jobs = await client.list(
		{
			method: 'GET',
			path: '/api/v2/extract',
			query: {
				file_input: sent.file_input,
				created_at_on_or_after: new Date(firstAttemptAtMs - CLOCK_SKEW_ALLOWANCE_MS).toISOString(),
				expand: ['configuration'],
			},
			itemIndex,
		},
		ExtractV2Job,
		{ limit: 200, pageSize: 100 },
	);
	const candidates = jobs.filter((job) => !client.ownedJobs.has(job.id) && isJobFor(sent, job));
	// Nearest to the first attempt: an older job in the window belongs to an earlier run.
	const distance = (job: ExtractV2Job) => Math.abs(Date.parse(job.created_at) - firstAttemptAtMs);
	candidates.sort((a, b) => distance(a) - distance(b));
	return candidates[0];
}

export async function createExtractJob(client: LlamaCloudClient, input: CreateJobInput): Promise<ExtractV2Job> {
	const body: ExtractV2JobCreate = input.configurationId
		? { file_input: input.fileInput, configuration_id: input.configurationId }
		: { file_input: input.fileInput, configuration: input.configuration };
	const lockKey = `${body.file_input}\n${body.configuration_id ?? JSON.stringify(body.configuration ?? null)}`;
	return await client.oneAtATime(lockKey, async () => {
		const job = await client.request(
			{
				method: 'POST',
				path: '/api/v2/extract',
				body,
				itemIndex: input.itemIndex,
				notFoundHint: body.configuration_id
					? `Item ${input.itemIndex} asked for the saved configuration ${body.configuration_id} and the document ${body.file_input}. Check the Configuration parameter (pick it from the list) and the document ID: both must exist in the project and region of the LlamaCloud credential.`
					: `The document ${body.file_input} of item ${input.itemIndex} does not exist in the project and region of the LlamaCloud credential. Check the File or Parse Job ID, or upload the file (Input Type: Binary File).`,
				fieldLabels: CREATE_FIELD_LABELS,
				retry: 'create',
				findExisting: async (firstAttemptAtMs) =>
					await findCreatedJob(client, body, firstAttemptAtMs, input.itemIndex),
			},
			ExtractV2Job,
		);
		client.ownedJobs.add(job.id);
		return job;
	});
}
