 
/**
 * Extract Data end to end: real n8n-core WorkflowExecute → LlamaExtract node → emulator over HTTP on 127.0.0.1.
 */
import type { Emulator } from '../../emulator/server';
import {
	expectedInvoiceResult,
	INVOICE_SCHEMA,
	makeInvoicePdf,
	makeInvoiceText,
	SAMPLE_INVOICES,
} from '../../emulator/samples';
import { emulatorCredentials, useEmulator, type EmulatorCredentials } from '../harness/emulator';
import { binaryItem, runNode } from '../harness/n8n';

let emulator: Emulator;
let credentials: EmulatorCredentials;
// Tests here build on what earlier ones uploaded, so the emulator is not emptied between them.
const running = useEmulator({ jobMs: 150, resetBeforeEach: false });
beforeAll(() => ({ emulator, credentials } = running));

const baseParameters = {
	resource: 'extractJob',
	operation: 'extract',
	inputType: 'binary',
	binaryPropertyName: 'data',
	schemaSource: 'jsonSchema',
	jsonSchema: JSON.stringify(INVOICE_SCHEMA),
};

describe('Extract Data', () => {
	test('a PDF invoice from a binary field gives the right vendor, total and line items', async () => {
		const invoice = SAMPLE_INVOICES[0];
		const pdf = await makeInvoicePdf(invoice);
		const { items, error, run } = await runNode({
			parameters: baseParameters,
			credentials,
			input: [binaryItem(pdf, 'invoice.pdf', 'application/pdf', 'data', { source: 'mail' })],
		});
		expect(error).toBeUndefined();
		expect(run.status).toBe('success');
		expect(items).toHaveLength(1);
		const expected = expectedInvoiceResult(invoice);
		const json = items[0].json as Record<string, unknown>;
		expect(json.vendor).toBe(expected.vendor);
		expect(json.total).toBe(expected.total);
		expect(json.line_items).toEqual(expected.line_items);
		// extract_result is a real object, not a string, and the job facts ride along.
		const meta = json._llamaextract as Record<string, unknown>;
		expect(meta.job_id).toMatch(/^ext-/);
		expect(meta.file_id).toMatch(/^dfl-/);
		expect(meta.status).toBe('COMPLETED');
		expect(meta.usage).toEqual(expect.objectContaining({ num_pages_extracted: 1 }));
		// The input binary is kept and the item is paired to its source.
		expect(items[0].binary?.data?.fileName).toBe('invoice.pdf');
		expect(items[0].pairedItem).toEqual({ item: 0 });
	});

	test('every sample invoice is read exactly, in input order', async () => {
		const input = await Promise.all(
			SAMPLE_INVOICES.map(async (invoice, index) =>
				binaryItem(await makeInvoicePdf(invoice), `invoice-${index}.pdf`, 'application/pdf'),
			),
		);
		const { items, error } = await runNode({ parameters: baseParameters, credentials, input });
		expect(error).toBeUndefined();
		expect(items.map((item) => item.pairedItem)).toEqual(SAMPLE_INVOICES.map((_, item) => ({ item })));
		items.forEach((item, index) => {
			const expected = expectedInvoiceResult(SAMPLE_INVOICES[index]);
			const { _llamaextract, ...fields } = item.json as Record<string, unknown>;
			expect(_llamaextract).toBeDefined();
			expect(fields).toEqual(expected);
		});
	});

	test('Simplify off returns the full job object', async () => {
		const pdf = await makeInvoicePdf(SAMPLE_INVOICES[1]);
		const { items } = await runNode({
			parameters: { ...baseParameters, simplify: false },
			credentials,
			input: [binaryItem(pdf, 'invoice.pdf', 'application/pdf')],
		});
		const job = items[0].json as Record<string, unknown>;
		expect(job.id).toMatch(/^ext-/);
		expect(job.status).toBe('COMPLETED');
		expect(job.extract_result).toEqual(expectedInvoiceResult(SAMPLE_INVOICES[1]));
	});

	test('a saved configuration picked by ID is used for the job', async () => {
		const saved = await running.api.post('/api/v1/beta/configurations', {
			name: `invoice-vendor-only-${Date.now()}`,
			parameters: {
				product_type: 'extract_v2',
				data_schema: { type: 'object', properties: { vendor: { type: 'string' } } },
			},
		});
		expect(saved.status).toBe(201);
		const configId = saved.body.id as string;
		const pdf = await makeInvoicePdf(SAMPLE_INVOICES[0]);
		const { items, error } = await runNode({
			parameters: {
				...baseParameters,
				schemaSource: 'configuration',
				configurationId: { __rl: true, mode: 'id', value: configId },
				simplify: false,
			},
			credentials,
			input: [binaryItem(pdf, 'invoice.pdf', 'application/pdf')],
		});
		expect(error).toBeUndefined();
		const job = items[0].json as Record<string, unknown>;
		expect(job.configuration_id).toBe(configId);
		expect(job.extract_result).toEqual({ vendor: SAMPLE_INVOICES[0].vendor });
	});

	test('a file ID already in LlamaCloud is extracted without uploading again', async () => {
		const fileId = emulator.addFile('invoice.txt', Buffer.from(makeInvoiceText(SAMPLE_INVOICES[2])), {
			mimeType: 'text/plain',
		}).id;
		const before = emulator.stats().byRoute['POST /api/v1/beta/files'] ?? 0;
		const { items, error } = await runNode({
			parameters: { ...baseParameters, inputType: 'fileId', fileId },
			credentials,
		});
		expect(error).toBeUndefined();
		expect(emulator.stats().byRoute['POST /api/v1/beta/files'] ?? 0).toBe(before);
		const json = items[0].json as Record<string, unknown>;
		expect((json._llamaextract as Record<string, unknown>).file_id).toBe(fileId);
		expect(json.total).toBe(SAMPLE_INVOICES[2].total);
	});

	test('a wait timeout outputs the pending job with its ID', async () => {
		emulator.configure({ jobMs: 5000 });
		try {
			const pdf = await makeInvoicePdf(SAMPLE_INVOICES[0]);
			const { items, error } = await runNode({
				parameters: { ...baseParameters, options: { waitTimeout: 0.6 } },
				credentials,
				input: [binaryItem(pdf, 'invoice.pdf', 'application/pdf')],
			});
			expect(error).toBeUndefined();
			const meta = (items[0].json as Record<string, Record<string, unknown>>)._llamaextract;
			expect(meta.job_id).toMatch(/^ext-/);
			expect(['PENDING', 'RUNNING']).toContain(meta.status);
			expect(items[0].json.vendor).toBeUndefined();
		} finally {
			emulator.configure({ jobMs: 150 });
		}
	});

	test('a wait timeout set to fail names the job ID to resume with', async () => {
		emulator.configure({ jobMs: 5000 });
		try {
			const pdf = await makeInvoicePdf(SAMPLE_INVOICES[0]);
			const { error } = await runNode({
				parameters: { ...baseParameters, options: { waitTimeout: 0.6, onTimeout: 'error' } },
				credentials,
				input: [binaryItem(pdf, 'invoice.pdf', 'application/pdf')],
			});
			expect(error?.message).toMatch(/^Extraction job ext-[\w-]+ is still (PENDING|RUNNING) after 1 s$/);
			const jobId = /ext-[\w-]+/.exec(error!.message)![0];
			expect(error?.description).toContain(`Wait for Completion and Job ID ${jobId}`);
		} finally {
			emulator.configure({ jobMs: 150 });
		}
	});

	test('a FAILED job gives an error with the job ID and the server reason', async () => {
		const text = Buffer.from('Vendor: Broken Docs Inc\nEMULATOR_FAIL\n');
		const { error } = await runNode({
			parameters: baseParameters,
			credentials,
			input: [binaryItem(text, 'broken.txt', 'text/plain')],
		});
		expect(error?.message).toMatch(/^Extraction job ext-[\w-]+ ended FAILED: .+/);
		expect((error?.context as Record<string, unknown>)?.jobId).toMatch(/^ext-/);
	});

	test('a wrong API key gives 401 with a hint about the key and the region', async () => {
		const pdf = await makeInvoicePdf(SAMPLE_INVOICES[0]);
		const { error } = await runNode({
			parameters: baseParameters,
			credentials: emulatorCredentials(emulator.url, 'llx-wrong-region-key'),
			input: [binaryItem(pdf, 'invoice.pdf', 'application/pdf')],
		});
		expect(error?.message).toBe('401 Unauthorized: Invalid authentication token');
		expect(error?.description).toMatch(/did not accept the API key\. Keys belong to one region/);
		expect(error?.description).toMatch(/pick the region the key was created in/);
		expect(JSON.stringify(error)).not.toContain('llx-wrong-region-key');
	});

	test('a missing binary field lists the fields the item has', async () => {
		const pdf = await makeInvoicePdf(SAMPLE_INVOICES[0]);
		const { error } = await runNode({
			parameters: { ...baseParameters, binaryPropertyName: 'attachment_0' },
			credentials,
			input: [binaryItem(pdf, 'invoice.pdf', 'application/pdf', 'invoice')],
		});
		expect(error?.message).toBe('Input Binary Field "attachment_0" not found on item 0');
		expect(error?.description).toContain('The item has these binary fields: "invoice".');
	});

	test('invalid schema JSON names the parameter', async () => {
		const { error } = await runNode({
			parameters: { ...baseParameters, jsonSchema: '{"type": "object", "properties": {' },
			credentials,
			input: [binaryItem(Buffer.from('x'), 'a.txt', 'text/plain')],
		});
		expect(error?.message).toBe('The "JSON Schema" parameter on item 0 is not valid JSON');
		expect(error?.description).toMatch(/Check for a missing quote, comma or brace/);
	});

	test('Max Concurrent Jobs from an expression that gives no number stops with an error naming the option, before any upload', async () => {
		const uploadsBefore = emulator.stats().byRoute['POST /api/v1/beta/files'] ?? 0;
		const { items, error } = await runNode({
			parameters: { ...baseParameters, options: { maxConcurrency: '={{ $json.parallel }}' } },
			credentials,
			input: [binaryItem(Buffer.from(makeInvoiceText(SAMPLE_INVOICES[0])), 'a.txt', 'text/plain', 'data', { parallel: 'five' })],
		});
		expect(items).toHaveLength(0);
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.message).toBe('The "Max Concurrent Jobs" option on item 0 must be a number, but its expression gave "five"');
		expect(error?.description).toBe('Set Options › Max Concurrent Jobs to a whole number from 1 to 100, or fix its expression.');
		expect(emulator.stats().byRoute['POST /api/v1/beta/files'] ?? 0).toBe(uploadsBefore);
	});

	test('Max Concurrent Jobs from an expression that gives a number as text is used', async () => {
		const { items, error } = await runNode({
			parameters: { ...baseParameters, options: { maxConcurrency: '={{ $json.parallel }}' } },
			credentials,
			input: [binaryItem(Buffer.from(makeInvoiceText(SAMPLE_INVOICES[1])), 'b.txt', 'text/plain', 'data', { parallel: '2' })],
		});
		expect(error).toBeUndefined();
		expect(items[0].json.vendor).toBe(SAMPLE_INVOICES[1].vendor);
	});

	test('Continue On Fail isolates the failing item and keeps order and pairing', async () => {
		const good = binaryItem(await makeInvoicePdf(SAMPLE_INVOICES[0]), 'a.pdf', 'application/pdf');
		const missing = { json: { note: 'no attachment' } };
		const failing = binaryItem(Buffer.from('EMULATOR_FAIL'), 'b.txt', 'text/plain');
		const { items, error } = await runNode({
			parameters: baseParameters,
			credentials,
			input: [good, missing, failing, good],
			onError: 'continueRegularOutput',
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(4);
		expect(items.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
		expect(items[0].json.vendor).toBe(SAMPLE_INVOICES[0].vendor);
		expect(items[1].json.error).toBe('Input Binary Field "data" not found on item 1');
		expect(items[2].json.error).toMatch(/ended FAILED/);
		expect(items[2].json.job_id).toMatch(/^ext-/);
		expect(items[3].json.vendor).toBe(SAMPLE_INVOICES[0].vendor);
	});
});
