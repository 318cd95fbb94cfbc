/**
 * How a waited-for job ends, the same for Extract Data, Wait for Completion and Legacy Agent › Run Job: a job that
 * ended without a result is an error, a job still running at Wait Timeout is output as pending or an error with
 * the way to resume, and every error keeps the job ID.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { attachJobId } from '../../shared/batch';
import type { LlamaCloudClient } from '../../shared/client';
import type { ExtractConfiguration, ExtractV2Job } from '../../shared/contract';
import { DEFAULT_TIER } from '../../shared/usage';
import type { BatchJobWaiter } from '../../shared/waiter';
import { jobOutputItems } from '../descriptions/jobOutput';
import { wantsFieldMetadata } from '../descriptions/jobRequest';

/** The words for one kind of job. */
export interface JobWording {
	/** "Extraction job", "v1 extraction job". */
	noun: string;
	/** What to do after a timeout, given the job ID. */
	resume: (jobId: string) => string;
	cancelledHint: string;
	failedHint: string;
}

export const EXTRACT_JOB: JobWording = {
	noun: 'Extraction job',
	resume: (jobId) =>
		`Resume with Extract Job › Wait for Completion and Job ID ${jobId}, or raise Wait Timeout, or set On Timeout to output the pending job.`,
	cancelledHint:
		'The job was cancelled before it finished. Start a new job (Extract Data or Extract Job › Create) to extract this document.',
	failedHint:
		'LlamaCloud could not extract this document. Check that the file is a readable document and that the schema fits it; the job ID is kept for support.',
};

export const V1_JOB: JobWording = {
	noun: 'v1 extraction job',
	resume: (jobId) => `Read it later with Legacy Agent (V1) › Get Result and Job ID ${jobId}, or raise Wait Timeout.`,
	cancelledHint: 'The job was cancelled before it finished. Run the job again to extract this document.',
	failedHint:
		'LlamaExtract could not extract this document. Check that the file is readable and fits the agent’s schema; the job ID is kept for support.',
};

export interface JobState {
	id: string;
	status: string;
}

/** A job that ended without a result (failed or cancelled). */
export function endedJobError(
	ctx: IExecuteFunctions,
	job: JobState,
	reason: string | null | undefined,
	itemIndex: number,
	wording: JobWording,
): NodeOperationError {
	const error = new NodeOperationError(ctx.getNode(), `${wording.noun} ${job.id} ended ${job.status}${reason ? `: ${reason}` : ''}`, {
		itemIndex,
		description: job.status === 'CANCELLED' ? wording.cancelledHint : wording.failedHint,
	});
	return attachJobId(error, job.id);
}

/** A job still running at Wait Timeout, with On Timeout set to Fail. */
export function jobTimeoutError(
	ctx: IExecuteFunctions,
	job: JobState,
	itemIndex: number,
	timeoutMs: number,
	wording: JobWording,
): NodeOperationError {
	const error = new NodeOperationError(
		ctx.getNode(),
		`${wording.noun} ${job.id} is still ${job.status} after ${Math.round(timeoutMs / 1000)} s`,
		{ itemIndex, description: `The job keeps running in LlamaCloud. ${wording.resume(job.id)}` },
	);
	return attachJobId(error, job.id);
}

export interface WaitEnd {
	job: JobState;
	timedOut: boolean;
	/** For a job that ended: whether it has a result to output. */
	succeeded: boolean;
	/** The server's reason for a failure. */
	reason?: string | null;
}

/**
 * Settles a wait: throws for a job that ended without a result, or that timed out with On Timeout = Fail.
 * Returns `pending` (output the job as it is) or `succeeded` (output its result).
 */
export function settleJob(
	ctx: IExecuteFunctions,
	end: WaitEnd,
	settings: { itemIndex: number; timeoutMs: number; onTimeout: unknown; wording: JobWording },
): 'pending' | 'succeeded' {
	const { itemIndex, timeoutMs, wording } = settings;
	if (end.timedOut) {
		if (settings.onTimeout === 'error') throw jobTimeoutError(ctx, end.job, itemIndex, timeoutMs, wording);
		return 'pending';
	}
	if (!end.succeeded) throw endedJobError(ctx, end.job, end.reason, itemIndex, wording);
	return 'succeeded';
}

/**
 * Completed jobs that asked for citations or confidence need `extract_metadata`; when the status poll did not
 * carry it, one GET with `expand=extract_metadata` fetches it.
 */
export async function withFieldMetadata(
	client: LlamaCloudClient,
	job: ExtractV2Job,
	itemIndex: number,
	requested?: ExtractConfiguration,
): Promise<ExtractV2Job> {
	if (job.status !== 'COMPLETED' || job.extract_metadata?.field_metadata) return job;
	if (!wantsFieldMetadata(requested ?? job.configuration)) return job;
	const full = await client.getJob(job.id, { expand: ['extract_metadata'], itemIndex });
	return { ...job, ...full, configuration: full.configuration ?? job.configuration ?? requested };
}

/**
 * Extract Data and Wait for Completion: waits for a v2 job on the shared poll, settles it and shapes its items.
 * Errors keep the job ID.
 */
export async function waitForJobItems(
	this: IExecuteFunctions,
	client: LlamaCloudClient,
	waiter: BatchJobWaiter,
	started: ExtractV2Job,
	settings: {
		itemIndex: number;
		timeoutMs: number;
		options: IDataObject;
		/** The configuration the node sent (Extract Data), to know whether citations or confidence were asked for. */
		requested?: ExtractConfiguration;
		/** A job fetched with its configuration (Wait for Completion): kept when the poll leaves it out. */
		knownConfiguration?: boolean;
	},
): Promise<INodeExecutionData[]> {
	const { itemIndex, timeoutMs, options, requested } = settings;
	const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
	try {
		// Citations and confidence ride on the shared status poll instead of one more GET per job.
		const outcome = await waiter.wait(started, itemIndex, timeoutMs, wantsFieldMetadata(requested) ? ['extract_metadata'] : []);
		let job = settings.knownConfiguration
			? { ...outcome.job, configuration: outcome.job.configuration ?? started.configuration }
			: outcome.job;
		const end = { job, timedOut: outcome.kind === 'timeout', succeeded: job.status === 'COMPLETED', reason: job.error_message };
		settleJob(this, end, { itemIndex, timeoutMs, onTimeout: options.onTimeout, wording: EXTRACT_JOB });
		job = await withFieldMetadata(client, job, itemIndex, requested);
		return jobOutputItems.call(this, job, itemIndex, {
			simplify,
			splitIntoItems: options.splitIntoItems === true,
			keepBinary: options.keepBinary !== false,
			// Credits are estimated from the tier the node sent (nodes/shared/usage.ts).
			tier: requested ? (requested.tier ?? DEFAULT_TIER) : undefined,
		});
	} catch (error) {
		throw attachJobId(error, started.id);
	}
}
