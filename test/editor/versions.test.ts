/**
 * What the editor shows and what saved workflows mean across the node versions: n8n fills in defaults per
 * typeVersion (NodeHelpers.getNodeParameters, as the editor and the Workflow class do), so version 2's defaults
 * must not change what a version 1 workflow, saved without the parameters it left at their defaults, does.
 */
import type { IDataObject, INode, INodeParameters } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { LlamaExtract } from '../../nodes/LlamaExtract/LlamaExtract.node';
import { LlamaExtractTrigger } from '../../nodes/LlamaExtractTrigger/LlamaExtractTrigger.node';
import { seedInPast, useEmulator } from '../harness/emulator';
import { buildWorkflow } from '../harness/n8n';
import { jobIdOf, TriggerRig, triggerNode } from '../harness/trigger';

const llamaExtract = new LlamaExtract();

function node(typeVersion: number, parameters: INodeParameters): INode {
	return {
		id: 'n',
		name: 'LlamaExtract',
		type: 'n8n-nodes-llamaextract.llamaExtract',
		typeVersion,
		position: [0, 0],
		parameters,
	};
}

/** The parameters n8n works with for a node saved with `saved` (defaults filled in for its version). */
function effectiveParameters(typeVersion: number, saved: INodeParameters): INodeParameters {
	const withDefaults = NodeHelpers.getNodeParameters(
		llamaExtract.description.properties,
		saved,
		true,
		false,
		node(typeVersion, saved),
		llamaExtract.description,
	);
	return withDefaults ?? {};
}

describe('Schema Source default per version', () => {
	test('a new node (version 2, the default version) starts on the Fields builder', () => {
		expect(llamaExtract.description.defaultVersion).toBe(2);
		expect(effectiveParameters(2, {}).schemaSource).toBe('fields');
	});

	test('a version 1 node saved without Schema Source keeps reading its JSON Schema', () => {
		const saved = { jsonSchema: '{"type":"object","properties":{"total":{"type":"number"}}}' };
		const parameters = effectiveParameters(1, saved);
		expect(parameters.schemaSource).toBe('jsonSchema');
		expect(parameters.jsonSchema).toBe(saved.jsonSchema);
	});

	test('update operations start on Keep Current Schema in both versions', () => {
		for (const version of [1, 2]) {
			expect(effectiveParameters(version, { resource: 'configuration', operation: 'update' }).schemaSource).toBe('keep');
			expect(effectiveParameters(version, { resource: 'legacyAgent', operation: 'update' }).schemaSource).toBe('keep');
		}
	});
});

describe('canvas subtitle', () => {
	test('reads the operation as the Operation dropdown names it, not its internal value', () => {
		const subtitleOf = (parameters: INodeParameters) => {
			const saved = node(2, parameters);
			const workflow = buildWorkflow([saved]);
			const filled = workflow.getNode('LlamaExtract')!;
			filled.parameters = effectiveParameters(2, parameters);
			return workflow.expression.getSimpleParameterValue(filled, llamaExtract.description.subtitle!, 'internal', {});
		};
		expect(subtitleOf({})).toBe('Extract Data');
		expect(subtitleOf({ resource: 'extractJob', operation: 'wait' })).toBe('Wait for Completion');
		expect(subtitleOf({ resource: 'configuration', operation: 'getAll' })).toBe('Get Many');
	});
});

describe('Max Pages', () => {
	test('adding the option leaves it empty (no limit) instead of pre-filling a page count', () => {
		const settings = llamaExtract.description.properties.find((p) => p.name === 'extractSettings')!;
		const maxPages = (settings.options as Array<{ name: string; default?: unknown }>).find((o) => o.name === 'maxPages')!;
		expect(maxPages.default).toBe('');
		const first = (settings.options as Array<{ name: string }>)[0];
		expect(first.name).toBe('tier');
	});
});

describe('trigger: Configuration inside Filters (version 2)', () => {
	const running = useEmulator();

	function rig(typeVersion: number, parameters: IDataObject): TriggerRig {
		return new TriggerRig({ ...triggerNode({ event: 'completed', ...parameters }), typeVersion }, running.credentials);
	}

	test('a new trigger defaults to version 2, whose Configuration is one of the Filters', () => {
		const trigger = new LlamaExtractTrigger();
		expect(trigger.description.defaultVersion).toBe(2);
		const filters = trigger.description.properties.filter((p) => p.name === 'filters');
		const v2 = filters.find((p) => JSON.stringify(p.displayOptions).includes('gte'))!;
		expect((v2.options as Array<{ name: string }>).map((o) => o.name)).toEqual(['configurationId', 'fileInput']);
	});

	test('version 2 filters by Filters › Configuration; version 1 still by its own Configuration parameter', async () => {
		const configuration = { __rl: true, mode: 'id', value: 'cfg-invoices' };
		const v2 = rig(2, { filters: { configurationId: configuration } });
		const v1 = rig(1, { configurationId: configuration });
		const activatedAt = Date.now();
		expect(await v2.poll()).toBeNull();
		expect(await v1.poll()).toBeNull();
		// Jobs created after activation, seeded once that is in the past (the emulator holds future ones RUNNING).
		const jobs = await seedInPast(running.emulator, [
			{ created_at: activatedAt + 1, configuration_id: 'cfg-invoices' },
			{ created_at: activatedAt + 2, configuration_id: 'cfg-receipts' },
		]);
		expect((await v2.poll())!.map(jobIdOf)).toEqual([jobs[0].id]);
		expect((await v1.poll())!.map(jobIdOf)).toEqual([jobs[0].id]);
	});
});
