/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/* eslint-disable no-console */
/**
 * One real n8n instance: a fresh user folder with the packed package installed the way users install it,
 * the n8n CLI, and the server with its REST and public APIs.
 *
 * Recipe: shared n8n/RUNTIME.md §1c (environment), §2 (community package folder), §3 (CLI), §4 (server + APIs).
 */
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort, freePorts } from './ports';
import { GroupProcess, run, runOk, sleep, waitFor, type RunResult } from './proc';
import { ARTIFACTS_DIR, n8nBin, nodeExe, PACKAGE_NAME, type N8nRuntime } from './runtimes';

export const OWNER = {
	email: 'owner@example.com',
	firstName: 'E2E',
	lastName: 'Owner',
	password: 'E2e-Passw0rd!',
};

/** Environment variables that would leak settings from the calling shell into n8n. */
const LEAKY_ENV = /^(N8N_|DB_|QUEUE_|EXECUTIONS_|WEBHOOK_|GENERIC_|NODE_OPTIONS$|NODE_PATH$|npm_)/;

function cleanEnv(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (!LEAKY_ENV.test(key)) env[key] = value;
	}
	return env;
}

const bcryptCache = new Map<string, string>();
/** bcrypt hash of the owner's password, made with the bcryptjs inside this n8n. */
function ownerPasswordHash(runtime: N8nRuntime): string {
	const cached = bcryptCache.get(runtime.n8nDir);
	if (cached) return cached;
	const requireFromN8n = createRequire(path.join(runtime.n8nDir, 'package.json'));
	const bcrypt = requireFromN8n('bcryptjs') as { hashSync: (s: string, rounds: number) => string };
	const hash = bcrypt.hashSync(OWNER.password, 10);
	bcryptCache.set(runtime.n8nDir, hash);
	return hash;
}

export interface N8nInstanceOptions {
	runtime: N8nRuntime;
	/** Used in folder names and log names. */
	name: string;
	/** Extra environment for every command of this instance (for example the binary-data mode). */
	env?: Record<string, string>;
	/** Share one encryption key between instances (queue mode: main and worker). */
	encryptionKey?: string;
	/** Use this (persistent) user folder instead of a fresh temp folder; it must be outside the repository. */
	userFolder?: string;
	/** Use this port for the server instead of a free one. */
	port?: number;
	/** Where the logs go (default e2e/artifacts/logs/<user folder name>). */
	logDir?: string;
}

export interface RunData {
	status?: string;
	finished?: boolean;
	mode?: string;
	startedAt?: string;
	stoppedAt?: string;
	data?: {
		resultData?: {
			runData?: Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown>; binary?: Record<string, unknown> }> | null> }; error?: unknown }>>;
			error?: { message?: string; description?: string; stack?: string };
			lastNodeExecuted?: string;
		};
	};
}

/** Output items (json) of `nodeName`'s first run, main output `outputIndex`. */
export function nodeOutput(runData: RunData, nodeName: string, outputIndex = 0): Array<Record<string, unknown>> {
	const runs = runData.data?.resultData?.runData?.[nodeName];
	if (!runs || runs.length === 0) {
		const ran = Object.keys(runData.data?.resultData?.runData ?? {}).join(', ');
		throw new Error(`Node "${nodeName}" did not run (ran: ${ran || 'nothing'})`);
	}
	return (runs[0].data?.main?.[outputIndex] ?? []).map((item) => item.json);
}

/** The error of a failed run, as one line. */
export function runError(runData: RunData): string | undefined {
	const error = runData.data?.resultData?.error;
	if (!error) return undefined;
	return [error.message, error.description].filter(Boolean).join(' — ');
}

export class N8nInstance {
	readonly runtime: N8nRuntime;
	readonly name: string;
	readonly userFolder: string;
	readonly port: number;
	readonly brokerPort: number;
	readonly encryptionKey: string;
	readonly logDir: string;
	private readonly extraEnv: Record<string, string>;
	private server?: GroupProcess;
	private cookie?: string;
	private apiKey?: string;

