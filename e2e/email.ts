/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/* eslint-disable no-console */
/**
 * Email in the real world (issue 14): a real IMAP server (Debian's dovecot-imapd), PostgreSQL and n8n 2.41.1 on
 * loopback, the example workflow examples/email-imap-to-postgres.json active: Email Trigger (IMAP) → Extract Data
 * with attachment_* → Postgres. Real MIME messages land in the mailbox; the rows in the database are checked, then
 * n8n is restarted and nothing may be processed twice.
 */
import assert from 'node:assert/strict';
import path from 'node:path';

import { EmulatorProcess } from './lib/emulator';
import {
	EXAMPLE_FILE,
	exampleDdl,
	exampleMailCredentials,
	INVOICES,
	pdfAttachment,
	rowCounts,
	rows,
	sampleMessages,
	sql,
	WORKFLOW_ID,
	type Sent,
} from './lib/invoiceMail';
import { Mailbox } from './lib/mailbox';
import { buildMessage } from './lib/mime';
import { N8nInstance, nodeOutput } from './lib/n8n';
import { sleep, waitFor } from './lib/proc';
import type { Runner } from './lib/runner';
import { ARTIFACTS_DIR, CREDENTIAL_TYPE, RUNTIMES } from './lib/runtimes';
import { Postgres } from './lib/services';
import { EXAMPLE_CREDENTIAL, readWorkflow, writeWorkflow } from './lib/workflows';

interface InvoiceRow {
	job_id: string;
	message_id: string;
	attachment: string;
	file_name: string;
	sender: string;
	vendor: string;
	invoice_number: string;
	total: string;
	lines: number;
}

const INVOICE_ROWS = `SELECT i.job_id, i.message_id, i.attachment, i.file_name, i.sender, i.vendor, i.invoice_number, i.total::text AS total,
	(SELECT count(*) FROM invoice_lines l WHERE l.invoice_id = i.id)::int AS lines FROM invoices i ORDER BY i.id`;

/** A row without its long IDs, for the log. */
function printable(row: InvoiceRow): Record<string, unknown> {
	return { attachment: row.attachment, file_name: row.file_name, sender: row.sender, vendor: row.vendor, invoice_number: row.invoice_number, total: row.total, lines: row.lines };
}

/** Checks every message's outcome in the database; returns the invoice rows. */
async function checkRows(pg: Postgres, sent: Sent[]): Promise<InvoiceRow[]> {
	const invoices = await rows<InvoiceRow>(pg, INVOICE_ROWS);
	const problems = await rows<{ message_id: string; attachment: string; subject: string; reason: string }>(pg, 'SELECT * FROM mail_without_invoice ORDER BY subject');
	for (const { message, invoices: expected, expect } of sent) {
		const mine = invoices.filter((row) => row.message_id === message.messageId);
		const problem = problems.filter((row) => row.message_id === message.messageId);
		if ('invoices' in expect) {
			assert.equal(mine.length, expect.invoices, `${message.subject}: ${JSON.stringify(mine)}`);
			assert.equal(problem.length, 0, `${message.subject} has no problem row`);
			expected.forEach((invoice, index) => {
				const row = mine.find((r) => r.invoice_number === invoice.invoiceNumber);
				assert.ok(row, `${message.subject}: a row for ${invoice.invoiceNumber} (rows: ${JSON.stringify(mine)})`);
				assert.equal(row.vendor, invoice.vendor);
				assert.equal(Number(row.total), invoice.total);
				assert.equal(row.lines, invoice.lineItems.length);
				assert.equal(row.sender, message.from);
				assert.ok(index === 0 || row.attachment !== mine[0].attachment);
			});
		} else {
			assert.equal(mine.length, 0, `${message.subject} has no invoice row`);
			assert.equal(problem.length, 1, `${message.subject}: one mail_without_invoice row (${JSON.stringify(problems)})`);
			assert.match(problem[0].reason, expect.problem);
		}
	}
	return invoices;
}

