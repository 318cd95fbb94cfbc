/**
 * The node and the emulator judge LlamaCloud's rules the same way (nodes/shared/rules.ts). Each case goes to the
 * node's validator and, over HTTP, to the emulator's request validation; both must accept it or both refuse it.
 * A few cases also run through the node in a real workflow, to show the node applies the rule it is judged by here.
 */
import { US_BASE_URL, EU_BASE_URL } from '../../credentials/LlamaCloudApi.credentials';
import { MAX_EXTRACT_BYTES, MAX_UPLOAD_BYTES } from '../../nodes/shared/fileChecks';
import { findSchemaProblem } from '../../nodes/shared/schema';
import { EXTRACTION_TARGETS, PARSE_TIERS, TIERS } from '../../nodes/shared/contract';
import {
	checkId,
	EXTRACTION_TARGET_CHOICES,
	LIMITS,
	measureSchema,
	parseTargetPages,
	PARSE_TIER_CHOICES,
	REGION_BASE_URLS,
	regionOfBaseUrl,
	TIER_CHOICES,
	type IdKindName,
} from '../../nodes/shared/rules';
import type { ApiClient } from '../harness/api';
import { useEmulator } from '../harness/emulator';

type Json = Record<string, unknown>;

const rig = useEmulator({ jobMs: 10 * 60_000, resetBeforeEach: false });
let api: ApiClient;
let fileId: string;

beforeAll(async () => {
	api = rig.api;
	fileId = await api.uploadId(Buffer.from('INVOICE\nTotal: 5\n'), 'invoice.txt', 'text/plain');
});

/** A schema nested one level per step below the root: `p` = under `properties`, `i` = under an array's `items`. */
function nested(steps: string): Json {
	let current: Json = { type: 'string' };
	for (const step of [...steps].reverse()) {
		current = step === 'i' ? { type: 'array', items: current } : { type: 'object', properties: { f: current } };
	}
	return current;
}

function flat(count: number): Json {
	return { type: 'object', properties: Object.fromEntries(Array.from({ length: count }, (_, index) => [`p${index}`, { type: 'string' }])) };
}

/** A schema whose strings total exactly `chars` characters (keys included, as the rule counts them). */
function withStringChars(chars: number): Json {
	const schema = { type: 'object', properties: { notes: { type: 'string', description: '' } } };
	schema.properties.notes.description = 'x'.repeat(chars - measureSchema(schema).stringChars);
	return schema;
}

const SCHEMA_CASES: Array<[string, Json]> = [
	['7 levels of objects', nested('ppppppp')],
	['8 levels of objects', nested('pppppppp')],
	['a list of objects counts its items: 7 levels', nested('pipipip')],
	['a list of objects counts its items: 8 levels', nested('pipipipp')],
	['lists of lists: 8 levels', nested('piiiiiii')],
	['anyOf options sit at their parent level', { type: 'object', properties: { f: { anyOf: [nested('pppppp'), { type: 'null' }] } } }],
	['a $ref used twice is counted twice', {
		type: 'object',
		$defs: { half: flat(2600) },
		properties: { a: { $ref: '#/$defs/half' }, b: { $ref: '#/$defs/half' } },
	}],
	[`${LIMITS.schemaProperties} properties`, flat(LIMITS.schemaProperties)],
	[`${LIMITS.schemaProperties + 1} properties`, flat(LIMITS.schemaProperties + 1)],
	['properties inside anyOf count', { type: 'object', properties: { f: { anyOf: [flat(2500), flat(2500)] } } }],
	[`${LIMITS.schemaStringChars} characters of strings`, withStringChars(LIMITS.schemaStringChars)],
	[`${LIMITS.schemaStringChars + 1} characters of strings`, withStringChars(LIMITS.schemaStringChars + 1)],
	['an unresolvable $ref', { type: 'object', properties: { a: { $ref: '#/$defs/missing' } } }],
	['a recursive $ref', { type: 'object', $defs: { node: { type: 'object', properties: { next: { $ref: '#/$defs/node' } } } }, properties: { a: { $ref: '#/$defs/node' } } }],
];

