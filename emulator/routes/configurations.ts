 
/** Saved product configurations: `/api/v1/beta/configurations`. */
import {
	ConfigurationCreateRequest,
	ConfigurationUpdateRequest,
	PRODUCT_TYPES,
	type ConfigurationResponse,
} from '../../nodes/shared/contract';
import { resolveConfiguration } from '../configuration';
import { stripProductType } from '../extractJobs';
import { ApiError, describeChoices, json, noContent, notFound, parseBody, readJson, unprocessable, validationEntry } from '../http';
import type { Router } from '../router';
import { iso, newestFirst, newId, paginate, type ConfigurationRecord, type EmulatorState } from '../state';

const MAX_PAGE = 1000;

/** Required parameters of the product types the emulator does not run (from the spec). */
const REQUIRED_FIELDS: Record<string, string[]> = {
	split_v1: ['categories'],
	classify_v2: ['rules'],
	parse_v2: ['tier', 'version'],
};

export function registerConfigurationRoutes(router: Router, state: EmulatorState): void {
	router.add('POST', '/api/v1/beta/configurations', async (ctx) => {
		const body = parseBody(ConfigurationCreateRequest, await readJson(ctx.req));
		const parameters = checkParameters(body.parameters, ['body', 'parameters']);
		const productType = parameters.product_type as string;
		const now = state.clock.now();
		// Upsert: same name + product type (+ project) updates the existing configuration.
		const existing = [...state.configurations.values()].find(
			(config) => config.name === body.name && config.productType === productType,
		);
		if (existing) {
			existing.parameters = parameters;
			existing.updatedAtMs = now;
			existing.version = versionString(now, existing.version);
			return json(201, configurationResponse(existing));
		}
		const record: ConfigurationRecord = {
			id: newId('cfg-'),
			seq: state.nextSeq(),
			name: body.name,
			productType,
			parameters,
			version: versionString(now),
			createdAtMs: now,
			updatedAtMs: now,
		};
		state.configurations.set(record.id, record);
		return json(201, configurationResponse(record));
	});

	router.add('GET', '/api/v1/beta/configurations', (ctx) => {
		const productTypes = ctx.query.list('product_type');
		const invalid = productTypes.filter((type) => !(PRODUCT_TYPES as readonly string[]).includes(type));
		if (invalid.length > 0) {
			throw unprocessable(
				invalid.map((type) =>
					validationEntry(['query', 'product_type', productTypes.indexOf(type)], `Input should be ${describeChoices(PRODUCT_TYPES)}`, 'enum', type),
				),
			);
		}
		const name = ctx.query.string('name');
		const latestOnly = ctx.query.bool('latest_only') ?? false;
		const pageSize = ctx.query.int('page_size', { min: 1, max: MAX_PAGE }) ?? 50;
		let matching = newestFirst(state.configurations.values()).filter(
			(config) =>
				(productTypes.length === 0 || productTypes.includes(config.productType)) &&
				(name === undefined || config.name === name),
		);
		if (latestOnly) {
			const seen = new Set<string>();
			matching = [...matching]
				.sort((a, b) => b.updatedAtMs - a.updatedAtMs || b.seq - a.seq)
				.filter((config) => (seen.has(config.name) ? false : (seen.add(config.name), true)));
			matching = newestFirst(matching);
		}
		const { page, nextPageToken } = paginate(matching, pageSize, ctx.query.string('page_token'));
		return json(200, { items: page.map(configurationResponse), next_page_token: nextPageToken, total_size: null });
	});

	router.add('GET', '/api/v1/beta/configurations/{config_id}', (ctx) =>
		json(200, configurationResponse(requireConfiguration(state, ctx.params.config_id))),
	);

	router.add('PUT', '/api/v1/beta/configurations/{config_id}', async (ctx) => {
		const record = requireConfiguration(state, ctx.params.config_id);
		const body = parseBody(ConfigurationUpdateRequest, await readJson(ctx.req));
		const parameters =
			body.parameters !== null && body.parameters !== undefined
				? checkParameters(body.parameters, ['body', 'parameters'])
				: undefined;
		const name = body.name ?? record.name;
		const productType = (parameters?.product_type as string | undefined) ?? record.productType;
		const clash = [...state.configurations.values()].find(
			(config) => config.id !== record.id && config.name === name && config.productType === productType,
		);
		if (clash) throw new ApiError(409, `A ${productType} configuration named "${name}" already exists: ${clash.id}`);
		const now = state.clock.now();
		record.name = name;
		record.productType = productType;
		if (parameters) record.parameters = parameters;
		record.updatedAtMs = now;
		record.version = versionString(now, record.version);
		return json(200, configurationResponse(record));
	});

	router.add('DELETE', '/api/v1/beta/configurations/{config_id}', (ctx) => {
		const record = requireConfiguration(state, ctx.params.config_id);
		state.configurations.delete(record.id);
		return noContent();
	});
}

function requireConfiguration(state: EmulatorState, id: string): ConfigurationRecord {
	const record = state.configurations.get(id);
	if (!record) throw notFound(`Configuration not found: ${id}`);
	return record;
}

/**
 * `parameters` is a union tagged by `product_type` (pydantic puts the tag into `loc`).
 * extract_v2 parameters are checked like an inline job configuration and get the server defaults.
 */
function checkParameters(raw: Record<string, unknown>, loc: Array<string | number>): Record<string, unknown> {
	const productType = raw.product_type;
	if (typeof productType !== 'string' || !(PRODUCT_TYPES as readonly string[]).includes(productType)) {
		throw unprocessable([
			validationEntry(
				loc,
				`Input tag '${String(productType)}' found using 'product_type' does not match any of the expected tags: ${describeChoices(PRODUCT_TYPES)}`,
				'union_tag_invalid',
				raw,
			),
		]);
	}
	if (productType !== 'extract_v2') {
		// Other products are stored as given, after the spec's required fields are checked.
		const missing = (REQUIRED_FIELDS[productType] ?? []).filter((field) => raw[field] === undefined);
		if (missing.length > 0) {
			throw unprocessable(missing.map((field) => validationEntry([...loc, productType, field], 'Field required', 'missing')));
		}
		return { ...raw };
	}
	const resolved = resolveConfiguration(stripProductType(raw), [...loc, 'extract_v2']);
	return { ...resolved, product_type: 'extract_v2' };
}

export function configurationResponse(record: ConfigurationRecord): ConfigurationResponse {
	return {
		id: record.id,
		name: record.name,
		product_type: record.productType,
		version: record.version,
		parameters: { ...record.parameters, product_type: record.productType },
		created_at: iso(record.createdAtMs),
		updated_at: iso(record.updatedAtMs),
	};
}

/** Versions are datetime strings; two saves in the same millisecond still get distinct versions. */
function versionString(nowMs: number, previous?: string): string {
	let candidate = iso(nowMs);
	if (previous !== undefined && candidate <= previous) candidate = iso(Date.parse(previous) + 1);
	return candidate;
}
