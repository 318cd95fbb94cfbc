import type { INodeProperties } from 'n8n-workflow';

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