describe('data_schema limits', () => {
	test.each(SCHEMA_CASES)('%s: the node and the emulator give the same answer', async (_name, schema) => {
		const nodeAccepts = findSchemaProblem(schema) === undefined;
		const response = await api.post('/api/v2/extract/schema/validation', { data_schema: schema });
		expect([200, 422]).toContain(response.status);
		expect({ nodeAccepts, emulatorAccepts: response.status === 200 }).toEqual({ nodeAccepts, emulatorAccepts: nodeAccepts });
	});

	test('the cases straddle every limit (so agreement is not "both accept everything")', () => {
		const verdicts = Object.fromEntries(SCHEMA_CASES.map(([name, schema]) => [name, findSchemaProblem(schema) === undefined]));
		expect(Object.values(verdicts).filter(Boolean)).toHaveLength(5);
		expect(verdicts['8 levels of objects']).toBe(false);
		expect(verdicts['a list of objects counts its items: 7 levels']).toBe(true);
		expect(verdicts['a list of objects counts its items: 8 levels']).toBe(false);
	});
});

const VALID_PAGES = ['1', '1,3,5-7', '5 - 7', ' 1 , 2 ', '2-2', `1-${LIMITS.pageRangeWidth + 1}`];
const INVALID_PAGES = ['0', '0-3', '7-5', '1,,2', '1,', ',', 'a', '1-', '-3', '1.5', '1 2', '٣', `1-${LIMITS.pageRangeWidth + 2}`];

describe('target_pages', () => {
	test.each([...VALID_PAGES.map((text) => [text, true] as const), ...INVALID_PAGES.map((text) => [text, false] as const)])(
		'%j: valid = %s on both sides',
		async (text, valid) => {
			expect('pages' in parseTargetPages(text)).toBe(valid);
			const response = await api.post('/api/v2/extract', {
				file_input: fileId,
				configuration: { data_schema: flat(1), target_pages: text },
			});
			expect(response.status).toBe(valid ? 200 : 422);
			if (!valid) expect(response.body.detail[0].loc).toEqual(['body', 'configuration', 'target_pages']);
		},
	);

	test('the node sends the normalised list, and refuses a bad one naming the parameter', async () => {
		const create = (targetPages: string) =>
			rig.run(
				{
					resource: 'extractJob',
					operation: 'create',
					inputType: 'fileId',
					fileId,
					schemaSource: 'jsonSchema',
					jsonSchema: JSON.stringify(flat(1)),
					extractSettings: { targetPages },
				},
				[{ json: {} }],
			);
		const sent = await create(' 1, 3 , 5 - 7 ');
		expect(sent.error).toBeUndefined();
		expect((await rig.api.receivedConfiguration(sent.items[0].json.id as string)).target_pages).toBe('1,3,5-7');
		const refused = await create('7-5');
		expect(refused.error?.message).toBe('Target Pages on item 0: the range "7-5" ends before it starts');
	});
});

const ID_CASES: Array<[field: 'file_input' | 'configuration_id', kinds: IdKindName[], id: string]> = [
	['file_input', ['file', 'parseJob'], 'dfl-00000000-0000-0000-0000-000000000000'],
	['file_input', ['file', 'parseJob'], 'pjb-00000000-0000-0000-0000-000000000000'],
	['file_input', ['file', 'parseJob'], 'cfg-00000000-0000-0000-0000-000000000000'],
	['file_input', ['file', 'parseJob'], 'ext-00000000-0000-0000-0000-000000000000'],
	['file_input', ['file', 'parseJob'], '3fa85f64-5717-4562-b3fc-2c963f66afa6'],
	['file_input', ['file', 'parseJob'], 'invoice.pdf'],
	['file_input', ['file', 'parseJob'], `dfl-${'a'.repeat(LIMITS.idChars - 4)}`],
	['file_input', ['file', 'parseJob'], `dfl-${'a'.repeat(LIMITS.idChars - 3)}`],
	['configuration_id', ['configuration'], 'cfg-00000000-0000-0000-0000-000000000000'],
	['configuration_id', ['configuration'], 'cfg-PARSE_AGENTIC'],
	['configuration_id', ['configuration'], '3fa85f64-5717-4562-b3fc-2c963f66afa6'],
	['configuration_id', ['configuration'], 'dfl-00000000-0000-0000-0000-000000000000'],
	['configuration_id', ['configuration'], 'invoices'],
];

