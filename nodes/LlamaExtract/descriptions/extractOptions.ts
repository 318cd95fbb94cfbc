import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ExtractConfiguration } from '../../shared/contract';
import { EXTRACTION_TARGET_CHOICES, parseTargetPages, PARSE_TIER_CHOICES, TIER_CHOICES } from '../../shared/rules';

/**
 * The v2 extraction settings, Tier first (it matters most), then alphabetical. Dropdowns list the documented
 * values; an expression can pass newer ones.
 */
export const extractSettingsOptions: INodeProperties[] = [
	{
		displayName: 'Tier',
		name: 'tier',
		type: 'options',
		options: TIER_CHOICES,
		default: 'cost_effective',
		description: 'Extraction quality and price. Use an expression to pass a tier not listed here.',
	},
	{
		displayName: 'Cite Sources',
		name: 'citeSources',
		type: 'boolean',
		default: false,
		description:
			'Whether to return, for each field, the page and text it was read from (under extract_metadata)',
	},
	{
		displayName: 'Confidence Scores',
		name: 'confidenceScores',
		type: 'boolean',
		default: false,
		description: 'Whether to return a 0–1 confidence for each field, so an IF node can route on low confidence',
	},
	{
		displayName: 'Extraction Target',
		name: 'extractionTarget',
		type: 'options',
		options: EXTRACTION_TARGET_CHOICES,
		default: 'per_doc',
		description: 'What one extracted result covers',
	},
	{
		displayName: 'Max Pages',
		name: 'maxPages',
		type: 'number',
		typeOptions: { minValue: 1 },
		// Empty: no limit. A number here would quietly cut long documents.
		default: '',
		placeholder: 'No limit',
		description: 'Extract from at most this many pages; later pages are ignored. Leave empty for no limit.',
	},
	{
		displayName: 'Parse Configuration ID',
		name: 'parseConfigId',
		type: 'string',
		default: '',
		placeholder: 'e.g. cfg-1234abcd',
		description: 'A saved parse configuration (ID starts with cfg-) to use for reading the document',
	},
	{
		displayName: 'Parse Tier',
		name: 'parseTier',
		type: 'options',
		options: PARSE_TIER_CHOICES,
		default: '',
		description: 'Parsing quality used before extraction. Defaults to the extract tier.',
	},
	{
		displayName: 'System Prompt',
		name: 'systemPrompt',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: 'e.g. Amounts are in EUR unless stated otherwise',
		description: 'Extra instructions for the extraction model',
	},
	{
		displayName: 'Target Pages',
		name: 'targetPages',
		type: 'string',
		default: '',
		placeholder: 'e.g. 1,3,5-7',
		description: 'Only extract from these pages (1-based; commas and ranges)',
	},
	{
		displayName: 'Version',
		name: 'version',
		type: 'string',
		default: 'latest',
		placeholder: 'e.g. latest or 2026-06-01',
		description: 'Extraction engine version: "latest", or a date (YYYY-MM-DD) to pin the release of that day',
	},
];

/** Reads the options collection into `ExtractConfiguration` fields (without `data_schema`). */
export function readExtractSettings(
	this: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
): Omit<ExtractConfiguration, 'data_schema'> {
	const settings: Omit<ExtractConfiguration, 'data_schema'> = {};
	if (options.tier) settings.tier = String(options.tier);
	if (options.extractionTarget) settings.extraction_target = String(options.extractionTarget);
	if (options.parseTier) settings.parse_tier = String(options.parseTier);
	if (options.parseConfigId) settings.parse_config_id = String(options.parseConfigId).trim();
	if (options.version) settings.version = String(options.version).trim();
	if (options.systemPrompt) settings.system_prompt = String(options.systemPrompt);
	if (options.citeSources !== undefined) settings.cite_sources = Boolean(options.citeSources);
	if (options.confidenceScores !== undefined) settings.confidence_scores = Boolean(options.confidenceScores);
	if (options.targetPages !== undefined && String(options.targetPages).trim() !== '') {
		const checked = parseTargetPages(String(options.targetPages));
		if ('problem' in checked) {
			throw new NodeOperationError(this.getNode(), `Target Pages on item ${itemIndex}: ${checked.problem}`, {
				itemIndex,
				description: 'Use 1-based page numbers separated by commas, with ranges like 5-7, e.g. "1,3,5-7".',
			});
		}
		settings.target_pages = checked.pages;
	}
	if (options.maxPages !== undefined && options.maxPages !== '') {
		const maxPages = Number(options.maxPages);
		if (!Number.isInteger(maxPages) || maxPages < 1) {
			throw new NodeOperationError(
				this.getNode(),
				`Max Pages on item ${itemIndex} must be a whole number of at least 1 (got ${JSON.stringify(options.maxPages)})`,
				{ itemIndex, description: 'Enter a positive whole number, or remove the Max Pages option for no limit.' },
			);
		}
		settings.max_pages = maxPages;
	}
	return settings;
}
