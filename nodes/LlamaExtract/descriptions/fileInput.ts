import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { checkFileInputId, MAX_EXTRACT_BYTES, uploadBinaryFile } from '../../shared/input';
import type { LlamaCloudConnection } from '../../shared/transport';

/** Where the document comes from. */
export const fileInputProperties: INodeProperties[] = [
	{
		displayName: 'Input Type',
		name: 'inputType',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Binary File',
				value: 'binary',
				description: 'A file from an earlier node, such as an email attachment or a downloaded PDF',
			},
			{
				name: 'File or Parse Job ID',
				value: 'fileId',
				description:
					'A file already in LlamaCloud (dfl-…) or a completed parse job (pjb-…), which skips parsing again',
			},
		],
		default: 'binary',
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		placeholder: 'e.g. data',
		hint: 'The name of the input field containing the binary file data to be processed',
		description: 'Name of the binary field that holds the document (PDF, image, Office file, text)',
		displayOptions: { show: { inputType: ['binary'] } },
	},
	{
		displayName: 'File or Parse Job ID',
		name: 'fileId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. dfl-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
		description:
			'ID of a LlamaCloud file (dfl-…) or of a completed parse job (pjb-…). Use File › Upload to get a file ID.',
		displayOptions: { show: { inputType: ['fileId'] } },
	},
];

/** Resolves the item's input to a `file_input`, uploading a binary field first when needed. */
export async function resolveFileInput(
	this: IExecuteFunctions,
	itemIndex: number,
	connection: LlamaCloudConnection,
): Promise<string> {
	const inputType = this.getNodeParameter('inputType', itemIndex) as string;
	if (inputType === 'fileId') {
		return checkFileInputId.call(
			this,
			this.getNodeParameter('fileId', itemIndex) as string,
			'File or Parse Job ID',
			itemIndex,
		);
	}
	const binaryPropertyName = this.getNodeParameter('binaryPropertyName', itemIndex) as string;
	const file = await uploadBinaryFile.call(this, itemIndex, binaryPropertyName, {
		purpose: 'extract',
		maxBytes: MAX_EXTRACT_BYTES,
		connection,
	});
	return file.id;
}
