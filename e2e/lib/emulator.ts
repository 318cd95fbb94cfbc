/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * The LlamaCloud emulator (emulator/main.ts) as a child process on 127.0.0.1, plus the few API calls the
 * end-to-end tests make to it directly (seeding configurations, reading its job list).
 */
import path from 'node:path';

import { freePort } from './ports';
import { GroupProcess } from './proc';
import { REPO_ROOT } from './runtimes';

// A made-up key that only the local emulator accepts.
// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets
export const EMULATOR_API_KEY = 'llx-e2e-emulator-key';

export class EmulatorProcess {
	private constructor(
		readonly url: string,
		readonly apiKey: string,
		private readonly proc: GroupProcess,
	) {}

	static async start(options: { logFile: string; jobMs?: number; apiKey?: string }): Promise<EmulatorProcess> {
		const apiKey = options.apiKey ?? EMULATOR_API_KEY;
		const port = await freePort();
		const tsx = path.join(REPO_ROOT, 'node_modules/.bin/tsx');
		const proc = new GroupProcess(
			'emulator',
			tsx,
			['emulator/main.ts', '--port', String(port), '--api-key', apiKey, '--job-ms', String(options.jobMs ?? 300)],
			{ cwd: REPO_ROOT, logFile: options.logFile },
		);
		const match = await proc.waitForOutput(/listening on (http:\/\/\S+)/, 60_000);
		return new EmulatorProcess(match[1].replace(/\/+$/, ''), apiKey, proc);
	}

	/** Calls the emulator's LlamaCloud API with the accepted key. */
	async api<T = unknown>(method: string, urlPath: string, body?: unknown): Promise<T> {
		const response = await fetch(`${this.url}${urlPath}`, {
			method,
			headers: { authorization: `Bearer ${this.apiKey}`, 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(30_000),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`emulator ${method} ${urlPath} -> ${response.status}: ${text.slice(0, 1000)}`);
		return (text ? JSON.parse(text) : undefined) as T;
	}

	/** Saves an extract configuration (what the editor's Configuration list shows). */
	async createConfiguration(name: string, dataSchema: Record<string, unknown>): Promise<{ id: string; name: string }> {
		return await this.api('POST', '/api/v1/beta/configurations', {
			name,
			parameters: { product_type: 'extract_v2', data_schema: dataSchema, tier: 'cost_effective' },
		});
	}

	/** Every job the emulator knows (control API). */
	async jobs(): Promise<Array<{ id: string; kind: string; status: string; seeded: boolean }>> {
		const response = await fetch(`${this.url}/__emulator/jobs`, { signal: AbortSignal.timeout(30_000) });
		return ((await response.json()) as { jobs: Array<{ id: string; kind: string; status: string; seeded: boolean }> }).jobs;
	}

	async stop(): Promise<void> {
		await this.proc.stop(5_000);
	}

	get output(): string {
		return this.proc.output;
	}
}
