/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * The example workflows (examples/*.json), adapted to one test instance: the credential they reference and the
 * folder the batch example reads.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { EXAMPLES_DIR } from './runtimes';

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	webhookId?: string;
}

export interface WorkflowJson {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	[key: string]: unknown;
}

/** The ids of the example workflows. */
export const EXAMPLE_IDS = {
	email: 'llxEmailToJson',
	batch: 'llxFolderBatch',
	trigger: 'llxJobTrigger',
} as const;

/** The credential id and name the examples reference. */
export const EXAMPLE_CREDENTIAL = { id: 'llxCloudCredential', name: 'LlamaCloud account' };

export function readWorkflow(file: string): WorkflowJson {
	return JSON.parse(readFileSync(file, 'utf8')) as WorkflowJson;
}

export function exampleWorkflows(): WorkflowJson[] {
	return readdirSync(EXAMPLES_DIR)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((f) => readWorkflow(path.join(EXAMPLES_DIR, f)));
}

/** Points every LlamaCloud credential reference of the workflow at `credential`. */
export function useCredential(workflow: WorkflowJson, credential: { id: string; name: string }): WorkflowJson {
	for (const node of workflow.nodes) {
		if (node.credentials?.llamaCloudApi) node.credentials.llamaCloudApi = { ...credential };
	}
	return workflow;
}

/**
 * Copies the examples into `dir` (one JSON per workflow, for `import:workflow --separate`) with the batch
 * example reading `<filesDir>/invoices/*.pdf`, and copies the sample PDFs into `filesDir`.
 */
export function stageExamples(dir: string, filesDir: string): WorkflowJson[] {
	mkdirSync(dir, { recursive: true });
	mkdirSync(filesDir, { recursive: true });
	cpSync(path.join(EXAMPLES_DIR, 'files'), filesDir, { recursive: true });
	const workflows = exampleWorkflows();
	for (const workflow of workflows) {
		for (const node of workflow.nodes) {
			if (node.type === 'n8n-nodes-base.readWriteFile' && typeof node.parameters.fileSelector === 'string') {
				node.parameters.fileSelector = path.join(filesDir, 'invoices', '*.pdf');
			}
		}
		writeFileSync(path.join(dir, `${workflow.id}.json`), JSON.stringify(workflow, null, '\t'));
	}
	return workflows;
}

/** Writes one workflow to a file for `import:workflow`. */
export function writeWorkflow(dir: string, workflow: WorkflowJson): string {
	mkdirSync(dir, { recursive: true });
	const file = path.join(dir, `${workflow.id}.json`);
	writeFileSync(file, JSON.stringify(workflow, null, '\t'));
	return file;
}
