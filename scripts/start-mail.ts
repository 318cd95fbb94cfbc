/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error, no-console */
/**
 * `npm start -- --mail`: next to the running n8n, a local IMAP mailbox (dovecot) and PostgreSQL with the tables of
 * examples/email-imap-to-postgres.json; the example is activated and five sample messages are delivered, then the
 * rows they became are printed. Everything lives in temp folders and stops with npm start.
 */
import path from 'node:path';

import {
	exampleDdl,
	exampleMailCredentials,
	rowCounts,
	rows,
	sampleMessages,
	sql,
	WORKFLOW_ID,
} from '../e2e/lib/invoiceMail';
import { Mailbox } from '../e2e/lib/mailbox';
import { buildMessage } from '../e2e/lib/mime';
import type { N8nInstance } from '../e2e/lib/n8n';
import { sleep, waitFor } from '../e2e/lib/proc';
import { Postgres } from '../e2e/lib/services';

export interface MailDemo {
	stop(): Promise<void>;
}

export async function startMailDemo(n8n: N8nInstance): Promise<MailDemo> {
	console.log('› --mail: starting an IMAP mailbox (dovecot) and PostgreSQL on 127.0.0.1…');
	const [pg, mailbox] = await Promise.all([
		Postgres.start(path.join(n8n.logDir, 'mail-postgres.log')),
		Mailbox.start(path.join(n8n.logDir, 'mail-dovecot.log')),
	]);
	const stop = async () => {
		await mailbox.stop().catch(() => undefined);
		await pg.stop().catch(() => undefined);
	};
	try {
		await pg.createDatabase('invoices');
		await sql(pg, exampleDdl());
		await n8n.importCredentials(exampleMailCredentials(mailbox, pg));
		await n8n.activate(WORKFLOW_ID);
		await waitFor('the Email Trigger to log in to the mailbox', () => (mailbox.logins > 0 ? true : undefined), { timeoutMs: 60_000 });
		await sleep(1_500);
		const messages = await sampleMessages();
		for (const { message } of messages) mailbox.deliver(buildMessage(message));
		console.log(`  delivered ${messages.length} messages: ${messages.map(({ message }) => `"${message.subject}"`).join(', ')}`);
		await waitFor('the messages to reach PostgreSQL', async () => {
			const count = await rowCounts(pg);
			return count.invoices >= 4 && count.problems >= 2 ? count : undefined;
		}, { timeoutMs: 120_000, intervalMs: 1_000 });
		console.log('  invoices:');
		console.log(JSON.stringify(await rows(pg, 'SELECT sender, file_name, vendor, invoice_number, total::text, (SELECT count(*) FROM invoice_lines l WHERE l.invoice_id = i.id)::int AS lines FROM invoices i ORDER BY id'), null, 2));
		console.log('  mail_without_invoice:');
		console.log(JSON.stringify(await rows(pg, 'SELECT subject, reason FROM mail_without_invoice ORDER BY subject'), null, 2));
		console.log(`  IMAP:       127.0.0.1:${mailbox.port} user ${mailbox.user} / ${mailbox.password} (credential "Invoice mailbox (IMAP)")`);
		console.log(`  PostgreSQL: psql -h 127.0.0.1 -p ${pg.port} -U ${pg.user} invoices`);
		console.log(`  new mail:   drop an RFC 822 file into ${path.join(mailbox.maildir, 'new')}`);
	} catch (error) {
		await stop();
		throw error;
	}
	return { stop };
}
