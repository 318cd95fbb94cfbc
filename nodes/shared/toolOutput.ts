/**
 * What LlamaExtract returns when an AI agent calls it as a tool: the extracted fields and the job ID, nothing
 * else (no binary, no citations tree), so the answer fits in a model's context and reads at a glance.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { reviewInputOf } from './review';

/**
 * Whether this run answers an AI agent's tool call. n8n-workflow 2.x has `isToolExecution()` (true when a node runs
 * as a tool sub-node); n8n 1.x lacks it, and agents that ask the engine to run the tool mark the node with
 * `rewireOutputLogTo: 'ai_tool'`, which is what n8n itself checks.
 */
export function isToolCall(ctx: IExecuteFunctions): boolean {
	const withToolCheck = ctx as IExecuteFunctions & { isToolExecution?: () => boolean };
	if (typeof withToolCheck.isToolExecution === 'function' && withToolCheck.isToolExecution()) return true;
	return (ctx.getNode() as { rewireOutputLogTo?: string }).rewireOutputLogTo === 'ai_tool';
}

/** One item as the model sees it: `{ job_id, status, fields }`, plus review reasons or the error when there are any. */
export function compactToolItem(item: INodeExecutionData): INodeExecutionData {
	const json = item.json;
	const summary = (json._llamaextract as IDataObject | undefined) ?? {};
	const compact: IDataObject = {
		job_id: (summary.job_id ?? json.id ?? json.job_id ?? null) as string | null,
		status: (summary.status ?? json.status ?? (json.error ? 'ERROR' : null)) as string | null,
	};
	if (json.error !== undefined) {
		compact.error = json.error;
		// The hint says what to change (another file ID, a public URL), which a model can act on.
		if (json.description) compact.hint = json.description;
		return { json: compact, pairedItem: item.pairedItem };
	}
	const { fields } = reviewInputOf(json);
	compact.fields = fields;
	const review = summary.review as IDataObject | undefined;
	if (review) compact.needs_review = review.reasons;
	if (typeof summary.min_confidence === 'number') compact.min_confidence = summary.min_confidence;
	return { json: compact, pairedItem: item.pairedItem };
}
