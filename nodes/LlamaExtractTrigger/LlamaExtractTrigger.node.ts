import type {
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { searchConfigurations } from '../shared/configurationPicker';
import { pollForJobs } from './poll';
import { httpJobSource } from './source';
import { triggerProperties } from './properties';

export class LlamaExtractTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'LlamaExtract Trigger',
		name: 'llamaExtractTrigger',
		icon: {
			light: 'file:../../icons/llamaextract.svg',
			dark: 'file:../../icons/llamaextract.dark.svg',
		},
		group: ['trigger'],
		// Version 2: Configuration is one of the Filters (version 1 keeps it as its own parameter).
		version: [1, 2],
		defaultVersion: 2,
		subtitle:
			'={{ {"any": "Any Final Status", "cancelled": "Job Cancelled", "completed": "Job Completed", "failed": "Job Failed"}[$parameter["event"]] }}',
		// n8n's node panel lists the node and its trigger as one "LlamaExtract" entry with this description, under
		// triggers and under "What happens next?" alike, so it speaks for both.
		description:
			'Extract structured JSON from documents with LlamaCloud, or start a workflow when an extraction job finishes',
		documentationUrl: 'https://github.com/n8n-nodes-llamaextract/n8n-nodes-llamaextract#llamaextract-trigger',
		defaults: { name: 'LlamaExtract Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'llamaCloudApi', required: true }],
		properties: triggerProperties,
	};

	methods = { listSearch: { searchConfigurations } };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollForJobs.call(this, { source: httpJobSource(this) });
	}
}
