 
/** The extraction engine on its own: documents, labels, values, and the sample invoices. */
import { readDocument, readText, UnsupportedDocumentError } from '../../emulator/engine/document';
import { extract, type FieldEntry } from '../../emulator/engine/extract';
import { labelScore, propertyLabels, words } from '../../emulator/engine/labels';
import { parsePageList, selectPages } from '../../emulator/engine/pages';
import { coerce, parseDate, parseNumber } from '../../emulator/engine/values';
import {
	expectedInvoiceResult,
	expectedLineItems,
	INVOICE_SCHEMA,
	LINE_ITEM_SCHEMA,
	makeInvoicePdf,
	makeInvoiceText,
	makeTextPdf,
	SAMPLE_INVOICES,
} from '../../emulator/samples';
import type { Json } from '../harness/api';

const schema = INVOICE_SCHEMA as unknown as Record<string, unknown>;
const rowSchema = LINE_ITEM_SCHEMA as unknown as Record<string, unknown>;

describe('sample invoices', () => {
	test.each(SAMPLE_INVOICES.map((invoice, index) => [index, invoice.vendor, invoice] as const))(
		'PDF %i (%s): per_doc gives exactly the invoice',
		async (_index, _vendor, invoice) => {
			const document = await readDocument(await makeInvoicePdf(invoice), { fileName: 'invoice.pdf' });
			const output = extract(document, { schema });
			expect(output.result).toEqual(expectedInvoiceResult(invoice));
			expect(output.pages).toEqual(document.pages.map((page) => page.number));
		},
	);

	test.each(SAMPLE_INVOICES.map((invoice, index) => [index, invoice] as const))(
		'PDF %i: per_table_row gives one object per line item',
		async (_index, invoice) => {
			const document = await readDocument(await makeInvoicePdf(invoice));
			const output = extract(document, { schema: rowSchema, target: 'per_table_row' });
			expect(output.result).toEqual(expectedLineItems(invoice));
			expect(output.fieldMetadata.row_metadata).toHaveLength(invoice.lineItems.length);
		},
	);

	test.each(SAMPLE_INVOICES.map((invoice, index) => [index, invoice] as const))(
		'text %i: per_doc gives exactly the invoice',
		(_index, invoice) => {
			const output = extract(readText(makeInvoiceText(invoice)), { schema });
			expect(output.result).toEqual(expectedInvoiceResult(invoice));
		},
	);

	test('the multi-page invoice spans three pages; per_page gives one object per page', async () => {
		const invoice = SAMPLE_INVOICES[2];
		const document = await readDocument(await makeInvoicePdf(invoice));
		expect(document.pages).toHaveLength(3);
		const output = extract(document, { schema, target: 'per_page' });
		const pages = output.result as Array<Record<string, unknown>>;
		expect(pages).toHaveLength(3);
		expect(pages[0].vendor).toBe(invoice.vendor);
		expect(pages[1].vendor).toBeNull();
		expect(pages[2].total).toBe(invoice.total);
		expect(pages[0].total).toBeNull();
		const rows = pages.flatMap((page) => page.line_items as unknown[]);
		expect(rows).toEqual(expectedLineItems(invoice));
		expect(output.fieldMetadata.page_metadata).toHaveLength(3);
	});

	test('target_pages and max_pages limit what is read', async () => {
		const invoice = SAMPLE_INVOICES[2];
		const document = await readDocument(await makeInvoicePdf(invoice));
		const lastPage = extract(document, { schema, targetPages: '3' });
		expect(lastPage.pages).toEqual([3]);
		expect((lastPage.result as Record<string, unknown>).vendor).toBeNull();
		expect((lastPage.result as Record<string, unknown>).total).toBe(invoice.total);
		expect((lastPage.result as { line_items: unknown[] }).line_items).toHaveLength(5);
		const firstTwo = extract(document, { schema: rowSchema, target: 'per_table_row', maxPages: 2 });
		expect(firstTwo.pages).toEqual([1, 2]);
		expect(firstTwo.result).toHaveLength(40);
	});

	test('sample PDFs are byte-for-byte deterministic', async () => {
		const first = await makeInvoicePdf(SAMPLE_INVOICES[1]);
		const second = await makeInvoicePdf(SAMPLE_INVOICES[1]);
		expect(first.equals(second)).toBe(true);
	});
});

