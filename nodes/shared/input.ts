/**
 * Turning an item's input (binary field or ID) into a LlamaCloud `file_input`.
 * Checks happen here, at the edge, so the rest of the flow can trust the value.
 */
import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { FileV2, ID_PREFIX } from './contract';
import {
	base64MultipartBody,
	bufferedMultipartBody,
	multipartEnvelope,
	multipartLength,
	streamedMultipartBody,
	type BinaryStream,
	type FileSizeMismatchError,
} from './multipart';
import { apiRequest, apiRequestAllItems, type ApiCall, type LlamaCloudConnection } from './transport';

/** LlamaCloud limits (API.md §9.3): 512 MB per upload, 100 MB per extraction. */
export const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;
export const MAX_EXTRACT_BYTES = 100 * 1024 * 1024;

export function describeBinaryFields(binary: Record<string, IBinaryData> | undefined): string {
	const names = Object.keys(binary ?? {});
	return names.length
		? `The item has these binary fields: ${names.map((n) => `"${n}"`).join(', ')}.`
		: 'The item has no binary data at all; add a node before this one that reads or downloads the file.';
}

/** The binary field's metadata, or an error that lists the fields the item does have. */
export function requireBinary(
	this: IExecuteFunctions,
	itemIndex: number,
	binaryPropertyName: string,
): IBinaryData {
	const item = this.getInputData()[itemIndex];
	const binary = item?.binary?.[binaryPropertyName];
	if (!binary) {
		throw new NodeOperationError(
			this.getNode(),
			`Input Binary Field "${binaryPropertyName}" not found on item ${itemIndex}`,
			{
				itemIndex,
				description: `${describeBinaryFields(item?.binary)} Set "Input Binary Field" to the field that holds the document.`,
			},
		);
	}
	return binary;
}

/** Extensions of the document types LlamaCloud reads, for files that arrive without one (webhooks, mail bodies). */
const EXTENSION_FOR_MIME_TYPE: Record<string, string> = {
	'application/pdf': 'pdf',
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'image/tiff': 'tiff',
	'image/webp': 'webp',
	'image/gif': 'gif',
	'image/bmp': 'bmp',
	'text/plain': 'txt',
	'text/markdown': 'md',
	'text/csv': 'csv',
	'text/html': 'html',
	'application/rtf': 'rtf',
	'application/msword': 'doc',
	'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
	'application/vnd.ms-excel': 'xls',
	'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
	'application/vnd.ms-powerpoint': 'ppt',
	'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
};

/** MIME types that say nothing about what a file is. */
const UNTELLING_MIME_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'application/unknown']);

function hasExtension(name: string): boolean {
	return /\.[A-Za-z0-9]{1,10}$/.test(name);
}

/** The name LlamaCloud sees; it tells the file type by the extension, so one is added from the MIME type if missing. */
export function fileNameFor(binary: IBinaryData): string {
	const name = binary.fileName || 'document';
	if (hasExtension(name)) return name;
	const extension = binary.fileExtension || EXTENSION_FOR_MIME_TYPE[(binary.mimeType ?? '').toLowerCase()];
	return extension ? `${name}.${extension}` : name;
}

/** Refuses a file whose type nothing tells: no extension, and a MIME type such as application/octet-stream. */
export function requireKnownFileType(
	this: IExecuteFunctions,
	binary: IBinaryData,
	binaryPropertyName: string,
	itemIndex: number,
): void {
	const mimeType = (binary.mimeType ?? '').split(';')[0].trim().toLowerCase();
	if (hasExtension(fileNameFor(binary)) || !UNTELLING_MIME_TYPES.has(mimeType)) return;
	throw new NodeOperationError(
		this.getNode(),
		`The file "${binary.fileName || 'document'}" in Input Binary Field "${binaryPropertyName}" on item ${itemIndex} has no extension and the MIME type "${mimeType || '(none)'}", so its type is unknown`,
		{
			itemIndex,
			description:
				'LlamaCloud tells the type of a document by its extension. In the node that produces the file, give it a name with an extension (for example invoice.pdf) or a MIME type such as application/pdf.',
		},
	);
}

function tooLargeError(
	ctx: IExecuteFunctions,
	what: string,
	itemIndex: number,
	bytes: number,
	maxBytes: number,
): NodeOperationError {
	return new NodeOperationError(
		ctx.getNode(),
		`${what} on item ${itemIndex} is ${(bytes / 1048576).toFixed(1)} MB; LlamaCloud accepts at most ${maxBytes / 1048576} MB here`,
		{ itemIndex, description: 'Split the document (for example by page range) or compress it before extracting.' },
	);
}

/** A multipart upload ready to send: headers fixed up front, the body rebuilt for every attempt. */
interface PreparedUpload {
	fileSize: number;
	headers: Record<string, string>;
	makeBody: () => Promise<object>;
	/** Closes the file streams the attempts opened. */
	release: () => void;
	/** Turns a failed send into the real reason when the stored file did not match its recorded size. */
	explain: (error: unknown) => unknown;
}

