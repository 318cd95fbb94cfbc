/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/* eslint-disable @n8n/community-nodes/no-dangerous-functions */
/* eslint-disable @n8n/community-nodes/require-node-api-error */
/**
 * Child processes for the end-to-end tests.
 *
 * Every long-lived process starts in its own process group (`detached: true`) so that stopping it also stops
 * its children (n8n's task runner, postgres' backends). All groups are tracked and killed when the test
 * process exits, however it exits. Every wait is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';

const liveGroups = new Set<number>();

function killAllGroups(): void {
	for (const pid of liveGroups) {
		try {
			process.kill(-pid, 'SIGKILL');
		} catch {
			// already gone
		}
	}
	liveGroups.clear();
}
process.on('exit', killAllGroups);
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
function onSignal(): void {
	killAllGroups();
	process.exit(130);
}
for (const signal of SIGNALS) process.on(signal, onSignal);

/**
 * For a caller that stops its processes gracefully on a signal itself (scripts/start.ts): removes the handlers
 * above (the 'exit' handler still kills whatever is left).
 */
export function removeSignalHandlers(): void {
	for (const signal of SIGNALS) process.off(signal, onSignal);
}

export const sleep = async (ms: number) => await new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(
	what: string,
	check: () => Promise<T | undefined | false> | T | undefined | false,
	{ timeoutMs = 30_000, intervalMs = 250 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let lastError: unknown;
	while (Date.now() < deadline) {
		try {
			const value = await check();
			if (value !== undefined && value !== false) return value;
		} catch (error) {
			lastError = error;
		}
		await sleep(intervalMs);
	}
	const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
	throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
}

export interface SpawnOptions {
	env?: NodeJS.ProcessEnv;
	cwd?: string;
	/** File that receives stdout and stderr. */
	logFile?: string;
	/** Run as this system user (via runuser); used for postgres, which refuses to run as root. */
	asUser?: string;
}

/** A process running in its own process group, with its output kept in memory and in a log file. */
export class GroupProcess {
	readonly child: ChildProcess;
	readonly pid: number;
	private out = '';
	private log?: WriteStream;
	private exitInfo?: { code: number | null; signal: NodeJS.Signals | null };
	private readonly exited: Promise<void>;
	private readonly listeners = new Set<(chunk: string) => void>();

	constructor(
		readonly name: string,
		command: string,
		args: string[],
		options: SpawnOptions = {},
	) {
		if (options.logFile) {
			mkdirSync(path.dirname(options.logFile), { recursive: true });
			this.log = createWriteStream(options.logFile, { flags: 'a' });
		}
		const [cmd, argv] = options.asUser
			? ['runuser', ['-u', options.asUser, '--', command, ...args]]
			: [command, args];
		this.child = spawn(cmd, argv, {
			cwd: options.cwd,
			env: options.env ?? process.env,
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		if (this.child.pid === undefined) throw new Error(`Could not start ${name} (${command})`);
		this.pid = this.child.pid;
		liveGroups.add(this.pid);
		const onData = (data: Buffer) => {
			const text = data.toString();
			this.out += text;
			this.log?.write(text);
			for (const listener of this.listeners) listener(text);
		};
		this.child.stdout?.on('data', onData);
		this.child.stderr?.on('data', onData);
		this.exited = new Promise((resolve) => {
			this.child.on('close', (code, signal) => {
				this.exitInfo = { code, signal };
				liveGroups.delete(this.pid);
				this.log?.end();
				resolve();
			});
		});
	}

	/** Everything the process printed so far. */
	get output(): string {
		return this.out;
	}

	get exitCode(): number | null | undefined {
		return this.exitInfo?.code;
	}

	get running(): boolean {
		return this.exitInfo === undefined;
	}

	/** Resolves with the first output line matching `pattern`; rejects on timeout or process exit. */
	async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
		const existing = this.out.match(pattern);
		if (existing) return existing;
		return await new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				cleanup();
				reject(new Error(`${this.name}: no output matching ${pattern} within ${timeoutMs} ms`));
			}, timeoutMs);
			const listener = () => {
				const match = this.out.match(pattern);
				if (match) {
					cleanup();
					resolve(match);
				}
			};
			void this.exited.then(() => {
				cleanup();
				reject(new Error(`${this.name} exited (code ${this.exitInfo?.code}) before printing ${pattern}`));
			});
			const cleanup = () => {
				clearTimeout(timer);
				this.listeners.delete(listener);
			};
			this.listeners.add(listener);
		});
	}

	async waitForExit(timeoutMs: number): Promise<number | null> {
		let timer: NodeJS.Timeout | undefined;
		const timeout = new Promise<'timeout'>((resolve) => {
			timer = setTimeout(() => resolve('timeout'), timeoutMs);
		});
		const result = await Promise.race([this.exited.then(() => 'exited' as const), timeout]);
		clearTimeout(timer);
		if (result === 'timeout') throw new Error(`${this.name} did not exit within ${timeoutMs} ms`);
		return this.exitInfo?.code ?? null;
	}

	/** SIGTERM to the whole group, then SIGKILL if it is still there after `graceMs`. */
	async stop(graceMs = 15_000): Promise<void> {
		if (!this.running) return;
		try {
			process.kill(-this.pid, 'SIGTERM');
		} catch {
			return;
		}
		try {
			await this.waitForExit(graceMs);
		} catch {
			try {
				process.kill(-this.pid, 'SIGKILL');
			} catch {
				// gone
			}
			await this.waitForExit(5_000).catch(() => undefined);
		}
		// Children that outlived the leader (for example a task runner) still belong to the group.
		try {
			process.kill(-this.pid, 'SIGKILL');
		} catch {
			// none left
		}
		liveGroups.delete(this.pid);
	}
}

export interface RunResult {
	code: number | null;
	output: string;
	ms: number;
}

/** Runs a command to completion (bounded by `timeoutMs`) and returns its combined output. */
export async function run(
	name: string,
	command: string,
	args: string[],
	options: SpawnOptions & { timeoutMs?: number } = {},
): Promise<RunResult> {
	const started = Date.now();
	const proc = new GroupProcess(name, command, args, options);
	try {
		const code = await proc.waitForExit(options.timeoutMs ?? 120_000);
		return { code, output: proc.output, ms: Date.now() - started };
	} catch (error) {
		await proc.stop(2_000);
		throw new Error(
			`${(error as Error).message}\n--- output of ${name} ---\n${proc.output.slice(-4000)}`,
		);
	}
}

/** Like `run`, but throws unless the exit code is 0. */
export async function runOk(
	name: string,
	command: string,
	args: string[],
	options: SpawnOptions & { timeoutMs?: number } = {},
): Promise<RunResult> {
	const result = await run(name, command, args, options);
	if (result.code !== 0) {
		throw new Error(`${name} exited with ${result.code}\n${result.output.slice(-4000)}`);
	}
	return result;
}
