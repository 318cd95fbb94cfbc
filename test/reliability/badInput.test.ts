/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports */
/**
 * The bad-input catalogue: every way a user can get the input wrong, run as a real workflow (n8n-core
 * WorkflowExecute → LlamaExtract → emulator over HTTP), each with the exact message and description the user sees.
 * A message names the parameter and the item; a description says how to fix it. The same table is in
 * docs/errors.md, and the last tests check that the two agree and that the API key never leaks.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData } from 'n8n-workflow';
import { request } from 'undici';

import type { FaultRule } from '../../emulator/faults';
import { startEmulator, type Emulator } from '../../emulator/server';
import { storedBinaryItem, useFilesystemBinaryData } from '../harness/binaryData';
import { API_KEY, emulatorCredentials } from '../harness/emulator';
import { LeakWatch, LogCapture } from '../harness/logs';
import { binaryItem, runNode } from '../harness/n8n';

/** A real-looking key of "the other region": accepted nowhere here, and it must not leak either. */
const OTHER_REGION_SENTINEL = 'llx-EU-SENTINEL-0b3f9e27c51d4a86b2e0f4c7d9a1e635';

/** `{url}`, `{job}`, `{pjb}` … in the table stand for values only known at run time. */
type Placeholders = Record<string, string>;

interface Setup {
	parameters?: IDataObject;
	input?: INodeExecutionData[];
	credentials?: ICredentialDataDecryptedObject;
	placeholders?: Placeholders;
}

export interface BadInputCase {
	/** Short name; also the first column of docs/errors.md. */
	name: string;
	parameters?: IDataObject;
	input?: () => INodeExecutionData[] | Promise<INodeExecutionData[]>;
	credentials?: ICredentialDataDecryptedObject;
	faults?: FaultRule[];
	/** Extra preparation against the emulator; may override parameters and input and fill placeholders. */
	setup?: (emulator: Emulator) => Promise<Setup>;
	message: string;
	description: string;
	/** The item the error names; 0 unless a case sets it. */
	item?: number;
}

const INVOICE_TEXT = 'INVOICE\nInvoice Number: INV-7\nVendor: Acme Ltd\nTotal: 120.00\n';
const textItem = (json: IDataObject = {}, field = 'data') =>
	binaryItem(Buffer.from(INVOICE_TEXT), 'invoice.txt', 'text/plain', field, json);

const SCHEMA = '{"type": "object", "properties": {"total": {"type": "number"}}}';
const extract: IDataObject = {
	resource: 'extractJob',
	operation: 'extract',
	inputType: 'binary',
	binaryPropertyName: 'data',
	schemaSource: 'jsonSchema',
	jsonSchema: SCHEMA,
};
const withSettings = (settings: IDataObject): IDataObject => ({ ...extract, extractSettings: settings });
const withOptions = (options: IDataObject): IDataObject => ({ ...extract, options });
const fields = (field: IDataObject[]): IDataObject => ({ ...extract, schemaSource: 'fields', fields: { field } });
const example = (jsonExample: string): IDataObject => ({ ...extract, schemaSource: 'example', jsonExample });
const byId = (fileId: string): IDataObject => ({ ...extract, inputType: 'fileId', fileId });
const savedConfiguration = (value: string): IDataObject => ({
	...extract,
	schemaSource: 'configuration',
	configurationId: { __rl: true, mode: 'id', value },
});

function nested(depth: number): IDataObject {
	let schema: IDataObject = { type: 'string' };
	for (let level = 0; level < depth; level++) schema = { type: 'object', properties: { inner: schema } };
	return schema;
}

const FIX_JSON = 'Check for a missing quote, comma or brace.';
const TARGET_PAGES_HINT = 'Use 1-based page numbers separated by commas, with ranges like 5-7, e.g. "1,3,5-7".';
const SCHEMA_EXAMPLE_HINT =
	'Give a JSON Schema object such as {"type": "object", "properties": {"total": {"type": "number"}}}.';
const FIVE_XX_BODY = { detail: 'Oops! Something went wrong on our end. Correlation ID: 5f1c2d3e-0000-4000-8000-000000000001' };

