import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DOCUMENT_KINDS, type DocumentKind } from '../../shared/documentType';
import { choices } from '../../shared/rules';

/**
 * Options of the operations that read documents from binary fields (Extract Data, Create, File › Upload, Legacy
 * Run Job): which attachments count as documents, what happens to an item with none, which input fields to keep.
 */
export const documentOptions: INodeProperties[] = [
	{
		displayName: 'Document Types',
		name: 'documentTypes',
		type: 'multiOptions',
		options: choices(DOCUMENT_KINDS, {
			image: 'Images (PNG, JPEG, GIF, TIFF, WebP, BMP)',
			office: 'Office (Word, Excel, PowerPoint, OpenDocument, RTF)',
			pdf: 'PDF',
			text: 'Text (TXT, Markdown, CSV, HTML, XML)',
		}),
		default: [...DOCUMENT_KINDS],
		description:
			'Which binary files count as documents. Others (winmail.dat, .ics invites, .p7s signatures, .vcf cards, …) are skipped and listed under _llamaextract.source.skipped. The type comes from the file name, the MIME type, or the first bytes.',
	},
	{
		displayName: 'Keep Input Fields',
		name: 'keepInputFields',
		type: 'options',
		options: [
			{ name: 'None', value: 'none', description: 'Output only what LlamaCloud returned' },
			{ name: 'All', value: 'all', description: 'Put every field of the input item beside the extracted fields' },
			{ name: 'Selected', value: 'selected', description: 'Put the fields named in Input Fields to Keep beside the extracted fields' },
		],
		default: 'none',
		description:
			'Whether to copy fields of the input item (for an email: from, subject, date) to the top level of each output item, so a database row can name its sender. On a name clash the extracted field wins and the input value goes under _input.',
	},
	{
		displayName: 'Input Fields to Keep',
		name: 'inputFieldsToKeep',
		type: 'string',
		default: '',
		placeholder: 'e.g. from, subject, date',
		description: 'Comma-separated input fields to copy when Keep Input Fields is Selected',
	},
	{
		displayName: 'Skip Images Smaller Than (KB)',
		name: 'minImageKb',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description:
			'Images below this size are skipped, e.g. 20 for signature logos and tracking pixels. 0 keeps every image.',
	},
	{
		displayName: 'When No Document',
		name: 'whenNoDocument',
		type: 'options',
		options: [
			{
				name: 'Error',
				value: 'error',
				description: 'Fail the item (an error item with Continue On Fail) that lists its binary fields and file names',
			},
			{ name: 'Pass Item Through', value: 'passThrough', description: 'Output the input item unchanged' },
			{ name: 'Skip Item', value: 'skip', description: 'Output nothing for the item' },
		],
		default: 'error',
		description:
			'What to do with an item that has no document to extract, e.g. an email without attachments or with only winmail.dat',
	},
];

export type WhenNoDocument = 'error' | 'skip' | 'passThrough';

export interface DocumentSettings {
	kinds: ReadonlySet<DocumentKind>;
	minImageBytes: number;
	whenNoDocument: WhenNoDocument;
	/** undefined: keep none; '*': keep all; otherwise the field names. */
	keepInputFields?: '*' | string[];
}

function bad(ctx: IExecuteFunctions, itemIndex: number, option: string, got: unknown, fix: string): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), `The "${option}" option on item ${itemIndex} is ${JSON.stringify(got)}, which is not valid`, {
		itemIndex,
		description: fix,
	});
}

/** The document options of one item, checked. */
export function readDocumentSettings(this: IExecuteFunctions, itemIndex: number, options: IDataObject): DocumentSettings {
	const rawKinds = options.documentTypes ?? [...DOCUMENT_KINDS];
	const kinds = Array.isArray(rawKinds) ? rawKinds : String(rawKinds).split(',').map((kind) => kind.trim());
	const unknownKind = kinds.find((kind) => !DOCUMENT_KINDS.includes(kind as DocumentKind));
	if (unknownKind !== undefined) {
		throw bad(this, itemIndex, 'Document Types', unknownKind, `Pick Document Types from the list: ${DOCUMENT_KINDS.join(', ')}.`);
	}
	const minImageKb = options.minImageKb === undefined || options.minImageKb === '' ? 0 : Number(options.minImageKb);
	if (!Number.isFinite(minImageKb) || minImageKb < 0) {
		throw bad(this, itemIndex, 'Skip Images Smaller Than (KB)', options.minImageKb, 'Enter a size in KB, 0 or more (0 keeps every image).');
	}
	const whenNoDocument = (options.whenNoDocument ?? 'error') as WhenNoDocument;
	if (!['error', 'skip', 'passThrough'].includes(whenNoDocument)) {
		throw bad(this, itemIndex, 'When No Document', whenNoDocument, 'Pick Error, Skip Item or Pass Item Through.');
	}
	const keep = options.keepInputFields ?? 'none';
	let keepInputFields: DocumentSettings['keepInputFields'];
	if (keep === 'all') keepInputFields = '*';
	else if (keep === 'selected') {
		keepInputFields = String(options.inputFieldsToKeep ?? '')
			.split(',')
			.map((name) => name.trim())
			.filter(Boolean);
	} else if (keep !== 'none') {
		throw bad(this, itemIndex, 'Keep Input Fields', keep, 'Pick None, All or Selected.');
	}
	return { kinds: new Set(kinds as DocumentKind[]), minImageBytes: minImageKb * 1024, whenNoDocument, keepInputFields };
}
