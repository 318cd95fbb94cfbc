/**
 * Checks of an item's document before anything is sent: the binary field, its type and size, a typed-in ID.
 * No requests here; upload.ts and download.ts use them.
 */
import type { IBinaryData, IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { checkId, LIMITS, type IdKindName } from './rules';

/** LlamaCloud limits (API.md §9.3, written once in rules.ts): 512 MB per upload, 100 MB per extraction. */
export const MAX_UPLOAD_BYTES = LIMITS.uploadBytes;
export const MAX_EXTRACT_BYTES = LIMITS.extractBytes;

/**
 * A typed-in ID checked with the shared ID rule (rules.ts `checkId`) before it costs a round trip, or an error that
 * names the parameter (and the item, where there is one) and says where to get the right ID.
 */
export function requireId(
	node: INode,
	value: unknown,
	kinds: readonly IdKindName[],
	parameterLabel: string,
	itemIndex?: number,
): string {
	const checked = checkId(value, kinds);
	if ('id' in checked) return checked.id;
	const onItem = itemIndex === undefined ? '' : ` on item ${itemIndex}`;
	const message =
		checked.problem === 'empty'
			? `The "${parameterLabel}" parameter is empty${onItem}`
			: `The "${parameterLabel}"${onItem} ${checked.message}`;
	throw new NodeOperationError(node, message, { itemIndex, description: checked.hint });
}

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

/** The one wording for a document over a LlamaCloud size limit. */
export function tooLargeError(node: INode, what: string, itemIndex: number, bytes: number, maxBytes: number): NodeOperationError {
	return new NodeOperationError(
		node,
		`${what} on item ${itemIndex} is ${(bytes / 1048576).toFixed(1)} MB; LlamaCloud accepts at most ${maxBytes / 1048576} MB here`,
		{ itemIndex, description: 'Split the document (for example by page range) or compress it before extracting.' },
	);
}

/** An empty document; `description` says where the bytes came from. */
export function emptyFileError(
	node: INode,
	what: string,
	itemIndex: number,
	description = 'Check the node that produced the file; it may have failed to download it.',
): NodeOperationError {
	return new NodeOperationError(node, `${what} on item ${itemIndex} is empty (0 bytes)`, { itemIndex, description });
}

/** Refuses an empty document or one over `maxBytes`. */
export function checkFileSize(node: INode, what: string, itemIndex: number, bytes: number, maxBytes: number, emptyHint?: string): void {
	if (bytes === 0) throw emptyFileError(node, what, itemIndex, emptyHint);
	if (bytes > maxBytes) throw tooLargeError(node, what, itemIndex, bytes, maxBytes);
}

/** A typed-in file or parse job ID (what `file_input` accepts). */
export function checkFileInputId(
	this: IExecuteFunctions,
	value: string,
	parameterLabel: string,
	itemIndex: number,
): string {
	return requireId(this.getNode(), value, ['file', 'parseJob'], parameterLabel, itemIndex);
}
