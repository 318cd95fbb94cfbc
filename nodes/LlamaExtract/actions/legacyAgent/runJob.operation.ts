/**
 * Run Job: run a v1 agent on a document and wait for the result. Items run concurrently.
 * API: POST /api/v1/extraction/jobs/file (multipart, binary input) or POST /api/v1/extraction/jobs (file ID),
 * then GET /api/v1/extraction/jobs/{job_id} until it ends, then GET …/jobs/{job_id}/result.
 * SUCCESS and PARTIAL_SUCCESS output the data (partial: true with a hint); ERROR and CANCELLED are errors.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { attachJobId } from '../../../shared/batch';
import { V1ExtractJob } from '../../../shared/contractV1';
import { checkFileSize, fileNameFor, MAX_EXTRACT_BYTES, requireBinary } from '../../../shared/fileChecks';
import { bufferedMultipartBody, multipartEnvelope } from '../../../shared/multipart';
import { agentLocator } from '../../descriptions/agentLocator';
import { maxConcurrencyOption } from '../../descriptions/batchOptions';
import { documentOptions } from '../../descriptions/documentOptions';
import { binaryFieldParameter } from '../../descriptions/fileInput';
import { keepBinaryOption, simplifyParameter } from '../../descriptions/jobOutput';
import { readWaitTimeoutMs, waitOptions } from '../../descriptions/waitOptions';
import { type Client, optionsCollection, showFor } from '../common';
import { runDocumentBatch } from '../documentBatch';
import type { SourceDocument } from '../documents';
import { settleJob, V1_JOB } from '../finishJob';
import {
	agentNotFoundHint,
	describeV1Status,
	getV1Result,
	readAgentId,
	V1_BASE,
	v1ResultToJson,
	waitForV1Job,
} from './shared';

const properties: INodeProperties[] = [
	agentLocator,
	{
		displayName: 'Input Type',
		name: 'inputType',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Binary File', value: 'binary', description: 'A file from an earlier node' },
			{ name: 'File ID', value: 'fileId', description: 'A file already in LlamaCloud' },
		],
		default: 'binary',
	},
	binaryFieldParameter,
	{
		displayName: 'File ID',
		name: 'fileId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 3fa85f64-5717-4562-b3fc-2c963f66afa6',
		description: 'ID of a file in LlamaCloud: a v1 file UUID, or the ID of a File › Upload result',
		displayOptions: { show: { inputType: ['fileId'] } },
	},
	simplifyParameter,
	optionsCollection([...waitOptions, keepBinaryOption, maxConcurrencyOption, ...documentOptions]),
];

export const description = showFor({ show: { resource: ['legacyAgent'], operation: ['runJob'] } }, properties);

async function startJob(
	this: IExecuteFunctions,
	client: Client,
	agentId: string,
	itemIndex: number,
	document?: SourceDocument,
): Promise<V1ExtractJob> {
	const inputType = this.getNodeParameter('inputType', itemIndex) as string;
	if (inputType === 'fileId') {
		const fileId = String(this.getNodeParameter('fileId', itemIndex, '') ?? '').trim();
		if (!fileId) {
			throw new NodeOperationError(this.getNode(), `The "File ID" parameter is empty on item ${itemIndex}`, {
				itemIndex,
				description: 'Enter the ID of a file in LlamaCloud, for example from File › Upload.',
			});
		}
		return await client.request(
			{
				method: 'POST',
				path: `${V1_BASE}/jobs`,
				body: { extraction_agent_id: agentId, file_id: fileId },
				itemIndex,
				notFoundHint: `The agent or the file "${fileId}" was not found in this project and region.`,
			},
			V1ExtractJob,
		);
	}
	// v1 takes the document in the job request itself; legacy files are small enough to send from memory.
	const binaryPropertyName = document?.binaryField ?? (this.getNodeParameter('binaryPropertyName', itemIndex) as string);
	const binary = requireBinary.call(this, itemIndex, binaryPropertyName);
	const fileName = document?.fileName ?? fileNameFor(binary);
	const data = await this.helpers.getBinaryDataBuffer(itemIndex, binaryPropertyName);
	checkFileSize(this.getNode(), `The file "${fileName}"`, itemIndex, data.length, MAX_EXTRACT_BYTES);
	const envelope = multipartEnvelope([['extraction_agent_id', agentId]], {
		fieldName: 'file',
		fileName,
		mimeType: document?.mimeType ?? (binary.mimeType || 'application/octet-stream'),
	});
	const body = bufferedMultipartBody(envelope, data);
	return await client.request(
		{
			method: 'POST',
			path: `${V1_BASE}/jobs/file`,
			headers: { 'content-type': envelope.contentType, 'content-length': String(body.length) },
			makeBody: async () => body,
			itemIndex,
			timeoutMs: 300_000,
			notFoundHint: agentNotFoundHint(agentId),
		},
		V1ExtractJob,
	);
}

export async function executeBatch(this: IExecuteFunctions, client: Client): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	return await runDocumentBatch.call(this, async ({ itemIndex, options, document }) => {
		const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
		const timeoutMs = readWaitTimeoutMs.call(this, itemIndex, options);
		const agentId = readAgentId.call(this, itemIndex);
		const created = await startJob.call(this, client, agentId, itemIndex, document);
		let json: IDataObject;
		try {
			const { job, timedOut } = await waitForV1Job.call(this, client, created, itemIndex, timeoutMs);
			const end = { job, timedOut, succeeded: describeV1Status(job.status).succeeded === true, reason: job.error };
			const settled = settleJob(this, end, { itemIndex, timeoutMs, onTimeout: options.onTimeout, wording: V1_JOB });
			const result = settled === 'succeeded' ? await getV1Result.call(this, client, job.id, itemIndex) : undefined;
			json = v1ResultToJson(job, result, simplify);
		} catch (error) {
			throw attachJobId(error, created.id);
		}
		const binary = options.keepBinary === false ? undefined : items[itemIndex].binary;
		return [{ json, pairedItem: { item: itemIndex }, ...(binary ? { binary } : {}) }];
	});
}
