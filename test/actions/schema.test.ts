/** Schema › Validate and Generate against the emulator. */
import { makeInvoicePdf, SAMPLE_INVOICES } from '../../emulator/samples';
import type { Json } from '../harness/api';
import { useEmulator } from '../harness/emulator';
import { binaryItem } from '../harness/n8n';

const rig = useEmulator({ jobMs: 120, resetBeforeEach: false });

describe('Schema › Validate', () => {
	test('a valid schema comes back normalized ($ref inlined) with valid: true', async () => {
		const { items, error } = await rig.run({
			resource: 'schema',
			operation: 'validate',
			schemaSource: 'jsonSchema',
			jsonSchema: JSON.stringify({
				type: 'object',
				$defs: { money: { type: 'number', description: 'An amount' } },
				properties: { total: { $ref: '#/$defs/money' } },
			}),
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toEqual({
			valid: true,
			data_schema: { type: 'object', properties: { total: { type: 'number', description: 'An amount' } } },
		});
	});

	test('a schema the server rejects gives valid: false with its reasons instead of failing the run', async () => {
		const { items, error } = await rig.run({
			resource: 'schema',
			operation: 'validate',
			schemaSource: 'jsonSchema',
			jsonSchema: JSON.stringify({ type: 'array', items: { type: 'string' } }),
		});
		expect(error).toBeUndefined();
		expect(items[0].json.valid).toBe(false);
		expect(items[0].json.errors).toEqual([
			expect.objectContaining({ path: 'type', message: expect.stringContaining('type "object"') }),
		]);
	});

	test('Fields are validated too; text that is not JSON is an error naming the parameter', async () => {
		const fromFields = await rig.run({
			resource: 'schema',
			operation: 'validate',
			schemaSource: 'fields',
			fields: { field: [{ name: 'total', type: 'number' }] },
		});
		expect(fromFields.items[0].json).toEqual({ valid: true, data_schema: { type: 'object', properties: { total: { type: 'number' } } } });
		const broken = await rig.run({ resource: 'schema', operation: 'validate', schemaSource: 'jsonSchema', jsonSchema: '{"type": ' });
		expect(broken.error?.message).toBe('The "JSON Schema" parameter on item 0 is not valid JSON');
	});
});

describe('Schema › Generate', () => {
	test('from a prompt: a ready configuration, not saved', async () => {
		const { items, error } = await rig.run({
			resource: 'schema',
			operation: 'generate',
			prompt: 'vendor name, invoice number and total amount',
			inputType: 'none',
		});
		expect(error).toBeUndefined();
		const json = items[0].json as Json;
		expect(json.saved).toBe(false);
		expect(json.parameters.product_type).toBe('extract_v2');
		expect(Object.keys(json.parameters.data_schema.properties).length).toBeGreaterThan(0);
		expect((await rig.api.get('/api/v1/beta/configurations', { query: { product_type: 'extract_v2' } })).body.items).toHaveLength(0);
	});

	test('from an example file (binary, uploaded first), saved under a name', async () => {
		const pdf = await makeInvoicePdf(SAMPLE_INVOICES[0]);
		const { items, error } = await rig.run(
			{
				resource: 'schema',
				operation: 'generate',
				inputType: 'binary',
				binaryPropertyName: 'data',
				options: { name: 'from-example', save: true },
			},
			[binaryItem(pdf, 'sample.pdf', 'application/pdf')],
		);
		expect(error).toBeUndefined();
		const json = items[0].json as Json;
		expect(json).toMatchObject({ saved: true, name: 'from-example', product_type: 'extract_v2' });
		expect(json.id).toMatch(/^cfg-/);
		const stored = await rig.api.get(`/api/v1/beta/configurations/${json.id}`);
		expect(stored.body.parameters.data_schema).toEqual(json.parameters.data_schema);
		expect(Object.keys(json.parameters.data_schema.properties)).toEqual(expect.arrayContaining(['total']));
	});

	test('neither prompt nor file is caught before any request', async () => {
		rig.emulator.resetStats();
		const { error } = await rig.run({ resource: 'schema', operation: 'generate', prompt: ' ', inputType: 'none' });
		expect(error?.message).toBe('Nothing to generate a schema from on item 0');
		expect(rig.emulator.stats().total).toBe(0);
	});
});
