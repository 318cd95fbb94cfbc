/**
 * Turning an item's input (binary field or ID) into a LlamaCloud `file_input`.
 * Checks happen here, at the edge, so the rest of the flow can trust the value.
 */
import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { FileV2, ID_PREFIX } from './contract';
import { apiRequest, type LlamaCloudConnection } from './transport';

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

export function fileNameFor(binary: IBinaryData): string {
	if (binary.fileName) return binary.fileName;
	return `document${binary.fileExtension ? `.${binary.fileExtension}` : ''}`;
}

/** Uploads an item's binary field to `/api/v1/beta/files` and returns the `FileV2`. */
export async function uploadBinaryFile(
	this: IExecuteFunctions,
	itemIndex: number,
	binaryPropertyName: string,
	options: { purpose: string; maxBytes: number; connection?: LlamaCloudConnection },
): Promise<FileV2> {
	const binary = requireBinary.call(this, itemIndex, binaryPropertyName);
	const buffer = await this.helpers.getBinaryDataBuffer(itemIndex, binaryPropertyName);
	if (buffer.length === 0) {
		throw new NodeOperationError(
			this.getNode(),
			`The file in Input Binary Field "${binaryPropertyName}" on item ${itemIndex} is empty (0 bytes)`,
			{ itemIndex, description: 'Check the node that produced the file; it may have failed to download it.' },
		);
	}
	if (buffer.length > options.maxBytes) {
		throw new NodeOperationError(
			this.getNode(),
			`The file "${fileNameFor(binary)}" on item ${itemIndex} is ${(buffer.length / 1048576).toFixed(1)} MB; LlamaCloud accepts at most ${options.maxBytes / 1048576} MB here`,
			{ itemIndex, description: 'Split the document (for example by page range) or compress it before extracting.' },
		);
	}
	const form = new FormData();
	form.append(
		'file',
		new Blob([new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length)], {
			type: binary.mimeType || 'application/octet-stream',
		}),
		fileNameFor(binary),
	);
	form.append('purpose', options.purpose);
	return await apiRequest.call(
		this,
		{ method: 'POST', path: '/api/v1/beta/files', body: form, itemIndex, timeoutMs: 300_000 },
		FileV2,
		options.connection,
	);
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