export async function emailSuite(runner: Runner, tarball: string): Promise<void> {
	await runner.suite('email: IMAP (dovecot) → Extract Data attachment_* → PostgreSQL, n8n 2.41.1', async (s) => {
		const logs = path.join(ARTIFACTS_DIR, 'logs');
		let pg: Postgres | undefined;
		let mailbox: Mailbox | undefined;
		let emulator: EmulatorProcess | undefined;
		let n8n: N8nInstance | undefined;
		const sent: Sent[] = [];
		try {
			await s.test(
				'dovecot, PostgreSQL and the emulator start on 127.0.0.1; tables from the example; n8n starts with the example imported',
				async () => {
					[pg, mailbox, emulator] = await Promise.all([
						Postgres.start(path.join(logs, 'email-postgres.log')),
						Mailbox.start(path.join(logs, 'email-dovecot.log')),
						EmulatorProcess.start({ logFile: path.join(logs, 'emulator-email.log') }),
					]);
					await pg.createDatabase('invoices');
					await sql(pg, exampleDdl());
					n8n = await N8nInstance.create({ runtime: RUNTIMES.v2, name: 'email' });
					await n8n.installPackage(tarball);
					const workflow = readWorkflow(EXAMPLE_FILE);
					await n8n.importCredentials([
						{
							...EXAMPLE_CREDENTIAL,
							type: CREDENTIAL_TYPE,
							data: { apiKey: emulator.apiKey, region: 'custom', baseUrl: emulator.url, projectId: '', organizationId: '' },
						},
						...exampleMailCredentials(mailbox, pg),
					]);
					const staged = path.join(n8n.userFolder, 'workflows');
					writeWorkflow(staged, workflow);
					await n8n.importWorkflows(staged, true);
					await n8n.start();
					await n8n.activate(WORKFLOW_ID);
				},
				{ critical: true },
			);
			s.checkpoint();
			const db = pg!;
			const mail = mailbox!;
			const server = n8n!;
			const emu = emulator!;

			await s.test('five messages arrive; one invoices row per invoice document, the others recorded, nothing lost', async () => {
				sent.push(...(await sampleMessages()));
				// The trigger reads what arrives once it is connected: wait for its login, then for its IDLE to start.
				await waitFor('the Email Trigger to log in to the mailbox', () => (mail.logins > 0 ? true : undefined), { timeoutMs: 60_000 });
				await sleep(1_500);
				for (const { message } of sent) mail.deliver(buildMessage(message));
				await waitFor(
					'4 invoice rows and 2 mail_without_invoice rows',
					async () => {
						const count = await rowCounts(db);
						return count.invoices >= 4 && count.problems >= 2 ? count : undefined;
					},
					{ timeoutMs: 180_000, intervalMs: 1_000 },
				);
				await sleep(2_000);
				const invoices = await checkRows(db, sent);
				assert.equal(invoices.length, 4);
				assert.equal(new Set(invoices.map((row) => row.job_id)).size, 4, 'one extraction job per invoice document');
				const executions = await server.executions(WORKFLOW_ID, true);
				assert.ok(executions.length >= 1 && executions.every((e) => e.status === 'success'), JSON.stringify(executions.map((e) => e.status)));
				const emitted = executions.flatMap((e) => nodeOutput(e, 'Email Trigger (IMAP)'));
				assert.equal(emitted.length, 5, 'the trigger emitted each message once');
				console.log(`    rows: ${JSON.stringify(invoices.map(printable))}`);
				console.log(`    without invoice: ${JSON.stringify(await rows(db, 'SELECT subject, attachment, reason FROM mail_without_invoice ORDER BY subject'))}`);
			});

			await s.test('after restarting n8n no message is processed twice and no row is duplicated; a new message still arrives', async () => {
				const jobsBefore = (await emu.jobs()).filter((job) => job.kind === 'extract').length;
				const executionsBefore = (await server.executions(WORKFLOW_ID)).length;
				const loginsBefore = mail.logins;
				await server.stop();
				await server.start();
				await waitFor('the Email Trigger to log in again', () => (mail.logins > loginsBefore ? true : undefined), { timeoutMs: 60_000 });
				// Time for a catch-up fetch, which must find nothing new.
				await sleep(5_000);
				const invoice = INVOICES[4];
				const after: Sent = {
					message: {
						from: 'Billing 6 <billing6@vendor.test>',
						to: 'invoices@example.test',
						subject: 'After the restart',
						messageId: `<llx-e2e-6-${Date.now()}@vendor.test>`,
						text: 'One more.',
						attachments: [await pdfAttachment(invoice, 'late.pdf')],
					},
					invoices: [invoice],
					expect: { invoices: 1 },
				};
				sent.push(after);
				mail.deliver(buildMessage(after.message));
				await waitFor('the new invoice row', async () => ((await rows(db, INVOICE_ROWS)).length >= 5 ? true : undefined), {
					timeoutMs: 120_000,
					intervalMs: 1_000,
				});
				await sleep(5_000);
				const invoices = await checkRows(db, sent);
				assert.equal(invoices.length, 5);
				const jobsAfter = (await emu.jobs()).filter((job) => job.kind === 'extract').length;
				assert.equal(jobsAfter - jobsBefore, 1, 'only the new message made an extraction job');
				const executions = await server.executions(WORKFLOW_ID, true);
				const newRuns = executions.slice(0, executions.length - executionsBefore);
				const emitted = newRuns.flatMap((e) => nodeOutput(e, 'Email Trigger (IMAP)').map((item) => item.subject));
				assert.deepStrictEqual(emitted, ['After the restart'], 'after the restart the trigger emitted only the new message');
				console.log(`    rows after the restart: ${JSON.stringify(invoices.map(printable))}`);
			});
		} finally {
			await n8n?.dispose();
			await emulator?.stop();
			await mailbox?.stop();
			await pg?.stop();
		}
	});
}
