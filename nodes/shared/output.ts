/**
 * Shaping jobs into n8n items. Simplified output puts the extracted fields at the top of the item, where
 * expressions and IF nodes reach them directly, and keeps the job facts under `_llamaextract`.
 */
import type { IDataObject } from 'n8n-workflow';

import type { ExtractV2Job } from './contract';

export interface JobSummary extends IDataObject {
	job_id: string;
	file_id: string;
	status: string;
	usage: IDataObject | null;
	error_message?: string | null;
}

export function summarizeJob(job: ExtractV2Job): JobSummary {
	const usage = (job.usage ?? job.metadata?.usage ?? null) as IDataObject | null;
	const summary: JobSummary = {
		job_id: job.id,
		file_id: job.file_input,
		status: job.status,
		usage,
	};
	if (job.error_message) summary.error_message = job.error_message;
	return summary;
}

/** `extract_result` fields at the top level plus `_llamaextract`; a list result goes under `data`. */
export function simplifyJob(job: ExtractV2Job): IDataObject {
	const result = job.extract_result;
	const fields: IDataObject = Array.isArray(result)
		? { data: result as IDataObject[] }
		: { ...((result as IDataObject | null | undefined) ?? {}) };
	fields._llamaextract = summarizeJob(job);
	return fields;
}

export function jobToJson(job: ExtractV2Job, simplify: boolean): IDataObject {
	return simplify ? simplifyJob(job) : (job as IDataObject);
}
