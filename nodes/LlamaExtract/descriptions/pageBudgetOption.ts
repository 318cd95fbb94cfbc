/**
 * Extract Data › Options › Max Pages per Run and its reader. The check before each upload is in
 * actions/pageBudgetCheck.ts; nodes/shared/pageBudget.ts holds the counting and the budget.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';


export const maxPagesPerRunOption: INodeProperties = {
	displayName: 'Max Pages per Run',
	name: 'maxPagesPerRun',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 0,
	description:
		'Stop submitting documents once this many pages were sent in one execution, a guard against a runaway loop. PDF pages are counted before upload; a document whose pages cannot be read counts as one page. 0 means no limit.',
};

/** The run's limit (from the first item, like Max Concurrent Jobs); 0 or empty: none. */
export function readMaxPages(this: IExecuteFunctions): number {
	const raw = (this.getNodeParameter('options', 0, {}) as IDataObject).maxPagesPerRun;
	if (raw === undefined || raw === null || raw === '') return 0;
	const value = Number(raw);
	if (typeof raw === 'boolean' || !Number.isFinite(value) || value < 0) {
		throw new NodeOperationError(
			this.getNode(),
			`The "Max Pages per Run" option on item 0 must be a whole number of 0 or more, but it is ${JSON.stringify(raw)}`,
			{ itemIndex: 0, description: 'Set Options › Max Pages per Run to a number of pages, or 0 for no limit.' },
		);
	}
	return Math.floor(value);
}
