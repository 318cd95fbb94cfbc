import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { ID_PREFIX, ParseResultResponse } from '../../shared/contract';
import {
	checkFileInputId,
	downloadFromUrl,
	MAX_EXTRACT_BYTES,
	uploadBinaryFile,
	uploadFileBytes,
} from '../../shared/input';
import { apiRequest, type LlamaCloudConnection } from '../../shared/transport';

/** Where the document comes from. File ID and URL also work when an AI agent calls the node as a tool. */
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
			{
				name: 'URL',
				value: 'url',
				description: 'A public link to the document; n8n downloads it and uploads it to LlamaCloud',
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
			'ID of a LlamaCloud file (starts with dfl-) or of a completed parse job (starts with pjb-). Use File › Upload to get a file ID.',
		displayOptions: { show: { inputType: ['fileId'] } },
	},
	{
		displayName: 'Document URL',
		name: 'url',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. https://example.com/invoice.pdf',
		description:
			'Public http(s) link to the document (PDF, image, Office file). It is downloaded without any LlamaCloud credentials.',
		displayOptions: { show: { inputType: ['url'] } },
	},
];

/**
 * A parse job can stand in for a file only once it has finished; checking first turns the server's vague
 * rejection into an error that says to wait.
 */
async function requireCompletedParseJob(
	this: IExecuteFunctions,
	parseJobId: string,
	itemIndex: number,
	connection: LlamaCloudConnection,
): Promise<void> {
	const { job } = await apiRequest.call(
		this,
		{
			method: 'GET',
			path: `/api/v2/parse/${encodeURIComponent(parseJobId)}`,
			itemIndex,
			notFoundHint: `No parse job "${parseJobId}" exists in this project and region. Check the ID and the credential.`,
		},
		ParseResultResponse,
		connection,
	);
	if (job.status !== 'COMPLETED') {
		throw new NodeOperationError(
			this.getNode(),
			`Parse job ${parseJobId} on item ${itemIndex} is ${job.status}, not COMPLETED`,
			{
				itemIndex,
				description:
					job.status === 'FAILED' || job.status === 'CANCELLED'
						? 'This parse job will never finish. Extract from the original file (dfl-…) instead, or parse the file again.'
						: 'Only a finished parse job can be extracted from. Wait until it is COMPLETED (for example with a Wait node), or use the file ID (dfl-…) instead.',
			},
		);
	}
}

/** Resolves the item's input to a `file_input`: uploads binary or downloaded bytes, or checks a typed-in ID. */
export async function resolveFileInput(
	this: IExecuteFunctions,
	itemIndex: number,
	connection: LlamaCloudConnection,
	purpose = 'extract',
): Promise<string> {
	const inputType = this.getNodeParameter('inputType', itemIndex) as string;
	if (inputType === 'fileId') {
		const id = checkFileInputId.call(
			this,
			String(this.getNodeParameter('fileId', itemIndex) ?? ''),
			'File or Parse Job ID',
			itemIndex,
		);
		if (id.startsWith(ID_PREFIX.parseJob)) await requireCompletedParseJob.call(this, id, itemIndex, connection);
		return id;
	}
	if (inputType === 'url') {
		const file = await downloadFromUrl.call(
			this,
			itemIndex,
			String(this.getNodeParameter('url', itemIndex) ?? ''),
			'Document URL',
			MAX_EXTRACT_BYTES,
		);
		const uploaded = await uploadFileBytes.call(this, itemIndex, file, {
			purpose,
			maxBytes: MAX_EXTRACT_BYTES,
			connection,
		});
		return uploaded.id;
	}
	const binaryPropertyName = this.getNodeParameter('binaryPropertyName', itemIndex) as string;
	const file = await uploadBinaryFile.call(this, itemIndex, binaryPropertyName, {
		purpose,
		maxBytes: MAX_EXTRACT_BYTES,
		connection,
	});
	return file.id;
}
