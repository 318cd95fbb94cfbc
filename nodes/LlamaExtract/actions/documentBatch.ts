/**
 * The batch loop of the operations that read documents (Extract Data, Create, File › Upload, Legacy Run Job): every
 * item becomes its documents (documents.ts), and every document of every item runs as one task under the one Max
 * Concurrent Jobs limit (the operation shares one status poll across them). Output keeps item order, then attachment
 * order; each output is paired to the item it came from; with Continue On Fail one failed document becomes one error
 * item while its siblings still come out.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { runPerItem } from '../../shared/batch';
import { readConcurrency } from '../descriptions/batchOptions';
import { readDocumentSettings, type DocumentSettings } from '../descriptions/documentOptions';
import {
	documentsOfItem,
	noDocumentError,
	parseFieldPattern,
	type SkippedFile,
	type SourceDocument,
} from './documents';

/** One unit of work: an item's document (binary input) or the item itself (file ID, URL). */
export interface DocumentTask {
	itemIndex: number;
	options: IDataObject;
	/** Set for Input Type = Binary File: the binary field, the name and MIME type to send. */
	document?: SourceDocument;
}

type Unit =
	| { kind: 'task'; task: DocumentTask; skipped: SkippedFile[]; keep?: DocumentSettings['keepInputFields'] }
	| { kind: 'output'; itemIndex: number; items: INodeExecutionData[] }
	| { kind: 'error'; itemIndex: number; error: unknown; skipped?: SkippedFile[] };

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The input item's fields beside the output's; on a clash the output wins and the input value goes under `_input`. */
export function withInputFields(json: IDataObject, input: IDataObject, keep: '*' | string[]): IDataObject {
	const names = keep === '*' ? Object.keys(input) : keep.filter((name) => name in input);
	const kept: IDataObject = {};
	const clashed: IDataObject = {};
	for (const name of names) (name in json ? clashed : kept)[name] = input[name];
	return { ...kept, ...json, ...(Object.keys(clashed).length ? { _input: clashed } : {}) };
}

function sourceOf(document: SourceDocument, skipped: SkippedFile[]): IDataObject {
	return {
		binary_field: document.binaryField,
		file_name: document.fileName,
		mime_type: document.mimeType,
		index: document.index,
		count: document.count,
		...(skipped.length ? { skipped } : {}),
	};
}

/** Adds the document's source, keeps only its own binary, and copies the kept input fields. */
function shapeOutput(ctx: IExecuteFunctions, item: INodeExecutionData, unit: Extract<Unit, { kind: 'task' }>): INodeExecutionData {
	const { itemIndex, document } = unit.task;
	let json = item.json;
	let binary = item.binary;
	if (document) {
		const meta = isObject(json._llamaextract) ? json._llamaextract : {};
		json = { ...json, _llamaextract: { ...meta, source: sourceOf(document, unit.skipped) } };
		const own = binary?.[document.binaryField];
		binary = binary && own ? { [document.binaryField]: own } : undefined;
	}
	if (unit.keep) json = withInputFields(json, ctx.getInputData()[itemIndex]?.json ?? {}, unit.keep);
	const shaped: INodeExecutionData = { ...item, json, pairedItem: item.pairedItem ?? { item: itemIndex } };
	if (binary) shaped.binary = binary;
	else delete shaped.binary;
	return shaped;
}

/** An item's units: its documents, or what When No Document says for an item without one. */
async function unitsOfItem(ctx: IExecuteFunctions, itemIndex: number): Promise<Unit[]> {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const settings = readDocumentSettings.call(ctx, itemIndex, options);
	if (ctx.getNodeParameter('inputType', itemIndex, 'binary') !== 'binary') {
		return [{ kind: 'task', task: { itemIndex, options }, skipped: [], keep: settings.keepInputFields }];
	}
	const patterns = parseFieldPattern(ctx.getNodeParameter('binaryPropertyName', itemIndex, ''));
	if (patterns.length === 0) {
		throw new NodeOperationError(ctx.getNode(), `The "Input Binary Field" parameter is empty on item ${itemIndex}`, {
			itemIndex,
			description: 'Enter the binary field that holds the document (usually data), or a pattern such as attachment_* for every email attachment.',
		});
	}
	const found = await documentsOfItem(ctx, itemIndex, patterns, settings);
	if (found.documents.length > 0) {
		return found.documents.map((document) => ({
			kind: 'task',
			task: { itemIndex, options, document },
			skipped: found.skipped,
			keep: settings.keepInputFields,
		}));
	}
	if (settings.whenNoDocument === 'skip') return [];
	if (settings.whenNoDocument === 'passThrough') {
		return [{ kind: 'output', itemIndex, items: [{ ...ctx.getInputData()[itemIndex], pairedItem: { item: itemIndex } }] }];
	}
	return [{ kind: 'error', itemIndex, error: noDocumentError(ctx, itemIndex, patterns, found), skipped: found.skipped }];
}

/**
 * Runs `task` once per document of every input item (once per item for file ID and URL input), at most
 * `concurrency` (default: Options › Max Concurrent Jobs) at once; see the file comment for order and failures.
 */
export async function runDocumentBatch(
	this: IExecuteFunctions,
	task: (task: DocumentTask) => Promise<INodeExecutionData[]>,
	settings: { concurrency?: number } = {},
): Promise<INodeExecutionData[]> {
	const concurrency = settings.concurrency ?? readConcurrency.call(this, this.getNodeParameter('options', 0, {}) as IDataObject);
	const units: Unit[] = [];
	for (let itemIndex = 0; itemIndex < this.getInputData().length; itemIndex++) {
		try {
			units.push(...(await unitsOfItem(this, itemIndex)));
		} catch (error) {
			units.push({ kind: 'error', itemIndex, error });
		}
	}
	return await runPerItem(
		this,
		units.length,
		concurrency,
		async (index) => {
			const unit = units[index];
			if (unit.kind === 'error') throw unit.error;
			if (unit.kind === 'output') return unit.items;
			return (await task(unit.task)).map((item) => shapeOutput(this, item, unit));
		},
		{
			itemIndexOf: (index) => {
				const unit = units[index];
				return unit.kind === 'task' ? unit.task.itemIndex : unit.itemIndex;
			},
			decorateError: (item, index) => {
				const unit = units[index];
				if (unit.kind === 'task' && unit.task.document) item.json._llamaextract = { source: sourceOf(unit.task.document, unit.skipped) };
				if (unit.kind === 'error' && unit.skipped?.length) item.json._llamaextract = { skipped: unit.skipped };
			},
		},
	);
}
