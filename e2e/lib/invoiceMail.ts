/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * The invoice mailbox of examples/email-imap-to-postgres.json, shared by the e2e suite (e2e/email.ts) and
 * `npm start -- --mail`: the sample messages (real MIME), the example's tables in PostgreSQL, the credentials.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';

import { makeInvoice, makeInvoicePdf, SAMPLE_INVOICES, type SampleInvoice } from '../../emulator/samples';
import type { Mailbox } from './mailbox';
import type { MailAttachment, MailMessage } from './mime';
import { runOk } from './proc';
import { EXAMPLES_DIR } from './runtimes';
import type { Postgres } from './services';
import { readWorkflow } from './workflows';

export const WORKFLOW_ID = 'llxEmailToPostgres';
export const EXAMPLE_FILE = path.join(EXAMPLES_DIR, 'email-imap-to-postgres.json');

/** A 1×1 PNG: the signature logo mail clients attach next to the invoice. */
const LOGO_PNG = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
	'base64',
);
/** The start of a TNEF stream, as Outlook sends winmail.dat. */
const WINMAIL_DAT = Buffer.from([0x78, 0x9f, 0x3e, 0x22, 0x01, 0x00, 0x01, 0x06, 0x90, 0x08, 0x00, 0x04, 0x00, 0x00, 0x00]);

/** Three sample invoices plus two more, so every document in the mailbox is a different invoice. */
export const INVOICES: SampleInvoice[] = [
	...SAMPLE_INVOICES,
	makeInvoice({
		vendor: 'Globex Office Supply',
		invoiceNumber: 'GX-2026-0042',
		invoiceDate: '2026-11-02',
		dueDate: '2026-12-02',
		currency: 'USD',
		taxRate: 0.08,
		lineItems: [
			{ description: 'Copy paper A4 (box)', quantity: 10, unitPrice: 24.5 },
			{ description: 'Toner cartridge', quantity: 2, unitPrice: 89.99 },
		],
	}),
	makeInvoice({
		vendor: 'Initech Consulting',
		invoiceNumber: 'IC-7781',
		invoiceDate: '2026-11-20',
		dueDate: '2026-12-20',
		currency: 'EUR',
		lineItems: [{ description: 'Consulting (days)', quantity: 3, unitPrice: 950 }],
	}),
];

function psqlPath(): string {
	const root = '/usr/lib/postgresql';
	const [version] = readdirSync(root).sort((a, b) => Number(b) - Number(a));
	return path.join(root, version, 'bin/psql');
}

/** Runs SQL in the invoices database; a query's rows come back as JSON. */
export async function sql<T = Record<string, unknown>>(pg: Postgres, statement: string): Promise<T[]> {
	const result = await runOk('psql', psqlPath(), ['-h', '127.0.0.1', '-p', String(pg.port), '-U', pg.user, '-d', 'invoices', '-v', 'ON_ERROR_STOP=1', '-At', '-c', statement], {
		timeoutMs: 30_000,
	});
	const text = result.output.trim();
	return text.startsWith('[') ? (JSON.parse(text) as T[]) : [];
}

export async function rows<T = Record<string, unknown>>(pg: Postgres, query: string): Promise<T[]> {
	return await sql<T>(pg, `SELECT coalesce(json_agg(t), '[]'::json) FROM (${query}) t`);
}

/** The CREATE TABLE statements, taken from the example's sticky note, so the example's own SQL is what runs. */
export function exampleDdl(): string {
	const note = readWorkflow(EXAMPLE_FILE).nodes.find((node) => node.type === 'n8n-nodes-base.stickyNote');
	const match = /```sql\n([\s\S]*?)```/.exec(String(note?.parameters.content ?? ''));
	assert.ok(match, 'the example sticky note holds the CREATE TABLE statements');
	return match[1];
}

export interface Sent {
	message: MailMessage;
	/** The invoices among the attachments, in attachment order. */
	invoices: SampleInvoice[];
	/** What should come out: 'invoices' rows, or one mail_without_invoice row whose reason matches. */
	expect: { invoices: number } | { problem: RegExp };
}

export async function pdfAttachment(invoice: SampleInvoice, fileName: string, contentType = 'application/pdf'): Promise<MailAttachment> {
	return { fileName, contentType, content: await makeInvoicePdf(invoice) };
}

export async function sampleMessages(): Promise<Sent[]> {
	const [a, b, c, d] = INVOICES;
	const base = (n: number, subject: string): Omit<MailMessage, 'text'> => ({
		from: `Billing ${n} <billing${n}@vendor.test>`,
		to: 'invoices@example.test',
		subject,
		messageId: `<llx-e2e-${n}-${Date.now()}@vendor.test>`,
	});
	return [
		{
			message: { ...base(1, 'Invoice attached'), text: 'Please find our invoice attached.', attachments: [await pdfAttachment(a, `${a.invoiceNumber}.pdf`)] },
			invoices: [a],
			expect: { invoices: 1 },
		},
		{
			message: {
				...base(2, 'Zwei Rechnungen'),
				text: 'Two invoices, and our logo in the signature.',
				attachments: [
					await pdfAttachment(b, 'Rechnung März.pdf'),
					{ fileName: 'logo.png', contentType: 'image/png', content: LOGO_PNG },
					await pdfAttachment(c, `Invoice ${c.invoiceNumber}.pdf`),
				],
			},
			invoices: [b, c],
			expect: { invoices: 2 },
		},
		{
			message: { ...base(3, 'Scan'), text: 'Scanned.', attachments: [await pdfAttachment(d, 'SCAN_0042.PDF', 'application/octet-stream')] },
			invoices: [d],
			expect: { invoices: 1 },
		},
		{ message: { ...base(4, 'Lunch on Friday?'), text: 'No attachment here.' }, invoices: [], expect: { problem: /matches no binary field/ } },
		{
			message: {
				...base(5, 'Sent from Outlook'),
				text: 'The invoice is in winmail.dat.',
				attachments: [{ fileName: 'winmail.dat', contentType: 'application/ms-tnef', content: WINMAIL_DAT }],
			},
			invoices: [],
			expect: { problem: /No document to extract .*winmail\.dat/ },
		},
	];
}

/** The IMAP and Postgres credentials the example references, pointing at `mailbox` and `pg`. */
export function exampleMailCredentials(mailbox: Mailbox, pg: Postgres): Array<{ id: string; name: string; type: string; data: Record<string, unknown> }> {
	const workflow = readWorkflow(EXAMPLE_FILE);
	const credentialOf = (type: string) => workflow.nodes.find((node) => node.credentials?.[type])!.credentials![type];
	return [
		{ ...credentialOf('imap'), type: 'imap', data: mailbox.credential },
		{
			...credentialOf('postgres'),
			type: 'postgres',
			data: { host: '127.0.0.1', port: pg.port, database: 'invoices', user: pg.user, password: '', ssl: 'disable', maxConnections: 5, allowUnauthorizedCerts: false },
		},
	];
}

/** Invoice and mail_without_invoice row counts. */
export async function rowCounts(pg: Postgres): Promise<{ invoices: number; lines: number; problems: number }> {
	const [count] = await rows<{ invoices: number; lines: number; problems: number }>(
		pg,
		'SELECT (SELECT count(*) FROM invoices)::int AS invoices, (SELECT count(*) FROM invoice_lines)::int AS lines, (SELECT count(*) FROM mail_without_invoice)::int AS problems',
	);
	return count;
}