export const CATALOGUE: BadInputCase[] = [
	/* ---------------------------------------------------------------- JSON Schema */
	{
		name: 'JSON Schema is not JSON',
		parameters: { ...extract, jsonSchema: '{"type": "object", "properties": {"total": {"type": "number"}},}' },
		message: 'The "JSON Schema" parameter on item 0 is not valid JSON',
		description: `Expected double-quoted property name in JSON at position 63. ${FIX_JSON}`,
	},
	{
		name: 'JSON Schema is not an object',
		parameters: { ...extract, jsonSchema: '["total", "vendor"]' },
		message: 'The "JSON Schema" parameter on item 0 is not a JSON object',
		description: SCHEMA_EXAMPLE_HINT,
	},
	{
		name: 'JSON Schema root is not type object',
		parameters: { ...extract, jsonSchema: '{"type": "array", "items": {"type": "string"}}' },
		message: 'The "JSON Schema" parameter on item 0 must have "type": "object" at the root (found "array")',
		description:
			'Wrap your fields in {"type": "object", "properties": {…}}. To extract a list, add an array property inside the object.',
	},
	{
		name: 'JSON Schema is nested too deep',
		parameters: { ...extract, jsonSchema: JSON.stringify(nested(8)) },
		message: 'The "JSON Schema" parameter on item 0 is nested 8 levels deep; LlamaExtract allows at most 7',
		description: 'Flatten the deepest objects, for example by moving sub-fields up one level.',
	},
	{
		name: 'JSON Schema properties is not an object',
		parameters: { ...extract, jsonSchema: '{"type": "object", "properties": ["total"]}' },
		message:
			'The "JSON Schema" parameter on item 0 has a "properties" that is not an object of field names and their schemas',
		description: 'Example: {"type": "object", "properties": {"vendor": {"type": "string"}}}.',
	},
	{
		name: 'JSON Schema wrong on the second item only',
		parameters: { ...extract, jsonSchema: '={{ $json.schema }}' },
		input: () => [textItem({ schema: SCHEMA }), textItem({ schema: '{"type": "string"}' })],
		message: 'The "JSON Schema" parameter on item 1 must have "type": "object" at the root (found "string")',
		description:
			'Wrap your fields in {"type": "object", "properties": {…}}. To extract a list, add an array property inside the object.',
		item: 1,
	},
	/* ---------------------------------------------------------------- Fields builder */
	{
		name: 'Fields: duplicate name',
		parameters: fields([
			{ name: 'total', type: 'number' },
			{ name: 'total', type: 'string' },
		]),
		message: 'The "Fields" parameter on item 0: field "total" appears twice',
		description: 'Give each field a different name, or remove the duplicate.',
	},
	{
		name: 'Fields: empty name',
		parameters: fields([
			{ name: 'vendor', type: 'string' },
			{ name: '  ', type: 'number' },
		]),
		message: 'The "Fields" parameter on item 0: field #2 has no name',
		description: 'Give every field a name, e.g. "invoice_number". The name becomes the key in the output.',
	},
	{
		name: 'Fields: duplicate sub-field name',
		parameters: fields([
			{
				name: 'address',
				type: 'object',
				subFields: {
					field: [
						{ name: 'city', type: 'string' },
						{ name: 'city', type: 'string' },
					],
				},
			},
		]),
		message: 'The "Fields" parameter on item 0: field "city" appears twice in address',
		description: 'Give each field a different name, or remove the duplicate.',
	},
	{
		name: 'Fields: object without sub-fields',
		parameters: fields([{ name: 'line_items', type: 'arrayOfObjects' }]),
		message: 'The "Fields" parameter on item 0: field "line_items" is a list of objects without sub-fields',
		description:
			'Add sub-fields to "line_items" (for a list of line items: description, quantity, amount…), or change its type.',
	},
	{
		name: 'Fields: name with symbols',
		parameters: fields([{ name: 'total ($)', type: 'number' }]),
		message: 'The "Fields" parameter on item 0: field name "total ($)" is not valid',
		description:
			'Use letters, digits, spaces, "_" or "-" (at most 128 characters), starting with a letter, digit or "_".',
	},
	/* ---------------------------------------------------------------- JSON example */
	{
		name: 'JSON Example is a list',
		parameters: example('[{"total": 1}]'),
		message: 'The "JSON Example" parameter on item 0 is a list, but the example must be one object',
		description:
			'Wrap the list in an object, e.g. {"line_items": [ … ]}, or give one row and set Extraction Target to Per Table Row.',
	},
	{
		name: 'JSON Example is a plain value',
		parameters: example('"total"'),
		message: 'The "JSON Example" parameter on item 0 is not a JSON object',
		description:
			'Give an example of the output, e.g. {"vendor": "ACME Corp", "total": 1234.5, "due_date": "2026-01-31"}.',
	},
	{
		name: 'JSON Example has no fields',
		parameters: example('{}'),
		message: 'The "JSON Example" parameter on item 0 has no fields',
		description: 'Give an example with the fields to extract, e.g. {"vendor": "ACME Corp", "total": 1234.5}.',
	},
	{
		name: 'JSON Example is not JSON',
		parameters: example("{'total': 1}"),
		message: 'The "JSON Example" parameter on item 0 is not valid JSON',
		description: `Expected property name or '}' in JSON at position 1. ${FIX_JSON}`,
	},
	{
		name: 'JSON Example mixes objects and values in a list',
		parameters: example('{"tags": [{"name": "a"}, "b"]}'),
		message: 'The "JSON Example" parameter on item 0 mixes objects and plain values in the list tags',
		description: 'Make every entry of a list the same kind: all objects (line items) or all plain values (tags).',
	},
	/* ---------------------------------------------------------------- binary input */
	{
		name: 'Input Binary Field missing (lists the fields there are)',
		parameters: extract,
		input: () => [
			{
				json: {},
				binary: {
					attachment_0: textItem().binary!.data,
					attachment_1: textItem().binary!.data,
				},
			},
		],
		message: 'Input Binary Field "data" not found on item 0',
		description:
			'The item has these binary fields: "attachment_0", "attachment_1". Set "Input Binary Field" to the field that holds the document.',
	},
	{
		name: 'Input Binary Field missing on the second item only',
		parameters: extract,
		input: () => [textItem(), textItem({}, 'file')],
		message: 'Input Binary Field "data" not found on item 1',
		description:
			'The item has these binary fields: "file". Set "Input Binary Field" to the field that holds the document.',
		item: 1,
	},
	{
		name: 'No binary data at all',
		parameters: extract,
		input: () => [{ json: { subject: 'Invoice attached' } }],
		message: 'Input Binary Field "data" not found on item 0',
		description:
			'The item has no binary data at all; add a node before this one that reads or downloads the file. Set "Input Binary Field" to the field that holds the document.',
	},
	{
		name: 'Empty file',
		parameters: extract,
		input: () => [binaryItem(Buffer.alloc(0), 'invoice.pdf', 'application/pdf')],
		message: 'The file "invoice.pdf" in Input Binary Field "data" on item 0 is empty (0 bytes)',
		description: 'Check the node that produced the file; it may have failed to download it.',
	},
	{
		name: 'File over the 100 MB extraction limit',
		parameters: extract,
		setup: async () => ({ input: [await bigStoredFile()] }),
		message:
			'The file "scan.pdf" in Input Binary Field "data" on item 0 is 101.0 MB; LlamaCloud accepts at most 100 MB here',
		description: 'Split the document (for example by page range) or compress it before extracting.',
	},
	{
		name: 'Unknown MIME type and no extension',
		parameters: extract,
		input: () => [
			{
				json: {},
				binary: {
					data: { data: Buffer.from(INVOICE_TEXT).toString('base64'), mimeType: 'application/octet-stream', fileName: 'scan' },
				},
			},
		],
		message:
			'The file "scan" in Input Binary Field "data" on item 0 has no extension and the MIME type "application/octet-stream", so its type is unknown',
		description:
			'LlamaCloud tells the type of a document by its extension. In the node that produces the file, give it a name with an extension (for example invoice.pdf) or a MIME type such as application/pdf.',
	},
	/* ---------------------------------------------------------------- several documents per item (email attachments) */
	{
		name: 'Attachment pattern matches no binary field',
		parameters: { ...extract, binaryPropertyName: 'attachment_*' },
		message: 'Input Binary Field "attachment_*" matches no binary field on item 0',
		description:
			'The item has these binary fields: "data". Set "Input Binary Field" to the fields that hold the documents (for example attachment_* or *). For items that may have none (an email without attachments), set Options › When No Document to Skip Item or Pass Item Through.',
	},
	{
		name: 'Only winmail.dat attached',
		parameters: { ...extract, binaryPropertyName: 'attachment_*' },
		input: () => [
			binaryItem(Buffer.from([0x78, 0x9f, 0x3e, 0x22, 0x01, 0x00]), 'winmail.dat', 'application/ms-tnef', 'attachment_0'),
		],
		message:
			'No document to extract on item 0: "attachment_0" (winmail.dat: .dat (application/ms-tnef) is not a document type LlamaExtract reads)',
		description:
			'Options › Document Types and Skip Images Smaller Than decide which files are documents. For items that may have none (an email without attachments), set Options › When No Document to Skip Item or Pass Item Through.',
	},
	{
		name: 'Document Types leaves out the only attachment',
		parameters: { ...extract, binaryPropertyName: 'data', options: { documentTypes: ['image'] } },
		message: 'No document to extract on item 0: "data" (invoice.txt: Document Types leaves out text files)',
		description:
			'Options › Document Types and Skip Images Smaller Than decide which files are documents. For items that may have none (an email without attachments), set Options › When No Document to Skip Item or Pass Item Through.',
	},
	{
		name: 'Input Binary Field empty (from an expression)',
		parameters: { ...extract, binaryPropertyName: ' , ' },
		message: 'The "Input Binary Field" parameter is empty on item 0',
		description: 'Enter the binary field that holds the document (usually data), or a pattern such as attachment_* for every email attachment.',
	},
	{
		name: 'Skip Images Smaller Than is negative',
		parameters: withOptions({ minImageKb: -5 }),
		message: 'The "Skip Images Smaller Than (KB)" option on item 0 is -5, which is not valid',
		description: 'Enter a size in KB, 0 or more (0 keeps every image).',
	},
	/* ---------------------------------------------------------------- extraction settings and options */
	{
		name: 'Target Pages "1-"',
		parameters: withSettings({ targetPages: '1-' }),
		message: 'Target Pages on item 0: "1-" is not a page number or a range like 5-7',
		description: TARGET_PAGES_HINT,
	},
	{
		name: 'Target Pages "0"',
		parameters: withSettings({ targetPages: '0' }),
		message: 'Target Pages on item 0: pages start at 1, so "0" is not valid',
		description: TARGET_PAGES_HINT,
	},
	{
		name: 'Target Pages "a"',
		parameters: withSettings({ targetPages: 'a' }),
		message: 'Target Pages on item 0: "a" is not a page number or a range like 5-7',
		description: TARGET_PAGES_HINT,
	},
	{
		name: 'Target Pages range backwards',
		parameters: withSettings({ targetPages: '1, 7-5' }),
		message: 'Target Pages on item 0: the range "7-5" ends before it starts',
		description: TARGET_PAGES_HINT,
	},
	{
		name: 'Target Pages wrong on the second item only',
		parameters: withSettings({ targetPages: '={{ $json.pages }}' }),
		input: () => [textItem({ pages: '1' }), textItem({ pages: '0' })],
		message: 'Target Pages on item 1: pages start at 1, so "0" is not valid',
		description: TARGET_PAGES_HINT,
		item: 1,
	},
	{
		name: 'Max Pages 0',
		parameters: withSettings({ maxPages: 0 }),
		message: 'Max Pages on item 0 must be a whole number of at least 1 (got 0)',
		description: 'Enter a positive whole number, or remove the Max Pages option for no limit.',
	},
	{
		name: 'Max Pages not whole',
		parameters: withSettings({ maxPages: 2.5 }),
		message: 'Max Pages on item 0 must be a whole number of at least 1 (got 2.5)',
		description: 'Enter a positive whole number, or remove the Max Pages option for no limit.',
	},
	{
		name: 'Wait Timeout 0',
		parameters: withOptions({ waitTimeout: 0 }),
		message: 'Wait Timeout on item 0 must be a positive number of seconds (got 0)',
		description: 'Enter how many seconds to wait for the job, for example 900.',
	},
	{
		name: 'Wait Timeout negative',
		parameters: withOptions({ waitTimeout: -5 }),
		message: 'Wait Timeout on item 0 must be a positive number of seconds (got -5)',
		description: 'Enter how many seconds to wait for the job, for example 900.',
	},
	{
		name: 'Review threshold above 1',
		parameters: withOptions({ routeForReview: true, reviewThreshold: 3 }),
		message: 'The "Review: Confidence Threshold" option on item 0 must be a number from 0 to 1, but it is 3',
		description: 'Set Options › Review: Confidence Threshold to a value such as 0.8, or fix its expression.',
	},
	{
		name: 'Review pattern does not compile',
		parameters: withOptions({ routeForReview: true, reviewRules: { rule: [{ field: 'total', check: 'pattern', pattern: '([' }] } }),
		message:
			'The review pattern for field "total" on item 0 is not a valid regular expression: Invalid regular expression: /([/: Unterminated character class',
		description: 'Fix Options › Review: Field Rules › Pattern (JavaScript syntax, without slashes), e.g. ^INV-\\d+$.',
	},
	{
		name: 'Max Pages per Run negative',
		parameters: withOptions({ maxPagesPerRun: -1 }),
		message: 'The "Max Pages per Run" option on item 0 must be a whole number of 0 or more, but it is -1',
		description: 'Set Options › Max Pages per Run to a number of pages, or 0 for no limit.',
	},
	{
		name: 'Max Pages per Run reached',
		parameters: withOptions({ maxPagesPerRun: 1 }),
		input: () => [textItem(), textItem()],
		message:
			'Max Pages per Run reached: item 1 (pages that could not be counted (one page charged)) was not submitted, because this run already sent 1 of its 1 pages',
		description:
			'Nothing was uploaded and no job was created for this item. The budget is Options › Max Pages per Run (now 1); raise it, or set it to 0 for no limit, to extract the remaining items. It guards against a loop sending more documents than intended.',
		item: 1,
	},
	/* ---------------------------------------------------------------- IDs */
	{
		name: 'Unknown job ID (404)',
		parameters: { resource: 'extractJob', operation: 'get', jobId: 'ext-00000000-0000-4000-8000-00000000dead' },
		input: () => [{ json: {} }],
		message: '404 Not found: Extract job not found: ext-00000000-0000-4000-8000-00000000dead',
		description:
			'No extract job "ext-00000000-0000-4000-8000-00000000dead" exists in the project and region of the LlamaCloud credential. Check the Job ID on item 0 (extract job IDs start with ext-), and that the credential is the one the job was created with.',
	},
	{
		name: 'Unknown configuration ID (404)',
		parameters: savedConfiguration('cfg-00000000-0000-4000-8000-00000000dead'),
		setup: async () => ({ placeholders: {} }),
		message: '404 Not found: Configuration not found: cfg-00000000-0000-4000-8000-00000000dead',
		description:
			'Item 0 asked for the saved configuration cfg-00000000-0000-4000-8000-00000000dead and the document {file}. Check the Configuration parameter (pick it from the list) and the document ID: both must exist in the project and region of the LlamaCloud credential.',
	},
	{
		name: 'Unknown file ID (404)',
		parameters: byId('dfl-00000000-0000-4000-8000-00000000dead'),
		input: () => [{ json: {} }],
		message: '404 Not found: File not found: dfl-00000000-0000-4000-8000-00000000dead',
		description:
			'The document dfl-00000000-0000-4000-8000-00000000dead of item 0 does not exist in the project and region of the LlamaCloud credential. Check the File or Parse Job ID, or upload the file (Input Type: Binary File).',
	},
	{
		name: 'A v1 agent ID where a v2 configuration goes',
		parameters: savedConfiguration('={{ "3fa85f64-5717-4562-b3fc-2c963f66afa6" }}'),
		message:
			'The Configuration on item 0 looks like a v1 extraction agent ID ("3fa85f64-5717-4562-b3fc-2c963f66afa6"), not a v2 configuration ID',
		description:
			'v2 configuration IDs start with cfg-. Use the Legacy Agent (V1) resource for v1 agents, or migrate the agent to a saved configuration.',
	},
	{
		name: 'A v1 job ID where a v2 job ID goes',
		parameters: { resource: 'extractJob', operation: 'get', jobId: '3fa85f64-5717-4562-b3fc-2c963f66afa6' },
		input: () => [{ json: {} }],
		message: 'The "Job ID" on item 0 looks like a v1 extraction job ID ("3fa85f64-5717-4562-b3fc-2c963f66afa6"), not a v2 extract job ID',
		description:
			'v2 extract job IDs start with ext-. For v1 extraction jobs and agents, use the Legacy Agent (V1) resource.',
	},
	{
		name: 'A file ID where a job ID goes',
		parameters: { resource: 'extractJob', operation: 'get', jobId: 'dfl-00000000-0000-4000-8000-000000000001' },
		input: () => [{ json: {} }],
		message:
			'The "Job ID" on item 0 is the ID of a file ("dfl-00000000-0000-4000-8000-000000000001"), not of an extract job',
		description:
			'Use an extract job ID (ext-…): the "id" of an Extract Job › Create or Get Many result, or "_llamaextract.job_id" of Extract Data.',
	},
	{
		name: 'A parse job (pjb-) that has not finished',
		setup: async (emulator) => {
			const file = emulator.addFile('invoice.txt', Buffer.from(INVOICE_TEXT));
			const created = await emulatorPost(emulator, '/api/v2/parse', { tier: 'fast', version: 'latest', file_id: file.id });
			await emulator.waitForJob(created.id, { statuses: ['RUNNING'] });
			return { parameters: byId(created.id), input: [{ json: {} }], placeholders: { pjb: created.id } };
		},
		message: 'Parse job {pjb} on item 0 is RUNNING, not COMPLETED',
		description:
			'Only a finished parse job can be extracted from. Wait until it is COMPLETED (for example with a Wait node), or use the file ID (dfl-…) instead.',
	},
	/* ---------------------------------------------------------------- answers from LlamaCloud */
	{
		name: '422 from the server: bad Version',
		parameters: withSettings({ version: 'next-week' }),
		message: '422 Invalid request: body.configuration.version: version must be "latest" or a date like 2026-01-08',
		description: 'Fix Extraction Settings › Version (configuration.version) on item 0, then run the node again.',
	},
	{
		name: '422 from the server: unknown Tier from an expression',
		parameters: withSettings({ tier: '={{ "ultra" }}' }),
		message:
			"422 Invalid request: body.configuration.tier: Input should be 'cost_effective', 'agentic' or 'agentic_plus'",
		description: 'Fix Extraction Settings › Tier (configuration.tier) on item 0, then run the node again.',
	},
	{
		name: '401: a key from the other region',
		parameters: extract,
		credentials: { apiKey: OTHER_REGION_SENTINEL },
		message: '401 Unauthorized: Invalid authentication token',
		description:
			'LlamaCloud at {url} did not accept the API key. Keys belong to one region: a key made in the EU region fails on the US endpoint and the other way round. Open the LlamaCloud credential, check the API key, and pick the region the key was created in.',
	},
	{
		name: '402: out of credits (not retried)',
		parameters: extract,
		faults: [{ route: 'POST /api/v2/extract', action: { type: 'status', status: 402 } }],
		message: '402 Payment required: Insufficient credits: your plan has run out of credits',
		description:
			'The LlamaCloud organization is out of credits, so nothing was retried. Add credits or upgrade the plan in LlamaCloud (Settings › Billing), then run the node again.',
	},
	{
		name: '403: the key may not use this project',
		parameters: extract,
		faults: [
			{
				route: 'POST /api/v1/beta/files',
				action: { type: 'status', status: 403, body: { detail: 'Not allowed to access this project' } },
			},
		],
		message: '403 Forbidden: Not allowed to access this project',
		description:
			'The key has no access to this project or resource. Check the Project ID and Organization ID in the credential and the role of the key.',
	},
	{
		name: '429 whose Retry-After is past the Wait Timeout',
		parameters: withOptions({ waitTimeout: 60 }),
		faults: [{ route: 'POST /api/v2/extract', action: { type: 'status', status: 429, retryAfterSeconds: 3600 } }],
		message: '429 Rate limited: Rate limit exceeded. Please retry later.',
		description:
			"LlamaCloud is rate limiting this key. The node paces its own requests, so other clients of the same project or organization may be using the limit too: retry later. LlamaCloud asked to wait 3600 s before retrying (Retry-After), which is past this item's time limit. Raise Wait Timeout or run the item later.",
	},
	{
		name: '5xx on every try of a create: reported after the retries, never created twice',
		parameters: extract,
		faults: [{ route: 'POST /api/v2/extract', action: { type: 'status', status: 500, retryAfterMs: 5, body: FIVE_XX_BODY } }],
		message: `500 LlamaCloud server error: ${FIVE_XX_BODY.detail}`,
		description:
			'LlamaCloud had a problem on its side. Retry later; if it persists, quote the correlation ID above to LlamaCloud support. Tried 8 times; LlamaCloud kept failing (HTTP 500). Try again later, or lower Max Concurrent Jobs.',
	},
	{
		name: 'The extraction job failed',
		parameters: extract,
		setup: async (emulator) => {
			emulator.faults.addJobRule({ outcome: 'fail', errorMessage: 'The document has no readable text' });
			return {};
		},
		message: 'Extraction job {job} ended FAILED: The document has no readable text',
		description:
			'LlamaCloud could not extract this document. Check that the file is a readable document and that the schema fits it; the job ID is kept for support.',
	},
	{
		name: 'The job is still running at Wait Timeout (On Timeout: Fail)',
		parameters: withOptions({ waitTimeout: 1, onTimeout: 'error' }),
		setup: async (emulator) => {
			emulator.faults.addJobRule({ outcome: 'stall' });
			return {};
		},
		message: 'Extraction job {job} is still RUNNING after 1 s',
		description:
			'The job keeps running in LlamaCloud. Resume with Extract Job › Wait for Completion and Job ID {job}, or raise Wait Timeout, or set On Timeout to output the pending job.',
	},
	/* ---------------------------------------------------------------- credential and URL input */
	{
		name: 'Custom Base URL that is not a URL',
		parameters: extract,
		credentials: { baseUrl: 'api.cloud.llamaindex.ai/api' },
		message: 'The LlamaCloud credential\'s Base URL "api.cloud.llamaindex.ai/api" is not a valid URL',
		description:
			'Open the LlamaCloud credential and enter a full URL such as https://api.cloud.llamaindex.ai, or pick the US or EU region.',
	},
	{
		name: 'Custom Base URL that is not http(s)',
		parameters: extract,
		credentials: { baseUrl: 'ftp://api.cloud.llamaindex.ai' },
		message: 'The LlamaCloud credential\'s Base URL "ftp://api.cloud.llamaindex.ai" must start with http:// or https://',
		description: 'Open the LlamaCloud credential and fix the Base URL.',
	},
	{
		name: 'Document URL that is not a URL',
		parameters: { ...extract, inputType: 'url', url: 'invoice.pdf' },
		input: () => [{ json: {} }],
		message: 'The "Document URL" on item 0 is not a valid URL: "invoice.pdf"',
		description: 'Enter a full link such as https://example.com/invoice.pdf.',
	},
	{
		name: 'Document URL that is not http(s)',
		parameters: { ...extract, inputType: 'url', url: 'file:///etc/passwd' },
		input: () => [{ json: {} }],
		message: 'The "Document URL" on item 0 must start with http:// or https://',
		description: 'Only web links can be downloaded. For a file from an earlier node, set Input Type to Binary File.',
	},
];

