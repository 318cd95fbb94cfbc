/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * LlamaCloud emulator: an HTTP server on 127.0.0.1 that speaks the LlamaCloud Extract API (v2,
 * files, configurations, parse for `pjb-` inputs, legacy v1) with an in-memory store and a
 * deterministic extraction engine, so tests, `npm start` and benchmarks run offline.
 *
 * Request flow: route match -> stats -> fault rules -> 404/405 -> Bearer auth -> project/org UUID
 * check -> handler. Handlers return a Reply; errors become FastAPI bodies (`{"detail": ...}`).
 */
import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { promises as fs } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname } from 'node:path';
import type { ExtractV2Job, FileV2 } from '../nodes/shared/contract';
import { LIMITS } from '../nodes/shared/rules';
import { realClock, sleepOn, type Clock } from './clock';
import { dumpJob, dumpJobs, finishNow, registerControlRoutes, seedJobs, updateConfig, waitForJob, type JobDump } from './control';
import type { SeedJobSpec } from './extractJobs';
import { faultBody, type FaultConfig, type Faults } from './faults';
import type { RateLimiter, RateLimitSettings } from './limits';
import { readDocument } from './engine/document';
import { ApiError, checkScopeParams, json, Query, type Reply } from './http';
import { Router, type RequestContext } from './router';
import { registerConfigurationRoutes } from './routes/configurations';
import { registerExtractRoutes } from './routes/extract';
import { fileResponse, registerFileRoutes } from './routes/files';
import { registerParseRoutes } from './routes/parse';
import { registerV1Routes } from './routes/v1';
import { makeTextPdf } from './samples';
import { EmulatorState, newId, type EmulatorConfig, type JobTimingInfo, type RequestStats } from './state';

export const DEFAULT_API_KEY = 'llx-emulator-key';
export const DEFAULT_PROJECT_ID = '00000000-0000-4000-8000-00000000e111';

export interface EmulatorOptions {
	/** 0 (default) picks a free port. */
	port?: number;
	/** Loopback only: 127.0.0.1 (default), localhost or ::1. */
	host?: string;
	/** Accepted Bearer key(s); default `llx-emulator-key`. */
	apiKey?: string | string[];
	/** Job time from creation to completion in ms; default 1500. */
	jobMs?: number;
	/** Server-side cap on RUNNING jobs; jobs over it wait as THROTTLED. 0 (default) = no cap. */
	maxConcurrentJobs?: number;
	/** How a job waiting for a slot shows; default THROTTLED. */
	throttledStatus?: 'THROTTLED' | 'PENDING';
	/** Project UUID; job responses show it as `prj-<uuid>`, files and agents as the bare UUID. */
	projectId?: string;
	/** Upload limit in bytes; default 512 MB. */
	maxUploadBytes?: number;
	/** Largest extract-list page; default 100. */
	maxListPageSize?: number;
	/** Per-job override of the job time; return undefined to use the default. */
	jobMsFor?: (job: JobTimingInfo) => number | undefined;
	/** Initial fault rules. */
	faults?: FaultConfig;
	/** Where time comes from (timestamps, job timers, fault delays); default the real clock. Tests pass a ManualClock. */
	clock?: Clock;
	/** LlamaCloud's rate limits (limits.ts); default none. `DOCUMENTED_RATE_LIMITS` is the paid plan's. */
	rateLimits?: Partial<RateLimitSettings>;
}

export interface AddFileOptions {
	purpose?: string;
	mimeType?: string;
	externalFileId?: string;
}

export interface Emulator {
	/** `http://127.0.0.1:PORT`, the base URL to give the node (paths start with /api/...). */
	url: string;
	port: number;
	host: string;
	/** The first accepted key. */
	apiKey: string;
	apiKeys: string[];
	projectId: string;
	close(): Promise<void>;
	reset(): Promise<void>;
	stats(): RequestStats;
	resetStats(): void;
	/** Reads, or changes and returns, the runtime configuration (jobMs, maxConcurrentJobs, ...). */
	config(update?: Partial<EmulatorConfig>): EmulatorConfig;
	/** Same as `config(update)`. */
	configure(update: Partial<EmulatorConfig>): EmulatorConfig;
	/** Creates extract jobs directly, with chosen timestamps and outcomes (see SeedJobSpec). */
	seedJobs(specs: SeedJobSpec[]): ExtractV2Job[];
	/** Internal view of every job, incl. `completedAtMs`. */
	jobs(): JobDump[];
	job(id: string): JobDump | undefined;
	/**
	 * Finishes timed jobs now, in the order given: seeded extract jobs (with the final status they were seeded with)
	 * and parse jobs. Tests give them a far completion time and finish them here, so what a request sees never
	 * depends on the machine's speed.
	 */
	finishNow(ids: string[]): void;
	/** Resolves when the job reaches one of `statuses` (default: any final status). */
	waitForJob(id: string, options?: { statuses?: string[]; timeoutMs?: number }): Promise<JobDump>;
	/** Stores a file as if uploaded; returns its FileV2. */
	addFile(name: string, bytes: Buffer, options?: AddFileOptions): FileV2;
	/** Fault rules: configure / addRule / addJobRule / removeRule / clear / snapshot. */
	faults: Faults;
	/** Rate limits: `configure(...)`, `settings`, `counts` (admitted / refused). */
	limits: RateLimiter;
	/** Emits `job` events: {type, kind, id, status, atMs} at every status change. */
	events: EventEmitter;
	/** The emulator's clock (the `clock` option, or the real one). */
	clock: Clock;
	/** Resolves once every job created so far has read its document, so all its timers are set on the clock. */
	plansReady(): Promise<void>;
}

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'];

