/**
 * Legacy Extract v1 (`/api/v1/extraction/*`, API.md §14): agents hold a schema and a config; jobs run an agent on
 * a file and end SUCCESS, PARTIAL_SUCCESS, ERROR or CANCELLED. What the operations share lives here.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { attachJobId } from '../../../shared/batch';
import { settingsCollection } from '../../../shared/collections';
import { ID_PREFIX } from '../../../shared/contract';
import {
	V1_CHUNK_MODES,
	V1_EXTRACTION_MODES,
	V1_EXTRACTION_TARGETS,
	V1_FINAL_STATUSES,
	V1ExtractJob,
	V1ExtractResult,
	type V1ExtractAgent,
} from '../../../shared/contractV1';
import type { LlamaCloudClient } from '../../../shared/client';
import { fieldInfoTree, minConfidence } from '../../../shared/output';
import { choices, UUID_PATTERN } from '../../../shared/rules';
import { nextPollDelay } from '../../../shared/schedule';
import { endedJobError, V1_JOB } from '../finishJob';

export const V1_BASE = '/api/v1/extraction';

/**
 * The v1 `ExtractConfig` fields users set most; the rest keep the server defaults. Alphabetical by display name:
 * n8n's lint does not look inside settingsCollection().
 */
export const v1ConfigParameter = settingsCollection('Agent Settings', 'agentConfig', [
	{
		displayName: 'Chunk Mode',
		name: 'chunk_mode',
		type: 'options',
		options: choices(V1_CHUNK_MODES, { PAGE: 'Page', SECTION: 'Section' }),
		default: 'PAGE',
		description: 'How the document is split before extraction',
	},
	{
		displayName: 'Cite Sources',
		name: 'cite_sources',
		type: 'boolean',
		default: false,
		description: 'Whether to return the page and text each field was read from',
	},
	{
		displayName: 'Confidence Scores',
		name: 'confidence_scores',
		type: 'boolean',
		default: false,
		description: 'Whether to return a 0–1 confidence for each field',
	},
	{
		displayName: 'Extraction Mode',
		name: 'extraction_mode',
		type: 'options',
		options: choices(V1_EXTRACTION_MODES, {
			BALANCED: 'Balanced',
			FAST: 'Fast',
			MULTIMODAL: 'Multimodal',
			PREMIUM: 'Premium',
		}),
		default: 'PREMIUM',
		description: 'Speed and accuracy of the v1 extraction',
	},
	{
		displayName: 'Extraction Target',
		name: 'extraction_target',
		type: 'options',
		options: choices(V1_EXTRACTION_TARGETS, {
			PER_DOC: 'Per Document',
			PER_PAGE: 'Per Page',
			PER_TABLE_ROW: 'Per Table Row',
		}),
		default: 'PER_DOC',
		description: 'What one extracted result covers',
	},
	{
		displayName: 'Page Range',
		name: 'page_range',
		type: 'string',
		default: '',
		placeholder: 'e.g. 1-3,5',
		description: 'Only extract from these pages',
	},
	{
		displayName: 'System Prompt',
		name: 'system_prompt',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		description: 'Extra instructions for the extraction model',
	},
	{
		displayName: 'Use Reasoning',
		name: 'use_reasoning',
		type: 'boolean',
		default: false,
		description: 'Whether the model reasons about each field before answering',
	},
]);

/** The settings collection as a v1 config; empty texts are left out. */
export function readV1Config(this: IExecuteFunctions, itemIndex: number): IDataObject {
	const raw = this.getNodeParameter('agentConfig', itemIndex, {}) as IDataObject;
	return Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== '' && value !== undefined));
}

export const v1JobIdParameter: INodeProperties = {
	displayName: 'Job ID',
	name: 'jobId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. 3fa85f64-5717-4562-b3fc-2c963f66afa6',
	description: 'ID of a v1 extraction job (a UUID), e.g. _llamaextract.job_id from Run Job',
};

type V1IdKind = 'agent' | 'job';

/** v1 IDs are bare UUIDs; a v2 ID (ext-, cfg-, …) gets pointed to the right resource. */
export function checkV1Id(this: IExecuteFunctions, value: unknown, label: string, kind: V1IdKind, itemIndex: number): string {
	const raw = value && typeof value === 'object' ? (value as IDataObject).value : value;
	const id = String(raw ?? '').trim();
	if (!id) {
		throw new NodeOperationError(this.getNode(), `The "${label}" parameter is empty on item ${itemIndex}`, {
			itemIndex,
			description:
				kind === 'agent'
					? 'Pick an agent from the list, or enter its ID (a UUID).'
					: 'Enter a v1 job ID (a UUID), e.g. "_llamaextract.job_id" from Run Job.',
		});
	}
	if (!UUID_PATTERN.test(id)) {
		const isV2 = Object.values(ID_PREFIX).some((prefix) => id.startsWith(prefix));
		throw new NodeOperationError(this.getNode(), `The "${label}" on item ${itemIndex} is not a v1 ${kind} ID: "${id}"`, {
			itemIndex,
			description: isV2
				? 'This is a v2 ID. Use the Extract Job, Configuration or File resource for v2 jobs, configurations and files.'
				: `v1 ${kind} IDs are UUIDs such as 3fa85f64-5717-4562-b3fc-2c963f66afa6.`,
		});
	}
	return id.toLowerCase();
}

export function readAgentId(this: IExecuteFunctions, itemIndex: number): string {
	return checkV1Id.call(this, this.getNodeParameter('agentId', itemIndex, '', { extractValue: true }), 'Agent', 'agent', itemIndex);
}

