/**
 * Extract Data › Route for Review, through n8n-core's WorkflowExecute against the emulator: which items reach each
 * output and why, order and pairing on both, Continue On Fail, confidence asked for automatically, and the
 * outputs the node declares.
 */
import { NodeHelpers, Workflow, type INode, type INodeExecutionData, type INodeTypes } from 'n8n-workflow';

import { makeTextPdf } from '../../emulator/samples';
import { LlamaExtract } from '../../nodes/LlamaExtract/LlamaExtract.node';
import { binaryItem } from '../harness/n8n';
import type { Json } from '../harness/api';
import { useEmulator } from '../harness/emulator';

const rig = useEmulator({ jobMs: 120, resetBeforeEach: false });

/** The review document set: each line list is one PDF. */
export const REVIEW_DOCUMENTS = {
	clean: ['Vendor: Acme Ltd', 'Invoice Number: INV-1001', 'Total: 120.00'],
	// "Total Due" is only a partial label for `total`: the engine gives it 0.6-0.77 confidence.
	lowConfidence: ['Vendor: Beta GmbH', 'Invoice Number: INV-1002', 'Total Due: 99.50'],
	missingNumber: ['Vendor: Gamma Inc', 'Total: 45.00'],
	badPattern: ['Vendor: Delta SA', 'Invoice Number: X-77', 'Total: 10.00'],
};

const SCHEMA = {
	type: 'object',
	properties: {
		vendor: { type: 'string' },
		invoice_number: { type: 'string' },
		total: { type: 'number' },
	},
	required: ['invoice_number', 'total'],
};

const parameters = (options: Json = {}) => ({
	resource: 'extractJob',
	operation: 'extract',
	inputType: 'binary',
	binaryPropertyName: 'data',
	schemaSource: 'jsonSchema',
	jsonSchema: JSON.stringify(SCHEMA),
	options: { routeForReview: true, ...options },
});

async function documents(names: Array<keyof typeof REVIEW_DOCUMENTS>): Promise<INodeExecutionData[]> {
	return await Promise.all(
		names.map(async (name) => binaryItem(await makeTextPdf([REVIEW_DOCUMENTS[name]]), `${name}.pdf`, 'application/pdf', 'data', { name })),
	);
}

function outputs(result: Awaited<ReturnType<typeof rig.run>>): INodeExecutionData[][] {
	return (result.run.data.resultData.runData.LlamaExtract?.[0]?.data?.main ?? []) as INodeExecutionData[][];
}

const names = (items: INodeExecutionData[] | undefined) => (items ?? []).map((item) => item.pairedItem);

