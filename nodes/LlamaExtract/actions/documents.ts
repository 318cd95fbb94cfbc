/**
 * An item's documents: the binary fields the Input Binary Field pattern names ("data", "attachment_*",
 * "invoice, receipt", "*"), each typed (shared/documentType.ts) and filtered by Document Types, in attachment order.
 * One expansion for Extract Data, Create, File › Upload and Legacy Run Job.
 */
import type { IBinaryData, IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { detectDocumentType, extensionOf, normalMimeType, SNIFF_BYTES, uploadFileName } from '../../shared/documentType';
import { describeBinaryFields } from '../../shared/fileChecks';
import type { DocumentSettings } from '../descriptions/documentOptions';

/** One document of an item, as it will be sent. */
export interface SourceDocument {
	binaryField: string;
	/** The name sent to LlamaCloud (extension added or lower-cased where needed). */
	fileName: string;
	mimeType: string;
	/** Position among the item's documents, from 0. */
	index: number;
	count: number;
}

/** A binary field that is not extracted, and why; listed on the output so nothing disappears unexplained. */
export interface SkippedFile extends IDataObject {
	binary_field: string;
	file_name: string;
	mime_type: string;
	reason: string;
}

export interface ItemDocuments {
	documents: SourceDocument[];
	skipped: SkippedFile[];
	/** Binary fields the pattern matched (documents and skipped). */
	matched: string[];
}

/** "attachment_*, invoice" -> ["attachment_*", "invoice"]. */
export function parseFieldPattern(value: unknown): string[] {
	return String(value ?? '')
		.split(',')
		.map((part) => part.trim())
		.filter(Boolean);
}

/** A pattern that names exactly one field, as before lists and wildcards: its errors stay the old, specific ones. */
export function isSingleFieldName(patterns: string[]): boolean {
	return patterns.length === 1 && !patterns[0].includes('*');
}

function wildcard(pattern: string): RegExp {
	return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/**
 * The binary fields the patterns match, in attachment order: the patterns in the order typed, and the fields one
 * wildcard matches in natural order (attachment_2 before attachment_10); each field once.
 */
export function matchBinaryFields(fieldNames: string[], patterns: string[]): string[] {
	const matched: string[] = [];
	for (const pattern of patterns) {
		const names = pattern.includes('*')
			? fieldNames.filter((name) => wildcard(pattern).test(name)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
			: fieldNames.filter((name) => name === pattern);
		for (const name of names) if (!matched.includes(name)) matched.push(name);
	}
	return matched;
}

/** The first bytes of a binary, to tell its type when its name and MIME type do not. */
async function readHead(ctx: IExecuteFunctions, binary: IBinaryData): Promise<Uint8Array> {
	if (!binary.id) return Buffer.from((binary.data ?? '').slice(0, Math.ceil(SNIFF_BYTES / 3) * 4), 'base64');
	const stream = await ctx.helpers.getBinaryStream(binary.id);
	const chunks: Buffer[] = [];
	let length = 0;
	try {
		for await (const chunk of stream as AsyncIterable<Buffer | string>) {
			const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
			chunks.push(bytes);
			length += bytes.length;
			if (length >= SNIFF_BYTES) break;
		}
	} finally {
		stream.destroy();
	}
	return Buffer.concat(chunks).subarray(0, SNIFF_BYTES);
}

async function byteSize(ctx: IExecuteFunctions, binary: IBinaryData): Promise<number> {
	if (!binary.id) return Buffer.byteLength(binary.data ?? '', 'base64');
	return (await ctx.helpers.getBinaryMetadata(binary.id)).fileSize;
}

/** Types one matched binary: a document to send, or a skipped file with the reason. */
async function classify(
	ctx: IExecuteFunctions,
	binaryField: string,
	binary: IBinaryData,
	settings: DocumentSettings,
): Promise<Omit<SourceDocument, 'index' | 'count'> | SkippedFile> {
	const fileName = binary.fileName ?? '';
	const mimeType = normalMimeType(binary.mimeType);
	let type = detectDocumentType({ fileName, mimeType });
	if (type.by === 'nothing') type = detectDocumentType({ fileName, mimeType, head: await readHead(ctx, binary) });
	const skipped = (reason: string): SkippedFile => ({ binary_field: binaryField, file_name: fileName, mime_type: mimeType, reason });
	if (!type.extension || !type.kind || !type.mimeType) {
		const extension = extensionOf(fileName);
		return skipped(
			extension
				? `.${extension} (${mimeType || 'no MIME type'}) is not a document type LlamaExtract reads`
				: `its type is unknown: no extension, the MIME type "${mimeType || '(none)'}", and its first bytes match no document format`,
		);
	}
	if (!settings.kinds.has(type.kind)) return skipped(`Document Types leaves out ${type.kind} files`);
	if (type.kind === 'image' && settings.minImageBytes > 0) {
		const bytes = await byteSize(ctx, binary);
		if (bytes < settings.minImageBytes) {
			return skipped(`an image of ${(bytes / 1024).toFixed(1)} KB, under Skip Images Smaller Than (${settings.minImageBytes / 1024} KB)`);
		}
	}
	return { binaryField, fileName: uploadFileName(fileName, type.extension), mimeType: type.mimeType };
}

/** The item's documents and skipped files for the Input Binary Field pattern. */
export async function documentsOfItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	patterns: string[],
	settings: DocumentSettings,
): Promise<ItemDocuments> {
	const binary = ctx.getInputData()[itemIndex]?.binary ?? {};
	const matched = matchBinaryFields(Object.keys(binary), patterns);
	const found: Array<Omit<SourceDocument, 'index' | 'count'>> = [];
	const skipped: SkippedFile[] = [];
	for (const field of matched) {
		const result = await classify(ctx, field, binary[field], settings);
		if ('reason' in result) skipped.push(result);
		else found.push(result);
	}
	return { documents: found.map((document, index) => ({ ...document, index, count: found.length })), skipped, matched };
}

function listFiles(files: SkippedFile[]): string {
	return files.map((file) => `"${file.binary_field}" (${file.file_name || 'no file name'}: ${file.reason})`).join('; ');
}

/** Why an item has no document, worded for the pattern the user typed; lists what the item does have. */
export function noDocumentError(
	ctx: IExecuteFunctions,
	itemIndex: number,
	patterns: string[],
	found: ItemDocuments,
): NodeOperationError {
	const node = ctx.getNode();
	const binary = ctx.getInputData()[itemIndex]?.binary;
	const whenNone = 'For items that may have none (an email without attachments), set Options › When No Document to Skip Item or Pass Item Through.';
	if (found.matched.length === 0) {
		if (isSingleFieldName(patterns)) {
			return new NodeOperationError(node, `Input Binary Field "${patterns[0]}" not found on item ${itemIndex}`, {
				itemIndex,
				description: `${describeBinaryFields(binary)} Set "Input Binary Field" to the field that holds the document.`,
			});
		}
		return new NodeOperationError(node, `Input Binary Field "${patterns.join(', ')}" matches no binary field on item ${itemIndex}`, {
			itemIndex,
			description: `${describeBinaryFields(binary)} Set "Input Binary Field" to the fields that hold the documents (for example attachment_* or *). ${whenNone}`,
		});
	}
	const [only] = found.skipped;
	if (isSingleFieldName(patterns) && only.reason.startsWith('its type is unknown')) {
		return new NodeOperationError(
			node,
			`The file "${only.file_name || 'document'}" in Input Binary Field "${only.binary_field}" on item ${itemIndex} has no extension and the MIME type "${only.mime_type || '(none)'}", so its type is unknown`,
			{
				itemIndex,
				description:
					'LlamaCloud tells the type of a document by its extension. In the node that produces the file, give it a name with an extension (for example invoice.pdf) or a MIME type such as application/pdf.',
			},
		);
	}
	return new NodeOperationError(node, `No document to extract on item ${itemIndex}: ${listFiles(found.skipped)}`, {
		itemIndex,
		description: `Options › Document Types and Skip Images Smaller Than decide which files are documents. ${whenNone}`,
	});
}
