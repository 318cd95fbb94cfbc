/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console */
/**
 * `npm start` in real n8n 2.41.1: the packed package installed into a user folder's nodes directory (the way users
 * install it), a LlamaCloud credential pointing at the emulator, the example workflows imported, and one run of
 * the email-attachment example. Uses the e2e library (e2e/lib), which installs and drives the runtime.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import type { Emulator } from '../emulator/server';
import { N8nInstance, nodeOutput, OWNER, runError, type RunData } from '../e2e/lib/n8n';
import { buildAndPack } from '../e2e/lib/pack';
import { GroupProcess } from '../e2e/lib/proc';
import { CREDENTIAL_TYPE, E2E_DIR, RUNTIMES } from '../e2e/lib/runtimes';
import { EXAMPLE_CREDENTIAL, EXAMPLE_IDS, exampleWorkflows, stageExamples } from '../e2e/lib/workflows';
import { assertEmailRun } from '../e2e/suite';

export const TRIGGER_NAME = "When clicking 'Execute workflow'";

/**
 * The persistent user folder of `npm start` (outside the repository: see e2e/README.md);
 * LLAMAEXTRACT_START_FOLDER overrides it (the e2e test of `npm start` uses a throwaway one).
 */
export function defaultUserFolder(): string {
	return process.env.LLAMAEXTRACT_START_FOLDER || path.join(os.homedir(), '.cache', 'n8n-nodes-llamaextract', 'start');
}

/** The example workflows' names, as n8n's workflow list shows them. */
export function exampleNames(): string[] {
	return exampleWorkflows().map((workflow) => workflow.name);
}

/** `npm run build` + `npm pack`; returns the tarball. */
export async function buildPackage(): Promise<string> {
	console.log('› Building and packing the package (npm run build, npm pack)…');
	const started = Date.now();
	const tarball = await buildAndPack({ build: true });
	console.log(`  ${path.basename(tarball)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
	return tarball;
}

/**
 * `bash e2e/setup.sh --start`: installs only n8n 2.41.1 + Node 24 on first use, a no-op afterwards. Runs in its own
 * process group (stopped with everything else) and without blocking, so a signal still stops `npm start` here.
 */
export async function setupRuntime(onProcess: (setup: GroupProcess) => void): Promise<void> {
	console.log('› Installing the n8n runtime if needed (bash e2e/setup.sh --start: n8n 2.41.1 only; the first time this takes a few minutes)…');
	const started = Date.now();
	const setup = new GroupProcess('e2e/setup.sh', 'bash', [path.join(E2E_DIR, 'setup.sh'), '--start']);
	onProcess(setup);
	setup.child.stdout?.on('data', (chunk: Buffer) => process.stdout.write(chunk));
	setup.child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
	const code = await setup.waitForExit(30 * 60_000);
	if (code !== 0) throw new Error(`e2e/setup.sh --start failed (exit ${code ?? 'signal'})`);
	console.log(`  runtime ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Throws a message naming the port (and the setting that moves it) when something already listens on it. */
export async function assertPortFree(port: number, what: 'n8n' | 'emulator'): Promise<void> {
	const setting = what === 'n8n' ? 'N8N_PORT' : 'LLAMAEXTRACT_EMULATOR_PORT';
	await new Promise<void>((resolve, reject) => {
		const server = net.createServer();
		server.once('error', () =>
			reject(
				new Error(
					`Port ${port} on 127.0.0.1 (the ${what === 'n8n' ? 'n8n editor' : 'LlamaCloud emulator'}) is already in use. ` +
						`Is another \`npm start\` running? Stop it first (Ctrl+C in its terminal), or set ${setting} to a free port.`,
				),
			),
		);
		server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
	});
}

export interface StartedN8n {
	n8n: N8nInstance;
	emailRun: RunData;
	/** Removes a throwaway user folder (check mode). */
	cleanup: () => Promise<void>;
}

/**
 * Installs the tarball, imports the credential and the examples, starts the server and runs the email example.
 * `userFolder` undefined: a throwaway folder (deleted by `cleanup`); `port` undefined: a free port.
 */
export async function startN8n(options: {
	tarball: string;
	emulator: Emulator;
	userFolder?: string;
	port?: number;
	onInstance?: (n8n: N8nInstance) => void;
}): Promise<StartedN8n> {
	const runtime = RUNTIMES.v2;
	const persistent = options.userFolder !== undefined;
	const userFolder = options.userFolder ?? mkdtempSync(path.join(os.tmpdir(), 'llx-start-check-'));
	if (options.port) await assertPortFree(options.port, 'n8n');

	// A persistent folder keeps its encryption key (n8n refuses to start with another one).
	const keyFile = path.join(userFolder, 'encryption-key');
	let encryptionKey = existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : '';
	const n8n = await N8nInstance.create({
		runtime,
		name: 'start',
		userFolder,
		port: options.port,
		logDir: path.join(userFolder, 'logs'),
		encryptionKey: encryptionKey || randomBytes(24).toString('hex'),
	});
	if (!encryptionKey) {
		encryptionKey = n8n.encryptionKey;
		writeFileSync(keyFile, `${encryptionKey}\n`, { mode: 0o600 });
	}
	options.onInstance?.(n8n);
	const cleanup = async () => {
		await n8n.stop();
		if (!persistent) rmSync(userFolder, { recursive: true, force: true });
	};

	console.log(`› n8n ${runtime.version} user folder: ${userFolder}`);
	rmSync(n8n.packageDir, { recursive: true, force: true });
	await n8n.installPackage(options.tarball);
	console.log(`  package installed into ${n8n.packageDir}`);

	const filesDir = path.join(userFolder, 'files');
	n8n.addEnv({ N8N_RESTRICT_FILE_ACCESS_TO: filesDir });
	console.log('› Importing the LlamaCloud credential (custom base URL = emulator) and the example workflows…');
	let started = Date.now();
	stageExamples(path.join(userFolder, 'workflows'), filesDir);
	await n8n.importCredentials([
		{
			...EXAMPLE_CREDENTIAL,
			type: CREDENTIAL_TYPE,
			data: { apiKey: options.emulator.apiKey, region: 'custom', baseUrl: options.emulator.url, projectId: '', organizationId: '' },
		},
	]);
	await n8n.importWorkflows(path.join(userFolder, 'workflows'), true);
	console.log(`  imported in ${((Date.now() - started) / 1000).toFixed(1)} s`);

	console.log(`› Starting n8n ${runtime.version} on ${n8n.baseUrl}…`);
	started = Date.now();
	await n8n.start();
	console.log(`  n8n ready in ${((Date.now() - started) / 1000).toFixed(1)} s (logs: ${n8n.logDir})`);

	console.log('› Running the example "Email attachment → JSON table" (as the editor\'s Execute workflow does)…');
	started = Date.now();
	const emailRun = await n8n.runManually(EXAMPLE_IDS.email, TRIGGER_NAME);
	const error = runError(emailRun);
	if (error || emailRun.status !== 'success') throw new Error(`The email example failed: ${error ?? emailRun.status}`);
	console.log('  Extract invoice →');
	console.log(JSON.stringify(nodeOutput(emailRun, 'Extract invoice'), null, 2));
	console.log('  Flatten to table →');
	console.log(JSON.stringify(nodeOutput(emailRun, 'Flatten to table'), null, 2));
	console.log(`  ran in ${((Date.now() - started) / 1000).toFixed(1)} s`);
	return { n8n, emailRun, cleanup };
}

/** Throws unless the email example's output matches the emulator's sample invoice. */
export function checkEmailRun(run: RunData): void {
	assertEmailRun(run);
}

export { OWNER };
