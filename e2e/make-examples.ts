/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/* eslint-disable no-console */
/**
 * Regenerates the sample documents of examples/ from the emulator's invoice generator (deterministic bytes):
 *   examples/files/invoice-acme.pdf          the "email attachment" (also embedded, base64, in the email example)
 *   examples/files/invoices/<number>.pdf     the folder the batch example reads
 * Run: npx tsx e2e/make-examples.ts
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { makeInvoicePdf, SAMPLE_INVOICES } from '../emulator/samples';
import { EXAMPLES_DIR } from './lib/runtimes';

/** The sample invoices the examples use, with the file names they get. */
export const EXAMPLE_INVOICES = SAMPLE_INVOICES.slice(0, 3);
export const EMAIL_INVOICE = EXAMPLE_INVOICES[0];

async function main() {
	const files = path.join(EXAMPLES_DIR, 'files');
	mkdirSync(path.join(files, 'invoices'), { recursive: true });
	const attachment = await makeInvoicePdf(EMAIL_INVOICE);
	writeFileSync(path.join(files, 'invoice-acme.pdf'), attachment);
	for (const invoice of EXAMPLE_INVOICES) {
		writeFileSync(path.join(files, 'invoices', `${invoice.invoiceNumber}.pdf`), await makeInvoicePdf(invoice));
	}

	const emailFile = path.join(EXAMPLES_DIR, 'email-attachment-to-json.json');
	const workflow = JSON.parse(readFileSync(emailFile, 'utf8')) as {
		nodes: Array<{ name: string; parameters: { assignments?: { assignments: Array<{ name: string; value: string }> } } }>;
	};
	const email = workflow.nodes.find((node) => node.name === 'Sample email');
	const field = email?.parameters.assignments?.assignments.find((a) => a.name === 'attachment_base64');
	if (!field) throw new Error('Sample email › attachment_base64 not found in the email example');
	field.value = attachment.toString('base64');
	writeFileSync(emailFile, `${JSON.stringify(workflow, null, '\t')}\n`);
	console.log(`examples regenerated: ${EXAMPLE_INVOICES.length + 1} PDFs, attachment ${attachment.length} bytes`);
}

if (require.main === module) {
	main().catch((error: unknown) => {
		console.error(error);
		process.exitCode = 1;
	});
}