/** Routes whose OpenAPI operation has no project_id/organization_id parameters. */
const UNSCOPED_TEMPLATES = new Set(['/api/v2/extract/schema/validation', '/api/v1/extraction/extraction-agents/schema/validation']);

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
	const host = options.host ?? '127.0.0.1';
	if (!LOOPBACK_HOSTS.includes(host)) throw new Error(`The emulator listens on loopback only (127.0.0.1), not ${host}`);
	const apiKeys = Array.isArray(options.apiKey) ? options.apiKey : [options.apiKey ?? DEFAULT_API_KEY];
	if (apiKeys.length === 0 || apiKeys.some((key) => typeof key !== 'string' || key === '')) {
		throw new Error('apiKey must be a non-empty string or a list of them');
	}
	const state = new EmulatorState(
		{
			jobMs: options.jobMs ?? 1500,
			maxConcurrentJobs: options.maxConcurrentJobs ?? 0,
			throttledStatus: options.throttledStatus ?? 'THROTTLED',
			maxUploadBytes: options.maxUploadBytes ?? LIMITS.uploadBytes,
			maxExtractBytes: LIMITS.extractBytes,
			memoryFileBytes: 8 * 1024 * 1024,
			maxListPageSize: options.maxListPageSize ?? 0,
		},
		options.projectId ?? DEFAULT_PROJECT_ID,
		options.jobMsFor,
		options.clock ?? realClock,
	);
	if (options.faults) state.faults.configure(options.faults);
	state.initialLimits = state.limits.configure(options.rateLimits ?? {});
	// pdf.js takes ~150 ms to load; do it now rather than inside the first job's timing.
	void warmUpPdfReader();

	const router = new Router();
	registerFileRoutes(router, state);
	registerExtractRoutes(router, state);
	registerConfigurationRoutes(router, state);
	registerParseRoutes(router, state);
	registerV1Routes(router, state);
	registerControlRoutes(router, state);

	let baseUrl = '';
	const sockets = new Set<Socket>();
	const server = createServer((req, res) => {
		void handle(req, res).catch((error: unknown) => {
			// Last resort: the reply itself failed (e.g. the client went away).
			if (!res.headersSent) writeReply(res, json(500, { detail: `Emulator error: ${String(error)}` }));
			else res.destroy();
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const method = (req.method ?? 'GET').toUpperCase();
		const url = new URL(req.url ?? '/', 'http://emulator.invalid');
		const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
		const match = router.match(method, path);
		const isControl = path.startsWith('/__emulator/');
		const template = match.kind === 'found' ? match.route.template : '(unmatched)';
		const counted = !isControl;
		if (counted) state.countRequest(method, template);

		// The gateway's rate limits answer before anything else (a 429 is never a request the server acted on).
		const refusal = counted && match.kind === 'found' ? state.limits.admit(`${method} ${template}`, url.searchParams.get('project_id') ?? '') : undefined;
		if (refusal) {
			state.countStatus(429);
			writeReply(res, json(429, faultBody(429), refusal.headers));
			return;
		}
		const faults = counted ? state.faults.forRequest(method, template) : { delayMs: 0 };
		if (faults.delayMs > 0) await sleepOn(state.clock, faults.delayMs);
		const action = faults.action;
		if (action?.type === 'reset' && action.when !== 'after') {
			resetConnection(req);
			return;
		}
		if (action?.type === 'status') {
			const headers: Record<string, string> = { ...(action.headers ?? {}) };
			if (action.retryAfterSeconds !== undefined) headers['retry-after'] = String(action.retryAfterSeconds);
			if (action.retryAfterMs !== undefined) headers['retry-after-ms'] = String(action.retryAfterMs);
			const reply = json(action.status, action.body ?? faultBody(action.status), headers);
			state.countStatus(reply.status);
			writeReply(res, reply);
			return;
		}

		let reply: Reply;
		try {
			reply = await dispatch(req, method, path, url, match);
		} catch (error) {
			reply = errorReply(error);
		}
		if (action?.type === 'reset') {
			resetConnection(req);
			return;
		}
		if (counted) state.countStatus(reply.status);
		writeReply(res, reply);
	}

	async function dispatch(
		req: IncomingMessage,
		method: string,
		path: string,
		url: URL,
		match: ReturnType<Router['match']>,
	): Promise<Reply> {
		if (match.kind === 'not_found') return json(404, { detail: 'Not Found' });
		if (match.kind === 'method_not_allowed') {
			return json(405, { detail: 'Method Not Allowed' }, { allow: match.allowed.join(', ') });
		}
		const query = new Query(url.searchParams);
		if (match.route.auth) {
			authenticate(req, apiKeys);
			if (!UNSCOPED_TEMPLATES.has(match.route.template)) checkScopeParams(query);
		}
		const ctx: RequestContext = {
			req,
			method,
			path,
			template: match.route.template,
			params: match.params,
			query,
			baseUrl,
		};
		return match.route.handler(ctx);
	}

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const address = server.address() as AddressInfo;
	const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
	baseUrl = `http://${urlHost}:${address.port}`;

	let closed = false;
	const emulator: Emulator = {
		url: baseUrl,
		port: address.port,
		host,
		apiKey: apiKeys[0],
		apiKeys,
		projectId: state.projectId,
		faults: state.faults,
		limits: state.limits,
		events: state.events,
		async close() {
			if (closed) return;
			closed = true;
			await state.reset();
			if (state.tempDir) await fs.rm(state.tempDir, { recursive: true, force: true });
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				for (const socket of sockets) socket.destroy();
			});
		},
		reset: () => state.reset(),
		stats: () => structuredClone(state.stats),
		resetStats: () => state.resetStats(),
		config: (update) => (update ? updateConfig(state, update) : { ...state.config }),
		configure: (update) => updateConfig(state, update),
		seedJobs: (specs) => seedJobs(state, specs),
		jobs: () => dumpJobs(state),
		job: (id) => dumpJob(state, id),
		finishNow: (ids) => finishNow(state, ids),
		clock: state.clock,
		plansReady: () => state.scheduler.plansReady(),
		waitForJob: (id, waitOptions = {}) => waitForJob(state, id, waitOptions.statuses, waitOptions.timeoutMs ?? 30_000),
		addFile(name, bytes, fileOptions = {}) {
			const extension = extname(name).slice(1).toLowerCase();
			const record = {
				id: newId('dfl-'),
				seq: state.nextSeq(),
				name,
				purpose: fileOptions.purpose ?? 'extract',
				externalFileId: fileOptions.externalFileId ?? null,
				fileType: extension || null,
				mimeType: fileOptions.mimeType ?? (extension === 'pdf' ? 'application/pdf' : 'text/plain'),
				size: bytes.length,
				sha256: '',
				createdAtMs: state.clock.now(),
				memory: Buffer.from(bytes),
			};
			state.files.set(record.id, record);
			return fileResponse(state, record, false, baseUrl);
		},
	};
	return emulator;
}

