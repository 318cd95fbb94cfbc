/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * HTTP plumbing shared by the routes: replies, FastAPI-shaped errors, query and body parsing.
 *
 * Handlers return a `Reply` instead of writing to the socket, so the fault layer can decide to
 * drop the connection after the work is done ("reset after processing").
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { ValidationErrorEntry } from '../nodes/shared/contract';

export interface Reply {
	status: number;
	headers?: Record<string, string>;
	/** JSON-serialisable body, a stream (downloads), or undefined for an empty body (204). */
	body?: unknown;
	stream?: Readable;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
	return { status, body, headers };
}

export function noContent(): Reply {
	return { status: 204 };
}

/** An error that becomes a FastAPI `{"detail": ...}` body. */
export class ApiError extends Error {
	constructor(
		readonly status: number,
		readonly detail: string | ValidationErrorEntry[],
		readonly headers?: Record<string, string>,
	) {
		super(typeof detail === 'string' ? detail : detail.map((entry) => entry.msg).join('; '));
	}
}

export function notFound(detail: string): ApiError {
	return new ApiError(404, detail);
}

export function badRequest(detail: string): ApiError {
	return new ApiError(400, detail);
}

/** FastAPI's 422 array form. */
export function unprocessable(entries: ValidationErrorEntry[]): ApiError {
	return new ApiError(422, entries);
}

export function validationEntry(
	loc: Array<string | number>,
	msg: string,
	type: string,
	input?: unknown,
): ValidationErrorEntry {
	const entry: ValidationErrorEntry = { type, loc, msg };
	if (input !== undefined) entry.input = input;
	return entry;
}

/* ------------------------------------------------------------------------------------------------
 * Query strings. FastAPI reads a scalar parameter from its last occurrence and a list parameter
 * from every repeated key (`job_ids=a&job_ids=b`), which is how the SDK serialises arrays.
 * ---------------------------------------------------------------------------------------------- */

export class Query {
	constructor(readonly params: URLSearchParams) {}

	has(name: string): boolean {
		return this.params.has(name);
	}

	string(name: string): string | undefined {
		const all = this.params.getAll(name);
		return all.length > 0 ? all[all.length - 1] : undefined;
	}

	list(name: string): string[] {
		return this.params.getAll(name);
	}

	/** Integer parameter; a non-integer is a 422 like pydantic's `int_parsing`. */
	int(name: string, bounds: { min?: number; max?: number } = {}): number | undefined {
		const raw = this.string(name);
		if (raw === undefined || raw === '') return undefined;
		if (!/^[+-]?\d+$/.test(raw.trim())) {
			throw unprocessable([
				validationEntry(
					['query', name],
					'Input should be a valid integer, unable to parse string as an integer',
					'int_parsing',
					raw,
				),
			]);
		}
		const value = Number(raw);
		if (bounds.min !== undefined && value < bounds.min) {
			throw unprocessable([
				validationEntry(
					['query', name],
					`Input should be greater than or equal to ${bounds.min}`,
					'greater_than_equal',
					raw,
				),
			]);
		}
		if (bounds.max !== undefined && value > bounds.max) {
			throw unprocessable([
				validationEntry(
					['query', name],
					`Input should be less than or equal to ${bounds.max}`,
					'less_than_equal',
					raw,
				),
			]);
		}
		return value;
	}

	/** Boolean parameter with pydantic's accepted spellings. */
	bool(name: string): boolean | undefined {
		const raw = this.string(name);
		if (raw === undefined) return undefined;
		const lowered = raw.trim().toLowerCase();
		if (['true', '1', 'yes', 'on', 't', 'y'].includes(lowered)) return true;
		if (['false', '0', 'no', 'off', 'f', 'n'].includes(lowered)) return false;
		throw unprocessable([
			validationEntry(['query', name], 'Input should be a valid boolean, unable to interpret input', 'bool_parsing', raw),
		]);
	}

	/** ISO date-time parameter, returned as epoch milliseconds. */
	dateTime(name: string): number | undefined {
		const raw = this.string(name);
		if (raw === undefined || raw === '') return undefined;
		const millis = parseDateTime(raw);
		if (millis === undefined) {
			throw unprocessable([
				validationEntry(['query', name], 'Input should be a valid datetime', 'datetime_from_date_parsing', raw),
			]);
		}
		return millis;
	}

	/** A value from a fixed set; anything else is pydantic's `enum` error. */
	oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
		const raw = this.string(name);
		if (raw === undefined || raw === '') return undefined;
		if (!(allowed as readonly string[]).includes(raw)) {
			throw unprocessable([
				validationEntry(['query', name], `Input should be ${describeChoices(allowed)}`, 'enum', raw),
			]);
		}
		return raw as T;
	}
}

