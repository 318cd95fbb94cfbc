/**
 * Extract Data › Options › Route for Review and its settings, and the reader that turns them into ReviewSettings
 * (nodes/shared/review.ts). The node's second output, Needs Review, exists while Route for Review is on.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ExtractConfiguration } from '../../shared/contract';
import {
	DEFAULT_REVIEW_THRESHOLD,
	FIELD_CHECKS,
	invalidPattern,
	requiredOfSchema,
	type ReviewRule,
	type ReviewSettings,
} from '../../shared/review';
import { choices } from '../../shared/rules';

export const reviewOptions: INodeProperties[] = [
	{
		displayName: 'Route for Review',
		name: 'routeForReview',
		type: 'boolean',
		default: false,
		description:
			'Whether to add a second output, Needs Review, for items with a field below the confidence threshold, a required field left empty, or a field that breaks a review rule. Confidence scores are requested automatically.',
	},
	{
		displayName: 'Review: Confidence Threshold',
		name: 'reviewThreshold',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
		default: DEFAULT_REVIEW_THRESHOLD,
		description: 'With Route for Review: an item with any field whose confidence is below this goes to Needs Review',
	},
	{
		displayName: 'Review: Required Fields',
		name: 'reviewRequiredFields',
		type: 'string',
		default: '',
		placeholder: 'e.g. invoice_number, total',
		description:
			"With Route for Review: comma-separated fields that must not come back empty or null (dot paths such as vendor.name). The schema's required fields always count.",
	},
	{
		displayName: 'Review: Field Rules',
		name: 'reviewRules',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: 'Add Rule',
		description: 'With Route for Review: fields that must pass a simple check, or the item goes to Needs Review',
		options: [
			{
				displayName: 'Rule',
				name: 'rule',
				values: [
					{
						displayName: 'Field',
						name: 'field',
						type: 'string',
						default: '',
						placeholder: 'e.g. invoice_number',
						description: 'Dot path of the field, e.g. vendor.name or line_items.0.amount',
					},
					{
						displayName: 'Check',
						name: 'check',
						type: 'options',
						options: choices(FIELD_CHECKS, { notEmpty: 'Is Not Empty', pattern: 'Matches Pattern' }),
						default: 'notEmpty',
					},
					{
						displayName: 'Pattern',
						name: 'pattern',
						type: 'string',
						default: '',
						placeholder: 'e.g. ^INV-\\d+$',
						description: 'A regular expression (JavaScript syntax, no slashes) the value must match',
						displayOptions: { show: { check: ['pattern'] } },
					},
				],
			},
		],
	},
];

function fieldList(raw: unknown): string[] {
	return String(raw ?? '')
		.split(',')
		.map((field) => field.trim())
		.filter(Boolean);
}

/** Route for Review is on for this item. */
export function wantsReview(options: IDataObject): boolean {
	return options.routeForReview === true;
}

/** The item's review settings; a threshold outside 0–1 or a pattern that does not compile is refused by name. */
export function readReviewSettings(
	this: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
	requested: ExtractConfiguration | undefined,
): ReviewSettings {
	const rawThreshold = options.reviewThreshold ?? DEFAULT_REVIEW_THRESHOLD;
	const threshold = Number(rawThreshold);
	if (typeof rawThreshold === 'boolean' || !Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
		throw new NodeOperationError(
			this.getNode(),
			`The "Review: Confidence Threshold" option on item ${itemIndex} must be a number from 0 to 1, but it is ${JSON.stringify(rawThreshold)}`,
			{ itemIndex, description: 'Set Options › Review: Confidence Threshold to a value such as 0.8, or fix its expression.' },
		);
	}
	const entries = ((options.reviewRules as IDataObject | undefined)?.rule ?? []) as IDataObject[];
	const rules: ReviewRule[] = entries
		.filter((entry) => String(entry.field ?? '').trim() !== '')
		.map((entry) => ({
			field: String(entry.field).trim(),
			rule: entry.check === 'pattern' ? 'pattern' : 'notEmpty',
			...(entry.check === 'pattern' ? { pattern: String(entry.pattern ?? '') } : {}),
		}));
	const broken = invalidPattern(rules);
	if (broken) {
		throw new NodeOperationError(
			this.getNode(),
			`The review pattern for field "${broken.rule.field}" on item ${itemIndex} is not a valid regular expression: ${broken.message}`,
			{ itemIndex, description: 'Fix Options › Review: Field Rules › Pattern (JavaScript syntax, without slashes), e.g. ^INV-\\d+$.' },
		);
	}
	return {
		threshold,
		requiredFields: [...requiredOfSchema(requested?.data_schema), ...fieldList(options.reviewRequiredFields)],
		rules,
	};
}
