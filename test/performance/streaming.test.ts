/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports */
/**
 * Uploads from n8n-core's real filesystem binary store: the file streams from the store to the emulator with an
 * exact Content-Length (bytes compared end to end), memory stays flat for a 100 MB file, sizes are checked before
 * anything is sent, and a retried upload streams the file again.
 */
import type { BinaryDataService } from 'n8n-core';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import type { Emulator } from '../../emulator/server';
import { expectedInvoiceResult, makeInvoicePdf, SAMPLE_INVOICES } from '../../emulator/samples';
import { MAX_EXTRACT_BYTES } from '../../nodes/shared/fileChecks';
import { storedBinaryItem, useFilesystemBinaryData } from '../harness/binaryData';
import { batchInvoice, extractLiteParameters, invoiceDocument } from '../harness/documents';
import { useEmulator, type EmulatorCredentials } from '../harness/emulator';
import { binaryItem, runNode } from '../harness/n8n';

const UPLOAD = 'POST /api/v1/beta/files';
const MiB = 1024 * 1024;

let emulator: Emulator;
let credentials: EmulatorCredentials;
let store: BinaryDataService;

setFlagsFromString('--expose_gc');
const collectGarbage = runInNewContext('gc') as () => void;

const running = useEmulator({ jobMs: 200 });
beforeAll(() => ({ emulator, credentials } = running));

beforeAll(async () => {
	store = (await useFilesystemBinaryData()).service;
});

/** File › Upload: the upload alone, up to LlamaCloud's 512 MB upload limit. */
const uploadParameters: IDataObject = {
	resource: 'file',
	operation: 'upload',
	inputType: 'binary',
	binaryPropertyName: 'data',
	options: { keepBinary: false },
};

const extractParameters = extractLiteParameters();

function sha256(bytes: Buffer): string {
	return createHash('sha256').update(bytes).digest('hex');
}

/** Hash of a file as LlamaCloud stores it, read back through its presigned download link. */
async function uploadedSha256(fileId: string): Promise<{ sha256: string; size: number }> {
	const link = await running.api.read<{ url: string }>(`/api/v1/beta/files/${fileId}/content`);
	const download = await fetch(link.url);
	const hash = createHash('sha256');
	let size = 0;
	for await (const chunk of download.body as unknown as AsyncIterable<Uint8Array>) {
		hash.update(chunk);
		size += chunk.length;
	}
	return { sha256: hash.digest('hex'), size };
}

/** A large file written to the store chunk by chunk, never whole in this process's memory. */
async function storeLargeFile(
	bytes: number,
): Promise<{ item: INodeExecutionData; sha256: string }> {
	const hash = createHash('sha256');
	async function* chunks() {
		const block = randomBytes(MiB);
		for (let written = 0; written < bytes; written += MiB) {
			// A different first byte per block, so a dropped or repeated block changes the hash.
			const chunk = Buffer.from(block.subarray(0, Math.min(MiB, bytes - written)));
			chunk[0] = (written / MiB) & 0xff;
			hash.update(chunk);
			yield chunk;
		}
	}
	const item = await storedBinaryItem(
		store,
		Readable.from(chunks()),
		'scan.pdf',
		'application/pdf',
	);
	return { item, sha256: hash.digest('hex') };
}

