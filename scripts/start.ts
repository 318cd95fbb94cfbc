/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/require-node-api-error, no-console */
/**
 * `npm start`: the main job, offline, with no API key. Builds and packs the package, installs n8n 2.41.1 on first
 * use (bash e2e/setup.sh), starts the LlamaCloud emulator and real n8n on 127.0.0.1 with the packed package
 * installed, creates the owner, a credential pointing at the emulator and the example workflows, runs the
 * email-attachment example once and prints its JSON, then keeps both running until Ctrl+C.
 *
 *   npm start                   as above (n8n on 127.0.0.1:5678, N8N_PORT; emulator on 8787, LLAMAEXTRACT_EMULATOR_PORT)
 *   npm start -- --check        the same once with free ports and a throwaway user folder, checks the output,
 *                               also runs the n8n-core sample check, stops everything (CI)
 *   npm start -- --core         only the fast n8n-core path: the sample workflow through n8n-core's WorkflowExecute
 *   npm start -- --core --check the n8n-core path once, verified
 *   npm start -- --mail         also a local IMAP mailbox and PostgreSQL: the IMAP → PostgreSQL example runs on
 *                               five sample messages (scripts/start-mail.ts); with --check, verified and stopped
 *
 * Stopping: Ctrl+C, SIGTERM/SIGHUP to any process of the chain (npm -> sh -> tsx -> this script), or closing the
 * terminal stops n8n and the emulator. npm does not pass SIGTERM on to its script, and SIGKILL cannot be caught, so
 * a watchdog also stops everything as soon as a parent process is gone.
 */
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { Emulator } from '../emulator/server';
import type { N8nInstance } from '../e2e/lib/n8n';
import { removeSignalHandlers, type GroupProcess } from '../e2e/lib/proc';
import { runSampleWorkflow, startSampleEmulator } from './run-sample';
import { startMailDemo, type MailDemo } from './start-mail';
import {
	assertPortFree,
	buildPackage,
	checkEmailRun,
	defaultUserFolder,
	exampleNames,
	OWNER,
	setupRuntime,
	startN8n,
} from './start-n8n';

const API_KEY = process.env.LLAMAEXTRACT_EMULATOR_KEY ?? 'llx-emulator-key';
const EMULATOR_PORT = Number(process.env.LLAMAEXTRACT_EMULATOR_PORT ?? 8787);
const N8N_PORT = Number(process.env.N8N_PORT ?? 5678);

let emulator: Emulator | undefined;
let n8n: N8nInstance | undefined;
let setup: GroupProcess | undefined;
let lockFile: string | undefined;
let mail: MailDemo | undefined;
let stopping = false;

async function stopAll(): Promise<void> {
	await mail?.stop();
	await setup?.stop(2_000);
	await n8n?.stop().catch((error: Error) => console.error(`  stopping n8n: ${error.message}`));
	await emulator?.close().catch(() => undefined);
	if (lockFile) rmSync(lockFile, { force: true });
}

function shutDown(reason: string, code: number): void {
	if (stopping) return;
	stopping = true;
	console.log(`\n› ${reason}: stopping n8n and the emulator…`);
	void stopAll().finally(() => {
		console.log('  stopped');
		process.exit(code);
	});
}

// e2e/lib/proc.ts kills every process group with SIGKILL on a signal; stop gracefully instead (its 'exit'
// handler still kills whatever is left).
removeSignalHandlers();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
	process.on(signal, () => shutDown(signal, signal === 'SIGINT' ? 0 : 143));
}

/** Parent pid of `pid` from /proc (Linux), or undefined. */
function parentOf(pid: number): number | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// "pid (comm) state ppid …": comm may hold spaces and parentheses.
		return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
	} catch {
		return undefined;
	}
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/**
 * Stops everything once tsx, sh, npm or the shell that ran them is gone (SIGTERM or SIGKILL to npm, a closed
 * terminal): those never reach this process otherwise, and n8n runs in a process group of its own.
 */
function watchParents(): void {
	const parents: number[] = [];
	for (let pid: number | undefined = process.ppid; pid && pid > 1 && parents.length < 4; pid = parentOf(pid)) {
		parents.push(pid);
	}
	const timer = setInterval(() => {
		const gone = parents.find((pid) => !isAlive(pid));
		if (gone !== undefined || process.ppid === 1) shutDown(`parent process ${gone ?? process.ppid} is gone`, 143);
	}, 300);
	timer.unref();
}

/**
 * One `npm start` per user folder: a second one says which one runs and on which port, before building anything.
 * Then the ports themselves (anything else may hold them).
 */
async function claimFolderAndPorts(userFolder: string): Promise<void> {
	mkdirSync(userFolder, { recursive: true });
	const file = path.join(userFolder, 'npm-start.pid');
	if (existsSync(file)) {
		const [pid, port] = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
		if (pid && isAlive(pid)) {
			throw new Error(
				`npm start is already running (pid ${pid}) with n8n on http://127.0.0.1:${port}/ . ` +
					'Stop it first (Ctrl+C in its terminal), or use that one.',
			);
		}
	}
	await assertPortFree(N8N_PORT, 'n8n');
	await assertPortFree(EMULATOR_PORT, 'emulator');
	writeFileSync(file, `${process.pid} ${N8N_PORT}\n`);
	lockFile = file;
}

