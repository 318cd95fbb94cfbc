/**
 * The sample email-attachment-to-JSON job, run through the real n8n-core engine against the emulator:
 * an invoice PDF (as an email attachment would arrive) → LlamaExtract Extract Data → JSON.
 */
import { startEmulator, type Emulator } from '../emulator/server';
import { expectedInvoiceResult, INVOICE_SCHEMA, makeInvoicePdf, SAMPLE_INVOICES } from '../emulator/samples';
import { emulatorCredentials } from '../test/harness/emulator';
import { binaryItem, runNode } from '../test/harness/n8n';

export interface SampleRun {
	emulator: Emulator;
	output: Array<Record<string, unknown>>;
	matchesExpected: boolean;
}

export async function runSampleWorkflow(emulator: Emulator, apiKey: string): Promise<SampleRun> {
	const invoices = SAMPLE_INVOICES.slice(0, 2);
	const input = await Promise.all(
		invoices.map(async (invoice, index) =>
			binaryItem(await makeInvoicePdf(invoice), `invoice-${index + 1}.pdf`, 'application/pdf', 'attachment_0', {
				subject: `Invoice ${invoice.invoiceNumber} from ${invoice.vendor}`,
			}),
		),
	);
	const { items, error } = await runNode({
		parameters: {
			resource: 'extractJob',
			operation: 'extract',
			inputType: 'binary',
			binaryPropertyName: 'attachment_0',
			schemaSource: 'jsonSchema',
			jsonSchema: JSON.stringify(INVOICE_SCHEMA, null, 2),
			options: { keepBinary: false },
		},
		credentials: emulatorCredentials(emulator.url, apiKey),
		input,
	});
	if (error) throw error;
	const output = items.map((item) => item.json as Record<string, unknown>);
	const matchesExpected = output.every((json, index) => {
		const { _llamaextract, ...fields } = json;
		return JSON.stringify(fields) === JSON.stringify(expectedInvoiceResult(invoices[index])) && !!_llamaextract;
	});
	return { emulator, output, matchesExpected };
}

export async function startSampleEmulator(port: number, apiKey: string): Promise<Emulator> {
	return await startEmulator({ port, apiKey, jobMs: 1500 });
}
