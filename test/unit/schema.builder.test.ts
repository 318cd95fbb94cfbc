/** The no-code Fields builder and JSON-example inference: pure functions from what the user typed to JSON Schema. */
import {
	buildSchemaFromFields,
	inferSchemaFromExample,
	MAX_SCHEMA_DEPTH,
	type FieldDefinition,
	type SchemaResult,
} from '../../nodes/shared/schema';

function schemaOf(result: SchemaResult) {
	if ('problem' in result) throw new Error(`unexpected problem: ${result.problem.message}`);
	return result.schema;
}

function problemOf(result: SchemaResult) {
	if (!('problem' in result)) throw new Error(`expected a problem, got ${JSON.stringify(result.schema)}`);
	return result.problem;
}

describe('buildSchemaFromFields', () => {
	test('each field type maps to its JSON Schema, with descriptions and required', () => {
		const fields: FieldDefinition[] = [
			{ name: 'vendor', type: 'string', description: ' Company that issued the invoice ', required: true },
			{ name: 'total', type: 'number', required: true },
			{ name: 'page_count', type: 'integer' },
			{ name: 'paid', type: 'boolean' },
			{ name: 'invoice_date', type: 'date', description: 'Date of issue' },
			{ name: 'emails', type: 'arrayOfStrings' },
		];
		expect(schemaOf(buildSchemaFromFields(fields))).toEqual({
			type: 'object',
			properties: {
				vendor: { type: 'string', description: 'Company that issued the invoice' },
				total: { type: 'number' },
				page_count: { type: 'integer' },
				paid: { type: 'boolean' },
				invoice_date: { type: 'string', format: 'date', description: 'Date of issue' },
				emails: { type: 'array', items: { type: 'string' } },
			},
			required: ['vendor', 'total'],
		});
	});

	test('object and array-of-objects fields nest their sub-fields, with their own required list', () => {
		const fields: FieldDefinition[] = [
			{
				name: 'address',
				type: 'object',
				description: 'Billing address',
				fields: [
					{ name: 'street', type: 'string' },
					{ name: 'city', type: 'string', required: true },
				],
			},
			{
				name: 'line_items',
				type: 'arrayOfObjects',
				fields: [
					{ name: 'description', type: 'string', required: true },
					{ name: 'amount', type: 'number' },
				],
			},
		];
		expect(schemaOf(buildSchemaFromFields(fields))).toEqual({
			type: 'object',
			properties: {
				address: {
					type: 'object',
					description: 'Billing address',
					properties: { street: { type: 'string' }, city: { type: 'string' } },
					required: ['city'],
				},
				line_items: {
					type: 'array',
					items: {
						type: 'object',
						properties: { description: { type: 'string' }, amount: { type: 'number' } },
						required: ['description'],
					},
				},
			},
		});
	});

	test('no fields, a missing name, a duplicate, a bad name or an unknown type are problems that say what to fix', () => {
		expect(problemOf(buildSchemaFromFields([])).message).toBe('has no fields');
		expect(problemOf(buildSchemaFromFields([{ name: '  ', type: 'string' }])).message).toBe('field #1 has no name');
		expect(
			problemOf(buildSchemaFromFields([{ name: 'a', type: 'string' }, { name: 'a', type: 'number' }])).message,
		).toBe('field "a" appears twice');
		expect(problemOf(buildSchemaFromFields([{ name: 'bad.name', type: 'string' }])).message).toBe(
			'field name "bad.name" is not valid',
		);
		const unknown = problemOf(buildSchemaFromFields([{ name: 'x', type: 'money' }]));
		expect(unknown.message).toBe('field "x" has the unknown type "money"');
		expect(unknown.hint).toContain('arrayOfObjects');
	});

	test('an object without sub-fields, or a duplicate sub-field, names the path', () => {
		const empty = problemOf(buildSchemaFromFields([{ name: 'items', type: 'arrayOfObjects', fields: [] }]));
		expect(empty.message).toBe('field "items" is a list of objects without sub-fields');
		expect(empty.path).toBe('items');
		const duplicate = problemOf(
			buildSchemaFromFields([
				{
					name: 'address',
					type: 'object',
					fields: [
						{ name: 'city', type: 'string' },
						{ name: 'city', type: 'string' },
					],
				},
			]),
		);
		expect(duplicate.message).toBe('field "city" appears twice in address');
		expect(duplicate.path).toBe('address › city');
	});

	test('names with spaces and non-Latin letters are kept as keys', () => {
		const schema = schemaOf(buildSchemaFromFields([{ name: 'Rechnungs Nummer', type: 'string' }, { name: 'número', type: 'string' }]));
		expect(Object.keys(schema.properties as object)).toEqual(['Rechnungs Nummer', 'número']);
	});
});

describe('inferSchemaFromExample', () => {
	test('infers types, dates, nested objects and lists of objects (union of their keys)', () => {
		const example = {
			vendor: 'ACME Corp',
			invoice_date: '2026-01-31',
			issued_at: '2026-01-31T10:00:00Z',
			total: 100,
			tax_rate: 0.2,
			paid: false,
			notes: null,
			tags: ['urgent', 'q1'],
			empty_list: [],
			address: { city: 'Berlin', zip: '10115' },
			line_items: [
				{ description: 'Widget', quantity: 2 },
				{ description: 'Gadget', amount: 12.5 },
			],
		};
		expect(schemaOf(inferSchemaFromExample(example))).toEqual({
			type: 'object',
			properties: {
				vendor: { type: 'string' },
				invoice_date: { type: 'string', format: 'date' },
				issued_at: { type: 'string' },
				total: { type: 'number' },
				tax_rate: { type: 'number' },
				paid: { type: 'boolean' },
				notes: { type: 'string' },
				tags: { type: 'array', items: { type: 'string' } },
				empty_list: { type: 'array', items: { type: 'string' } },
				address: { type: 'object', properties: { city: { type: 'string' }, zip: { type: 'string' } } },
				line_items: {
					type: 'array',
					items: {
						type: 'object',
						properties: {
							description: { type: 'string' },
							quantity: { type: 'number' },
							amount: { type: 'number' },
						},
					},
				},
			},
		});
	});

	test('a null seen first in a list of objects does not hide a later typed value', () => {
		const schema = schemaOf(inferSchemaFromExample({ rows: [{ a: null }, { a: 3 }] }));
		expect(schema).toEqual({
			type: 'object',
			properties: { rows: { type: 'array', items: { type: 'object', properties: { a: { type: 'number' } } } } },
		});
	});

	test('a list at the root, a scalar, an empty object or a mixed list are problems with a hint', () => {
		expect(problemOf(inferSchemaFromExample([{ a: 1 }])).hint).toContain('Per Table Row');
		expect(problemOf(inferSchemaFromExample('text')).message).toBe('is not a JSON object');
		expect(problemOf(inferSchemaFromExample({})).message).toBe('has no fields');
		const mixed = problemOf(inferSchemaFromExample({ list: [{ a: 1 }, 2] }));
		expect(mixed.message).toContain('mixes objects and plain values');
		expect(mixed.path).toBe('list');
	});

	test(`an example nested deeper than ${MAX_SCHEMA_DEPTH} levels is refused with LlamaExtract's limit`, () => {
		let deep: Record<string, unknown> = { leaf: 'x' };
		for (let level = 0; level < MAX_SCHEMA_DEPTH; level++) deep = { level: deep };
		expect(problemOf(inferSchemaFromExample(deep)).message).toContain(`at most ${MAX_SCHEMA_DEPTH}`);
	});
});
