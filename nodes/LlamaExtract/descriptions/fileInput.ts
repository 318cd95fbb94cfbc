import type { INodeProperties } from 'n8n-workflow';

/** The binary field(s) that hold the documents: a name, a comma-separated list, or wildcards (documents.ts). */
export const binaryFieldParameter: INodeProperties = {
	displayName: 'Input Binary Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	required: true,
	placeholder: 'e.g. data, or attachment_* for every email attachment',
	hint: 'One field, a comma-separated list, or wildcards (attachment_*, *): each document becomes its own output item',
	description:
		'Name of the binary field that holds the document (PDF, image, Office file, text). Email triggers (IMAP, Gmail, Outlook) put attachments in attachment_0, attachment_1, …: use attachment_* to extract every one.',
	displayOptions: { show: { inputType: ['binary'] } },
};

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
	binaryFieldParameter,
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
