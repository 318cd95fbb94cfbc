/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions, no-console */
/**
 * `npm start` as a user runs it (real n8n 2.41.1, not --check): a second `npm start` names the busy port, and a
 * SIGTERM to the npm process alone (what `kill <pid>` does) stops everything npm start started: tsx, the script,
 * n8n with its task runner, the emulator. Ports 5678/8787 are replaced by free ones (N8N_PORT,
 * LLAMAEXTRACT_EMULATOR_PORT) and the user folder by a throwaway one (LLAMAEXTRACT_START_FOLDER).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { freePorts } from './lib/ports';
import { waitFor } from './lib/proc';
import type { Runner } from './lib/runner';
import { REPO_ROOT } from './lib/runtimes';

/** Every process below `pid` (from /proc), whatever its process group. */
function descendants(pid: number): number[] {
	const children = new Map<number, number[]>();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
		} catch {
			// gone meanwhile
		}
	}
	const found: number[] = [];
	const queue = [pid];
	while (queue.length) {
		for (const child of children.get(queue.shift()!) ?? []) {
			found.push(child);
			queue.push(child);
		}
	}
	return found;
}

function isAlive(pid: number): boolean {
	try {
		// A zombie still answers kill(0); it holds no port and no memory, and its parent reaps it.
		const state = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return state.slice(state.lastIndexOf(')') + 2, state.lastIndexOf(')') + 3) !== 'Z';
	} catch {
		return false;
	}
}

async function portInUse(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const socket = net.connect({ port, host: '127.0.0.1' });
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

interface Started {
	child: ChildProcess;
	output: () => string;
	exited: Promise<number | null>;
}

/** `npm start` in its own process group (so the test can clean up), output kept in memory. */
function npmStart(env: NodeJS.ProcessEnv): Started {
	const child = spawn('npm', ['start'], { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	let out = '';
	child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
	const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
	return { child, output: () => out, exited };
}

export async function startSuite(runner: Runner): Promise<void> {
	await runner.suite('npm start (real n8n, stopped by signal)', async (s) => {
		const [n8nPort, emulatorPort] = await freePorts(2);
		const folder = mkdtempSync(path.join(os.tmpdir(), 'llx-e2e-npm-start-'));
		const env: NodeJS.ProcessEnv = {
			...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(N8N_|npm_)/.test(key))),
			N8N_PORT: String(n8nPort),
			LLAMAEXTRACT_EMULATOR_PORT: String(emulatorPort),
			LLAMAEXTRACT_START_FOLDER: folder,
		};
		const first = npmStart(env);
		try {
			await s.test(
				'npm start gets ready (n8n + emulator on the given ports, the email example ran)',
				async () => {
					await waitFor('"Ready in" from npm start', () => /✓ Ready in/.test(first.output()) || (first.child.exitCode !== null ? Promise.reject(new Error(first.output().slice(-3000))) : false), {
						timeoutMs: 600_000,
						intervalMs: 500,
					});
					assert.ok(await portInUse(n8nPort), `n8n listens on ${n8nPort}`);
					assert.ok(await portInUse(emulatorPort), `the emulator listens on ${emulatorPort}`);
					assert.match(first.output(), /workflows: .*LlamaExtract example: email attachment to JSON table/, 'the startup log names the examples as the workflow list does');
				},
				{ critical: true },
			);
			await s.test('a second npm start says one is running, naming the port, and exits 1', async () => {
				const second = npmStart(env);
				const code = await Promise.race([second.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 120_000))]);
				if (code === 'timeout') process.kill(-second.child.pid!, 'SIGKILL');
				assert.equal(code, 1, `exit code; output:\n${second.output()}`);
				assert.match(second.output(), new RegExp(`npm start is already running \\(pid \\d+\\) with n8n on http://127\\.0\\.0\\.1:${n8nPort}/`));
				assert.doesNotMatch(second.output(), /Building/, 'it stops before building anything');
			});
			await s.test('SIGTERM to the npm process alone stops tsx, the script, n8n and the emulator; ports are free', async () => {
				const tree = descendants(first.child.pid!);
				assert.ok(tree.length >= 4, `npm start's process tree: ${tree.join(' ')}`);
				const started = Date.now();
				process.kill(first.child.pid!, 'SIGTERM');
				await waitFor('every process of npm start to exit', () => tree.every((pid) => !isAlive(pid)), { timeoutMs: 45_000, intervalMs: 250 }).catch((error: Error) => {
					throw new Error(`${error.message}; still running: ${tree.filter(isAlive).join(' ')}\n${first.output().slice(-2000)}`);
				});
				assert.equal(await portInUse(n8nPort), false, `port ${n8nPort} is free`);
				assert.equal(await portInUse(emulatorPort), false, `port ${emulatorPort} is free`);
				console.log(`    ${tree.length} processes gone ${((Date.now() - started) / 1000).toFixed(1)} s after SIGTERM to npm`);
			});
		} finally {
			for (const pid of [first.child.pid!, ...descendants(first.child.pid!)]) {
				try {
					process.kill(pid, 'SIGKILL');
				} catch {
					// gone
				}
			}
			rmSync(folder, { recursive: true, force: true });
		}
	});
}