describe('uploads from the filesystem binary store', () => {
	test('Extract Data streams stored files to LlamaCloud byte for byte and extracts them', async () => {
		const pdf = await makeInvoicePdf(SAMPLE_INVOICES[0]);
		const texts = [invoiceDocument(1), invoiceDocument(2)];
		const input = [
			await storedBinaryItem(store, pdf, 'invoice.pdf', 'application/pdf'),
			...(await Promise.all(
				texts.map(
					async (text, index) =>
						await storedBinaryItem(store, text, `invoice-${index + 1}.txt`, 'text/plain'),
				),
			)),
		];
		expect(input.every((item) => item.binary!.data.id?.startsWith('filesystem'))).toBe(true);
		const { items, error } = await runNode({ parameters: extractParameters, credentials, input });
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.invoice_number)).toEqual([
			expectedInvoiceResult(SAMPLE_INVOICES[0]).invoice_number,
			batchInvoice(1).invoiceNumber,
			batchInvoice(2).invoiceNumber,
		]);
		const sent = [pdf, ...texts];
		for (const [index, item] of items.entries()) {
			const fileId = (item.json._llamaextract as IDataObject).file_id as string;
			expect(await uploadedSha256(fileId)).toEqual({
				sha256: sha256(sent[index]),
				size: sent[index].length,
			});
		}
		// The output still carries the stored binary reference, not a copy of the file.
		expect(items[0].binary?.data.id).toBe(input[0].binary!.data.id);
	});

	test('an in-memory binary is sent byte for byte too, under its file name', async () => {
		const pdf = await makeInvoicePdf(SAMPLE_INVOICES[1]);
		const { items, error } = await runNode({
			parameters: { ...extractParameters, options: { keepBinary: false } },
			credentials,
			input: [binaryItem(pdf, 'Invoice 2024-01 (final).pdf', 'application/pdf')],
		});
		expect(error).toBeUndefined();
		const fileId = (items[0].json._llamaextract as IDataObject).file_id as string;
		expect(await uploadedSha256(fileId)).toEqual({ sha256: sha256(pdf), size: pdf.length });
		const file = await running.api.read<{ name: string }>(`/api/v1/beta/files/${fileId}`);
		expect(file.name).toBe('Invoice 2024-01 (final).pdf');
	});

	test('a 100 MB file streams with bounded memory and arrives intact; Extract Data refuses it before sending', async () => {
		const size = MAX_EXTRACT_BYTES + 1;
		const { item, sha256: expected } = await storeLargeFile(size);

		collectGarbage();
		const baseline = process.memoryUsage().rss;
		let peak = baseline;
		const sampler = setInterval(() => {
			peak = Math.max(peak, process.memoryUsage().rss);
		}, 5);
		let upload;
		try {
			upload = await runNode({ parameters: uploadParameters, credentials, input: [item] });
		} finally {
			clearInterval(sampler);
		}
		peak = Math.max(peak, process.memoryUsage().rss);
		expect(upload.error).toBeUndefined();
		const fileId = upload.items[0].json.id as string;
		expect(await uploadedSha256(fileId)).toEqual({ sha256: expected, size });
		// Client and emulator share this process; whole-file buffering anywhere would add 100 MB or more.
		expect((peak - baseline) / MiB).toBeLessThan(64);

		emulator.resetStats();
		const extract = await runNode({ parameters: extractParameters, credentials, input: [item] });
		expect(extract.error?.message).toBe(
			'The file "scan.pdf" in Input Binary Field "data" on item 0 is 100.0 MB; LlamaCloud accepts at most 100 MB here',
		);
		expect(extract.error?.description).toMatch(/Split the document/);
		expect(emulator.stats().byRoute[UPLOAD]).toBeUndefined();
	});

	test('a stored file that has gone from the store gives an error naming the field and item', async () => {
		const item = await storedBinaryItem(store, invoiceDocument(3), 'gone.txt', 'text/plain');
		await fs.rm(store.getPath(item.binary!.data.id!), { force: true });
		const { error } = await runNode({
			parameters: extractParameters,
			credentials,
			input: [binaryItem(invoiceDocument(0), 'fine.txt', 'text/plain'), item],
		});
		expect(error?.message).toBe(
			`The file "gone.txt" in Input Binary Field "data" on item 1 could not be read from n8n's binary data store`,
		);
		expect(error?.description).toMatch(/Run the node that produced the file again/);
	});

	test('a stored file that no longer matches its recorded size fails clearly instead of sending a wrong length', async () => {
		const document = invoiceDocument(5);
		const item = await storedBinaryItem(store, document, 'shrunk.txt', 'text/plain');
		await fs.truncate(store.getPath(item.binary!.data.id!), 100);
		const { error } = await runNode({ parameters: uploadParameters, credentials, input: [item] });
		expect(error?.message).toBe(
			'The file "shrunk.txt" in Input Binary Field "data" on item 0 changed while it was uploaded',
		);
		expect(error?.description).toMatch(/fewer bytes than its recorded size/);
		// No file was created from a short body.
		const files = await running.api.read<{ items: unknown[] }>('/api/v1/beta/files');
		expect(files.items).toHaveLength(0);
	});

	test('an empty stored file is refused before anything is sent', async () => {
		const item = await storedBinaryItem(store, Buffer.alloc(0), 'empty.pdf', 'application/pdf');
		const { error } = await runNode({ parameters: extractParameters, credentials, input: [item] });
		expect(error?.message).toBe(
			'The file "empty.pdf" in Input Binary Field "data" on item 0 is empty (0 bytes)',
		);
		expect(emulator.stats().byRoute[UPLOAD]).toBeUndefined();
	});

	test('an upload retried after a 429 streams the file again from the start', async () => {
		const document = invoiceDocument(4);
		const item = await storedBinaryItem(store, document, 'retry.txt', 'text/plain');
		emulator.faults.addRule({
			route: UPLOAD,
			times: 1,
			action: { type: 'status', status: 429, retryAfterMs: 50 },
		});
		const { items, error } = await runNode({
			parameters: uploadParameters,
			credentials,
			input: [item],
		});
		expect(error).toBeUndefined();
		expect(emulator.stats().byRoute[UPLOAD]).toBe(2);
		expect(await uploadedSha256(items[0].json.id as string)).toEqual({
			sha256: sha256(document),
			size: document.length,
		});
	});
});