function build(): void {
	console.log('› Building the package (npm run build)…');
	try {
		execSync('npm run build --silent', { cwd: path.resolve(__dirname, '..'), stdio: 'pipe' });
	} catch (error) {
		const failed = error as { stdout?: Buffer; stderr?: Buffer };
		throw new Error(`The build failed:\n${failed.stdout?.toString() ?? ''}${failed.stderr?.toString() ?? ''}`);
	}
}

/** The n8n-core sample (email attachments → Extract Data) against `emulator`; returns whether it matched. */
async function runCoreSample(target: Emulator): Promise<boolean> {
	console.log('› n8n-core sample: invoice PDFs (email attachments) → LlamaExtract › Extract Data (WorkflowExecute)');
	const started = Date.now();
	const { output, matchesExpected } = await runSampleWorkflow(target, API_KEY);
	console.log(JSON.stringify(output, null, 2));
	console.log(`  ${output.length} invoices extracted in ${((Date.now() - started) / 1000).toFixed(1)} s`);
	return matchesExpected;
}

async function core(check: boolean): Promise<void> {
	if (!check) await assertPortFree(EMULATOR_PORT, 'emulator');
	build();
	emulator = await startSampleEmulator(check ? 0 : EMULATOR_PORT, API_KEY);
	console.log(`› LlamaCloud emulator: ${emulator.url} (API key: ${API_KEY})`);
	const ok = await runCoreSample(emulator);
	if (check) {
		await stopAll();
		if (!ok) throw new Error('The extracted JSON does not match the sample invoices.');
		console.log('✓ start check (n8n-core) passed');
		process.exit(0);
	}
	console.log(`› Emulator still running at ${emulator.url}. Press Ctrl+C to stop.`);
}

async function realN8n(check: boolean): Promise<void> {
	const startedAll = Date.now();
	if (!check) await claimFolderAndPorts(defaultUserFolder());
	// The first run's runtime install (minutes, mostly unpacking) and the build (CPU) overlap.
	const [tarball] = await Promise.all([
		buildPackage(),
		setupRuntime((process) => {
			setup = process;
		}),
	]);
	if (stopping) return;
	emulator = await startSampleEmulator(check ? 0 : EMULATOR_PORT, API_KEY);
	console.log(`› LlamaCloud emulator: ${emulator.url} (API key: ${API_KEY}, jobs take ~1.5 s)`);
	const started = await startN8n({
		tarball,
		emulator,
		userFolder: check ? undefined : defaultUserFolder(),
		port: check ? undefined : N8N_PORT,
		onInstance: (instance) => {
			n8n = instance;
		},
	});

	if (process.argv.includes('--mail')) mail = await startMailDemo(started.n8n);
	if (check) {
		try {
			checkEmailRun(started.emailRun);
			console.log('✓ n8n: the email example extracted the sample invoice');
			if (!(await runCoreSample(emulator))) throw new Error('n8n-core sample: the JSON does not match the sample invoices');
			console.log('✓ n8n-core sample matches the sample invoices');
		} finally {
			await started.cleanup();
			await stopAll();
		}
		console.log(`✓ start check passed in ${((Date.now() - startedAll) / 1000).toFixed(1)} s`);
		process.exit(0);
	}

	console.log('');
	console.log(`✓ Ready in ${((Date.now() - startedAll) / 1000).toFixed(1)} s`);
	console.log(`  n8n editor:    ${started.n8n.baseUrl}/`);
	console.log(`  login:         ${OWNER.email} / ${OWNER.password}`);
	console.log(`  emulator:      ${emulator.url} (credential "LlamaCloud account", API key ${API_KEY})`);
	console.log(`  user folder:   ${started.n8n.userFolder}`);
	console.log(`  workflows:     ${exampleNames().join('; ')} (examples/)`);
	console.log('Press Ctrl+C to stop.');
	// If n8n dies on its own, stop too.
	const server = started.n8n.serverProcess;
	void server?.waitForExit(2 ** 31 - 1).then(async () => {
		if (stopping) return;
		console.error(`✗ n8n exited (code ${server.exitCode}); see ${started.n8n.logDir}`);
		await stopAll();
		process.exit(1);
	}).catch(() => undefined);
}

async function main(): Promise<void> {
	watchParents();
	const check = process.argv.includes('--check');
	if (process.argv.includes('--core')) await core(check);
	else await realN8n(check);
}

main().catch(async (error: Error) => {
	if (stopping) return;
	// Our own messages (a busy port, a failed example) read best without a stack trace.
	console.error(`✗ ${error.message.startsWith('Port ') || error.message.startsWith('npm start') ? error.message : (error.stack ?? error.message)}`);
	await stopAll();
	process.exit(1);
});