describe('ID kinds', () => {
	test.each(ID_CASES)('%s %j: same verdict', async (field, kinds, id) => {
		const nodeAccepts = 'id' in checkId(id, kinds);
		const body = field === 'file_input' ? { file_input: id, configuration: { data_schema: flat(1) } } : { file_input: fileId, configuration_id: id };
		const response = await api.post('/api/v2/extract', body);
		// 404 = the kind was accepted and the ID looked up; 422 = refused as the wrong kind of ID.
		expect([404, 422]).toContain(response.status);
		expect(response.status === 404).toBe(nodeAccepts);
		if (!nodeAccepts) expect(response.body.detail[0].loc).toEqual(['body', field]);
	});

	test('the node refuses a v1 agent UUID as a configuration before any request', async () => {
		rig.emulator.resetStats();
		const { error } = await rig.run(
			{
				resource: 'extractJob',
				operation: 'create',
				inputType: 'fileId',
				fileId,
				schemaSource: 'configuration',
				configurationId: { __rl: true, mode: 'list', value: '3fa85f64-5717-4562-b3fc-2c963f66afa6' },
			},
			[{ json: {} }],
		);
		expect(error?.message).toMatch(/looks like a v1 extraction agent ID/);
		expect(rig.count('POST /api/v2/extract')).toBe(0);
	});
});

describe('limits, hosts and choices', () => {
	test('size limits: the node and the emulator use the rules’ numbers', () => {
		expect({ upload: MAX_UPLOAD_BYTES, extract: MAX_EXTRACT_BYTES }).toEqual({ upload: LIMITS.uploadBytes, extract: LIMITS.extractBytes });
		const config = rig.emulator.config();
		expect({ upload: config.maxUploadBytes, extract: config.maxExtractBytes }).toEqual({ upload: LIMITS.uploadBytes, extract: LIMITS.extractBytes });
	});

	test('region hosts: the credential offers the rules’ base URLs, and the error text names the region', () => {
		expect([US_BASE_URL, EU_BASE_URL]).toEqual([REGION_BASE_URLS.us, REGION_BASE_URLS.eu]);
		expect(regionOfBaseUrl('https://api.cloud.eu.llamaindex.ai/')).toBe('the EU region');
		expect(regionOfBaseUrl('https://api.cloud.llamaindex.ai')).toBe('the US region');
		expect(regionOfBaseUrl('http://127.0.0.1:4010')).toBeUndefined();
	});

	test('every dropdown value is a contract value, every contract value has an entry, and the emulator takes each', async () => {
		const values = (choices: Array<{ value: string }>) => choices.map((choice) => choice.value).filter(Boolean).sort();
		expect(values(TIER_CHOICES)).toEqual([...TIERS].sort());
		expect(values(EXTRACTION_TARGET_CHOICES)).toEqual([...EXTRACTION_TARGETS].sort());
		expect(values(PARSE_TIER_CHOICES)).toEqual([...PARSE_TIERS].sort());
		for (const tier of values(TIER_CHOICES)) {
			for (const target of values(EXTRACTION_TARGET_CHOICES)) {
				const response = await api.post('/api/v2/extract', {
					file_input: fileId,
					configuration: { data_schema: flat(1), tier, extraction_target: target },
				});
				expect({ tier, target, status: response.status }).toEqual({ tier, target, status: 200 });
			}
		}
	});
});
