/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * What tests feed the node: distinct invoice documents, Extract Data parameters, a local HTTP server for URL inputs,
 * and how to read which input item an output item came from.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { makeInvoiceText, SAMPLE_INVOICES, type SampleInvoice } from '../../emulator/samples';

export const INVOICE_SCHEMA_LITE = {
	type: 'object',
	properties: {
		vendor: { type: 'string', description: 'Vendor name' },
		invoice_number: { type: 'string', description: 'Invoice number' },
		total: { type: 'number', description: 'Invoice total' },
	},
};

/** Extract Data from the binary field "data" with INVOICE_SCHEMA_LITE, with the given options. */
export function extractLiteParameters(options: IDataObject = {}): IDataObject {
	return {
		resource: 'extractJob',
		operation: 'extract',
		inputType: 'binary',
		binaryPropertyName: 'data',
		schemaSource: 'jsonSchema',
		jsonSchema: JSON.stringify(INVOICE_SCHEMA_LITE),
		options,
	};
}

/** Invoice number `index` of a batch; every document of a batch differs, so results show which item they belong to. */
export function batchInvoice(index: number): SampleInvoice {
	return {
		...SAMPLE_INVOICES[index % SAMPLE_INVOICES.length],
		invoiceNumber: `PERF-${1000 + index}`,
	};
}

/** A text invoice; `markers` are emulator directives such as `EMULATOR_JOB_MS=300` or `EMULATOR_FAIL`. */
export function invoiceDocument(index: number, markers: string[] = []): Buffer {
	return Buffer.from(
		`${makeInvoiceText(batchInvoice(index))}${markers.map((marker) => `${marker}\n`).join('')}`,
	);
}

export interface FileServer {
	url: string;
	/** Headers of every request the server saw, in order. */
	requests: Array<{ path: string; headers: IncomingHttpHeaders }>;
	close(): Promise<void>;
}

/** A plain HTTP server on 127.0.0.1 that serves the given files by path (404 otherwise). */
export async function serveFiles(files: Record<string, { body: Buffer; type: string; disposition?: string }>): Promise<FileServer> {
	const requests: FileServer['requests'] = [];
	const server: Server = createServer((req, res) => {
		const path = new URL(req.url ?? '/', 'http://files.invalid').pathname;
		requests.push({ path, headers: req.headers });
		const file = files[path];
		if (!file) {
			res.writeHead(404, { 'content-type': 'text/plain' });
			res.end('not found');
			return;
		}
		res.writeHead(200, {
			'content-type': file.type,
			'content-length': String(file.body.length),
			...(file.disposition ? { 'content-disposition': file.disposition } : {}),
		});
		res.end(file.body);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		close: async () => await new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

export function pairedIndexes(items: INodeExecutionData[]): number[] {
	return items.map((item) => {
		const paired = item.pairedItem;
		if (typeof paired === 'number') return paired;
		if (Array.isArray(paired)) return paired[0]?.item ?? -1;
		return paired?.item ?? -1;
	});
}