describe('Route for Review', () => {
	test('low confidence, an empty required field and a broken rule go to Needs Review, each with its reasons', async () => {
		const input = await documents(['clean', 'lowConfidence', 'missingNumber', 'badPattern', 'clean']);
		const result = await rig.run(
			parameters({ reviewRules: { rule: [{ field: 'invoice_number', check: 'pattern', pattern: '^INV-\\d+$' }] } }),
			input,
		);
		expect(result.error).toBeUndefined();
		const [passed, review] = outputs(result);
		expect(names(passed)).toEqual([{ item: 0 }, { item: 4 }]);
		expect(names(review)).toEqual([{ item: 1 }, { item: 2 }, { item: 3 }]);
		expect(passed.every((item) => (item.json._llamaextract as Json).review === undefined)).toBe(true);

		const reasons = review.map((item) => (item.json._llamaextract as Json).review.reasons);
		expect(reasons[0]).toEqual([
			{ field: 'total', value: 99.5, rule: 'confidence', confidence: expect.any(Number), threshold: 0.8 },
		]);
		expect(reasons[0][0].confidence).toBeLessThan(0.8);
		expect(reasons[1]).toEqual(
			expect.arrayContaining([
				{ field: 'invoice_number', value: null, rule: 'confidence', confidence: 0, threshold: 0.8 },
				{ field: 'invoice_number', value: null, rule: 'required' },
				{ field: 'invoice_number', value: null, rule: 'pattern', pattern: '^INV-\\d+$' },
			]),
		);
		expect(reasons[2]).toEqual([{ field: 'invoice_number', value: 'X-77', rule: 'pattern', pattern: '^INV-\\d+$' }]);
		// The fields and binary stay on routed items, so a person can check them against the document.
		expect(review[0].json).toMatchObject({ vendor: 'Beta GmbH', total: 99.5 });
		expect(review[0].binary?.data).toBeDefined();
	});

	test('confidence scores are requested automatically, and the threshold and required fields are the user’s', async () => {
		const input = await documents(['lowConfidence', 'clean']);
		const result = await rig.run(parameters({ reviewThreshold: 0.5, reviewRequiredFields: 'vendor, missing_field' }), input);
		const [passed, review] = outputs(result);
		const jobId = (passed[0] ?? review[0]).json._llamaextract as Json;
		expect((await rig.api.receivedConfiguration(jobId.job_id)).confidence_scores).toBe(true);
		// Threshold 0.5: the partial "Total Due" label passes; the named field that is not in the schema is empty for both.
		expect(review.map((item) => (item.json._llamaextract as Json).review.reasons)).toEqual([
			[{ field: 'missing_field', value: null, rule: 'required' }],
			[{ field: 'missing_field', value: null, rule: 'required' }],
		]);
		expect(passed).toEqual([]);
	});

	test('Continue On Fail: an error item stays on the first output in its place; order and pairing hold', async () => {
		const input = await documents(['lowConfidence', 'clean', 'clean']);
		input[1] = { json: { name: 'no binary' } };
		const result = await rig.run(parameters(), input, { onError: 'continueRegularOutput' });
		const [passed, review] = outputs(result);
		expect(names(passed)).toEqual([{ item: 1 }, { item: 2 }]);
		expect(passed[0].json.error).toEqual(expect.any(String));
		expect(names(review)).toEqual([{ item: 0 }]);
	});

	test('a threshold outside 0-1 fails the item before its document is sent', async () => {
		const result = await rig.run(parameters({ reviewThreshold: 3 }), await documents(['clean']));
		expect(result.error?.message).toBe('The "Review: Confidence Threshold" option on item 0 must be a number from 0 to 1, but it is 3');
	});

	test('a pattern that does not compile is refused by name', async () => {
		const result = await rig.run(
			parameters({ reviewRules: { rule: [{ field: 'vendor', check: 'pattern', pattern: '([' }] } }),
			await documents(['clean']),
		);
		expect(result.error?.message).toMatch(/^The review pattern for field "vendor" on item 0 is not a valid regular expression/);
	});

	test('without the option the node has one output and no review data', async () => {
		const result = await rig.run({ ...parameters(), options: {} }, await documents(['lowConfidence']));
		const all = outputs(result);
		expect(all).toHaveLength(1);
		expect((all[0][0].json._llamaextract as Json).review).toBeUndefined();
	});

	test('the declared outputs follow the option: Passed and Needs Review only while it is on', () => {
		const description = new LlamaExtract().description;
		const nodeTypes = { getByName: () => ({ description }), getByNameAndVersion: () => ({ description }), getKnownTypes: () => ({}) };
		const outputsFor = (options: Json, operation = 'extract') => {
			const node = { parameters: { resource: 'extractJob', operation, options }, name: 'x', type: 'x', typeVersion: 1, position: [0, 0] } as unknown as INode;
			const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: nodeTypes as unknown as INodeTypes });
			return NodeHelpers.getNodeOutputs(workflow, node, description);
		};
		expect(outputsFor({ routeForReview: true })).toEqual([
			{ type: 'main', displayName: 'Passed' },
			{ type: 'main', displayName: 'Needs Review' },
		]);
		expect(outputsFor({})).toEqual(['main']);
		expect(outputsFor({ routeForReview: true }, 'get')).toEqual(['main']);
	});
});