let emulator: Emulator;
let storagePath: string | undefined;
const logs = new LogCapture();
const watch = new LeakWatch();

async function emulatorPost(target: Emulator, path: string, body: unknown): Promise<{ id: string }> {
	const response = await request(`${target.url}${path}`, {
		method: 'POST',
		headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	expect(response.statusCode).toBe(200);
	return (await response.body.json()) as { id: string };
}

/** A 101 MB PDF in n8n's filesystem binary store, as a Read File node would leave it. */
async function bigStoredFile(): Promise<INodeExecutionData> {
	const binaryData = await useFilesystemBinaryData();
	storagePath = binaryData.storagePath;
	const chunk = Buffer.alloc(1024 * 1024);
	const content = Readable.from((function* () {
		for (let index = 0; index < 101; index++) yield chunk;
	})());
	return await storedBinaryItem(binaryData.service, content, 'scan.pdf', 'application/pdf');
}

function fill(text: string, placeholders: Placeholders): string {
	return text.replace(/\{(\w+)\}/g, (whole, key: string) => placeholders[key] ?? whole);
}

beforeAll(async () => {
	logs.install();
	emulator = await startEmulator({
		apiKey: API_KEY,
		jobMs: 40,
		jobMsFor: (job) => (job.kind === 'parse' ? 60_000 : undefined),
	});
});

afterAll(async () => {
	await emulator.close();
	logs.uninstall();
	if (storagePath) rmSync(storagePath, { recursive: true, force: true });
});

describe('bad-input catalogue', () => {
	test('has at least 40 cases, each with its own name', () => {
		expect(CATALOGUE.length).toBeGreaterThanOrEqual(40);
		expect(new Set(CATALOGUE.map((entry) => entry.name)).size).toBe(CATALOGUE.length);
	});

	test.each(CATALOGUE.map((entry) => [entry.name, entry] as const))('%s', async (_name, entry) => {
		await emulator.reset();
		if (entry.faults) emulator.faults.configure({ rules: entry.faults });
		const prepared = (await entry.setup?.(emulator)) ?? {};
		const credentials = emulatorCredentials(emulator.url, API_KEY, { ...entry.credentials, ...prepared.credentials });
		const jobsBefore = emulator.jobs().length;
		const result = watch.record(
			await runNode({
				parameters: prepared.parameters ?? entry.parameters ?? extract,
				credentials,
				input: prepared.input ?? (await entry.input?.()) ?? [textItem()],
			}),
		);
		emulator.faults.clear();

		const extractJobs = emulator.jobs().filter((job) => job.kind === 'extract');
		const files = (emulator.stats().byRoute['POST /api/v1/beta/files'] ?? 0) > 0 ? await listFiles() : [];
		const placeholders: Placeholders = {
			url: emulator.url,
			job: extractJobs[extractJobs.length - 1]?.id ?? '(no job)',
			file: files[0]?.id ?? '(no file)',
			...prepared.placeholders,
		};
		const { error } = result;
		expect(error).toBeDefined();
		expect({ message: error?.message, description: error?.description }).toEqual({
			message: fill(entry.message, placeholders),
			description: fill(entry.description, placeholders),
		});
		expect(error?.context?.itemIndex ?? 0).toBe(entry.item ?? 0);
		// Bad input never leaves a second job behind.
		expect(extractJobs.length - jobsBefore).toBeLessThanOrEqual(entry.item ?? 1);
	});

	test('docs/errors.md lists every case with the same message and description', () => {
		const docs = readFileSync(join(__dirname, '../../docs/errors.md'), 'utf8');
		const missing = CATALOGUE.filter(
			(entry) =>
				!docs.includes(`| ${entry.name} | ${markdownCell(entry.message)} | ${markdownCell(entry.description)} |`),
		).map((entry) => entry.name);
		expect(missing).toEqual([]);
	});

	test('the sentinel API key, and the wrong key of the 401 case, never appear in any output, error or log line', () => {
		expect(watch.recorded).toBe(CATALOGUE.length);
		expect(watch.findLeaks(API_KEY, logs)).toEqual([]);
		expect(watch.findLeaks(OTHER_REGION_SENTINEL, logs)).toEqual([]);
	});
});

async function listFiles(): Promise<Array<{ id: string }>> {
	const response = await request(`${emulator.url}/api/v1/beta/files`, {
		headers: { authorization: `Bearer ${API_KEY}` },
	});
	return ((await response.body.json()) as { items: Array<{ id: string }> }).items;
}

/** How a catalogue text is written in a docs/errors.md table cell. */
export function markdownCell(text: string): string {
	return text.replace(/\|/g, '\\|');
}
