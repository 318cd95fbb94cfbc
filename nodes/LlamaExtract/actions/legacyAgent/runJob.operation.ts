/**
 * Run Job: run a v1 agent on a document and wait for the result. Items run concurrently.
 * API: POST /api/v1/extraction/jobs/file (multipart, binary input) or POST /api/v1/extraction/jobs (file ID),
 * then GET /api/v1/extraction/jobs/{job_id} until it ends, then GET …/jobs/{job_id}/result.
 * SUCCESS and PARTIAL_SUCCESS output the data (partial: true with a hint); ERROR and CANCELLED are errors.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { attachJobId, runPerItem } from '../../../shared/batch';
import { V1ExtractJob } from '../../../shared/contract';
import { fileNameFor, MAX_EXTRACT_BYTES, requireBinary } from '../../../shared/input';
import { bufferedMultipartBody, multipartEnvelope } from '../../../shared/multipart';
import { apiRequest, getConnection, type LlamaCloudConnection } from '../../../shared/transport';
import { agentLocator } from '../../descriptions/agentLocator';
import { maxConcurrencyOption, readConcurrency } from '../../descriptions/batchOptions';
import { keepBinaryOption, simplifyParameter } from '../../descriptions/jobOutput';
import { readWaitTimeoutMs, waitOptions } from '../../descriptions/waitOptions';
import { showFor } from '../common';
import {
	agentNotFoundHint,
	describeV1Status,
	failedV1JobError,
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
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		placeholder: 'e.g. data',
		hint: 'The name of the input field containing the binary file data to be processed',
		description: 'Name of the binary field that holds the document',
		displayOptions: { show: { inputType: ['binary'] } },
	},
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
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [...waitOptions, keepBinaryOption, maxConcurrencyOption],
	},
];

export const description = showFor({ show: { resource: ['legacyAgent'], operation: ['runJob'] } }, properties);

async function startJob(
	this: IExecuteFunctions,
	agentId: string,
	itemIndex: number,
	connection: LlamaCloudConnection,
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
		return await apiRequest.call(
			this,
			{
				method: 'POST',
				path: `${V1_BASE}/jobs`,
				body: { extraction_agent_id: agentId, file_id: fileId },
				itemIndex,
				notFoundHint: `The agent or the file "${fileId}" was not found in this project and region.`,
			},
			V1ExtractJob,
			connection,
		);
	}
	// v1 takes the document in the job request itself; legacy files are small enough to send from memory.
	const binaryPropertyName = this.getNodeParameter('binaryPropertyName', itemIndex) as string;
	const binary = requireBinary.call(this, itemIndex, binaryPropertyName);
	const data = await this.helpers.getBinaryDataBuffer(itemIndex, binaryPropertyName);
	if (data.length === 0 || data.length > MAX_EXTRACT_BYTES) {
		throw new NodeOperationError(
			this.getNode(),
			`The file "${fileNameFor(binary)}" on item ${itemIndex} is ${data.length === 0 ? 'empty' : `${(data.length / 1048576).toFixed(1)} MB`}`,
			{
				itemIndex,
				description:
					data.length === 0
						? 'Check the node that produced the file; it may have failed to download it.'
						: `LlamaExtract accepts at most ${MAX_EXTRACT_BYTES / 1048576} MB. Split or compress the document.`,
			},
		);
	}
	const envelope = multipartEnvelope([['extraction_agent_id', agentId]], {
		fieldName: 'file',
		fileName: fileNameFor(binary),
		mimeType: binary.mimeType || 'application/octet-stream',
	});
	const body = bufferedMultipartBody(envelope, data);
	return await apiRequest.call(
		this,
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
		connection,
	);
}

export async function executeBatch(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const concurrency = readConcurrency(this.getNodeParameter('options', 0, {}) as IDataObject);
	const connection = await getConnection.call(this, 0);
	return await runPerItem(this, items.length, concurrency, async (itemIndex) => {
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
		const timeoutMs = readWaitTimeoutMs.call(this, itemIndex, options);
		const agentId = readAgentId.call(this, itemIndex);
		const created = await startJob.call(this, agentId, itemIndex, connection);
		let json: IDataObject;
		try {
			const { job, timedOut } = await waitForV1Job.call(this, created, itemIndex, timeoutMs, connection);
			if (timedOut) {
				if (options.onTimeout === 'error') {
					throw new NodeOperationError(
						this.getNode(),
						`v1 extraction job ${job.id} is still ${job.status} after ${Math.round(timeoutMs / 1000)} s`,
						{
							itemIndex,
							description: `The job keeps running in LlamaCloud. Read it later with Legacy Agent (V1) › Get Result and Job ID ${job.id}, or raise Wait Timeout.`,
						},
					);
				}
				json = v1ResultToJson(job, undefined, simplify);
			} else if (describeV1Status(job.status).succeeded) {
				json = v1ResultToJson(job, await getV1Result.call(this, job.id, itemIndex, connection), simplify);
			} else {
				throw failedV1JobError(this, job, itemIndex);
			}
		} catch (error) {
			throw attachJobId(error, created.id);
		}
		const binary = options.keepBinary === false ? undefined : items[itemIndex].binary;
		return [{ json, pairedItem: { item: itemIndex }, ...(binary ? { binary } : {}) }];
	});
}
