/**
 * Extract Data: upload (or reference) a document, create a v2 extract job and wait for its result.
 * API: POST /api/v1/beta/files, POST /api/v2/extract, GET /api/v2/extract?job_ids=… (shared poll).
 *
 * Every document of every item (Input Binary Field may name several, e.g. attachment_*) runs concurrently under
 * Max Concurrent Jobs and shares one status poll; output order and pairing stay as in a sequential run. With Route
 * for Review on, items that need a person's look go to the second output.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { asNodeError, errorToItem } from '../../../shared/batch';
import type { BatchJobWaiter } from '../../../shared/waiter';
import { compactToolItem, isToolCall } from '../../../shared/toolOutput';
import { addRunningTotals } from '../../../shared/usage';
import { documentOptions } from '../../descriptions/documentOptions';
import { simplifyParameter, waitForResultOptions } from '../../descriptions/jobOutput';
import { jobRequestProperties, readJobConfiguration } from '../../descriptions/jobRequest';
import { maxPagesPerRunOption } from '../../descriptions/pageBudgetOption';
import { readReviewSettings, reviewOptions, wantsReview } from '../../descriptions/reviewOptions';
import { readWaitTimeoutMs } from '../../descriptions/waitOptions';
import { type Client, optionsCollection, showFor } from '../common';
import { runDocumentBatch } from '../documentBatch';
import { prepareJobRequest } from '../documentInput';
import { pageBudgetCheck } from '../pageBudgetCheck';
import type { SourceDocument } from '../documents';
import { waitForJobItems } from '../finishJob';
import { routeForReview } from './review';

const properties: INodeProperties[] = [
	...jobRequestProperties,
	simplifyParameter,
	optionsCollection([...waitForResultOptions, ...documentOptions, maxPagesPerRunOption, ...reviewOptions]),
];

export const description = showFor({ show: { resource: ['extractJob'], operation: ['extract'] } }, properties);

async function extractItems(this: IExecuteFunctions, client: Client): Promise<INodeExecutionData[]> {
	const waiter = client.waiter();
	// An agent's tool call gets a failure back as a message it can act on, not a failed execution.
	const answerErrors = isToolCall(this);
	return await runDocumentBatch.call(this, async ({ itemIndex, options, document }) => {
		try {
			return await extractDocument.call(this, client, waiter, itemIndex, options, document);
		} catch (error) {
			const nodeError = asNodeError(this, error, itemIndex);
			if (!answerErrors) throw nodeError;
			return [errorToItem(nodeError, itemIndex)];
		}
	});
}

/** One document of an item (or the item's only document) through upload, create and the shared wait. */
async function extractDocument(
	this: IExecuteFunctions,
	client: Client,
	waiter: BatchJobWaiter,
	itemIndex: number,
	options: IDataObject,
	document: SourceDocument | undefined,
): Promise<INodeExecutionData[]> {
	const timeoutMs = readWaitTimeoutMs.call(this, itemIndex, options);
	// Retries of this item's upload and create stay inside its Wait Timeout.
	client.limitRetriesUntil(itemIndex, Date.now() + timeoutMs);
	// A bad review setting fails the item before its document is sent.
	if (wantsReview(options)) readReviewSettings.call(this, itemIndex, options, undefined);
	// Max Pages per Run: the item's turn is taken now, in item order; a configuration's Max Pages caps the count.
	const config = readJobConfiguration.call(this, itemIndex);
	const budget = pageBudgetCheck(client, itemIndex, 'configuration' in config ? config.configuration.max_pages : undefined);
	let request;
	try {
		// Checks everything the user typed before uploading anything.
		request = await prepareJobRequest(client, itemIndex, document, budget?.check);
	} finally {
		budget?.release();
	}
	// Review routing reads confidence scores, so they are asked for.
	if (wantsReview(options) && request.configuration) {
		request = { ...request, configuration: { ...request.configuration, confidence_scores: true } };
	}
	const created = await client.createJob(request);
	return await waitForJobItems.call(this, client, waiter, created, {
		itemIndex,
		timeoutMs,
		options,
		requested: request.configuration,
	});
}

function pairedIndex(item: INodeExecutionData): number {
	const paired = Array.isArray(item.pairedItem) ? item.pairedItem[0] : item.pairedItem;
	return typeof paired === 'number' ? paired : (paired?.item ?? 0);
}

/** One output, or [passed, needs review] while Route for Review is on (the node's `outputs` expression agrees). */
export async function executeOutputs(this: IExecuteFunctions, client: Client): Promise<INodeExecutionData[][]> {
	const items = await extractItems.call(this, client);
	addRunningTotals(items);
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const outputs = wantsReview(options) ? routeForReview.call(this, items) : [items];
	// An agent's tool call gets one compact answer per item; review reasons ride along instead of a second output.
	if (isToolCall(this)) {
		const inItemOrder = outputs.flat().sort((a, b) => pairedIndex(a) - pairedIndex(b));
		return [inItemOrder.map(compactToolItem)];
	}
	return outputs;
}
