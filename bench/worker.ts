/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console */
/**
 * One benchmark scenario in its own process, so timings and memory are those of an n8n process alone (the emulator
 * runs in the parent). Usage: `node --expose-gc --import tsx bench/worker.ts '<task json>'`; prints one line
 * `RESULT {...}` at the end.
 *
 *   extract   Extract Data over N one-page PDFs through n8n-core's WorkflowExecute (the node under test).
 *   official  The official LlamaCloud node's behaviour, simulated: items one after another; per item upload,
 *             create, then GET the job with no initial wait, 1 s apart growing ×1.5 up to 5 s, until it is done.
 *   upload    File › Upload of one large file (filesystem binary store or in memory), sampling this process's RSS.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

import { makeInvoicePdf } from '../emulator/samples';
import { storedBinaryItem, useFilesystemBinaryData } from '../test/harness/binaryData';
import { batchInvoice, extractLiteParameters, INVOICE_SCHEMA_LITE } from '../test/harness/documents';
import { emulatorCredentials } from '../test/harness/emulator';
import { binaryItem, runNode } from '../test/harness/n8n';

interface TaskBase {
	url: string;
	apiKey: string;
	/** An emulator for a small warm-up run first, so lazy loading and JIT do not count; never the measured one. */
	warmUrl?: string;
}

export type WorkerTask =
	| (TaskBase & { kind: 'extract'; docs: number; concurrency?: number })
	| (TaskBase & { kind: 'official'; docs: number })
	| (TaskBase & { kind: 'upload'; mode: 'filesystem' | 'memory'; bytes: number });

export interface ExtractResult {
	kind: 'extract' | 'official';
	startedAtMs: number;
	wallMs: number;
	/** Items whose extracted invoice number is that of their own document. */
	correct: number;
	errors: string[];
}

export interface UploadResult {
	kind: 'upload';
	mode: 'filesystem' | 'memory';
	bytes: number;
	sha256: string;
	fileId?: string;
	wallMs: number;
	baselineRssMb: number;
	peakRssMb: number;
	growthMb: number;
	errors: string[];
}

const MiB = 1024 * 1024;

async function invoicePdfs(count: number): Promise<Buffer[]> {
	return await Promise.all(
		Array.from({ length: count }, async (_, index) => await makeInvoicePdf(batchInvoice(index))),
	);
}

async function runExtract(task: Extract<WorkerTask, { kind: 'extract' }>): Promise<ExtractResult> {
	const pdfs = await invoicePdfs(task.docs);
	const input = pdfs.map((pdf, index) =>
		binaryItem(pdf, `invoice-${index}.pdf`, 'application/pdf'),
	);
	const options = task.concurrency === undefined ? {} : { maxConcurrency: task.concurrency };
	const startedAtMs = Date.now();
	const { items, error } = await runNode({
		parameters: extractLiteParameters({ ...options, keepBinary: false }),
		credentials: emulatorCredentials(task.url, task.apiKey),
		input,
	});
	const wallMs = Date.now() - startedAtMs;
	const correct = items.filter(
		(item, index) => item.json.invoice_number === batchInvoice(index).invoiceNumber,
	).length;
	return { kind: 'extract', startedAtMs, wallMs, correct, errors: error ? [error.message] : [] };
}

/** What the official node does per item, written from its documented behaviour (API.md §13). */
async function runOfficial(
	task: Extract<WorkerTask, { kind: 'official' }>,
): Promise<ExtractResult> {
	const pdfs = await invoicePdfs(task.docs);
	const headers = { authorization: `Bearer ${task.apiKey}` };
	const errors: string[] = [];
	let correct = 0;
	const startedAtMs = Date.now();
	for (const [index, pdf] of pdfs.entries()) {
		const form = new FormData();
		form.append(
			'file',
			new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }),
			`invoice-${index}.pdf`,
		);
		form.append('purpose', 'parse');
		const file = (await (
			await fetch(`${task.url}/api/v1/beta/files`, { method: 'POST', headers, body: form })
		).json()) as {
			id: string;
		};
		const created = (await (
			await fetch(`${task.url}/api/v2/extract`, {
				method: 'POST',
				headers: { ...headers, 'content-type': 'application/json' },
				body: JSON.stringify({
					file_input: file.id,
					configuration: { data_schema: INVOICE_SCHEMA_LITE },
				}),
			})
		).json()) as { id: string };
		let intervalMs = 1000;
		for (;;) {
			const job = (await (
				await fetch(`${task.url}/api/v2/extract/${created.id}`, { headers })
			).json()) as {
				status: string;
				extract_result?: { invoice_number?: string };
			};
			if (job.status === 'COMPLETED') {
				if (job.extract_result?.invoice_number === batchInvoice(index).invoiceNumber) correct++;
				break;
			}
			if (job.status === 'FAILED' || job.status === 'CANCELLED') {
				errors.push(`${created.id} ${job.status}`);
				break;
			}
			await new Promise((resolve) => setTimeout(resolve, intervalMs));
			intervalMs = Math.min(intervalMs * 1.5, 5000);
		}
	}
	return { kind: 'official', startedAtMs, wallMs: Date.now() - startedAtMs, correct, errors };
}