let pdfReaderWarm: Promise<void> | undefined;

function warmUpPdfReader(): Promise<void> {
	pdfReaderWarm ??= makeTextPdf([['warm-up']])
		.then((pdf) => readDocument(pdf))
		.then(
			() => undefined,
			() => undefined,
		);
	return pdfReaderWarm;
}

function authenticate(req: IncomingMessage, apiKeys: string[]): void {
	const header = req.headers.authorization;
	const challenge = { 'www-authenticate': 'Bearer' };
	const match = typeof header === 'string' ? /^\s*Bearer\s+(\S+)\s*$/i.exec(header) : null;
	if (!match) throw new ApiError(401, 'Not authenticated', challenge);
	if (!apiKeys.includes(match[1])) throw new ApiError(401, 'Invalid authentication token', challenge);
}

function errorReply(error: unknown): Reply {
	if (error instanceof ApiError) return json(error.status, { detail: error.detail }, error.headers);
	const correlationId = randomUUID();
	return json(500, {
		detail: `Oops! Something went wrong on our end (emulator: ${(error as Error)?.message ?? String(error)}). Correlation ID: ${correlationId}`,
	});
}

function writeReply(res: ServerResponse, reply: Reply): void {
	const headers: Record<string, string> = { ...(reply.headers ?? {}) };
	if (reply.stream) {
		res.writeHead(reply.status, headers);
		reply.stream.on('error', () => res.destroy());
		reply.stream.pipe(res);
		return;
	}
	if (reply.body === undefined) {
		res.writeHead(reply.status, headers);
		res.end();
		return;
	}
	if (Buffer.isBuffer(reply.body)) {
		res.writeHead(reply.status, { 'content-length': String(reply.body.length), ...headers });
		res.end(reply.body);
		return;
	}
	const payload = Buffer.from(JSON.stringify(reply.body));
	res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': String(payload.length), ...headers });
	res.end(payload);
}

/** Drops the TCP connection with a RST where the platform allows it. */
function resetConnection(req: IncomingMessage): void {
	const socket = req.socket as Socket & { resetAndDestroy?: () => void };
	if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
	else socket.destroy();
}
