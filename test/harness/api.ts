/**
 * Raw HTTP calls to the emulator's API, with the key, for setting up state and checking what the emulator holds
 * (not through the node). Every response from an API route is checked against the OpenAPI subset (openapi.ts), so
 * no test can pass on an off-spec body.
 */
import type { IDataObject } from 'n8n-workflow';
import { FormData, request } from 'undici';
import { ManualClock } from '../../emulator/clock';
import type { Emulator } from '../../emulator/server';
import { assertResponseMatchesSpec } from './openapi';

export { assertComponent } from './openapi';

/** Node output and API bodies are read at any depth in tests; the spec check and the assertions keep them honest. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface ApiResponse<T = Json> {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: T;
	text: string;
}

export interface CallOptions {
	query?: Record<string, string | number | boolean | Array<string | number>>;
	json?: unknown;
	/** Raw body (sent as-is with the given content type). */
	raw?: { body: string | Buffer; contentType: string };
	form?: FormData;
	/** Override or drop (null) the Authorization header. */
	authorization?: string | null;
	/** Skip the spec check (only for control routes and deliberately broken requests). */
	unchecked?: boolean;
}

export function buildQuery(query: CallOptions['query']): string {
	if (!query) return '';
	const params = new URLSearchParams();
	for (const [key, value] of Object.entries(query)) {
		if (Array.isArray(value)) for (const entry of value) params.append(key, String(entry));
		else params.append(key, String(value));
	}
	const text = params.toString();
	return text ? `?${text}` : '';
}

export class ApiClient {
	constructor(
		readonly emulator: Emulator,
		readonly apiKey: string,
	) {}

	async call<T = Json>(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
		const headers: Record<string, string> = {};
		if (options.authorization !== null) headers.authorization = options.authorization ?? `Bearer ${this.apiKey}`;
		let body: string | Buffer | FormData | undefined;
		if (options.json !== undefined) {
			headers['content-type'] = 'application/json';
			body = JSON.stringify(options.json);
		} else if (options.raw) {
			headers['content-type'] = options.raw.contentType;
			body = options.raw.body;
		} else if (options.form) {
			body = options.form;
		}
		const response = await request(`${this.emulator.url}${path}${buildQuery(options.query)}`, {
			method: method as 'GET',
			headers,
			body,
		});
		const text = await response.body.text();
		let parsed: unknown = undefined;
		if (text !== '') {
			try {
				parsed = JSON.parse(text);
			} catch {
				parsed = text;
			}
		}
		if (!options.unchecked && !path.startsWith('/__emulator/')) {
			assertResponseMatchesSpec(method, path, response.statusCode, parsed, text);
		}
		return { status: response.statusCode, headers: response.headers, body: parsed as T, text };
	}

	get<T = Json>(path: string, options?: CallOptions) {
		return this.call<T>('GET', path, options);
	}

	post<T = Json>(path: string, json?: unknown, options: CallOptions = {}) {
		return this.call<T>('POST', path, { ...options, json });
	}

	put<T = Json>(path: string, json?: unknown, options: CallOptions = {}) {
		return this.call<T>('PUT', path, { ...options, json });
	}

	delete<T = Json>(path: string, options?: CallOptions) {
		return this.call<T>('DELETE', path, options);
	}

	async upload(bytes: Buffer, name: string, mimeType: string, fields: Record<string, string> = { purpose: 'extract' }) {
		const form = new FormData();
		form.append('file', new Blob([new Uint8Array(bytes)], { type: mimeType }), name);
		for (const [key, value] of Object.entries(fields)) form.append(key, value);
		return this.call('POST', '/api/v1/beta/files', { form });
	}

	/** Uploads and returns the `dfl-` id (asserting 201). */
	async uploadId(bytes: Buffer, name: string, mimeType = 'application/pdf'): Promise<string> {
		const response = await this.upload(bytes, name, mimeType);
		if (response.status !== 201) throw new Error(`upload failed: ${response.status} ${response.text}`);
		return response.body.id as string;
	}

	/** Creates an extract job with an inline configuration and returns its id. */
	async createJob(fileInput: string, configuration: Record<string, unknown>): Promise<string> {
		const response = await this.post('/api/v2/extract', { file_input: fileInput, configuration });
		if (response.status !== 200) throw new Error(`create failed: ${response.status} ${response.text}`);
		return response.body.id as string;
	}

	/** GET that must answer 200; returns the body (e.g. to count the files the emulator holds). */
	async read<T = Json>(path: string, options?: CallOptions): Promise<T> {
		const response = await this.get<T>(path, options);
		if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
		return response.body;
	}

	/** The configuration the emulator stored for a job: what the node sent, as the server resolved it. */
	async receivedConfiguration(jobId: string): Promise<IDataObject> {
		const { status, body } = await this.get(`/api/v2/extract/${jobId}`, { query: { expand: 'configuration' } });
		expect(status).toBe(200);
		return body.configuration as IDataObject;
	}

	/**
	 * Polls GET /api/v2/extract/{id} until a final status; returns the last body. Between polls the emulator's
	 * ManualClock moves on to its next timer, so no poll waits on the wall clock.
	 */
	async waitForJob(id: string, expand: string[] = [], timeoutMs = 10_000): Promise<Json> {
		const clock = manualClockOf(this.emulator);
		const deadline = clock.now() + timeoutMs;
		for (;;) {
			const response = await this.get(`/api/v2/extract/${id}`, { query: { expand } });
			if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(response.body.status)) return response.body;
			await this.emulator.plansReady();
			if (clock.now() > deadline || !(await clock.next())) throw new Error(`job ${id} still ${response.body.status}`);
		}
	}
}

export function manualClockOf(emulator: Emulator): ManualClock {
	if (!(emulator.clock instanceof ManualClock)) throw new Error('this helper needs an emulator started with a ManualClock');
	return emulator.clock;
}
