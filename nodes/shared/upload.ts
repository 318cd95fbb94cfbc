/**
 * Uploads to `POST /api/v1/beta/files`. It has no idempotency key, so every upload carries an `external_file_id`
 * (a token unique to its attempts unless the user gave one); after an ambiguous failure (5xx, reset or timeout
 * after sending) the file the lost attempt stored is looked up by it and adopted instead of uploading twice.
 */
import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { LlamaCloudClient } from './client';
import { FileV2 } from './contract';
import { checkFileSize, fileNameFor, requireBinary, requireKnownFileType } from './fileChecks';
import {
	base64MultipartBody,
	bufferedMultipartBody,
	multipartEnvelope,
	multipartLength,
	streamedMultipartBody,
	type BinaryStream,
	type FileSizeMismatchError,
} from './multipart';
import { CLOCK_SKEW_ALLOWANCE_MS } from './retry';

export interface UploadOptions {
	purpose: string;
	maxBytes: number;
	/** The user's own `external_file_id`; a fresh token otherwise. */
	externalFileId?: string;
	/** The name and MIME type to send, when the caller already typed the file (documents of an email). */
	as?: { fileName: string; mimeType: string };
}

/** A document held in memory, e.g. after downloading it from a URL. */
export interface FileBytes {
	data: Buffer;
	fileName: string;
	mimeType: string;
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
	ctx: IExecuteFunctions,
	itemIndex: number,
	binaryPropertyName: string,
	binary: IBinaryData,
	fields: ReadonlyArray<readonly [string, string]>,
	maxBytes: number,
): Promise<PreparedUpload> {
	const fieldLabel = `Input Binary Field "${binaryPropertyName}"`;
	const what = `The file "${fileNameFor(binary)}" in ${fieldLabel}`;
	const checkSize = (size: number) => checkFileSize(ctx.getNode(), what, itemIndex, size, maxBytes);
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
		new NodeOperationError(ctx.getNode(), `${what} on item ${itemIndex} could not be read from n8n's binary data store`, {
			itemIndex,
			description: `${(error as Error)?.message ?? 'The stored file is missing.'} Run the node that produced the file again; stored binaries are removed when their execution is pruned.`,
		});
	let fileSize: number;
	try {
		fileSize = (await ctx.helpers.getBinaryMetadata(binaryId)).fileSize;
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
				source = await ctx.helpers.getBinaryStream(binaryId);
			} catch (error) {
				throw missing(error);
			}
			opened.push(source);
			const streamed = streamedMultipartBody(envelope, source, fileSize, (error) => (mismatch = error));
			if (streamed) return streamed;
			// Not a Node stream (an unknown store): read it, still bounded by the size checked above.
			return bufferedMultipartBody(envelope, await ctx.helpers.binaryToBuffer(source));
		},
		release: () => {
			for (const stream of opened) stream.destroy();
		},
		explain: (error) =>
			mismatch
				? new NodeOperationError(ctx.getNode(), `${what} on item ${itemIndex} changed while it was uploaded`, {
						itemIndex,
						description: `${mismatch.message}. Run the node that produced the file again.`,
					})
				: error,
	};
}

/** An `external_file_id` no other upload uses. */
export function newUploadToken(): string {
	return `n8n-upload-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

/** After an ambiguous failure: the file the lost attempt stored, found by its `external_file_id`. */
async function findUploadedFile(
	client: LlamaCloudClient,
	externalFileId: string,
	fileName: string,
	userGiven: boolean,
	itemIndex: number,
	firstAttemptAtMs: number,
): Promise<FileV2 | undefined> {
	const files = await client.list(
		{ method: 'GET', path: '/api/v1/beta/files', query: { external_file_id: externalFileId }, itemIndex },
		FileV2,
		{ limit: 100, pageSize: 100 },
	);
	const since = firstAttemptAtMs - CLOCK_SKEW_ALLOWANCE_MS;
	// A generated token is unique to these attempts; an ID the user chose may also name older files.
	const found = files.find(
		(file) =>
			file.external_file_id === externalFileId &&
			!client.ownedFiles.has(file.id) &&
			(!userGiven || (file.name === fileName && (!file.last_modified_at || Date.parse(file.last_modified_at) >= since))),
	);
	if (found) client.ownedFiles.add(found.id);
	return found;
}

/** Sends a prepared multipart upload, adopting what a lost attempt stored. */
async function sendUpload(
	client: LlamaCloudClient<IExecuteFunctions>,
	itemIndex: number,
	fileName: string,
	options: UploadOptions,
	build: (fields: ReadonlyArray<readonly [string, string]>) => Promise<PreparedUpload>,
): Promise<FileV2> {
	const externalFileId = options.externalFileId || newUploadToken();
	const upload = await build([
		['purpose', options.purpose],
		['external_file_id', externalFileId],
	]);
	try {
		return await client.request(
			{
				method: 'POST',
				path: '/api/v1/beta/files',
				headers: upload.headers,
				makeBody: upload.makeBody,
				followRedirects: false,
				itemIndex,
				timeoutMs: 300_000,
				retry: 'create',
				findExisting: async (firstAttemptAtMs) =>
					await findUploadedFile(client, externalFileId, fileName, Boolean(options.externalFileId), itemIndex, firstAttemptAtMs),
			},
			FileV2,
		);
	} catch (error) {
		throw upload.explain(error);
	} finally {
		upload.release();
	}
}

/** Uploads an item's binary field and returns the `FileV2`. */
export async function uploadBinaryFile(
	client: LlamaCloudClient<IExecuteFunctions>,
	itemIndex: number,
	binaryPropertyName: string,
	options: UploadOptions,
): Promise<FileV2> {
	const ctx = client.ctx;
	const stored = requireBinary.call(ctx, itemIndex, binaryPropertyName);
	const binary = options.as ? { ...stored, ...options.as } : stored;
	if (!options.as) requireKnownFileType.call(ctx, binary, binaryPropertyName, itemIndex);
	return await sendUpload(client, itemIndex, fileNameFor(binary), options, async (fields) =>
		await prepareBinaryUpload(ctx, itemIndex, binaryPropertyName, binary, fields, options.maxBytes),
	);
}

/** Uploads in-memory bytes (the URL input and File › Upload use it). */
export async function uploadFileBytes(
	client: LlamaCloudClient<IExecuteFunctions>,
	itemIndex: number,
	file: FileBytes,
	options: UploadOptions,
): Promise<FileV2> {
	checkFileSize(
		client.ctx.getNode(),
		`The file "${file.fileName}"`,
		itemIndex,
		file.data.length,
		options.maxBytes,
		'Check where the file comes from; the download may have returned an empty page.',
	);
	return await sendUpload(client, itemIndex, file.fileName, options, async (fields) => {
		const envelope = multipartEnvelope(fields, {
			fieldName: 'file',
			fileName: file.fileName,
			mimeType: file.mimeType || 'application/octet-stream',
		});
		const body = bufferedMultipartBody(envelope, file.data);
		const headers = { 'content-type': envelope.contentType, 'content-length': String(body.length) };
		return { fileSize: file.data.length, headers, makeBody: async () => body, release: () => {}, explain: (e) => e };
	});
}