export function describeChoices(allowed: readonly string[]): string {
	const quoted = allowed.map((value) => `'${value}'`);
	if (quoted.length <= 1) return quoted.join('');
	return `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

/** Accepts ISO 8601 date-times (with or without zone; a missing zone means UTC) and epoch seconds. */
export function parseDateTime(raw: string): number | undefined {
	const text = raw.trim();
	if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(text)) {
		const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(text) && text.length > 10;
		const normalised = text.replace(' ', 'T');
		const millis = Date.parse(hasZone || normalised.length === 10 ? normalised : `${normalised}Z`);
		return Number.isNaN(millis) ? undefined : millis;
	}
	if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
	return undefined;
}

const UUID_PATTERN = /^(urn:uuid:)?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
	return UUID_PATTERN.test(value.trim());
}

/** `project_id` / `organization_id` are optional UUID query parameters on almost every route. */
export function checkScopeParams(query: Query): void {
	const problems: ValidationErrorEntry[] = [];
	for (const name of ['project_id', 'organization_id']) {
		const value = query.string(name);
		if (value !== undefined && value !== '' && !isUuid(value)) {
			problems.push(
				validationEntry(
					['query', name],
					'Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-]',
					'uuid_parsing',
					value,
				),
			);
		}
	}
	if (problems.length > 0) throw unprocessable(problems);
}

/* ------------------------------------------------------------------------------------------------
 * Bodies
 * ---------------------------------------------------------------------------------------------- */

/** JSON bodies are small; anything bigger is refused instead of buffered. */
const MAX_JSON_BYTES = 20 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_JSON_BYTES): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		const buffer = chunk as Buffer;
		size += buffer.length;
		if (size > limit) throw new ApiError(413, `Request body exceeds ${limit} bytes`);
		chunks.push(buffer);
	}
	return Buffer.concat(chunks);
}

/** Reads a JSON body the way FastAPI reports problems: `json_invalid` with the character offset. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
	const raw = (await readBody(req)).toString('utf8');
	if (raw.trim() === '') {
		throw unprocessable([validationEntry(['body'], 'Field required', 'missing')]);
	}
	try {
		return JSON.parse(raw);
	} catch (error) {
		const position = /position (\d+)/.exec(String((error as Error).message));
		throw unprocessable([
			validationEntry(['body', position ? Number(position[1]) : 0], 'JSON decode error', 'json_invalid', {}),
		]);
	}
}

/** Parses `body` with a contract schema; zod issues become FastAPI 422 entries under `loc: ["body", ...]`. */
export function parseBody<T extends z.ZodTypeAny>(schema: T, body: unknown, prefix: Array<string | number> = ['body']): z.infer<T> {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		throw unprocessable([
			validationEntry(prefix, 'Input should be a valid dictionary or object to extract fields from', 'model_attributes_type', body),
		]);
	}
	const parsed = schema.safeParse(body);
	if (parsed.success) return parsed.data;
	throw unprocessable(zodIssuesToEntries(parsed.error.issues, body, prefix));
}

interface LooseIssue {
	code: string;
	path: PropertyKey[];
	message: string;
	expected?: unknown;
	minimum?: unknown;
	maximum?: unknown;
	type?: unknown;
	origin?: unknown;
}

/** Works for zod 3 and zod 4 issue shapes: "missing" is decided by looking at the input itself. */
export function zodIssuesToEntries(
	issues: readonly unknown[],
	body: unknown,
	prefix: Array<string | number> = ['body'],
): ValidationErrorEntry[] {
	return issues.map((raw) => {
		const issue = raw as LooseIssue;
		const path = issue.path.map((part) => (typeof part === 'number' ? part : String(part)));
		const input = valueAt(body, path);
		const loc = [...prefix, ...path];
		if (input === undefined) return validationEntry(loc, 'Field required', 'missing');
		switch (issue.code) {
			case 'invalid_type': {
				const expected = String(issue.expected);
				const pydanticType: Record<string, [string, string]> = {
					string: ['string_type', 'Input should be a valid string'],
					number: ['float_type', 'Input should be a valid number'],
					integer: ['int_type', 'Input should be a valid integer'],
					boolean: ['bool_type', 'Input should be a valid boolean'],
					object: ['dict_type', 'Input should be a valid dictionary'],
					array: ['list_type', 'Input should be a valid list'],
				};
				const [type, msg] = pydanticType[expected] ?? ['type_error', issue.message];
				return validationEntry(loc, msg, type, input);
			}
			case 'too_small': {
				if (typeof input === 'string') {
					return validationEntry(loc, `String should have at least ${String(issue.minimum)} character`, 'string_too_short', input);
				}
				return validationEntry(loc, `Input should be greater than or equal to ${String(issue.minimum)}`, 'greater_than_equal', input);
			}
			case 'too_big': {
				if (typeof input === 'string') {
					return validationEntry(loc, `String should have at most ${String(issue.maximum)} characters`, 'string_too_long', input);
				}
				if (Array.isArray(input)) {
					return validationEntry(loc, `List should have at most ${String(issue.maximum)} items`, 'too_long', input);
				}
				return validationEntry(loc, `Input should be less than or equal to ${String(issue.maximum)}`, 'less_than_equal', input);
			}
			case 'invalid_literal':
			case 'invalid_value':
				return validationEntry(loc, issue.message, 'literal_error', input);
			default:
				return validationEntry(loc, issue.message, 'value_error', input);
		}
	});
}

function valueAt(root: unknown, path: Array<string | number>): unknown {
	let current: unknown = root;
	for (const part of path) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string | number, unknown>)[part];
	}
	return current;
}
