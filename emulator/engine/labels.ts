 
/**
 * Matching document labels ("Invoice No.:", "Unit Price") to schema properties.
 *
 * The score doubles as the confidence the engine reports, so it is kept deterministic and readable:
 *   0.98  the label says the property name (`invoice_number` / `invoiceNumber` -> "invoice number")
 *   0.95  the label says the property's `title`
 *   0.85  same words in another order
 *   0.6–0.77  a weaker match: one side's words contain the other's ("Vendor" for `vendor_name`)
 *   0.62–0.68  the label's words all appear in the property's `description`
 *   0     no match
 * Everything below 0.8 is a guess a workflow should review.
 */

export const SCORE_EXACT_NAME = 0.98;
export const SCORE_EXACT_TITLE = 0.95;
export const SCORE_REORDERED = 0.85;

/** Common abbreviations on invoices and forms, expanded before comparing. */
const ABBREVIATIONS: Record<string, string> = {
	qty: 'quantity',
	amt: 'amount',
	no: 'number',
	num: 'number',
	nr: 'number',
	desc: 'description',
	inv: 'invoice',
	dt: 'date',
	addr: 'address',
	tel: 'phone',
};

const STOP_WORDS = new Set([
	'a', 'an', 'and', 'as', 'at', 'be', 'by', 'for', 'from', 'in', 'is', 'it', 'its', 'of', 'on', 'or',
	'per', 'the', 'this', 'that', 'to', 'with', 'each', 'if', 'any', 'all',
]);

/** `invoice_number`, `invoiceNumber`, `Invoice No.` and `INVOICE-NUMBER` all give ["invoice", "number"]. */
export function words(text: string): string[] {
	return text
		.replace(/#/g, ' number ')
		.replace(/([a-z0-9])([A-Z])/g, '$1 $2')
		.replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
		.toLowerCase()
		.split(/[^a-z0-9]+/)
		.filter(Boolean)
		.map((word) => singular(ABBREVIATIONS[word] ?? word));
}

function singular(word: string): string {
	if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
	if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us')) return word.slice(0, -1);
	return word;
}

function contentWords(list: string[]): string[] {
	return list.filter((word) => !STOP_WORDS.has(word));
}

export interface PropertyLabels {
	/** Words of the property name, optionally prefixed by the parent object's name for nested fields. */
	names: string[][];
	title?: string[];
	description?: string[];
}

export function propertyLabels(name: string, schema: Record<string, unknown>, parents: string[] = []): PropertyLabels {
	const own = words(name);
	const names: string[][] = [];
	// Nested fields answer to "Vendor Name" as well as to "Name".
	for (let depth = parents.length; depth >= 0; depth--) {
		names.push([...parents.slice(parents.length - depth).flatMap((parent) => words(parent)), ...own]);
	}
	return {
		names,
		title: typeof schema.title === 'string' ? words(schema.title) : undefined,
		description: typeof schema.description === 'string' ? words(schema.description) : undefined,
	};
}

/** How well a label in the document names the property (0 = not at all). */
export function labelScore(label: string, property: PropertyLabels): number {
	const labelWords = words(label);
	if (labelWords.length === 0) return 0;
	let best = 0;
	property.names.forEach((nameWords, index) => {
		// A bare "Name" for `vendor.name` is a little less certain than "Vendor Name".
		const nestingPenalty = index === 0 ? 0 : 0.03 * index;
		best = Math.max(best, compare(labelWords, nameWords, SCORE_EXACT_NAME) - nestingPenalty);
	});
	if (property.title) best = Math.max(best, compare(labelWords, property.title, SCORE_EXACT_TITLE));
	if (best === 0 && property.description) {
		const labelContent = contentWords(labelWords);
		const descriptionContent = new Set(contentWords(property.description));
		if (labelContent.length > 0 && labelContent.every((word) => descriptionContent.has(word))) {
			best = Math.min(0.68, 0.6 + 0.02 * labelContent.length);
		}
	}
	return Math.max(0, round(best));
}

function compare(labelWords: string[], target: string[], exactScore: number): number {
	if (target.length === 0) return 0;
	if (labelWords.join(' ') === target.join(' ')) return exactScore;
	const labelSet = new Set(contentWords(labelWords));
	const targetSet = new Set(contentWords(target));
	if (labelSet.size === 0 || targetSet.size === 0) return 0;
	const shared = [...labelSet].filter((word) => targetSet.has(word)).length;
	if (shared === 0) return 0;
	const labelInside = shared === labelSet.size;
	const targetInside = shared === targetSet.size;
	if (labelInside && targetInside) return SCORE_REORDERED;
	if (!labelInside && !targetInside) return 0;
	const jaccard = shared / (labelSet.size + targetSet.size - shared);
	return 0.6 + 0.25 * jaccard;
}

export function round(value: number): number {
	return Math.round(value * 1000) / 1000;
}
