/**
 * An item's document as a LlamaCloud `file_input`: the Input Type parameters (descriptions/fileInput.ts) read,
 * the binary or downloaded bytes uploaded, a typed-in ID checked.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { LlamaCloudClient } from '../../shared/client';
import { ID_PREFIX, ParseResultResponse } from '../../shared/contract';
import { downloadFromUrl } from '../../shared/download';
import { checkFileInputId, MAX_EXTRACT_BYTES } from '../../shared/fileChecks';
import type { CreateJobInput } from '../../shared/jobCreate';
import type { FileBytes } from '../../shared/upload';
import { readJobConfiguration } from '../descriptions/jobRequest';
import type { SourceDocument } from './documents';

/**
 * A parse job can stand in for a file only once it has finished; checking first turns the server's vague
 * rejection into an error that says to wait.
 */
async function requireCompletedParseJob(
	client: LlamaCloudClient<IExecuteFunctions>,
	parseJobId: string,
	itemIndex: number,
): Promise<void> {
	const { job } = await client.request(
		{
			method: 'GET',
			path: `/api/v2/parse/${encodeURIComponent(parseJobId)}`,
			itemIndex,
			notFoundHint: `No parse job "${parseJobId}" exists in this project and region. Check the ID and the credential.`,
		},
		ParseResultResponse,
	);
	if (job.status !== 'COMPLETED') {
		throw new NodeOperationError(
			client.ctx.getNode(),
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

/** The document about to be sent, for checks that must pass before anything is uploaded (Max Pages per Run). */
export type DocumentSource =
	| { kind: 'binary'; binaryPropertyName: string }
	| { kind: 'bytes'; file: FileBytes }
	| { kind: 'id'; id: string };

export type BeforeSubmit = (source: DocumentSource) => Promise<void>;

/**
 * Resolves the item's input to a `file_input`: uploads binary or downloaded bytes, or checks a typed-in ID. With
 * binary input, `document` is the one of the item's documents to upload (documentBatch.ts). `beforeSubmit` runs
 * just before anything is sent (Max Pages per Run).
 */
export async function resolveFileInput(
	client: LlamaCloudClient<IExecuteFunctions>,
	itemIndex: number,
	purpose = 'extract',
	document?: SourceDocument,
	beforeSubmit?: BeforeSubmit,
): Promise<string> {
	const ctx = client.ctx;
	const inputType = ctx.getNodeParameter('inputType', itemIndex) as string;
	if (inputType === 'fileId') {
		const id = checkFileInputId.call(
			ctx,
			String(ctx.getNodeParameter('fileId', itemIndex) ?? ''),
			'File or Parse Job ID',
			itemIndex,
		);
		if (id.startsWith(ID_PREFIX.parseJob)) await requireCompletedParseJob(client, id, itemIndex);
		await beforeSubmit?.({ kind: 'id', id });
		return id;
	}
	const upload = { purpose, maxBytes: MAX_EXTRACT_BYTES };
	if (inputType === 'url') {
		const url = String(ctx.getNodeParameter('url', itemIndex) ?? '');
		const file = await downloadFromUrl.call(ctx, itemIndex, url, 'Document URL', MAX_EXTRACT_BYTES);
		await beforeSubmit?.({ kind: 'bytes', file });
		return (await client.uploadBytes(itemIndex, file, upload)).id;
	}
	if (document) {
		await beforeSubmit?.({ kind: 'binary', binaryPropertyName: document.binaryField });
		const as = { fileName: document.fileName, mimeType: document.mimeType };
		return (await client.uploadBinary(itemIndex, document.binaryField, { ...upload, as })).id;
	}
	const binaryPropertyName = ctx.getNodeParameter('binaryPropertyName', itemIndex) as string;
	await beforeSubmit?.({ kind: 'binary', binaryPropertyName });
	return (await client.uploadBinary(itemIndex, binaryPropertyName, upload)).id;
}

/** Checks everything the user typed, then uploads (or checks) the document: the body of `POST /api/v2/extract`. */
export async function prepareJobRequest(
	client: LlamaCloudClient<IExecuteFunctions>,
	itemIndex: number,
	document?: SourceDocument,
	beforeSubmit?: BeforeSubmit,
): Promise<CreateJobInput> {
	const config = readJobConfiguration.call(client.ctx, itemIndex);
	const fileInput = await resolveFileInput(client, itemIndex, 'extract', document, beforeSubmit);
	return 'configurationId' in config
		? { fileInput, configurationId: config.configurationId, itemIndex }
		: { fileInput, configuration: config.configuration, itemIndex };
}