/**
 * Sizes are checked before a byte is sent. A binary in n8n's filesystem or S3 store (`id` set) streams from the
 * store, so a 500 MB file never sits in memory; an in-memory binary is decoded once, straight into the body.
 */
async function prepareBinaryUpload(
	this: IExecuteFunctions,
	itemIndex: number,
	binaryPropertyName: string,
	binary: IBinaryData,
	fields: ReadonlyArray<readonly [string, string]>,
	maxBytes: number,
): Promise<PreparedUpload> {
	const fieldLabel = `Input Binary Field "${binaryPropertyName}"`;
	const what = `The file "${fileNameFor(binary)}" in ${fieldLabel}`;
	const checkSize = (size: number) => {
		if (size === 0) {
			throw new NodeOperationError(this.getNode(), `${what} on item ${itemIndex} is empty (0 bytes)`, {
				itemIndex,
				description: 'Check the node that produced the file; it may have failed to download it.',
			});
		}
		if (size > maxBytes) throw tooLargeError(this, what, itemIndex, size, maxBytes);
	};
	const envelope = multipartEnvelope(fields, {
		fieldName: 'file',
		fileName: fileNameFor(binary),
		mimeType: binary.mimeType || 'application/octet-stream',
	});
	const headersFor = (fileSize: number) => ({
		'content-type': envelope.contentType,
		'content-length': String(multipartLength(envelope, fileSize)),
	});

	if (!binary.id) {
		const { body, fileSize } = base64MultipartBody(envelope, binary.data ?? '');
		checkSize(fileSize);
		// A Buffer can be sent again as is, so retries reuse it.
		return { fileSize, headers: headersFor(fileSize), makeBody: async () => body, release: () => {}, explain: (e) => e };
	}

	const binaryId = binary.id;
	const missing = (error: unknown) =>
		new NodeOperationError(this.getNode(), `${what} on item ${itemIndex} could not be read from n8n's binary data store`, {
			itemIndex,
			description: `${(error as Error)?.message ?? 'The stored file is missing.'} Run the node that produced the file again; stored binaries are removed when their execution is pruned.`,
		});
	let fileSize: number;
	try {
		fileSize = (await this.helpers.getBinaryMetadata(binaryId)).fileSize;
	} catch (error) {
		throw missing(error);
	}
	checkSize(fileSize);
	const opened: BinaryStream[] = [];
	let mismatch: FileSizeMismatchError | undefined;
	return {
		fileSize,
		headers: headersFor(fileSize),
		makeBody: async () => {
			let source: BinaryStream;
			try {
				source = await this.helpers.getBinaryStream(binaryId);
			} catch (error) {
				throw missing(error);
			}
			opened.push(source);
			const streamed = streamedMultipartBody(envelope, source, fileSize, (error) => (mismatch = error));
			if (streamed) return streamed;
			// Not a Node stream (an unknown store): read it, still bounded by the size checked above.
			return bufferedMultipartBody(envelope, await this.helpers.binaryToBuffer(source));
		},
		release: () => {
			for (const stream of opened) stream.destroy();
		},
		explain: (error) =>
			mismatch
				? new NodeOperationError(this.getNode(), `${what} on item ${itemIndex} changed while it was uploaded`, {
						itemIndex,
						description: `${mismatch.message}. Run the node that produced the file again.`,
					})
				: error,
	};
}

/** Server clocks and ours may differ a little; a lookup window opens this much earlier. */
const CLOCK_SKEW_ALLOWANCE_MS = 30_000;

/** Files already owned by an item of this execution, so a lookup never adopts a sibling's upload. */
const ownedFiles = new WeakMap<object, Set<string>>();

/**
 * Upload retries. `POST /api/v1/beta/files` has no idempotency key, so every upload carries an `external_file_id`
 * (a token unique to its attempts unless the user gave one); after an ambiguous failure (5xx, reset or timeout
 * after sending) the file the lost attempt stored is looked up by it and adopted instead of uploading twice.
 */
function uploadRetry(
	ctx: IExecuteFunctions,
	externalFileId: string,
	fileName: string,
	userGiven: boolean,
	itemIndex: number,
	connection?: LlamaCloudConnection,
): Pick<ApiCall, 'retry' | 'findExisting'> {
	let owned = ownedFiles.get(ctx);
	if (!owned) ownedFiles.set(ctx, (owned = new Set()));
	const mine = owned;
	return {
		retry: 'create',
		findExisting: async (firstAttemptAtMs) => {
			const files = await apiRequestAllItems.call(
				ctx,
				{ method: 'GET', path: '/api/v1/beta/files', query: { external_file_id: externalFileId }, itemIndex },
				FileV2,
				{ limit: 100, pageSize: 100 },
				connection,
			);
			const since = firstAttemptAtMs - CLOCK_SKEW_ALLOWANCE_MS;
			// A generated token is unique to these attempts; an ID the user chose may also name older files.
			const found = files.find(
				(file) =>
					file.external_file_id === externalFileId &&
					!mine.has(file.id) &&
					(!userGiven ||
						(file.name === fileName && (!file.last_modified_at || Date.parse(file.last_modified_at) >= since))),
			);
			if (found) mine.add(found.id);
			return found;
		},
	};
}

