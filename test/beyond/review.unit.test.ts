/** The pure review rules (nodes/shared/review.ts) on every output shape, and the usage figures (nodes/shared/usage.ts). */
import type { IDataObject } from 'n8n-workflow';

import { isEmptyValue, reviewInputOf, reviewReasons, type ReviewSettings } from '../../nodes/shared/review';
import { addRunningTotals, jobUsage } from '../../nodes/shared/usage';
import type { ExtractV2Job } from '../../nodes/shared/contract';

const entry = (confidence: number | null) => ({ confidence, citations: [] });
const settings = (over: Partial<ReviewSettings> = {}): ReviewSettings => ({ threshold: 0.8, requiredFields: [], rules: [], ...over });

describe('review rules', () => {
	const simplified: IDataObject = {
		vendor: 'Acme',
		lines: [{ amount: 5 }, { amount: null }],
		_llamaextract: { fields: { vendor: entry(0.95), lines: [{ amount: entry(0.9) }, { amount: entry(0.4) }] } },
	};

	test('every field under the threshold is named with its path, value and confidence', () => {
		expect(reviewReasons(reviewInputOf(simplified), settings())).toEqual([
			{ field: 'lines.1.amount', value: null, rule: 'confidence', confidence: 0.4, threshold: 0.8 },
		]);
		expect(reviewReasons(reviewInputOf(simplified), settings({ threshold: 0.3 }))).toEqual([]);
	});

	test('required, not empty and pattern rules; blank text and empty lists count as empty', () => {
		const input = reviewInputOf({ vendor: '  ', tags: [], id: 'X1', _llamaextract: {} });
		expect(
			reviewReasons(input, settings({
				requiredFields: ['vendor', 'missing'],
				rules: [{ field: 'tags', rule: 'notEmpty' }, { field: 'id', rule: 'pattern', pattern: '^INV' }, { field: 'id', rule: 'pattern', pattern: '^X\\d$' }],
			})),
		).toEqual([
			{ field: 'vendor', value: '  ', rule: 'required' },
			{ field: 'missing', value: null, rule: 'required' },
			{ field: 'tags', value: [], rule: 'notEmpty' },
			{ field: 'id', value: 'X1', rule: 'pattern', pattern: '^INV' },
		]);
		expect([0, false, 'a', [1], { a: 1 }].some(isEmptyValue)).toBe(false);
	});

	test('the full job (Simplify off) and split items are read too', () => {
		const job = {
			id: 'ext-1',
			status: 'COMPLETED',
			extract_result: { total: 3 },
			extract_metadata: { field_metadata: { document_metadata: { total: { confidence: 0.5, citation: [] } } } },
		};
		expect(reviewReasons(reviewInputOf(job), settings())).toEqual([
			{ field: 'total', value: 3, rule: 'confidence', confidence: 0.5, threshold: 0.8 },
		]);
		const split = { total: 4, _llamaextract: { page_index: 0, field_metadata: { total: { confidence: 0.7, citation: [] } } } };
		expect(reviewReasons(reviewInputOf(split), settings())).toEqual([
			{ field: 'total', value: 4, rule: 'confidence', confidence: 0.7, threshold: 0.8 },
		]);
	});
});

describe('usage', () => {
	const job = (over: Partial<ExtractV2Job>): ExtractV2Job =>
		({ id: 'ext-1', file_input: 'dfl-1', status: 'COMPLETED', metadata: { usage: { num_pages_extracted: 3, num_pages_billed: 2 } }, ...over }) as ExtractV2Job;

	test('credits: LlamaCloud’s figure when the job carries it, else pages billed × the tier’s price, else null', () => {
		expect(jobUsage(job({ usage: { credits: 7, extract_credits: 6, parse_credits: 1 } }), 'agentic')).toEqual({
			num_pages_extracted: 3, num_pages_billed: 2, credits: 7, credits_estimated: false, extract_credits: 6, parse_credits: 1,
		});
		expect(jobUsage(job({}), 'turbo')).toMatchObject({ credits: 70, credits_estimated: true });
		expect(jobUsage(job({ configuration: { tier: 'agentic_plus', data_schema: {} } }), 'turbo')).toMatchObject({ credits: 100 });
		expect(jobUsage(job({}), undefined)).toMatchObject({ credits: null, credits_estimated: false });
		expect(jobUsage(job({ status: 'RUNNING', metadata: null }), 'agentic')).toBeNull();
	});

	test('running totals count each job once and note jobs without credits', () => {
		const items = [
			{ json: { _llamaextract: { job_id: 'a', usage: { num_pages_billed: 2, credits: 10, credits_estimated: true } } } },
			{ json: { _llamaextract: { job_id: 'a', usage: { num_pages_billed: 2, credits: 10, credits_estimated: true } } } },
			{ json: { error: 'x' } },
			{ json: { _llamaextract: { job_id: 'b', usage: null } } },
		] as Array<{ json: IDataObject }>;
		addRunningTotals(items);
		expect(items.map((item) => (item.json._llamaextract as IDataObject | undefined)?.run_usage)).toEqual([
			{ jobs: 1, num_pages_billed: 2, credits: 10, credits_estimated: true, jobs_without_credits: 0 },
			{ jobs: 1, num_pages_billed: 2, credits: 10, credits_estimated: true, jobs_without_credits: 0 },
			undefined,
			{ jobs: 2, num_pages_billed: 2, credits: 10, credits_estimated: true, jobs_without_credits: 1 },
		]);
	});
});
