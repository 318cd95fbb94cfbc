/**
 * One fault at a time, through real workflows against the emulator: what exactly is sent again, what is looked up
 * and adopted, what is never retried, and that waits honour Retry-After, the cancel signal and server throttling.
 */
import { startEmulator, type Emulator } from '../../emulator/server';
import type { FaultRule } from '../../emulator/faults';
import { ApiClient } from '../harness/api';
import { API_KEY, emulatorCredentials } from '../harness/emulator';
import { LeakWatch, LogCapture } from '../harness/logs';
import { binaryItem, runNode, type RunResult } from '../harness/n8n';

const parameters = {
	resource: 'extractJob',
	operation: 'extract',
	inputType: 'binary',
	binaryPropertyName: 'data',
	schemaSource: 'jsonSchema',
	jsonSchema: JSON.stringify({
		type: 'object',
		properties: { invoice_number: { type: 'string', description: 'Invoice identifier' } },
	}),
};

const document = (number: number) =>
	binaryItem(Buffer.from(`INVOICE\nInvoice Number: INV-${number}\nTotal: 10.00\n`), `invoice-${number}.txt`, 'text/plain');

const CREATE = 'POST /api/v2/extract';
const UPLOAD = 'POST /api/v1/beta/files';
const LIST = 'GET /api/v2/extract';
const FILES = 'GET /api/v1/beta/files';

let emulator: Emulator;
const logs = new LogCapture();
const watch = new LeakWatch();

beforeAll(async () => {
	logs.install();
	emulator = await startEmulator({ apiKey: API_KEY, jobMs: 60 });
});

afterAll(async () => {
	await emulator.close();
	logs.uninstall();
});

beforeEach(async () => {
	await emulator.reset();
});

async function run(rules: FaultRule[], options: { input?: ReturnType<typeof document>[]; extra?: object; cancelAfterMs?: number } = {}) {
	emulator.faults.configure({ rules });
	emulator.resetStats();
	const adoptedBefore = logs.matching(/had gone through/).length;
	const startedAt = Date.now();
	const result: RunResult = watch.record(
		await runNode({
			parameters: { ...parameters, ...options.extra },
			credentials: emulatorCredentials(emulator.url),
			input: options.input ?? [document(1)],
			cancelAfterMs: options.cancelAfterMs,
		}),
	);
	const elapsedMs = Date.now() - startedAt;
	emulator.faults.clear();
	const routes = emulator.stats().byRoute;
	return {
		...result,
		elapsedMs,
		count: (route: string) => routes[route] ?? 0,
		jobs: emulator.jobs().filter((job) => job.kind === 'extract'),
		adopted: logs.matching(/had gone through/).length - adoptedBefore,
	};
}

function invoiceNumber(result: { items: Array<{ json: Record<string, unknown> }> }, index = 0): unknown {
	return result.items[index]?.json.invoice_number;
}

describe('creates are never duplicated', () => {
	test('a create whose answer is lost after the job was made is adopted, not sent again', async () => {
		const result = await run([{ route: CREATE, times: 1, action: { type: 'reset', when: 'after' } }]);
		expect(result.error).toBeUndefined();
		expect(invoiceNumber(result)).toBe('INV-1');
		expect(result.count(CREATE)).toBe(1);
		expect(result.jobs).toHaveLength(1);
		expect(result.adopted).toBe(1);
		expect((result.items[0].json._llamaextract as { job_id: string }).job_id).toBe(result.jobs[0].id);
	});

	test('a create dropped before it was handled is looked up, not found, and sent again once', async () => {
		const result = await run([{ route: CREATE, times: 1, action: { type: 'reset', when: 'before' } }]);
		expect(result.error).toBeUndefined();
		expect(invoiceNumber(result)).toBe('INV-1');
		expect(result.count(CREATE)).toBe(2);
		expect(result.count(LIST)).toBeGreaterThanOrEqual(2); // the look-up, then the waiter's polls
		expect(result.jobs).toHaveLength(1);
		expect(result.adopted).toBe(0);
	});

	test('a 502 burst on create: looked up after each, then created exactly once', async () => {
		const result = await run([{ route: CREATE, burst: 3, times: 3, action: { type: 'status', status: 502, retryAfterMs: 10 } }]);
		expect(result.error).toBeUndefined();
		expect(result.count(CREATE)).toBe(4);
		expect(result.jobs).toHaveLength(1);
	});

	test('an upload whose answer is lost is found by its external_file_id and adopted', async () => {
		const result = await run([{ route: UPLOAD, times: 1, action: { type: 'reset', when: 'after' } }]);
		expect(result.error).toBeUndefined();
		expect(invoiceNumber(result)).toBe('INV-1');
		expect(result.count(UPLOAD)).toBe(1);
		expect(result.count(FILES)).toBe(1);
		const files = await new ApiClient(emulator, API_KEY).read<{ items: Array<{ id: string; external_file_id: string }> }>(
			'/api/v1/beta/files',
		);
		expect(files.items).toHaveLength(1);
		expect(files.items[0].external_file_id).toMatch(/^n8n-upload-/);
		expect(result.jobs[0].fileInput).toBe(files.items[0].id);
	});

	test('the same file twice in one execution, with a lost answer: two jobs, one per item, none adopted twice', async () => {
		const file = emulator.addFile('shared.txt', Buffer.from('INVOICE\nInvoice Number: INV-9\n'));
		const input = [{ json: {} }, { json: {} }] as ReturnType<typeof document>[];
		const result = await run([{ route: CREATE, times: 1, action: { type: 'reset', when: 'after' } }], {
			input,
			extra: { inputType: 'fileId', fileId: file.id },
		});
		expect(result.error).toBeUndefined();
		expect(result.count(CREATE)).toBe(2);
		expect(result.jobs).toHaveLength(2);
		const ids = result.items.map((item) => (item.json._llamaextract as { job_id: string }).job_id);
		expect(new Set(ids).size).toBe(2);
		expect(result.adopted).toBe(1);
	});
});

