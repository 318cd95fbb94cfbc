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
		version: 1,
		subtitle:
			'={{ {"any": "Any Final Status", "cancelled": "Job Cancelled", "completed": "Job Completed", "failed": "Job Failed"}[$parameter["event"]] }}',
		description:
			'Starts the workflow when a LlamaCloud LlamaExtract job completes, fails or is cancelled',
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
