/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports */
/**
 * Checks emulator responses against the server's own OpenAPI document (vendored in emulator/vendor/llamacloud/).
 * Operation responses use the spec's schema for that path, method and status; error bodies the spec does not
 * describe must be FastAPI's `{"detail": "..."}`.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

type Json = Record<string, unknown>;

const SPEC_PATH = path.resolve(__dirname, '../../emulator/vendor/llamacloud/openapi-extract-subset.json');

const spec = stripDiscriminators(JSON.parse(readFileSync(SPEC_PATH, 'utf8'))) as {
	paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
	components: { schemas: Record<string, unknown> };
};

const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, logger: false });
addFormats(ajv);
ajv.addSchema({ components: spec.components }, 'oas');

const compiled = new Map<string, ValidateFunction>();

/** ajv's `discriminator` keyword needs extra options; the `oneOf` alone decides validity. */
function stripDiscriminators(node: unknown): unknown {
	if (Array.isArray(node)) return node.map(stripDiscriminators);
	if (node && typeof node === 'object') {
		const copy: Json = {};
		for (const [key, value] of Object.entries(node)) {
			if (key !== 'discriminator') copy[key] = stripDiscriminators(value);
		}
		return copy;
	}
	return node;
}

/** Points `#/components/...` references at the registered document. */
function rebase(node: unknown): unknown {
	if (Array.isArray(node)) return node.map(rebase);
	if (node && typeof node === 'object') {
		const copy: Json = {};
		for (const [key, value] of Object.entries(node)) {
			copy[key] = key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? `oas${value}` : rebase(value);
		}
		return copy;
	}
	return node;
}

function validator(key: string, schema: unknown): ValidateFunction {
	let validate = compiled.get(key);
	if (!validate) {
		validate = ajv.compile(rebase(schema) as Json);
		compiled.set(key, validate);
	}
	return validate;
}

export function componentValidator(name: string): ValidateFunction {
	if (!(name in spec.components.schemas)) throw new Error(`No schema ${name} in the OpenAPI subset`);
	return validator(`component:${name}`, { $ref: `#/components/schemas/${name}` });
}

/** Throws with ajv's errors when `body` does not match `#/components/schemas/<name>`. */
export function assertComponent(name: string, body: unknown): void {
	const validate = componentValidator(name);
	if (!validate(body)) {
		throw new Error(`Response does not match ${name}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 2000)}`);
	}
}

/** The spec's path template for a concrete path (`/api/v2/extract/ext-1` -> `/api/v2/extract/{job_id}`). */
export function specTemplate(method: string, requestPath: string): string | undefined {
	const parts = requestPath.split('/').filter(Boolean);
	let best: { template: string; literals: number } | undefined;
	for (const [template, operations] of Object.entries(spec.paths)) {
		if (!operations[method.toLowerCase()]) continue;
		const segments = template.split('/').filter(Boolean);
		if (segments.length !== parts.length) continue;
		let literals = 0;
		const fits = segments.every((segment, index) => {
			if (segment.startsWith('{')) return true;
			literals++;
			return segment === parts[index];
		});
		if (fits && (!best || literals > best.literals)) best = { template, literals };
	}
	return best?.template;
}

const ERROR_BODY = {
	type: 'object',
	required: ['detail'],
	properties: { detail: { type: 'string', minLength: 1 } },
};

/**
 * Validates one HTTP response of the emulator. Throws a readable error on mismatch.
 * `requestPath` is the path without the query string.
 */
export function assertResponseMatchesSpec(method: string, requestPath: string, status: number, body: unknown, rawText: string): void {
	if (status === 204) {
		if (rawText !== '') throw new Error(`204 from ${method} ${requestPath} must have an empty body, got ${rawText.slice(0, 200)}`);
		return;
	}
	if (status === 422) {
		assertComponent('HTTPValidationError', body);
		const detail = (body as { detail?: unknown[] }).detail;
		if (!Array.isArray(detail) || detail.length === 0) throw new Error(`422 without entries: ${rawText}`);
		return;
	}
	if (status >= 400) {
		const validate = validator('error-body', ERROR_BODY);
		if (!validate(body)) throw new Error(`${status} body is not {"detail": "..."}: ${rawText.slice(0, 500)}`);
		return;
	}
	const template = specTemplate(method, requestPath);
	if (!template) throw new Error(`${method} ${requestPath} is not an operation of the OpenAPI subset`);
	const operation = spec.paths[template][method.toLowerCase()];
	const response = operation.responses?.[String(status)];
	if (!response) throw new Error(`${method} ${template} does not document status ${status}`);
	const schema = response.content?.['application/json']?.schema;
	if (schema === undefined || (typeof schema === 'object' && schema !== null && Object.keys(schema).length === 0)) return;
	const validate = validator(`${method} ${template} ${status}`, schema);
	if (!validate(body)) {
		throw new Error(
			`${method} ${template} ${status} does not match the spec: ${ajv.errorsText(validate.errors)}\n${rawText.slice(0, 2000)}`,
		);
	}
}