describe('what is retried and how long it waits', () => {
	test('a connection refused before anything was sent is retried, even for an upload', async () => {
		const port = emulator.port;
		await emulator.close();
		// The emulator comes back as soon as the node has logged the refused attempt and gone to wait: an event, not a
		// guessed number of milliseconds.
		const refusedLine = /LlamaCloud POST \/api\/v1\/beta\/files failed \(ECONNREFUSED\); attempt 2 in \d+ ms/;
		const refusedBefore = logs.matching(refusedLine).length;
		const restart = (async () => {
			await logs.waitFor(refusedLine, refusedBefore + 1);
			emulator = await startEmulator({ apiKey: API_KEY, jobMs: 60, port });
		})();
		const result = watch.record(
			await runNode({
				parameters,
				credentials: emulatorCredentials(`http://127.0.0.1:${port}`),
				input: [document(2)],
			}),
		);
		await restart;
		expect(result.error).toBeUndefined();
		expect(invoiceNumber(result)).toBe('INV-2');
		expect(logs.matching(refusedLine)).toHaveLength(refusedBefore + 1);
		expect(emulator.stats().byRoute[UPLOAD]).toBe(1);
		expect(emulator.jobs()).toHaveLength(1);
	});

	test('Retry-After in seconds and as an HTTP date is honoured', async () => {
		const seconds = await run([{ route: CREATE, times: 1, action: { type: 'status', status: 429, retryAfterSeconds: 1 } }]);
		expect(seconds.error).toBeUndefined();
		expect(seconds.count(CREATE)).toBe(2);
		expect(seconds.elapsedMs).toBeGreaterThanOrEqual(1000);

		const date = new Date(Date.now() + 2000).toUTCString();
		const httpDate = await run([
			{ route: UPLOAD, times: 1, action: { type: 'status', status: 503, headers: { 'retry-after': date } } },
		]);
		expect(httpDate.error).toBeUndefined();
		expect(httpDate.count(UPLOAD)).toBe(2);
		// HTTP dates have whole seconds: at least 1 s of the 2 s remains when the answer arrives.
		expect(httpDate.elapsedMs).toBeGreaterThanOrEqual(1000);
	});

	test.each([
		[402, 'Payment required'],
		[401, 'Unauthorized'],
		[403, 'Forbidden'],
		[400, 'Bad request'],
	])('%i is not retried', async (status, title) => {
		const result = await run([{ route: CREATE, action: { type: 'status', status } }]);
		expect(result.error?.message).toMatch(new RegExp(`^${status} ${title}`));
		expect(result.count(CREATE)).toBe(1);
		expect(result.count(LIST)).toBe(0);
		expect(result.jobs).toHaveLength(0);
	});

	test('cancelling the execution ends a retry wait at once, and nothing more is sent', async () => {
		const result = await run([{ route: UPLOAD, action: { type: 'status', status: 503, retryAfterMs: 10_000 } }], {
			cancelAfterMs: 300,
		});
		expect(result.elapsedMs).toBeLessThan(2_000);
		expect(result.count(UPLOAD)).toBe(1);
		expect(result.jobs).toHaveLength(0);
	});

	test('a poll outage shorter than the retries does not fail the waiting items', async () => {
		const result = await run(
			[{ route: LIST, after: 1, burst: 5, times: 5, action: { type: 'status', status: 503, retryAfterMs: 20 } }],
			{ input: [document(3), document(4), document(5)] },
		);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.invoice_number)).toEqual(['INV-3', 'INV-4', 'INV-5']);
	});

	test('a poll outage longer than the retries: the items keep waiting, a poll interval apart, and finish when it clears', async () => {
		// x-should-retry: false makes the transport give up at once, as after a long outage.
		const outage: FaultRule = {
			route: LIST,
			times: 1,
			action: { type: 'status', status: 503, headers: { 'x-should-retry': 'false' } },
		};
		const result = await run([outage], { input: [document(10), document(11)] });
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.invoice_number)).toEqual(['INV-10', 'INV-11']);
		expect(result.jobs).toHaveLength(2);
		// A failed round, then the one that found both finished, a full poll interval (5 s) later.
		expect(result.count(LIST)).toBe(2);
		expect(result.elapsedMs).toBeGreaterThanOrEqual(5_000);
	});

	test('an outage past Wait Timeout ends each wait with the outage error and that item\'s own job ID', async () => {
		emulator.faults.configure({
			rules: [{ route: LIST, action: { type: 'status', status: 503, headers: { 'x-should-retry': 'false' } } }],
		});
		const result = watch.record(
			await runNode({
				parameters: { ...parameters, options: { waitTimeout: 2 } },
				credentials: emulatorCredentials(emulator.url),
				input: [document(12), document(13), document(14)],
				onError: 'continueRegularOutput',
			}),
		);
		emulator.faults.clear();
		const created = emulator.jobs().filter((job) => job.kind === 'extract');
		expect(created).toHaveLength(3);
		expect(result.items.map((item) => item.json.httpCode)).toEqual(['503', '503', '503']);
		// Each item names its own job, which keeps running in LlamaCloud.
		const jobIds = result.items.map((item) => item.json.job_id as string);
		expect(new Set(jobIds).size).toBe(3);
		expect([...jobIds].sort()).toEqual(created.map((job) => job.id).sort());
		result.items.forEach((item, index) => {
			expect(item.json.description).toContain(`could not be reached to check job ${jobIds[index]}`);
			expect(item.json.description).toContain('Wait for Completion');
			expect(item.pairedItem).toEqual({ item: index });
		});
	});

	test('a refusal of the poll (403) fails every waiting item at once, each with its own job ID', async () => {
		emulator.faults.configure({
			rules: [{ route: LIST, action: { type: 'status', status: 403, body: { detail: 'Not allowed to access this project' } } }],
		});
		const startedAt = Date.now();
		const result = await runNode({
			parameters,
			credentials: emulatorCredentials(emulator.url),
			input: [document(15), document(16), document(17)],
			onError: 'continueRegularOutput',
		});
		emulator.faults.clear();
		const created = emulator.jobs().filter((job) => job.kind === 'extract');
		expect(result.items.map((item) => item.json.error)).toEqual(
			Array(3).fill('403 Forbidden: Not allowed to access this project'),
		);
		expect(result.items.map((item) => item.json.job_id).sort()).toEqual(created.map((job) => job.id).sort());
		expect(new Set(result.items.map((item) => item.json.job_id)).size).toBe(3);
		// No waiting for an answer that will not change: one round of polls, well inside one poll interval.
		expect(emulator.stats().byRoute[LIST]).toBe(1);
		expect(Date.now() - startedAt).toBeLessThan(5_000);
	});

	test('jobs held THROTTLED by the server are waited for, not mistaken for finished', async () => {
		emulator.config({ maxConcurrentJobs: 1, jobMs: 300 });
		const seen = new Set<string>();
		const onJob = (event: { status: string }) => seen.add(event.status);
		emulator.events.on('job', onJob);
		try {
			const result = await run([], { input: [document(6), document(7), document(8)] });
			expect(result.error).toBeUndefined();
			expect(result.items.map((item) => item.json.invoice_number)).toEqual(['INV-6', 'INV-7', 'INV-8']);
			expect(seen.has('THROTTLED')).toBe(true);
		} finally {
			emulator.events.off('job', onJob);
			emulator.config({ maxConcurrentJobs: 0, jobMs: 60 });
		}
	});

	test('a job that stalls past Wait Timeout is output as pending with its ID (On Timeout: Output)', async () => {
		emulator.faults.addJobRule({ outcome: 'stall' });
		const startedAt = Date.now();
		const result = watch.record(
			await runNode({
				parameters: { ...parameters, options: { waitTimeout: 1 } },
				credentials: emulatorCredentials(emulator.url),
				input: [document(9)],
			}),
		);
		expect(result.error).toBeUndefined();
		const meta = result.items[0].json._llamaextract as { job_id: string; status: string };
		expect(meta.job_id).toBe(emulator.jobs()[0].id);
		expect(meta.status).toBe('RUNNING');
		expect(Date.now() - startedAt).toBeLessThan(3_000);
	});
});

describe('other writes', () => {
	test('a DELETE whose answer was lost and that then finds nothing counts as done', async () => {
		const [job] = emulator.seedJobs([{ status: 'COMPLETED' }]);
		emulator.faults.configure({
			rules: [{ route: 'DELETE /api/v2/extract/{job_id}', times: 1, action: { type: 'reset', when: 'after' } }],
		});
		const result = watch.record(
			await runNode({
				parameters: { resource: 'extractJob', operation: 'delete', jobId: job.id },
				credentials: emulatorCredentials(emulator.url),
				input: [{ json: {} }],
			}),
		);
		emulator.faults.clear();
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toEqual({ job_id: job.id, deleted: true });
		expect(emulator.stats().byRoute['DELETE /api/v2/extract/{job_id}']).toBe(2);
		expect(emulator.jobs()).toHaveLength(0);
	});
});

describe('secrets', () => {
	test('the sentinel API key never appears in any output item, error or log line', () => {
		expect(watch.recorded).toBeGreaterThan(10);
		expect(watch.findLeaks(API_KEY, logs)).toEqual([]);
	});
});