export function agentPath(agentId: string): string {
	return `${V1_BASE}/extraction-agents/${encodeURIComponent(agentId)}`;
}

export function agentNotFoundHint(agentId: string): string {
	return `No v1 extraction agent "${agentId}" exists in this project and region. Pick one from the list.`;
}

export function jobNotFoundHint(jobId: string): string {
	return `No v1 extraction job "${jobId}" exists in this project and region. v2 jobs (ext-…) are under Extract Job.`;
}

/** Agent schemas may come back as JSON text; give users the object. */
export function agentToJson(agent: V1ExtractAgent): IDataObject {
	if (typeof agent.data_schema !== 'string') return agent as IDataObject;
	try {
		return { ...agent, data_schema: JSON.parse(agent.data_schema) as IDataObject };
	} catch {
		return agent as IDataObject;
	}
}

/* ------------------------------------------------------------------------------------------------
 * Statuses and results
 * ---------------------------------------------------------------------------------------------- */

export const PARTIAL_HINT =
	'LlamaExtract extracted only part of this document (v1 PARTIAL_SUCCESS). Fields it could not read are missing or empty; check them before using the data.';

/** What a v1 status means, in the words the output and errors use. */
export function describeV1Status(status: string): IDataObject {
	switch (status) {
		case 'SUCCESS':
			return { finished: true, succeeded: true, partial: false };
		case 'PARTIAL_SUCCESS':
			return { finished: true, succeeded: true, partial: true, hint: PARTIAL_HINT };
		case 'ERROR':
			return { finished: true, succeeded: false, partial: false };
		case 'CANCELLED':
			return { finished: true, succeeded: false, partial: false };
		default:
			return { finished: false, succeeded: false, partial: false };
	}
}

/** A job that ended ERROR or CANCELLED has no result to output: an error that keeps the job ID. */
export function failedV1JobError(ctx: IExecuteFunctions, job: V1ExtractJob, itemIndex: number): NodeOperationError {
	return endedJobError(ctx, job, job.error, itemIndex, V1_JOB);
}

export async function getV1Job(
	this: IExecuteFunctions,
	client: LlamaCloudClient,
	jobId: string,
	itemIndex: number,
): Promise<V1ExtractJob> {
	return await client.request(
		{ method: 'GET', path: `${V1_BASE}/jobs/${encodeURIComponent(jobId)}`, itemIndex, notFoundHint: jobNotFoundHint(jobId) },
		V1ExtractJob,
	);
}

export async function getV1Result(
	this: IExecuteFunctions,
	client: LlamaCloudClient,
	jobId: string,
	itemIndex: number,
): Promise<V1ExtractResult> {
	return await client.request(
		{
			method: 'GET',
			path: `${V1_BASE}/jobs/${encodeURIComponent(jobId)}/result`,
			itemIndex,
			notFoundHint: `The v1 job "${jobId}" has no result yet. Check its status with Get Job; only SUCCESS and PARTIAL_SUCCESS jobs have one.`,
		},
		V1ExtractResult,
	);
}

/**
 * Polls one v1 job until it ends or the timeout passes. v1 has no batch status list, so each job polls on its
 * own; the delay grows with the job's age (a fifth of it, 0.5 s to 5 s), as for v2 jobs.
 */
export async function waitForV1Job(
	this: IExecuteFunctions,
	client: LlamaCloudClient,
	job: V1ExtractJob,
	itemIndex: number,
	timeoutMs: number,
): Promise<{ job: V1ExtractJob; timedOut: boolean }> {
	const signal = this.getExecutionCancelSignal();
	const started = Date.now();
	let current = job;
	while (!V1_FINAL_STATUSES.includes(current.status)) {
		const age = Date.now() - started;
		if (age >= timeoutMs) return { job: current, timedOut: true };
		// The same schedule as the v2 shared poll: soon at first, backing off as the job runs long.
		const delay = Math.min(nextPollDelay(age), timeoutMs - age);
		await sleep(delay, signal);
		if (signal?.aborted) {
			throw attachJobId(
				new NodeOperationError(this.getNode(), `The execution was cancelled while v1 job ${job.id} was running`, {
					itemIndex,
					description: `The job keeps running in LlamaCloud. Read its result later with Get Result and Job ID ${job.id}.`,
				}),
				job.id,
			);
		}
		current = await getV1Job.call(this, client, job.id, itemIndex);
	}
	return { job: current, timedOut: false };
}

/** Simplified v1 output: the fields at the top, job facts (and citations/confidence) under `_llamaextract`. */
export function v1ResultToJson(job: V1ExtractJob, result: V1ExtractResult | undefined, simplify: boolean): IDataObject {
	const status = describeV1Status(job.status);
	const summary: IDataObject = {
		job_id: job.id,
		agent_id: job.extraction_agent.id,
		file_id: job.file_id ?? null,
		status: job.status,
		partial: status.partial,
		...(status.hint ? { hint: status.hint } : {}),
	};
	if (!result) return simplify ? { _llamaextract: summary } : { job, _llamaextract: summary };
	summary.run_id = result.run_id;
	if (!simplify) return { ...(result as IDataObject), _llamaextract: summary };
	const metadata = result.extraction_metadata as IDataObject;
	const tree = fieldInfoTree(metadata.field_metadata);
	if (tree && Object.keys(tree).length > 0) {
		summary.min_confidence = minConfidence(tree);
		summary.fields = tree as IDataObject;
	}
	if (metadata.usage) summary.usage = metadata.usage as IDataObject;
	const data = result.data;
	const fields: IDataObject = Array.isArray(data) ? { data: data as IDataObject[] } : { ...((data as IDataObject | null) ?? {}) };
	return { ...fields, _llamaextract: summary };
}