	private constructor(options: N8nInstanceOptions, ports: number[]) {
		this.runtime = options.runtime;
		this.name = options.name;
		// Outside the repository on purpose: from inside it, the installed package would resolve modules from
		// the repository's own node_modules (its devDependencies), which users do not have.
		if (options.userFolder) mkdirSync(options.userFolder, { recursive: true });
		this.userFolder = options.userFolder ?? mkdtempSync(path.join(os.tmpdir(), `llx-e2e-${options.name}-`));
		this.logDir = options.logDir ?? path.join(ARTIFACTS_DIR, 'logs', path.basename(this.userFolder));
		mkdirSync(this.logDir, { recursive: true });
		[this.port, this.brokerPort] = ports;
		this.encryptionKey = options.encryptionKey ?? randomBytes(24).toString('hex');
		this.extraEnv = { ...options.env };
	}

	/** A fresh user folder and free ports. Nothing runs yet. */
	static async create(options: N8nInstanceOptions): Promise<N8nInstance> {
		const ports = await freePorts(2);
		if (options.port) {
			ports[0] = options.port;
			if (ports[1] === options.port) ports[1] = await freePort();
		}
		return new N8nInstance(options, ports);
	}

	get baseUrl(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	/** Adds environment for every later command of this instance. */
	addEnv(env: Record<string, string>): void {
		Object.assign(this.extraEnv, env);
	}

	/** `<userFolder>/.n8n/nodes`: where n8n looks for installed community packages. */
	get nodesDir(): string {
		return path.join(this.userFolder, '.n8n', 'nodes');
	}

	get packageDir(): string {
		return path.join(this.nodesDir, 'node_modules', PACKAGE_NAME);
	}

	/** The full environment of every n8n command of this instance (RUNTIME.md §1c). */
	env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
		return {
			...cleanEnv(),
			PATH: `${this.runtime.nodeBinDir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: this.encryptionKey,
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_PORT: String(this.port),
			N8N_PROTOCOL: 'http',
			N8N_SECURE_COOKIE: 'false',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
			N8N_RUNNERS_MODE: 'internal',
			N8N_RUNNERS_BROKER_PORT: String(this.brokerPort),
			N8N_DEV_RELOAD: 'false',
			EXTERNAL_FRONTEND_HOOKS_URLS: '',
			DB_TYPE: 'sqlite',
			N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
			N8N_INSTANCE_OWNER_EMAIL: OWNER.email,
			N8N_INSTANCE_OWNER_FIRST_NAME: OWNER.firstName,
			N8N_INSTANCE_OWNER_LAST_NAME: OWNER.lastName,
			N8N_INSTANCE_OWNER_PASSWORD_HASH: ownerPasswordHash(this.runtime),
			...this.runtime.env,
			...this.extraEnv,
			...extra,
		};
	}

	/**
	 * Installs the packed tarball into `<userFolder>/.n8n/nodes/node_modules/<package>`, without node_modules:
	 * what `npm install` into ~/.n8n/nodes leaves behind, since the package has no runtime dependencies.
	 */
	async installPackage(tarball: string): Promise<void> {
		mkdirSync(this.packageDir, { recursive: true });
		await runOk('tar', 'tar', ['-xzf', tarball, '-C', this.packageDir, '--strip-components=1'], {
			timeoutMs: 30_000,
		});
		// What npm writes next to an installed package; n8n does not need it, but it makes the folder look real.
		writeFileSync(
			path.join(this.nodesDir, 'package.json'),
			JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [PACKAGE_NAME]: `file:${tarball}` } }, null, 2),
		);
	}

	/* ------------------------------------------------------------------ CLI */

	/** Runs an n8n CLI command with this instance's environment. */
	async cli(
		args: string[],
		options: { env?: Record<string, string>; timeoutMs?: number; logName?: string } = {},
	): Promise<RunResult> {
		// Each CLI command that runs workflows starts its own task broker: give it a port of its own, so it can run
		// next to this instance's server (RUNTIME.md P5).
		const brokerPort = String(await freePort());
		return await run(`n8n ${args[0]}`, nodeExe(this.runtime), [n8nBin(this.runtime), ...args], {
			env: this.env({ N8N_RUNNERS_BROKER_PORT: brokerPort, ...options.env }),
			cwd: this.userFolder,
			timeoutMs: options.timeoutMs ?? 120_000,
			logFile: path.join(this.logDir, `${options.logName ?? `cli-${args[0].replace(/[^\w-]/g, '_')}`}.log`),
		});
	}

	async cliOk(args: string[], options: { env?: Record<string, string>; timeoutMs?: number; logName?: string } = {}) {
		const result = await this.cli(args, options);
		if (result.code !== 0) throw new Error(`n8n ${args.join(' ')} exited with ${result.code}\n${result.output.slice(-4000)}`);
		return result;
	}

	/** `n8n import:workflow --input=<file or dir>` (a directory needs `separate`). */
	async importWorkflows(input: string, separate = false): Promise<void> {
		await this.cliOk(['import:workflow', `--input=${input}`, ...(separate ? ['--separate'] : [])], {
			timeoutMs: 90_000,
		});
	}

	/** `n8n import:credentials`; credential `data` may be given decrypted (n8n encrypts it on import). */
	async importCredentials(credentials: Array<{ id: string; name: string; type: string; data: Record<string, unknown> }>) {
		const file = path.join(this.userFolder, `credentials-${Date.now()}.json`);
		writeFileSync(file, JSON.stringify(credentials, null, 2));
		await this.cliOk(['import:credentials', `--input=${file}`], { timeoutMs: 90_000 });
	}

	/**
	 * `n8n execute --id=<id>` with JSON logs; returns the run (status, data.resultData) whatever the exit code.
	 * Works while a server of the same instance runs, because each instance has its own task-broker port.
	 */
	async execute(workflowId: string, options: { env?: Record<string, string>; timeoutMs?: number } = {}) {
		const started = Date.now();
		const result = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput'], {
			env: { N8N_LOG_FORMAT: 'json', N8N_LOG_LEVEL: 'info', ...options.env },
			timeoutMs: options.timeoutMs ?? 120_000,
			logName: `execute-${workflowId}`,
		});
		const runData = parseCliRun(result.output);
		if (!runData) {
			throw new Error(`n8n execute --id=${workflowId} (rc ${result.code}) printed no run data:\n${result.output.slice(-4000)}`);
		}
		return { code: result.code, run: runData, output: result.output, ms: Date.now() - started };
	}

	/* --------------------------------------------------------------- server */

	/** Starts `n8n start` (or `n8n <command>`, for example `worker`) and waits for readiness. */
	async start(
		options: { env?: Record<string, string>; timeoutMs?: number; command?: string[]; logName?: string } = {},
	): Promise<GroupProcess> {
		if (this.server?.running) throw new Error(`${this.name} is already running`);
		const command = options.command ?? ['start'];
		const started = Date.now();
		this.server = new GroupProcess(`n8n ${this.name}`, nodeExe(this.runtime), [n8nBin(this.runtime), ...command], {
			env: this.env(options.env),
			cwd: this.userFolder,
			logFile: path.join(this.logDir, `${options.logName ?? command[0]}.log`),
		});
		const server = this.server;
		if (command[0] === 'worker') {
			await server.waitForOutput(/n8n worker is now ready/, options.timeoutMs ?? 90_000).catch((error: Error) => {
				throw new Error(`${error.message}\n--- worker output ---\n${server.output.slice(-4000)}`);
			});
			console.log(`    ${this.name}: n8n ${this.runtime.version} worker ready in ${Date.now() - started} ms`);
		}
		if (command[0] === 'start') {
			await waitFor(
				`${this.name} /healthz/readiness`,
				async () => {
					if (!server.running) throw new Error(`n8n exited early:\n${server.output.slice(-4000)}`);
					const response = await fetch(`${this.baseUrl}/healthz/readiness`).catch(() => undefined);
					return response?.status === 200;
				},
				{ timeoutMs: options.timeoutMs ?? 90_000, intervalMs: 250 },
			).catch((error: Error) => {
				throw new Error(`${error.message}\n--- n8n output ---\n${server.output.slice(-4000)}`);
			});
			// n8n 1.x answers /healthz/readiness before its REST routes exist; this line comes after them.
			await server.waitForOutput(/Editor is now accessible/, 30_000);
			await this.ensureOwner();
			console.log(`    ${this.name}: n8n ${this.runtime.version} ready on ${this.baseUrl} in ${Date.now() - started} ms`);
		}
		return server;
	}

	get serverProcess(): GroupProcess | undefined {
		return this.server;
	}

	/** Everything the server printed so far. */
	get serverOutput(): string {
		return this.server?.output ?? '';
	}

	async stop(): Promise<void> {
		await this.server?.stop(15_000);
		this.cookie = undefined;
	}

	/** Stops the server and deletes the user folder (logs stay under e2e/artifacts/logs). */
	async dispose(): Promise<void> {
		await this.stop();
		rmSync(this.userFolder, { recursive: true, force: true });
	}

	/* ----------------------------------------------------------------- REST */

	/** Internal REST API (`/rest/...`) with the owner's session cookie. */
	async rest<T = unknown>(method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: T }> {
		const anonymous = ['/rest/login', '/rest/settings', '/rest/owner/setup'].includes(urlPath);
		if (!this.cookie && !anonymous) await this.login();
		const response = await fetch(`${this.baseUrl}${urlPath}`, {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': 'llx-e2e',
				...(this.cookie ? { cookie: this.cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(60_000),
		});
		const text = await response.text();
		let parsed: unknown = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			// not JSON
		}
		const setCookie = response.headers.get('set-cookie');
		if (setCookie?.includes('n8n-auth=')) this.cookie = /n8n-auth=[^;]*/.exec(setCookie)![0];
		// REST responses wrap payloads in { data }.
		const unwrapped = parsed && typeof parsed === 'object' && 'data' in parsed ? (parsed as { data: T }).data : parsed;
		return { status: response.status, body: unwrapped as T };
	}

	async restOk<T = unknown>(method: string, urlPath: string, body?: unknown): Promise<T> {
		const response = await this.rest<T>(method, urlPath, body);
		if (response.status >= 300) {
			throw new Error(`${method} ${urlPath} -> ${response.status}: ${JSON.stringify(response.body).slice(0, 2000)}`);
		}
		return response.body;
	}

	/**
	 * n8n 2.x creates the owner from N8N_INSTANCE_OWNER_* at startup; n8n 1.x has no such setting, so the owner
	 * is set up through the same REST call the setup page makes.
	 */
	async ensureOwner(): Promise<void> {
		const settings = await this.rest<{ userManagement?: { showSetupOnFirstLoad?: boolean } }>('GET', '/rest/settings');
		if (settings.body?.userManagement?.showSetupOnFirstLoad) {
			const response = await this.rest('POST', '/rest/owner/setup', {
				email: OWNER.email,
				firstName: OWNER.firstName,
				lastName: OWNER.lastName,
				password: OWNER.password,
			});
			if (response.status !== 200) throw new Error(`owner setup failed: ${response.status} ${JSON.stringify(response.body)}`);
		}
	}

	/** Logs the owner in (n8n 2.x names the field emailOrLdapLoginId; older 1.x used email). */
	async login(): Promise<void> {
		let response = await this.rest('POST', '/rest/login', { emailOrLdapLoginId: OWNER.email, password: OWNER.password });
		if (response.status === 400) {
			response = await this.rest('POST', '/rest/login', { email: OWNER.email, password: OWNER.password });
		}
		if (response.status !== 200 || !this.cookie) {
			throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body).slice(0, 500)}`);
		}
	}

	/** Creates (once) an API key with every scope the owner may grant, for the public API. */
	async ensureApiKey(): Promise<string> {
		if (this.apiKey) return this.apiKey;
		const scopes = await this.rest<string[]>('GET', '/rest/api-keys/scopes');
		const body: Record<string, unknown> = { label: `e2e-${Date.now()}`, expiresAt: null };
		if (scopes.status === 200 && Array.isArray(scopes.body)) body.scopes = scopes.body;
		const created = await this.restOk<{ rawApiKey?: string; apiKey?: string }>('POST', '/rest/api-keys', body);
		const key = created.rawApiKey ?? created.apiKey;
		if (!key) throw new Error(`no API key in ${JSON.stringify(created)}`);
		this.apiKey = key;
		return key;
	}

	/** Public API (`/api/v1/...`) with an API key. */
	async api<T = unknown>(method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: T }> {
		const key = await this.ensureApiKey();
		const response = await fetch(`${this.baseUrl}/api/v1${urlPath}`, {
			method,
			headers: { 'content-type': 'application/json', 'x-n8n-api-key': key },
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(60_000),
		});
		const text = await response.text();
		let parsed: unknown = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			// not JSON
		}
		return { status: response.status, body: parsed as T };
	}

	async apiOk<T = unknown>(method: string, urlPath: string, body?: unknown): Promise<T> {
		const response = await this.api<T>(method, urlPath, body);
		if (response.status >= 300) {
			throw new Error(`${method} /api/v1${urlPath} -> ${response.status}: ${JSON.stringify(response.body).slice(0, 2000)}`);
		}
		return response.body;
	}

	/** Creates a credential through the public API and returns its id. */
	async createCredential(name: string, type: string, data: Record<string, unknown>): Promise<string> {
		const created = await this.apiOk<{ id: string }>('POST', '/credentials', { name, type, data });
		return created.id;
	}

	/** Publishes/activates a workflow and waits until n8n reports it active. */
	async activate(workflowId: string): Promise<void> {
		await this.apiOk('POST', `/workflows/${workflowId}/activate`);
		await waitFor(`workflow ${workflowId} active`, async () => {
			const wf = await this.apiOk<{ active: boolean }>('GET', `/workflows/${workflowId}`);
			return wf.active;
		});
	}

	async deactivate(workflowId: string): Promise<void> {
		await this.apiOk('POST', `/workflows/${workflowId}/deactivate`);
	}

	/** Executions of a workflow, newest first (public API). */
	async executions(workflowId: string, includeData = false): Promise<Array<RunData & { id: string; workflowId: string }>> {
		const result = await this.apiOk<{ data: Array<RunData & { id: string; workflowId: string }> }>(
			'GET',
			`/executions?workflowId=${encodeURIComponent(workflowId)}&includeData=${includeData}&limit=250`,
		);
		return result.data;
	}

	async execution(id: string): Promise<RunData & { id: string }> {
		return await this.apiOk<RunData & { id: string }>('GET', `/executions/${id}?includeData=true`);
	}

	/** Waits for an execution to reach a final state and returns it with its data. */
	async waitForExecution(id: string, timeoutMs = 90_000): Promise<RunData & { id: string }> {
		return await waitFor(
			`execution ${id} to finish`,
			async () => {
				const execution = await this.execution(id);
				return ['success', 'error', 'crashed', 'canceled'].includes(execution.status ?? '') ? execution : undefined;
			},
			{ timeoutMs, intervalMs: 300 },
		);
	}

	/**
	 * Runs a workflow as the editor does ("Execute workflow"): `POST /rest/workflows/:id/run`, then waits for the
	 * execution through the public API.
	 */
	async runManually(workflowId: string, triggerName: string, timeoutMs = 90_000): Promise<RunData & { id: string }> {
		const workflow = await this.restOk<Record<string, unknown>>('GET', `/rest/workflows/${workflowId}`);
		const started = await this.restOk<{ executionId?: string; waitingForWebhook?: boolean }>(
			'POST',
			`/rest/workflows/${workflowId}/run`,
			this.runtime.key === 'v2'
				? { triggerToStartFrom: { name: triggerName } }
				: { workflowData: workflow, triggerToStartFrom: { name: triggerName } },
		);
		if (!started.executionId) throw new Error(`no execution id from /run: ${JSON.stringify(started)}`);
		return await this.waitForExecution(started.executionId, timeoutMs);
	}

	/** Waits until an HTTP endpoint stops answering 404 (webhook registration is asynchronous). */
	async waitForWebhook(urlPath: string, init: () => RequestInit, timeoutMs = 15_000): Promise<Response> {
		return await waitFor(
			`webhook ${urlPath}`,
			async () => {
				const response = await fetch(`${this.baseUrl}${urlPath}`, { ...init(), signal: AbortSignal.timeout(60_000) });
				if (response.status === 404) {
					await response.arrayBuffer();
					return undefined;
				}
				return response;
			},
			{ timeoutMs, intervalMs: 200 },
		);
	}
}