describe('citations and confidence', () => {
	test('exact labels cite page and text with confidence 0.98', async () => {
		const invoice = SAMPLE_INVOICES[0];
		const document = await readDocument(await makeInvoicePdf(invoice));
		const meta = extract(document, { schema }).fieldMetadata.document_metadata as Record<string, Json>;
		expect(meta.vendor).toEqual({ citation: [{ page: 1, matching_text: 'Acme Corporation' }], confidence: 0.98 });
		expect(meta.total).toEqual({ citation: [{ page: 1, matching_text: '$1,964.04' }], confidence: 0.98 });
		expect(meta.invoice_date.citation[0].matching_text).toBe('01/15/2024');
		expect(meta.line_items).toHaveLength(3);
		expect(meta.line_items[1].unit_price).toEqual({ citation: [{ page: 1, matching_text: '$1,499.99' }], confidence: 0.98 });
	});

	test('a weaker label match scores below 0.8, and a missing field is null with confidence 0', async () => {
		const document = await readDocument(await makeInvoicePdf(SAMPLE_INVOICES[0]));
		const output = extract(document, {
			schema: {
				type: 'object',
				properties: {
					vendor_name: { type: 'string' },
					total_amount: { type: 'number' },
					supplier: { type: 'string', description: 'The vendor that sent the bill' },
					purchase_order: { type: 'string' },
				},
			},
		});
		expect(output.result).toEqual({
			vendor_name: 'Acme Corporation',
			total_amount: 1964.04,
			supplier: 'Acme Corporation',
			purchase_order: null,
		});
		const meta = output.fieldMetadata.document_metadata as Record<string, FieldEntry>;
		expect(meta.vendor_name.confidence).toBeGreaterThanOrEqual(0.6);
		expect(meta.vendor_name.confidence).toBeLessThan(0.8);
		expect(meta.total_amount.confidence).toBeLessThan(0.8);
		expect(meta.supplier.confidence).toBeGreaterThanOrEqual(0.6);
		expect(meta.supplier.confidence).toBeLessThan(0.8);
		expect(meta.purchase_order).toEqual({ citation: [], confidence: 0 });
	});

	test('confidence is deterministic', async () => {
		const pdf = await makeInvoicePdf(SAMPLE_INVOICES[1]);
		const first = extract(await readDocument(pdf), { schema });
		const second = extract(await readDocument(pdf), { schema });
		expect(second).toEqual(first);
	});
});

describe('documents', () => {
	test('PDF lines keep table cells apart with a tab', async () => {
		const document = await readDocument(await makeInvoicePdf(SAMPLE_INVOICES[0]));
		const texts = document.pages[0].lines.map((line) => line.text);
		expect(texts).toContain('Description\tQuantity\tUnit Price\tAmount');
		expect(texts).toContain('Widget, large\t2\t$125.00\t$250.00');
		expect(texts).toContain('Subtotal:\t$1,785.49');
	});

	test('form feeds split text pages; markdown tables and emphasis are read', () => {
		const markdown = [
			'# Purchase order',
			'**Buyer:** Initech',
			'- Order Date: 2024-05-06',
			'',
			'| Item | Qty | Price |',
			'|------|----:|------:|',
			'| Stapler | 3 | $7.50 |',
			'| Paper | 10 | 4,50 € |',
			'\fPage two',
			'Approved: yes',
		].join('\n');
		const document = readText(markdown, true);
		expect(document.pages).toHaveLength(2);
		const output = extract(document, {
			schema: {
				type: 'object',
				properties: {
					buyer: { type: 'string' },
					order_date: { type: 'string', format: 'date' },
					approved: { type: 'boolean' },
					items: {
						type: 'array',
						items: {
							type: 'object',
							properties: { item: { type: 'string' }, quantity: { type: 'integer' }, price: { type: 'number' } },
						},
					},
				},
			},
		});
		expect(output.result).toEqual({
			buyer: 'Initech',
			order_date: '2024-05-06',
			approved: true,
			items: [
				{ item: 'Stapler', quantity: 3, price: 7.5 },
				{ item: 'Paper', quantity: 10, price: 4.5 },
			],
		});
	});

	test('nested objects, enums, value on the next line, and label without a colon', () => {
		const text = [
			'Customer Name: Jane Roe',
			'Customer Email: jane@example.com',
			'Status: Paid in full',
			'Reference:',
			'REF-42',
			'Order Number 7781',
		].join('\n');
		const output = extract(readText(text), {
			schema: {
				type: 'object',
				properties: {
					customer: { type: 'object', properties: { name: { type: 'string' }, email: { type: 'string' } } },
					status: { type: 'string', enum: ['paid', 'open'] },
					reference: { type: 'string' },
					order_number: { type: 'integer' },
				},
			},
		});
		expect(output.result).toEqual({
			customer: { name: 'Jane Roe', email: 'jane@example.com' },
			status: 'paid',
			reference: 'REF-42',
			order_number: 7781,
		});
		const meta = output.fieldMetadata.document_metadata as Record<string, Json>;
		expect(meta.customer.name.confidence).toBe(0.98);
		expect(meta.reference.confidence).toBeCloseTo(0.93);
	});

	test('binary that is neither PDF nor text is refused with a clear message', async () => {
		const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
		await expect(readDocument(png, { fileName: 'scan.png' })).rejects.toThrow(UnsupportedDocumentError);
		await expect(readDocument(png, { fileName: 'scan.png' })).rejects.toThrow(/scan\.png.*PDF, \.txt and \.md/);
	});

	test('makeTextPdf columns come back as cells', async () => {
		const document = await readDocument(await makeTextPdf([['Name:\tAda'], ['Total: 12']]));
		expect(document.pages.map((page) => page.lines.map((line) => line.text))).toEqual([['Name:\tAda'], ['Total: 12']]);
	});
});

