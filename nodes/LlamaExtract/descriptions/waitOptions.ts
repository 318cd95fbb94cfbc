import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** Options for operations that wait for a job to finish: the timeout, then what happens when it is reached. */
export const waitOptions: INodeProperties[] = [
	{
		displayName: 'Wait Timeout (Seconds)',
		name: 'waitTimeout',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 900,
		description: 'How long to wait for each job before On Timeout applies',
	},
	{
		displayName: 'On Timeout',
		name: 'onTimeout',
		type: 'options',
		options: [
			{
				name: 'Output the Pending Job',
				value: 'output',
				description: 'Output the job with its ID and status, so a later step can wait for it again',
			},
			{
				name: 'Fail',
				value: 'error',
				description: 'Stop with an error that names the job ID to resume with',
			},
		],
		default: 'output',
		description: 'What to do when the job is still running after Wait Timeout. The job ID is kept either way.',
	},
];

export function readWaitTimeoutMs(this: IExecuteFunctions, itemIndex: number, options: IDataObject): number {
	const seconds = options.waitTimeout === undefined ? 900 : Number(options.waitTimeout);
	if (!Number.isFinite(seconds) || seconds <= 0) {
		throw new NodeOperationError(
			this.getNode(),
			`Wait Timeout on item ${itemIndex} must be a positive number of seconds (got ${JSON.stringify(options.waitTimeout)})`,
			{ itemIndex, description: 'Enter how many seconds to wait for the job, for example 900.' },
		);
	}
	return seconds * 1000;
}
