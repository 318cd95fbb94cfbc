/**
 * Upload: put a document into LlamaCloud once and get a file ID (dfl-…) to extract from, as often as needed.
 * API: POST /api/v1/beta/files (multipart: file, purpose, external_file_id)
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { FILE_PURPOSES } from '../../../shared/contract';
import { downloadFromUrl } from '../../../shared/download';
import { MAX_UPLOAD_BYTES } from '../../../shared/fileChecks';
import { choices } from '../../../shared/rules';
import { fileInputProperties } from '../../descriptions/fileInput';
import { documentOptions } from '../../descriptions/documentOptions';
import { keepBinaryOption } from '../../descriptions/jobOutput';
import { type Client, optionsCollection, showFor } from '../common';
import { runDocumentBatch } from '../documentBatch';
import { externalFileIdParameter } from './shared';

const PURPOSE_CHOICES = choices(FILE_PURPOSES, {
	agent_app: 'Agent App',
	classify: 'Classify',
	extract: 'Extract',
	parse: 'Parse',
	sheet: 'Sheet',
	split: 'Split',
	user_data: 'User Data',
});

const [inputTypeParameter, ...inputDetails] = fileInputProperties;

const properties: INodeProperties[] = [
	{
		...inputTypeParameter,
		options: (inputTypeParameter.options ?? []).filter(
			(option) => 'value' in option && option.value !== 'fileId',
		),
	},
	...inputDetails.filter((property) => property.name !== 'fileId'),
	optionsCollection([
		externalFileIdParameter('Your own ID for the file, to find it again with File › Get Many'),
		keepBinaryOption,
		{
			displayName: 'Purpose',
			name: 'purpose',
			type: 'options',
			options: PURPOSE_CHOICES,
			default: 'extract',
			description: 'What the file is for; LlamaCloud sets storage and retention by it',
		},
		...documentOptions,
	]),
];

export const description = showFor({ show: { resource: ['file'], operation: ['upload'] } }, properties);

/** One upload per document (Input Binary Field may name several, e.g. attachment_*), one at a time, in order. */
export async function executeBatch(this: IExecuteFunctions, client: Client): Promise<INodeExecutionData[]> {
	return await runDocumentBatch.call(
		this,
		async ({ itemIndex, options, document }) => {
			const inputType = this.getNodeParameter('inputType', itemIndex) as string;
			const upload = {
				purpose: String(options.purpose ?? 'extract'),
				maxBytes: MAX_UPLOAD_BYTES,
				externalFileId: options.externalFileId ? String(options.externalFileId).trim() : undefined,
			};
			let file;
			if (inputType === 'url') {
				const url = String(this.getNodeParameter('url', itemIndex, '') ?? '');
				file = await client.uploadBytes(itemIndex, await downloadFromUrl.call(this, itemIndex, url, 'Document URL', MAX_UPLOAD_BYTES), upload);
			} else if (document) {
				const as = { fileName: document.fileName, mimeType: document.mimeType };
				file = await client.uploadBinary(itemIndex, document.binaryField, { ...upload, as });
			} else {
				file = await client.uploadBinary(itemIndex, this.getNodeParameter('binaryPropertyName', itemIndex) as string, upload);
			}
			const binary = options.keepBinary === false ? undefined : this.getInputData()[itemIndex]?.binary;
			return [{ json: file as IDataObject, pairedItem: { item: itemIndex }, ...(binary ? { binary } : {}) }];
		},
		{ concurrency: 1 },
	);
}
