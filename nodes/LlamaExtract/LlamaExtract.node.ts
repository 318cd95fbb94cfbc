import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { resourceProperties } from './actions/resources';
import { router } from './actions/router';
import { searchAgents, searchConfigurations } from './methods/listSearch';

/** "resource:operation" → the operation's name as the Operation dropdown shows it, for the canvas subtitle. */
const OPERATION_NAMES: Record<string, string> = {};
for (const property of resourceProperties) {
	if (property.name !== 'operation') continue;
	for (const resource of (property.displayOptions?.show?.resource ?? []) as string[]) {
		for (const option of property.options ?? []) {
			if ('value' in option) OPERATION_NAMES[`${resource}:${String(option.value)}`] = option.name;
		}
	}
}

/** The outputs for the node's parameters: [Passed, Needs Review] while Route for Review is on, else one. */
const REVIEW_OUTPUTS =
	'$parameter.resource === "extractJob" && $parameter.operation === "extract" && ($parameter.options || {}).routeForReview === true' +
	' ? [{ "type": "main", "displayName": "Passed" }, { "type": "main", "displayName": "Needs Review" }] : ["main"]';

export class LlamaExtract implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'LlamaExtract',
		name: 'llamaExtract',
		icon: { light: 'file:../../icons/llamaextract.svg', dark: 'file:../../icons/llamaextract.dark.svg' },
		group: ['transform'],
		// Version 2: Schema Source starts on Fields (version 1 keeps JSON Schema, which its saved workflows rely on).
		version: [1, 2],
		defaultVersion: 2,
		subtitle: `={{ ${JSON.stringify(OPERATION_NAMES)}[$parameter["resource"] + ":" + $parameter["operation"]] }}`,
		description: 'Extract structured JSON from PDFs, images and Office files with LlamaCloud LlamaExtract',
		// Used as is; n8n appends tracking parameters to the codex link, which would break its #anchor.
		documentationUrl: 'https://github.com/n8n-nodes-llamaextract/n8n-nodes-llamaextract#llamaextract-node',
		defaults: { name: 'LlamaExtract' },
		usableAsTool: true,
		// Read by n8n's AI workflow builder (n8n 2.x; older versions ignore it).
		builderHint: {
			searchHint:
				'Extract structured JSON fields (invoice totals, dates, names) from a PDF, image or Office document by file ID, URL or binary. As an AI Agent tool, set File ID or Document URL with $fromAI; it answers with the fields and the job ID.',
			relatedNodes: [
				{ nodeType: '@n8n/n8n-nodes-langchain.agent', relationHint: 'Use LlamaExtract as a tool so the agent can read documents' },
				{ nodeType: 'n8n-nodes-base.form', relationHint: 'Let a person confirm fields routed to Needs Review' },
			],
		},
		inputs: [NodeConnectionTypes.Main],
		// Extract Data › Route for Review adds a second output, Needs Review (actions/extractJob/review.ts).
		outputs: `={{ ${REVIEW_OUTPUTS} }}`,
		credentials: [{ name: 'llamaCloudApi', required: true }],
		properties: resourceProperties,
	};

	methods = { listSearch: { searchAgents, searchConfigurations } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
