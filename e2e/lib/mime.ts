/**
 * Real MIME messages, built by hand: headers, a text/plain body and base64 attachments in a multipart/mixed
 * envelope, lines folded at 76 characters and CRLF line ends (RFC 5322, RFC 2045/2046, RFC 2231 names).
 */
import { randomBytes } from 'node:crypto';

export interface MailAttachment {
	fileName: string;
	contentType: string;
	content: Buffer;
}

export interface MailMessage {
	from: string;
	to: string;
	subject: string;
	/** Unique per message; the database keys rows on it. */
	messageId: string;
	date?: Date;
	text: string;
	attachments?: MailAttachment[];
}

const CRLF = '\r\n';

function base64Lines(content: Buffer): string {
	return (content.toString('base64').match(/.{1,76}/g) ?? []).join(CRLF);
}

/** A header value: ASCII as is, anything else as an RFC 2047 encoded word. */
function headerText(value: string): string {
	return /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/** A file name parameter: quoted ASCII, or RFC 2231 `name*=UTF-8''…` for non-ASCII names. */
function nameParameter(key: string, value: string): string {
	if (/^[\x20-\x7e]*$/.test(value)) return `${key}="${value.replace(/(["\\])/g, '\\$1')}"`;
	return `${key}*=UTF-8''${encodeURIComponent(value)}`;
}

export function buildMessage(message: MailMessage): string {
	const headers = [
		`From: ${message.from}`,
		`To: ${message.to}`,
		`Subject: ${headerText(message.subject)}`,
		`Date: ${(message.date ?? new Date()).toUTCString().replace('GMT', '+0000')}`,
		`Message-ID: ${message.messageId}`,
		'MIME-Version: 1.0',
	];
	const attachments = message.attachments ?? [];
	if (attachments.length === 0) {
		return [...headers, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', message.text, ''].join(CRLF);
	}
	const boundary = `=_llx_${randomBytes(12).toString('hex')}`;
	const parts = [
		[`--${boundary}`, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', message.text].join(CRLF),
		...attachments.map((file) =>
			[
				`--${boundary}`,
				`Content-Type: ${file.contentType}; ${nameParameter('name', file.fileName)}`,
				'Content-Transfer-Encoding: base64',
				`Content-Disposition: attachment; ${nameParameter('filename', file.fileName)}`,
				'',
				base64Lines(file.content),
			].join(CRLF),
		),
	];
	return [...headers, `Content-Type: multipart/mixed; boundary="${boundary}"`, '', 'This is a multi-part message in MIME format.', ...parts, `--${boundary}--`, ''].join(CRLF);
}
