/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * Shared set-up for the action workflow tests: a real emulator on 127.0.0.1, the node run by n8n-core's
 * WorkflowExecute (test/harness/n8n.ts), a raw API client to look at what the emulator holds, and a local
 * HTTP server for URL inputs.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { request } from 'undici';

import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/server';
import { emulatorCredentials, runNode, type RunResult } from '../harness/n8n';

export const API_KEY = 'llx-test-actions-key';

/** Test-side view of node output and API bodies: read at any depth, checked by the assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Rig {
	emulator: Emulator;
	/** Runs Start → LlamaExtract with these parameters. */
	run(parameters: IDataObject, input?: INodeExecutionData[], extra?: { onError?: 'continueRegularOutput' | 'continueErrorOutput' }): Promise<RunResult>;
	/** A raw API call with the key, for set-up and for checking what the emulator holds. */
	api(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: Json }>;
	/** Requests the emulator counted for `METHOD /template` since the last `emulator.resetStats()`. */
	count(route: string): number;
}

/** Starts one emulator for the file (job time 120 ms: quick, yet long enough to see PENDING/RUNNING). */
export function useRig(options: EmulatorOptions = {}): Rig {
	let emulator: Emulator | undefined;
	beforeAll(async () => {
		emulator = await startEmulator({ apiKey: API_KEY, jobMs: 120, ...options });
	});
	afterAll(async () => {
		await emulator?.close();
	});
	const rig: Rig = {
		get emulator() {
			if (!emulator) throw new Error('emulator not started');
			return emulator;
		},
		async run(parameters, input, extra = {}) {
			return await runNode({
				parameters,
				credentials: emulatorCredentials(rig.emulator.url, API_KEY),
				input,
				onError: extra.onError,
			});
		},
		async api(method, path, body) {
			const response = await request(`${rig.emulator.url}${path}`, {
				method,
				headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
				body: body === undefined ? undefined : JSON.stringify(body),
			});
			const text = await response.body.text();
			return { status: response.statusCode, body: text ? JSON.parse(text) : undefined };
		},
		count(route) {
			return rig.emulator.stats().byRoute[route] ?? 0;
		},
	};
	return rig;
}

/** The configuration the emulator stored for a job: what the node sent, as the server resolved it. */
export async function receivedConfiguration(rig: Rig, jobId: string): Promise<IDataObject> {
	const { status, body } = await rig.api('GET', `/api/v2/extract/${jobId}?expand=configuration`);
	expect(status).toBe(200);
	return body.configuration as IDataObject;
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