describe('labels and values', () => {
	test('property names become words', () => {
		expect(words('invoice_number')).toEqual(['invoice', 'number']);
		expect(words('invoiceNumber')).toEqual(['invoice', 'number']);
		expect(words('Invoice No.')).toEqual(['invoice', 'number']);
		expect(words('Qty')).toEqual(['quantity']);
		expect(words('PO#')).toEqual(['po', 'number']);
	});

	test('label scores rank exact, title, fuzzy and description matches', () => {
		const labels = propertyLabels('invoice_number', { title: 'Bill ID', description: 'Unique reference of the bill' });
		expect(labelScore('Invoice Number', labels)).toBe(0.98);
		expect(labelScore('Bill ID', labels)).toBe(0.95);
		expect(labelScore('Number Invoice', labels)).toBe(0.85);
		expect(labelScore('Invoice', labels)).toBeCloseTo(0.725);
		expect(labelScore('Reference', labels)).toBe(0.62);
		expect(labelScore('Subtotal', labels)).toBe(0);
	});

	test('numbers, dates and booleans', () => {
		expect(parseNumber('$1,234.56')).toBe(1234.56);
		expect(parseNumber('1.234,56 €')).toBe(1234.56);
		expect(parseNumber('(12.50)')).toBe(-12.5);
		expect(parseNumber('USD 7')).toBe(7);
		expect(parseNumber('1 200 000')).toBe(1200000);
		expect(parseNumber('n/a')).toBeUndefined();
		expect(parseDate('January 15, 2024')).toBe('2024-01-15');
		expect(parseDate('15 Jan 2024')).toBe('2024-01-15');
		expect(parseDate('01/15/2024')).toBe('2024-01-15');
		expect(parseDate('31/01/2024')).toBe('2024-01-31');
		expect(parseDate('15.01.2024')).toBe('2024-01-15');
		expect(parseDate('2024-02-30')).toBeUndefined();
		expect(coerce('Yes', { type: 'boolean' })).toEqual({ ok: true, value: true });
		expect(coerce('2.5', { type: 'integer' })).toEqual({ ok: false });
		expect(coerce('EUR', { type: ['string', 'null'], enum: ['USD', 'EUR', null] })).toEqual({ ok: true, value: 'EUR' });
	});

	test('page lists', () => {
		expect(parsePageList('1,3,5-7')).toEqual([1, 3, 5, 6, 7]);
		expect(() => parsePageList('1-')).toThrow(/not a page number/);
		expect(() => parsePageList('0')).toThrow(/pages start at 1/);
		expect(() => parsePageList('a')).toThrow(/"a"/);
		expect(selectPages(10, '2-9', 3)).toEqual([2, 3, 4]);
	});
});