function collectGarbage(): void {
	(globalThis as { gc?: () => void }).gc?.();
}

let binaryStore: Promise<Awaited<ReturnType<typeof useFilesystemBinaryData>>> | undefined;

async function runUpload(task: Extract<WorkerTask, { kind: 'upload' }>): Promise<UploadResult> {
	binaryStore ??= useFilesystemBinaryData();
	const { service } = await binaryStore;
	const hash = createHash('sha256');
	const block = randomBytes(MiB);
	const chunkAt = (offset: number) => {
		const chunk = Buffer.from(block.subarray(0, Math.min(MiB, task.bytes - offset)));
		chunk[0] = (offset / MiB) & 0xff;
		hash.update(chunk);
		return chunk;
	};
	let item;
	if (task.mode === 'filesystem') {
		async function* chunks() {
			for (let offset = 0; offset < task.bytes; offset += MiB) yield chunkAt(offset);
		}
		item = await storedBinaryItem(service, Readable.from(chunks()), 'large.pdf', 'application/pdf');
	} else {
		const whole = Buffer.allocUnsafe(task.bytes);
		for (let offset = 0; offset < task.bytes; offset += MiB) chunkAt(offset).copy(whole, offset);
		// As n8n holds an in-memory binary: base64 text in the item.
		item = binaryItem(whole, 'large.pdf', 'application/pdf');
	}
	const sha256 = hash.digest('hex');
	collectGarbage();
	collectGarbage();
	const baseline = process.memoryUsage().rss;
	let peak = baseline;
	const sampler = setInterval(() => {
		peak = Math.max(peak, process.memoryUsage().rss);
	}, 5);
	const started = Date.now();
	let result;
	try {
		result = await runNode({
			// File › Upload: the upload alone (200 MB is over the 100 MB extraction limit).
			parameters: {
				resource: 'file',
				operation: 'upload',
				inputType: 'binary',
				binaryPropertyName: 'data',
				options: { keepBinary: false },
			},
			credentials: emulatorCredentials(task.url, task.apiKey),
			input: [item],
		});
	} finally {
		clearInterval(sampler);
	}
	peak = Math.max(peak, process.memoryUsage().rss);
	return {
		kind: 'upload',
		mode: task.mode,
		bytes: task.bytes,
		sha256,
		fileId: result.items[0]?.json.id as string | undefined,
		wallMs: Date.now() - started,
		baselineRssMb: baseline / MiB,
		peakRssMb: peak / MiB,
		growthMb: (peak - baseline) / MiB,
		errors: result.error ? [result.error.message] : [],
	};
}

async function main(): Promise<void> {
	const task = JSON.parse(process.argv[2] ?? '{}') as WorkerTask;
	if (task.warmUrl) {
		const warm = { ...task, url: task.warmUrl, warmUrl: undefined };
		if (warm.kind === 'upload') await runUpload({ ...warm, bytes: 64 * 1024 });
		else if (warm.kind === 'official') await runOfficial({ ...warm, docs: 1 });
		else await runExtract({ ...warm, docs: 2 });
	}
	const result =
		task.kind === 'extract'
			? await runExtract(task)
			: task.kind === 'official'
				? await runOfficial(task)
				: await runUpload(task);
	console.log(`RESULT ${JSON.stringify(result)}`);
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
