/**
 * The legacy v1 Extract wire contract (`/api/v1/extraction/*`, API.md §14), beside the v2 one in contract.ts and
 * under the same rules (passthrough objects, zod APIs shared by zod 3.25 and 4). v1 IDs are bare UUIDs.
 */
import { z } from 'zod';

import { jsonObject, WebhookConfiguration, wireObject } from './contract';

export const V1_FINAL_STATUSES: readonly string[] = ['SUCCESS', 'ERROR', 'PARTIAL_SUCCESS', 'CANCELLED'];

/** The v1 `ExtractConfig` enums: the node's Agent Settings offer them, the emulator refuses anything else. */
export const V1_EXTRACTION_MODES = ['FAST', 'BALANCED', 'PREMIUM', 'MULTIMODAL'] as const;
export const V1_EXTRACTION_TARGETS = ['PER_DOC', 'PER_PAGE', 'PER_TABLE_ROW'] as const;
export const V1_CHUNK_MODES = ['PAGE', 'SECTION'] as const;

export const V1ExtractConfig = wireObject({
	extraction_mode: z.string().optional(),
	extraction_target: z.string().optional(),
	chunk_mode: z.string().optional(),
	system_prompt: z.string().nullable().optional(),
	use_reasoning: z.boolean().optional(),
	cite_sources: z.boolean().optional(),
	confidence_scores: z.boolean().optional(),
	page_range: z.string().nullable().optional(),
});

export const V1ExtractAgent = wireObject({
	id: z.string(),
	name: z.string(),
	project_id: z.string(),
	data_schema: z.union([jsonObject, z.string()]),
	config: V1ExtractConfig,
	created_at: z.string().nullable().optional(),
	updated_at: z.string().nullable().optional(),
});
export type V1ExtractAgent = z.infer<typeof V1ExtractAgent>;

export const V1ExtractJob = wireObject({
	id: z.string(),
	extraction_agent: V1ExtractAgent,
	status: z.string(),
	error: z.string().nullable().optional(),
	file_id: z.string().nullable().optional(),
});
export type V1ExtractJob = z.infer<typeof V1ExtractJob>;

export const V1ExtractResult = wireObject({
	run_id: z.string(),
	extraction_agent_id: z.string(),
	data: z.union([jsonObject, z.array(jsonObject)]).nullable().optional(),
	extraction_metadata: jsonObject,
});
export type V1ExtractResult = z.infer<typeof V1ExtractResult>;

/** v1 `POST /api/v1/extraction/extraction-agents` body; `data_schema` may be a JSON string. */
export const V1ExtractAgentCreate = wireObject({
	name: z.string().min(1).max(3000),
	data_schema: z.union([jsonObject, z.string()]),
	config: V1ExtractConfig,
});
export const V1ExtractAgentUpdate = wireObject({
	data_schema: z.union([jsonObject, z.string()]),
	config: V1ExtractConfig,
});

/** v1 `POST /api/v1/extraction/jobs` body. */
export const V1ExtractJobCreate = wireObject({
	extraction_agent_id: z.string(),
	file_id: z.string(),
	data_schema_override: z.union([jsonObject, z.string()]).nullable().optional(),
	config_override: V1ExtractConfig.nullable().optional(),
	priority: z.string().nullable().optional(),
	webhook_configurations: z.array(WebhookConfiguration).nullable().optional(),
});
