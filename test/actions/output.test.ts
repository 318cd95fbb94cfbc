/** Output shaping: metadata beside fields, and one item per page or row. Pure functions over job objects. */
import type { ExtractV2Job } from '../../nodes/shared/contract';
import { fieldInfoTree, jobToItemsJson, minConfidence } from '../../nodes/shared/output';
import type { Json } from '../harness/api';

const base = {
	id: 'ext-1',
	file_input: 'dfl-1',
	project_id: 'prj-1',
	status: 'COMPLETED',
	created_at: '2026-01-01T00:00:00Z',
	updated_at: '2026-01-01T00:00:01Z',
};

describe('field metadata beside the fields', () => {
	const job: ExtractV2Job = {
		...base,
		extract_result: { vendor: 'ACME', total: 10, items: [{ amount: 4 }, { amount: 6 }], address: { city: 'Berlin' } },
		extract_metadata: {
			field_metadata: {
				document_metadata: {
					vendor: { citation: [{ page: 1, matching_text: 'ACME' }], confidence: 0.97 },
					total: { citation: [{ page: 2, matching_text: '$10.00', bounding_boxes: [{ x: 1, y: 2, w: 3, h: 4 }] }], confidence: 0.62 },
					items: [{ amount: { citation: [], confidence: 0.9 } }, { amount: { citation: [], confidence: 0.88 } }],
					address: { city: { citation: [{ page: 1, matching_text: 'Berlin' }], confidence: 0.99 } },
				},
			},
		},
	};

	test('simplified output keeps only the fields at the top and mirrors them under _llamaextract.fields', () => {
		const [json] = jobToItemsJson(job, { simplify: true });
		expect(Object.keys(json).sort()).toEqual(['_llamaextract', 'address', 'items', 'total', 'vendor']);
		const meta = json._llamaextract as Json;
		expect(meta.fields.total).toEqual({
			confidence: 0.62,
			citations: [{ page: 2, matching_text: '$10.00', bounding_boxes: [{ x: 1, y: 2, w: 3, h: 4 }] }],
		});
		expect(meta.fields.items[1].amount.confidence).toBe(0.88);
		expect(meta.fields.address.city.citations).toEqual([{ page: 1, matching_text: 'Berlin' }]);
		expect(meta.min_confidence).toBe(0.62);
		expect(meta.job_id).toBe('ext-1');
	});

	test('no metadata means no fields/min_confidence keys at all', () => {
		const [json] = jobToItemsJson({ ...base, extract_result: { a: 1 } }, { simplify: true });
		expect(json._llamaextract).not.toHaveProperty('fields');
		expect(json._llamaextract).not.toHaveProperty('min_confidence');
	});

	test('citations only (no confidence) give confidence null and min_confidence null', () => {
		const tree = fieldInfoTree({ a: { citation: [{ page: 3, matching_text: 'x' }] } });
		expect(tree).toEqual({ a: { confidence: null, citations: [{ page: 3, matching_text: 'x' }] } });
		expect(minConfidence(tree)).toBeNull();
	});

	test('v1 extraction_confidence counts as the confidence', () => {
		const tree = fieldInfoTree({ a: { citation: [], extraction_confidence: 0.4 } });
		expect(tree).toEqual({ a: { confidence: 0.4, citations: [], extraction_confidence: 0.4 } });
	});

	test('an object field with a sub-field named "confidence" is read as fields, not as an entry', () => {
		const tree = fieldInfoTree({ scores: { confidence: { citation: [], confidence: 0.5 } } });
		expect(tree).toEqual({ scores: { confidence: { confidence: 0.5, citations: [] } } });
	});

	test('with Simplify off the full job comes out unchanged', () => {
		expect(jobToItemsJson(job, { simplify: false })).toEqual([job]);
	});
});

describe('Split Into Items', () => {
	const perPage: ExtractV2Job = {
		...base,
		configuration: { data_schema: {}, extraction_target: 'per_page' },
		extract_result: [{ total: 1 }, { total: 2 }, { total: 3 }],
		extract_metadata: {
			field_metadata: {
				page_metadata: [
					{ total: { citation: [{ page: 1, matching_text: '1' }], confidence: 0.9 } },
					{ total: { citation: [{ page: 2, matching_text: '2' }], confidence: 0.5 } },
					{ total: { citation: [{ page: 3, matching_text: '3' }], confidence: 0.7 } },
				],
			},
		},
	};

	test('per_page: one entry per page, each with its own metadata, index and count', () => {
		const entries = jobToItemsJson(perPage, { simplify: true, splitIntoItems: true });
		expect(entries.map((entry) => entry.total)).toEqual([1, 2, 3]);
		const metas = entries.map((entry) => entry._llamaextract as Json);
		expect(metas.map((meta) => meta.page_index)).toEqual([0, 1, 2]);
		expect(metas.map((meta) => meta.count)).toEqual([3, 3, 3]);
		expect(metas.map((meta) => meta.min_confidence)).toEqual([0.9, 0.5, 0.7]);
		expect(metas[1].fields.total.citations[0].page).toBe(2);
	});

	test('per_table_row uses row_metadata and row_index', () => {
		const rows: ExtractV2Job = {
			...base,
			extract_result: [{ amount: 4 }, { amount: 6 }],
			extract_metadata: { field_metadata: { row_metadata: [{ amount: { citation: [], confidence: 1 } }, {}] } },
		};
		const entries = jobToItemsJson(rows, { simplify: true, splitIntoItems: true });
		expect(entries.map((entry) => (entry._llamaextract as Record<string, unknown>).row_index)).toEqual([0, 1]);
		expect((entries[0]._llamaextract as Json).fields.amount.confidence).toBe(1);
		expect(entries[1]._llamaextract).not.toHaveProperty('fields');
	});

	test('without splitting, a list result goes under data with a parallel fields list', () => {
		const [json] = jobToItemsJson(perPage, { simplify: true });
		expect(json.data).toEqual([{ total: 1 }, { total: 2 }, { total: 3 }]);
		expect(((json._llamaextract as Json).fields as unknown[]).length).toBe(3);
		expect((json._llamaextract as Json).min_confidence).toBe(0.5);
	});

	test('a per_doc result is never split', () => {
		const entries = jobToItemsJson({ ...base, extract_result: { a: 1 } }, { simplify: true, splitIntoItems: true });
		expect(entries).toHaveLength(1);
		expect(entries[0].a).toBe(1);
	});
});