/**
 * Finds the run object in `n8n execute --rawOutput` output. With N8N_LOG_FORMAT=json every line is a JSON log
 * record and the run is the `message` of one of them; without it, the run is printed as pretty JSON starting
 * with a line that is exactly `{`.
 */
export function parseCliRun(output: string): RunData | undefined {
	const looksLikeRun = (value: unknown): value is RunData =>
		!!value && typeof value === 'object' && ('data' in value || 'status' in value) && 'finished' in value;
	for (const line of output.split('\n')) {
		if (!line.startsWith('{')) continue;
		try {
			const record = JSON.parse(line) as { message?: unknown };
			if (looksLikeRun(record)) return record;
			if (typeof record.message === 'string' && record.message.trimStart().startsWith('{')) {
				const message = JSON.parse(record.message) as unknown;
				if (looksLikeRun(message)) return message;
			}
		} catch {
			// not a JSON line
		}
	}
	const start = output.split('\n').findIndex((line) => line === '{');
	if (start >= 0) {
		const lines = output.split('\n').slice(start);
		for (let end = lines.length; end > 0; end--) {
			try {
				const value = JSON.parse(lines.slice(0, end).join('\n')) as unknown;
				if (looksLikeRun(value)) return value;
			} catch {
				// keep trimming
			}
		}
	}
	return undefined;
}

export { sleep };