/** An `external_file_id` no other upload uses. */
export function newUploadToken(): string {
	return `n8n-upload-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

/** Uploads an item's binary field to `/api/v1/beta/files` and returns the `FileV2`. */
export async function uploadBinaryFile(
	this: IExecuteFunctions,
	itemIndex: number,
	binaryPropertyName: string,
	options: {
		purpose: string;
		maxBytes: number;
		connection?: LlamaCloudConnection;
		externalFileId?: string;
	},
): Promise<FileV2> {
	const binary = requireBinary.call(this, itemIndex, binaryPropertyName);
	requireKnownFileType.call(this, binary, binaryPropertyName, itemIndex);
	const externalFileId = options.externalFileId || newUploadToken();
	const fields: Array<[string, string]> = [
		['purpose', options.purpose],
		['external_file_id', externalFileId],
	];
	const upload = await prepareBinaryUpload.call(
		this,
		itemIndex,
		binaryPropertyName,
		binary,
		fields,
		options.maxBytes,
	);
	try {
		return await apiRequest.call(
			this,
			{
				method: 'POST',
				path: '/api/v1/beta/files',
				headers: upload.headers,
				makeBody: upload.makeBody,
				followRedirects: false,
				itemIndex,
				timeoutMs: 300_000,
				...uploadRetry(
					this,
					externalFileId,
					fileNameFor(binary),
					Boolean(options.externalFileId),
					itemIndex,
					options.connection,
				),
			},
			FileV2,
			options.connection,
		);
	} catch (error) {
		throw upload.explain(error);
	} finally {
		upload.release();
	}
}

/** Checks a typed-in file or parse-job ID before it costs a round trip. */
export function checkFileInputId(
	this: IExecuteFunctions,
	value: string,
	parameterLabel: string,
	itemIndex: number,
): string {
	const id = value.trim();
	if (!id) {
		throw new NodeOperationError(this.getNode(), `The "${parameterLabel}" parameter is empty on item ${itemIndex}`, {
			itemIndex,
			description: `Enter a LlamaCloud file ID (${ID_PREFIX.file}…) or a completed parse job ID (${ID_PREFIX.parseJob}…), for example from a File › Upload step.`,
		});
	}
	if (id.length > 200) {
		throw new NodeOperationError(this.getNode(), `The "${parameterLabel}" parameter is longer than 200 characters`, {
			itemIndex,
			description: 'Pass the ID only, not a URL or the file contents.',
		});
	}
	return id;
}

/** A document held in memory, e.g. after downloading it from a URL. */
export interface FileBytes {
	data: Buffer;
	fileName: string;
	mimeType: string;
}

/** Uploads in-memory bytes to `/api/v1/beta/files` (the URL input and File › Upload use it). */
export async function uploadFileBytes(
	this: IExecuteFunctions,
	itemIndex: number,
	file: FileBytes,
	options: {
		purpose: string;
		maxBytes: number;
		connection?: LlamaCloudConnection;
		externalFileId?: string;
	},
): Promise<FileV2> {
	if (file.data.length === 0) {
		throw new NodeOperationError(this.getNode(), `The file "${file.fileName}" on item ${itemIndex} is empty (0 bytes)`, {
			itemIndex,
			description: 'Check where the file comes from; the download may have returned an empty page.',
		});
	}
	if (file.data.length > options.maxBytes) {
		throw new NodeOperationError(
			this.getNode(),
			`The file "${file.fileName}" on item ${itemIndex} is ${(file.data.length / 1048576).toFixed(1)} MB; LlamaCloud accepts at most ${options.maxBytes / 1048576} MB here`,
			{ itemIndex, description: 'Split the document (for example by page range) or compress it before extracting.' },
		);
	}
	const externalFileId = options.externalFileId || newUploadToken();
	const fields: Array<[string, string]> = [
		['purpose', options.purpose],
		['external_file_id', externalFileId],
	];
	const envelope = multipartEnvelope(fields, {
		fieldName: 'file',
		fileName: file.fileName,
		mimeType: file.mimeType || 'application/octet-stream',
	});
	const body = bufferedMultipartBody(envelope, file.data);
	return await apiRequest.call(
		this,
		{
			method: 'POST',
			path: '/api/v1/beta/files',
			headers: { 'content-type': envelope.contentType, 'content-length': String(body.length) },
			body,
			followRedirects: false,
			itemIndex,
			timeoutMs: 300_000,
			...uploadRetry(
				this,
				externalFileId,
				file.fileName,
				Boolean(options.externalFileId),
				itemIndex,
				options.connection,
			),
		},
		FileV2,
		options.connection,
	);
}

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
	if (data.length > maxBytes) {
		throw new NodeOperationError(
			this.getNode(),
			`The file at ${url.host}${url.pathname} on item ${itemIndex} is ${(data.length / 1048576).toFixed(1)} MB; LlamaCloud accepts at most ${maxBytes / 1048576} MB here`,
			{ itemIndex, description: 'Split the document (for example by page range) or compress it before extracting.' },
		);
	}
	return { data, fileName, mimeType };
}
