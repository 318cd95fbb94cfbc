/* eslint-disable @n8n/community-nodes/require-node-api-error */
/**
 * Shared pieces of the performance tests: distinct invoice documents, a way to run code inside a real n8n-core
 * execution context, and interval arithmetic over the emulator's job timings.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeTypeDescription } from 'n8n-workflow';

import { makeInvoiceText, SAMPLE_INVOICES, type SampleInvoice } from '../../emulator/samples';
import { registerNodeType, runNode, type RunResult } from '../harness/n8n';

export const INVOICE_SCHEMA_LITE = {
	type: 'object',
	properties: {
		vendor: { type: 'string', description: 'Vendor name' },
		invoice_number: { type: 'string', description: 'Invoice number' },
		total: { type: 'number', description: 'Invoice total' },
	},
};

/** Extract Data from the binary field "data" with INVOICE_SCHEMA_LITE, with the given options. */
export function extractLiteParameters(options: IDataObject = {}): IDataObject {
	return {
		resource: 'extractJob',
		operation: 'extract',
		inputType: 'binary',
		binaryPropertyName: 'data',
		schemaSource: 'jsonSchema',
		jsonSchema: JSON.stringify(INVOICE_SCHEMA_LITE),
		options,
	};
}

/** Invoice number `index` of a batch; every document of a batch differs, so results show which item they belong to. */
export function batchInvoice(index: number): SampleInvoice {
	return {
		...SAMPLE_INVOICES[index % SAMPLE_INVOICES.length],
		invoiceNumber: `PERF-${1000 + index}`,
	};
}

/** A text invoice; `markers` are emulator directives such as `EMULATOR_JOB_MS=300` or `EMULATOR_FAIL`. */
export function invoiceDocument(index: number, markers: string[] = []): Buffer {
	return Buffer.from(
		`${makeInvoiceText(batchInvoice(index))}${markers.map((marker) => `${marker}\n`).join('')}`,
	);
}

/** The most intervals that overlap at any instant. */
export function maxOverlap(intervals: Array<[number, number]>): number {
	const edges = intervals.flatMap(([start, end]) => [
		[start, 1],
		[end, -1],
	]);
	// Ends before starts at the same instant: a slot freed and reused at once is not an overlap.
	edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
	let open = 0;
	let most = 0;
	for (const [, step] of edges) {
		open += step;
		most = Math.max(most, open);
	}
	return most;
}

let probeCount = 0;

/**
 * Runs `body` as the `execute` of a node inside a real WorkflowExecute, so it gets n8n-core's own
 * IExecuteFunctions (helpers, credentials, cancel signal). Returns what `body` returned and the run.
 */
export async function inExecution<T>(
	credentials: Parameters<typeof runNode>[0]['credentials'],
	body: (ctx: IExecuteFunctions) => Promise<T>,
	options: { cancelAfterMs?: number; input?: INodeExecutionData[] } = {},
): Promise<{ value?: T; thrown?: unknown } & RunResult> {
	const name = `performanceProbe${++probeCount}`;
	const outcome: { value?: T; thrown?: unknown } = {};
	registerNodeType(name, {
		description: {
			displayName: 'Performance Probe',
			name,
			group: ['transform'],
			version: 1,
			description: 'Runs test code in an execution context',
			defaults: { name: 'Performance Probe' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'llamaCloudApi', required: true }],
			properties: [],
		} as unknown as INodeTypeDescription,
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			try {
				outcome.value = await body(this);
			} catch (error) {
				outcome.thrown = error;
				throw error;
			}
			return [[{ json: {}, pairedItem: { item: 0 } }]];
		},
	});
	const run = await runNode({
		parameters: {},
		credentials,
		nodeType: `test.${name}`,
		input: options.input,
		cancelAfterMs: options.cancelAfterMs,
	});
	return { ...outcome, ...run };
}
