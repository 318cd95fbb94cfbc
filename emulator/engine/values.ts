 
/**
 * Reading a value out of document text the way the schema asks for it.
 * A value that cannot be read as the schema's type is "no match", so the engine moves on to the
 * next candidate instead of returning text where a number was asked for.
 */

export type JsonSchema = Record<string, unknown>;

export type ValueKind = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

const KINDS: ValueKind[] = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'];

/** The type a property asks for, looking through `["string","null"]`, `anyOf`/`oneOf`, `enum` and `const`. */
export function kindOf(schema: JsonSchema): ValueKind | undefined {
	const type = schema.type;
	if (typeof type === 'string' && (KINDS as string[]).includes(type)) return type as ValueKind;
	if (Array.isArray(type)) {
		const first = type.find((entry) => entry !== 'null' && (KINDS as unknown[]).includes(entry));
		if (first) return first as ValueKind;
	}
	for (const key of ['anyOf', 'oneOf', 'allOf']) {
		const options = schema[key];
		if (Array.isArray(options)) {
			for (const option of options) {
				if (option && typeof option === 'object') {
					const kind = kindOf(option as JsonSchema);
					if (kind && kind !== 'null') return kind;
				}
			}
		}
	}
	if (Array.isArray(schema.enum)) {
		const first = schema.enum.find((value) => value !== null);
		if (typeof first === 'number') return Number.isInteger(first) ? 'integer' : 'number';
		if (typeof first === 'boolean') return 'boolean';
		return 'string';
	}
	if (schema.properties && typeof schema.properties === 'object') return 'object';
	if (schema.items && typeof schema.items === 'object') return 'array';
	return undefined;
}

/** The sub-schema that carries the details (`properties`, `items`, `format`, `enum`) of a union. */
export function effectiveSchema(schema: JsonSchema): JsonSchema {
	for (const key of ['anyOf', 'oneOf', 'allOf']) {
		const options = schema[key];
		if (Array.isArray(options)) {
			const chosen = options.find(
				(option) => option && typeof option === 'object' && kindOf(option as JsonSchema) !== 'null',
			) as JsonSchema | undefined;
			if (chosen) return { ...schema, ...effectiveSchema(chosen) };
		}
	}
	return schema;
}

export function propertiesOf(schema: JsonSchema): Record<string, JsonSchema> {
	const properties = effectiveSchema(schema).properties;
	return properties && typeof properties === 'object' ? (properties as Record<string, JsonSchema>) : {};
}

export function itemsOf(schema: JsonSchema): JsonSchema {
	const items = effectiveSchema(schema).items;
	return items && typeof items === 'object' && !Array.isArray(items) ? (items as JsonSchema) : {};
}

export type Coerced = { ok: true; value: unknown } | { ok: false };

const NO: Coerced = { ok: false };

export function coerce(text: string, schema: JsonSchema): Coerced {
	const details = effectiveSchema(schema);
	const raw = text.trim();
	if (raw === '') return NO;
	if (Array.isArray(details.enum)) return matchEnum(raw, details.enum);
	switch (kindOf(details) ?? 'string') {
		case 'number': {
			const value = parseNumber(raw);
			return value === undefined ? NO : { ok: true, value };
		}
		case 'integer': {
			const value = parseNumber(raw);
			return value === undefined || !Number.isInteger(value) ? NO : { ok: true, value };
		}
		case 'boolean': {
			const value = parseBoolean(raw);
			return value === undefined ? NO : { ok: true, value };
		}
		case 'string': {
			if (details.format === 'date') {
				const value = parseDate(raw);
				return value === undefined ? NO : { ok: true, value };
			}
			if (details.format === 'date-time') {
				const date = parseDate(raw);
				const millis = Date.parse(raw);
				if (!Number.isNaN(millis) && /\d{1,2}:\d{2}/.test(raw)) return { ok: true, value: new Date(millis).toISOString() };
				return date === undefined ? NO : { ok: true, value: `${date}T00:00:00Z` };
			}
			return { ok: true, value: raw };
		}
		default:
			return NO;
	}
}

