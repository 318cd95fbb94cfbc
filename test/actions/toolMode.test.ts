/**
 * Tool mode: an AI agent fills parameters through `$fromAI(...)`. n8n builds the tool's argument schema from those
 * expressions, and at run time `$fromAI` reads the agent's arguments from the tool's input item. Both halves run
 * here with n8n's own code: the schema builder, and the expression engine inside a real WorkflowExecute run.
 */
import { getSchema } from 'n8n-core/dist/execution-engine/node-execution-context/utils/create-node-as-tool';
import type { INode } from 'n8n-workflow';

import { expectedInvoiceResult, INVOICE_SCHEMA, makeInvoicePdf, SAMPLE_INVOICES } from '../../emulator/samples';
import { LlamaExtract } from '../../nodes/LlamaExtract/LlamaExtract.node';
import { serveFiles } from '../harness/documents';
import { useEmulator } from '../harness/emulator';

const rig = useEmulator({ jobMs: 120, resetBeforeEach: false });
const invoice = SAMPLE_INVOICES[0];
const expected = expectedInvoiceResult(invoice);

const toolParameters = {
	resource: 'extractJob',
	operation: 'extract',
	inputType: 'fileId',
	fileId: "={{ $fromAI('file_id', 'LlamaCloud file ID (dfl-…) of the document to read', 'string') }}",
	schemaSource: 'jsonSchema',
	jsonSchema: JSON.stringify(INVOICE_SCHEMA),
};

describe('tool mode', () => {
	test('the node is usable as a tool and $fromAI parameters become the tool’s arguments', () => {
		expect(new LlamaExtract().description.usableAsTool).toBe(true);
		const node = { parameters: toolParameters } as unknown as INode;
		const schema = getSchema(node);
		expect(Object.keys(schema.shape)).toEqual(['file_id']);
		expect(schema.shape.file_id.description).toBe('LlamaCloud file ID (dfl-…) of the document to read');
	});

	test('File ID from the agent: extracts the file the agent named', async () => {
		const stored = rig.emulator.addFile('agent.pdf', await makeInvoicePdf(invoice));
		const { items, error } = await rig.run(toolParameters, [{ json: { file_id: stored.id } }]);
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ vendor: expected.vendor, total: expected.total, _llamaextract: { file_id: stored.id } });
	});

	test('URL from the agent: downloads and extracts the linked document', async () => {
		const files = await serveFiles({ '/inbox/invoice.pdf': { body: await makeInvoicePdf(invoice), type: 'application/pdf' } });
		try {
			const { items, error } = await rig.run(
				{
					...toolParameters,
					inputType: 'url',
					url: "={{ $fromAI('document_url', 'Public link to the invoice PDF', 'string') }}",
					fileId: undefined,
				},
				[{ json: { document_url: `${files.url}/inbox/invoice.pdf` } }],
			);
			expect(error).toBeUndefined();
			expect(items[0].json).toMatchObject({ invoice_number: expected.invoice_number, total: expected.total });
		} finally {
			await files.close();
		}
	});
});
