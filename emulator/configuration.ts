/* eslint-disable @n8n/community-nodes/require-node-api-error */
/**
 * Checking an extract configuration (inline on a job, or the parameters of a saved `extract_v2`
 * configuration) and filling the server's defaults, as pydantic would.
 */
import {
	EXTRACTION_TARGETS,
	ExtractConfiguration,
	TIERS,
	type ValidationErrorEntry,
} from '../nodes/shared/contract';
import { PageRangeError, parsePageList } from './engine/pages';
import type { JsonSchema } from './engine/values';
import { describeChoices, unprocessable, validationEntry, zodIssuesToEntries } from './http';
import { checkDataSchema } from './schema';

/** `turbo` is in the SDK (2.15+) but not in the server spec; accepted so SDK users are not refused. */
export const ACCEPTED_TIERS = [...TIERS, 'turbo'] as const;

/** Credits per page (OAS / SDK descriptions): the node's own table, so its estimates and these figures agree. */
export { TIER_CREDITS_PER_PAGE } from '../nodes/shared/usage';

/** The release `version: "latest"` resolves to in job responses. */
export const EMULATOR_RELEASE = '2026-08-20';

export interface ResolvedConfiguration {
	data_schema: JsonSchema;
	tier: string;
	version: string;
	extraction_target: 'per_doc' | 'per_page' | 'per_table_row';
	system_prompt: string | null;
	target_pages: string | null;
	max_pages: number | null;
	cite_sources: boolean;
	confidence_scores: boolean;
	disable_cache: boolean;
	spreadsheet_mode: boolean;
	sheet_names: string[] | null;
	parse_tier: string | null;
	parse_config_id: string | null;
	[extra: string]: unknown;
}

/**
 * Parses and checks a configuration object. `loc` is where it sits in the request, e.g.
 * ["body", "configuration"]. Throws a 422 listing every problem.
 */
export function resolveConfiguration(raw: unknown, loc: Array<string | number>): ResolvedConfiguration {
	const parsed = ExtractConfiguration.safeParse(raw);
	if (!parsed.success) throw unprocessable(zodIssuesToEntries(parsed.error.issues, raw, loc));
	const config = parsed.data;
	const problems: ValidationErrorEntry[] = [];

	const tier = config.tier ?? 'cost_effective';
	if (!(ACCEPTED_TIERS as readonly string[]).includes(tier)) {
		problems.push(validationEntry([...loc, 'tier'], `Input should be ${describeChoices(TIERS)}`, 'enum', tier));
	}
	const target = config.extraction_target ?? 'per_doc';
	if (!(EXTRACTION_TARGETS as readonly string[]).includes(target)) {
		problems.push(
			validationEntry([...loc, 'extraction_target'], `Input should be ${describeChoices(EXTRACTION_TARGETS)}`, 'enum', target),
		);
	}
	if (config.target_pages !== null && config.target_pages !== undefined && config.target_pages.trim() !== '') {
		try {
			parsePageList(config.target_pages);
		} catch (error) {
			if (!(error instanceof PageRangeError)) throw error;
			problems.push(validationEntry([...loc, 'target_pages'], error.message, 'value_error', config.target_pages));
		}
	}
	const version = config.version ?? 'latest';
	if (version !== 'latest' && !/^\d{4}-\d{2}-\d{2}$/.test(version) && !/^\d+(\.\d+)*$/.test(version)) {
		problems.push(
			validationEntry([...loc, 'version'], 'version must be "latest" or a date like 2026-01-08', 'value_error', version),
		);
	}
	const schema = checkDataSchema(config.data_schema, [...loc, 'data_schema']);
	if (!schema.ok) problems.push(...schema.errors);
	if (problems.length > 0) throw unprocessable(problems);

	return {
		...config,
		data_schema: schema.ok ? schema.schema : config.data_schema,
		tier,
		version,
		extraction_target: target as ResolvedConfiguration['extraction_target'],
		system_prompt: config.system_prompt ?? null,
		target_pages: config.target_pages ?? null,
		max_pages: config.max_pages ?? null,
		cite_sources: config.cite_sources ?? false,
		confidence_scores: config.confidence_scores ?? false,
		disable_cache: config.disable_cache ?? false,
		spreadsheet_mode: config.spreadsheet_mode ?? false,
		sheet_names: config.sheet_names ?? null,
		parse_tier: config.parse_tier ?? null,
		parse_config_id: config.parse_config_id ?? null,
	};
}

/** Job responses report the concrete release a job runs; saved configurations keep what was given. */
export function withResolvedVersion(config: ResolvedConfiguration): ResolvedConfiguration {
	return { ...config, version: config.version === 'latest' ? EMULATOR_RELEASE : config.version };
}