function matchEnum(raw: string, options: unknown[]): Coerced {
	const lowered = raw.toLowerCase();
	for (const option of options) {
		if (option !== null && String(option).toLowerCase() === lowered) return { ok: true, value: option };
	}
	// "Paid in full" still says "paid".
	for (const option of options) {
		if (option === null) continue;
		const pattern = new RegExp(`(^|[^a-z0-9])${escapeRegExp(String(option).toLowerCase())}([^a-z0-9]|$)`);
		if (pattern.test(lowered)) return { ok: true, value: option };
	}
	return NO;
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * "$1,234.56", "1.234,56 €", "USD 1,234", "(12.50)", "12%", "3 units" -> a number.
 * The last of "," and "." is the decimal mark when both appear; a lone "," is a thousands
 * separator only in groups of three.
 */
export function parseNumber(raw: string): number | undefined {
	const match = /(\(\s*)?([-−–]\s*)?[$€£¥₹]?\s*(\d[\d.,'\u00a0 ]*\d|\d)/.exec(raw);
	if (!match) return undefined;
	const negative = Boolean(match[1] && raw.includes(')')) || Boolean(match[2]);
	let digits = match[3].replace(/['\u00a0 ]/g, '');
	const lastComma = digits.lastIndexOf(',');
	const lastDot = digits.lastIndexOf('.');
	if (lastComma >= 0 && lastDot >= 0) {
		if (lastComma > lastDot) digits = digits.replace(/\./g, '').replace(',', '.');
		else digits = digits.replace(/,/g, '');
	} else if (lastComma >= 0) {
		digits = /^\d{1,3}(,\d{3})+$/.test(digits) ? digits.replace(/,/g, '') : digits.replace(',', '.');
	} else if ((digits.match(/\./g) ?? []).length > 1) {
		digits = digits.replace(/\./g, '');
	}
	if (!/^\d+(\.\d+)?$/.test(digits)) return undefined;
	const value = Number(digits);
	if (!Number.isFinite(value)) return undefined;
	return negative ? -value : value;
}

export function parseBoolean(raw: string): boolean | undefined {
	const lowered = raw.trim().toLowerCase();
	if (['yes', 'y', 'true', 't', '1', 'x', '✓', '✔', 'checked', 'on'].includes(lowered)) return true;
	if (['no', 'n', 'false', 'f', '0', 'unchecked', 'off', 'none'].includes(lowered)) return false;
	return undefined;
}

const MONTHS = [
	'january', 'february', 'march', 'april', 'may', 'june',
	'july', 'august', 'september', 'october', 'november', 'december',
];

function monthNumber(name: string): number | undefined {
	const lowered = name.toLowerCase().replace(/\.$/, '');
	if (lowered.length < 3) return undefined;
	const index = MONTHS.findIndex((month) => month.startsWith(lowered) || (lowered === 'sept' && month === 'september'));
	return index >= 0 ? index + 1 : undefined;
}

/** Dates as invoices write them -> `YYYY-MM-DD`. Slashes and dashes read month first (US) unless the first number cannot be a month. */
export function parseDate(raw: string): string | undefined {
	const text = raw.trim();
	let match = /(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})/.exec(text);
	if (match) return formatDate(Number(match[1]), Number(match[2]), Number(match[3]));
	match = /(\d{1,2})\.(\d{1,2})\.(\d{4})/.exec(text);
	if (match) return formatDate(Number(match[3]), Number(match[2]), Number(match[1]));
	match = /(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})\b/.exec(text);
	if (match) {
		let month = Number(match[1]);
		let day = Number(match[2]);
		if (month > 12 && day <= 12) [month, day] = [day, month];
		return formatDate(expandYear(match[3]), month, day);
	}
	match = /([A-Za-z]{3,9}\.?)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})/.exec(text);
	if (match) {
		const month = monthNumber(match[1]);
		if (month) return formatDate(Number(match[3]), month, Number(match[2]));
	}
	match = /(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9}\.?),?\s+(\d{4})/.exec(text);
	if (match) {
		const month = monthNumber(match[2]);
		if (month) return formatDate(Number(match[3]), month, Number(match[1]));
	}
	return undefined;
}

function expandYear(text: string): number {
	const year = Number(text);
	return text.length === 2 ? 2000 + year : year;
}

function formatDate(year: number, month: number, day: number): string | undefined {
	if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
	const date = new Date(Date.UTC(year, month - 1, day));
	if (date.getUTCMonth() !== month - 1) return undefined;
	return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
