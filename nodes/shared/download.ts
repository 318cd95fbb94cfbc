/** Documents from a URL: downloaded with n8n's plain `httpRequest`, never with the LlamaCloud credential. */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { tooLargeError } from './fileChecks';
import type { FileBytes } from './upload';

function headerValue(headers: Record<string, unknown> | undefined, name: string): string | undefined {
	if (!headers) return undefined;
	const found = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
	const value = found?.[1];
	return Array.isArray(value) ? String(value[0]) : value === undefined || value === null ? undefined : String(value);
}

/** File name from `Content-Disposition`, else the last path segment of the URL, else "document". */
export function fileNameFromDownload(url: URL, contentDisposition: string | undefined): string {
	const star = contentDisposition && /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(contentDisposition);
	if (star) {
		try {
			return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
		} catch {
			// fall through to the plain filename
		}
	}
	const plain = contentDisposition && /filename\s*=\s*"?([^";]+)"?/i.exec(contentDisposition);
	if (plain) return plain[1].trim();
	const last = url.pathname.split('/').filter(Boolean).pop();
	if (last) {
		try {
			return decodeURIComponent(last);
		} catch {
			return last;
		}
	}
	return 'document';
}

/**
 * Downloads a document with n8n's plain `httpRequest`: no LlamaCloud credential goes to a third-party URL,
 * and n8n's proxy and SSRF settings apply.
 */
export async function downloadFromUrl(
	this: IExecuteFunctions,
	itemIndex: number,
	rawUrl: string,
	parameterLabel: string,
	maxBytes: number,
): Promise<FileBytes> {
	const text = rawUrl.trim();
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw new NodeOperationError(this.getNode(), `The "${parameterLabel}" on item ${itemIndex} is not a valid URL: "${text}"`, {
			itemIndex,
			description: 'Enter a full link such as https://example.com/invoice.pdf.',
		});
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new NodeOperationError(this.getNode(), `The "${parameterLabel}" on item ${itemIndex} must start with http:// or https://`, {
			itemIndex,
			description: 'Only web links can be downloaded. For a file from an earlier node, set Input Type to Binary File.',
		});
	}
	let response: { statusCode: number; headers: Record<string, unknown>; body: unknown };
	try {
		response = (await this.helpers.httpRequest({
			method: 'GET',
			url: url.toString(),
			encoding: 'arraybuffer',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: 300_000,
		})) as typeof response;
	} catch (error) {
		const code = (error as { code?: string }).code;
		throw new NodeOperationError(
			this.getNode(),
			`Could not download ${url.host}${url.pathname} on item ${itemIndex}${code ? ` (${code})` : ''}`,
			{ itemIndex, description: 'Check that the URL is reachable from the n8n server and needs no login.' },
		);
	}
	if (response.statusCode >= 400) {
		throw new NodeOperationError(
			this.getNode(),
			`Downloading ${url.host}${url.pathname} on item ${itemIndex} failed with HTTP ${response.statusCode}`,
			{
				itemIndex,
				description:
					'Check the link in a browser. Links that need a login or expire (presigned URLs) must be fresh; otherwise download the file with an HTTP Request node and use Input Type Binary File.',
			},
		);
	}
	const body = response.body;
	const data = Buffer.isBuffer(body)
		? body
		: body instanceof ArrayBuffer
			? Buffer.from(body)
			: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body ?? ''));
	const fileName = fileNameFromDownload(url, headerValue(response.headers, 'content-disposition'));
	const mimeType = (headerValue(response.headers, 'content-type') ?? 'application/octet-stream').split(';')[0].trim();
	if (data.length > maxBytes) throw tooLargeError(this.getNode(), `The file at ${url.host}${url.pathname}`, itemIndex, data.length, maxBytes);
	return { data, fileName, mimeType };
}
