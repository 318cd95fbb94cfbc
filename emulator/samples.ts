 
/**
 * Sample documents the emulator's engine reads exactly: invoices as PDF (pdf-lib) or text, the
 * JSON Schema that describes them, and the result the engine must return for each.
 * Output bytes are deterministic for the same input (no dates or ids in the PDF metadata).
 */
import { PDFDocument, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib';

export type InvoiceCurrency = 'USD' | 'EUR' | 'GBP';

export interface InvoiceLineItem {
	description: string;
	quantity: number;
	unitPrice: number;
	amount: number;
}

export interface SampleInvoice {
	vendor: string;
	billTo?: string;
	invoiceNumber: string;
	/** ISO `YYYY-MM-DD`. */
	invoiceDate: string;
	dueDate: string;
	currency: InvoiceCurrency;
	lineItems: InvoiceLineItem[];
	subtotal: number;
	tax: number;
	total: number;
	/** How dates are printed: `iso` 2024-01-15, `us` 01/15/2024, `long` January 15, 2024. */
	dateStyle?: 'iso' | 'us' | 'long';
}

export interface InvoiceDraft extends Omit<SampleInvoice, 'lineItems' | 'subtotal' | 'tax' | 'total'> {
	lineItems: Array<{ description: string; quantity: number; unitPrice: number }>;
	/** Tax rate as a fraction, e.g. 0.1. */
	taxRate?: number;
}

/** Builds a consistent invoice: amounts, subtotal, tax and total computed in cents. */
export function makeInvoice(draft: InvoiceDraft): SampleInvoice {
	const { taxRate = 0, ...rest } = draft;
	const lineItems = draft.lineItems.map((item) => ({
		...item,
		amount: Math.round(item.quantity * Math.round(item.unitPrice * 100)) / 100,
	}));
	const subtotalCents = lineItems.reduce((sum, item) => sum + Math.round(item.amount * 100), 0);
	const taxCents = Math.round(subtotalCents * taxRate);
	return {
		...rest,
		lineItems,
		subtotal: subtotalCents / 100,
		tax: taxCents / 100,
		total: (subtotalCents + taxCents) / 100,
	};
}

const CURRENCY_SYMBOLS: Record<InvoiceCurrency, string> = { USD: '$', EUR: '€', GBP: '£' };

export function formatMoney(amount: number, currency: InvoiceCurrency): string {
	const sign = amount < 0 ? '-' : '';
	const [whole, cents] = Math.abs(amount).toFixed(2).split('.');
	return `${sign}${CURRENCY_SYMBOLS[currency]}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
}

const MONTH_NAMES = [
	'January', 'February', 'March', 'April', 'May', 'June',
	'July', 'August', 'September', 'October', 'November', 'December',
];

export function formatDate(iso: string, style: SampleInvoice['dateStyle'] = 'iso'): string {
	const [year, month, day] = iso.split('-').map(Number);
	if (style === 'us') return `${String(month).padStart(2, '0')}/${String(day).padStart(2, '0')}/${year}`;
	if (style === 'long') return `${MONTH_NAMES[month - 1]} ${day}, ${year}`;
	return iso;
}

/** The labelled header lines, in print order. */
function headerFields(invoice: SampleInvoice): Array<[string, string]> {
	const fields: Array<[string, string]> = [['Vendor', invoice.vendor]];
	if (invoice.billTo) fields.push(['Bill To', invoice.billTo]);
	fields.push(
		['Invoice Number', invoice.invoiceNumber],
		['Invoice Date', formatDate(invoice.invoiceDate, invoice.dateStyle)],
		['Due Date', formatDate(invoice.dueDate, invoice.dateStyle)],
		['Currency', invoice.currency],
	);
	return fields;
}

function totalFields(invoice: SampleInvoice): Array<[string, string]> {
	return [
		['Subtotal', formatMoney(invoice.subtotal, invoice.currency)],
		['Tax', formatMoney(invoice.tax, invoice.currency)],
		['Total', formatMoney(invoice.total, invoice.currency)],
	];
}

const TABLE_HEADERS = ['Description', 'Quantity', 'Unit Price', 'Amount'];

function rowCells(item: InvoiceLineItem, currency: InvoiceCurrency): string[] {
	return [item.description, String(item.quantity), formatMoney(item.unitPrice, currency), formatMoney(item.amount, currency)];
}

/* ------------------------------------------------------------------------------------------------
 * Text
 * ---------------------------------------------------------------------------------------------- */

/** Plain-text invoice; the line-item table is aligned with spaces (right-aligned number columns). */
export function makeInvoiceText(invoice: SampleInvoice): string {
	const widths = [Math.max(32, ...invoice.lineItems.map((item) => item.description.length + 2)), 10, 14, 14];
	const row = (cells: string[]) =>
		cells.map((cell, index) => (index === 0 ? cell.padEnd(widths[0]) : cell.padStart(widths[index]))).join('  ').trimEnd();
	const lines = [
		'INVOICE',
		'',
		...headerFields(invoice).map(([label, value]) => `${label}: ${value}`),
		'',
		row(TABLE_HEADERS),
		...invoice.lineItems.map((item) => row(rowCells(item, invoice.currency))),
		'',
		...totalFields(invoice).map(([label, value]) => `${label}: ${value}`),
		'',
		'Thank you for your business.',
	];
	return `${lines.join('\n')}\n`;
}

/* ------------------------------------------------------------------------------------------------
 * PDF
 * ---------------------------------------------------------------------------------------------- */

export interface InvoicePdfOptions {
	/** Line items per page; more items continue on further pages with the table header repeated. Default 20. */
	rowsPerPage?: number;
}

const PAGE_WIDTH = 612;
const PAGE_HEIGHT = 792;
const LEFT = 50;
const RIGHT = 560;
/** Right edges of the number columns, so headers and values line up on the right. */
const COLUMN_RIGHT_EDGES = [0, 340, 450, RIGHT];

export async function makeInvoicePdf(invoice: SampleInvoice, options: InvoicePdfOptions = {}): Promise<Buffer> {
	const rowsPerPage = Math.max(1, options.rowsPerPage ?? 20);
	const doc = await PDFDocument.create({ updateMetadata: false });
	const font = await doc.embedFont(StandardFonts.Helvetica);
	const bold = await doc.embedFont(StandardFonts.HelveticaBold);
	const chunks: InvoiceLineItem[][] = [];
	for (let index = 0; index < invoice.lineItems.length; index += rowsPerPage) {
		chunks.push(invoice.lineItems.slice(index, index + rowsPerPage));
	}
	if (chunks.length === 0) chunks.push([]);

	chunks.forEach((items, pageIndex) => {
		const page = doc.addPage([PAGE_WIDTH, PAGE_HEIGHT]);
		let y = 740;
		if (pageIndex === 0) {
			page.drawText('INVOICE', { x: LEFT, y, size: 20, font: bold });
			y -= 40;
			for (const [label, value] of headerFields(invoice)) {
				page.drawText(`${label}: ${value}`, { x: LEFT, y, size: 11, font });
				y -= 16;
			}
			y -= 24;
		} else {
			page.drawText(`Invoice ${invoice.invoiceNumber} (continued)`, { x: LEFT, y, size: 11, font: bold });
			y -= 40;
		}
		drawRow(page, TABLE_HEADERS, y, bold, 10);
		y -= 18;
		for (const item of items) {
			drawRow(page, rowCells(item, invoice.currency), y, font, 10);
			y -= 16;
		}
		if (pageIndex === chunks.length - 1) {
			y -= 20;
			for (const [label, value] of totalFields(invoice)) {
				const labelFont = label === 'Total' ? bold : font;
				page.drawText(`${label}:`, { x: 380, y, size: 11, font: labelFont });
				drawRight(page, value, RIGHT, y, labelFont, 11);
				y -= 16;
			}
		}
		const footer = `Page ${pageIndex + 1} of ${chunks.length}`;
		page.drawText(footer, { x: (PAGE_WIDTH - font.widthOfTextAtSize(footer, 9)) / 2, y: 30, size: 9, font });
	});
	return Buffer.from(await doc.save({ useObjectStreams: false }));
}

function drawRow(page: PDFPage, cells: string[], y: number, font: PDFFont, size: number): void {
	page.drawText(cells[0], { x: LEFT, y, size, font });
	for (let index = 1; index < cells.length; index++) drawRight(page, cells[index], COLUMN_RIGHT_EDGES[index], y, font, size);
}

function drawRight(page: PDFPage, text: string, right: number, y: number, font: PDFFont, size: number): void {
	page.drawText(text, { x: right - font.widthOfTextAtSize(text, size), y, size, font });
}

/**
 * A PDF with the given lines, one array per page. A tab in a line starts a new column
 * (columns 150 pt apart), which the engine reads back as separate cells.
 */
export async function makeTextPdf(pages: string[][]): Promise<Buffer> {
	const doc = await PDFDocument.create({ updateMetadata: false });
	const font = await doc.embedFont(StandardFonts.Helvetica);
	for (const lines of pages.length > 0 ? pages : [[]]) {
		const page = doc.addPage([PAGE_WIDTH, PAGE_HEIGHT]);
		let y = 740;
		for (const line of lines) {
			line.split('\t').forEach((cell, column) => {
				if (cell !== '') page.drawText(cell, { x: LEFT + column * 150, y, size: 11, font });
			});
			y -= 16;
			if (y < 40) break;
		}
	}
	return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/* ------------------------------------------------------------------------------------------------
 * Schema, fixed samples and expected results
 * ---------------------------------------------------------------------------------------------- */

export const LINE_ITEM_SCHEMA = {
	type: 'object',
	properties: {
		description: { type: 'string', description: 'What was sold' },
		quantity: { type: 'integer', description: 'Number of units' },
		unit_price: { type: 'number', description: 'Price of one unit' },
		amount: { type: 'number', description: 'Line total' },
	},
	required: ['description', 'quantity', 'unit_price', 'amount'],
} as const;

export const INVOICE_SCHEMA = {
	type: 'object',
	properties: {
		vendor: { type: 'string', description: 'Company that issued the invoice' },
		invoice_number: { type: 'string', description: 'Invoice identifier' },
		invoice_date: { type: 'string', format: 'date', description: 'Date the invoice was issued' },
		due_date: { type: 'string', format: 'date', description: 'Payment due date' },
		currency: { type: 'string', enum: ['USD', 'EUR', 'GBP'], description: 'ISO currency code' },
		line_items: { type: 'array', description: 'Invoice lines', items: LINE_ITEM_SCHEMA },
		subtotal: { type: 'number', description: 'Sum of the line amounts before tax' },
		tax: { type: 'number', description: 'Tax amount' },
		total: { type: 'number', description: 'Amount due' },
	},
	required: ['vendor', 'invoice_number', 'total'],
} as const;

export interface InvoiceResult {
	vendor: string;
	invoice_number: string;
	invoice_date: string;
	due_date: string;
	currency: InvoiceCurrency;
	line_items: Array<{ description: string; quantity: number; unit_price: number; amount: number }>;
	subtotal: number;
	tax: number;
	total: number;
}

/** What `INVOICE_SCHEMA` extraction (per_doc) returns for the invoice. */
export function expectedInvoiceResult(invoice: SampleInvoice): InvoiceResult {
	return {
		vendor: invoice.vendor,
		invoice_number: invoice.invoiceNumber,
		invoice_date: invoice.invoiceDate,
		due_date: invoice.dueDate,
		currency: invoice.currency,
		line_items: expectedLineItems(invoice),
		subtotal: invoice.subtotal,
		tax: invoice.tax,
		total: invoice.total,
	};
}

/** What `LINE_ITEM_SCHEMA` extraction (per_table_row) returns for the invoice. */
export function expectedLineItems(invoice: SampleInvoice): InvoiceResult['line_items'] {
	return invoice.lineItems.map((item) => ({
		description: item.description,
		quantity: item.quantity,
		unit_price: item.unitPrice,
		amount: item.amount,
	}));
}

export const SAMPLE_INVOICES: readonly SampleInvoice[] = [
	makeInvoice({
		vendor: 'Acme Corporation',
		billTo: 'Globex Inc',
		invoiceNumber: 'INV-2024-001',
		invoiceDate: '2024-01-15',
		dueDate: '2024-02-14',
		currency: 'USD',
		dateStyle: 'us',
		taxRate: 0.1,
		lineItems: [
			{ description: 'Widget, large', quantity: 2, unitPrice: 125 },
			{ description: 'Gadget service plan', quantity: 1, unitPrice: 1499.99 },
			{ description: 'Shipping and handling', quantity: 1, unitPrice: 35.5 },
		],
	}),
	makeInvoice({
		vendor: 'Müller & Söhne GmbH',
		billTo: 'Initech AG',
		invoiceNumber: 'RE-88412',
		invoiceDate: '2024-03-03',
		dueDate: '2024-04-02',
		currency: 'EUR',
		dateStyle: 'long',
		taxRate: 0.19,
		lineItems: [
			{ description: 'Steel bracket M8', quantity: 40, unitPrice: 2.35 },
			{ description: 'Hex bolt M8x40', quantity: 200, unitPrice: 0.18 },
			{ description: 'Assembly labour (hours)', quantity: 6, unitPrice: 64 },
			{ description: 'Powder coating', quantity: 40, unitPrice: 1.9 },
			{ description: 'Freight', quantity: 1, unitPrice: 89 },
		],
	}),
	makeInvoice({
		vendor: 'Northwind Traders Ltd',
		billTo: 'Contoso Retail',
		invoiceNumber: 'NW-10045',
		invoiceDate: '2024-06-30',
		dueDate: '2024-07-30',
		currency: 'GBP',
		dateStyle: 'iso',
		taxRate: 0.2,
		lineItems: Array.from({ length: 45 }, (_, index) => ({
			description: `Catalogue part ${String(index + 1).padStart(2, '0')}`,
			quantity: (index % 5) + 1,
			unitPrice: 10 + index * 1.25,
		})),
	}),
];
