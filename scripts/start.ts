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
 */
import { execSync } from 'node:child_process';
import path from 'node:path';

import type { Emulator } from '../emulator/server';
import type { N8nInstance } from '../e2e/lib/n8n';
import { removeSignalHandlers } from '../e2e/lib/proc';
import { runSampleWorkflow, startSampleEmulator } from './run-sample';
import { startMailDemo, type MailDemo } from './start-mail';
import { buildPackage, checkEmailRun, defaultUserFolder, OWNER, setupRuntime, startN8n } from './start-n8n';

const API_KEY = process.env.LLAMAEXTRACT_EMULATOR_KEY ?? 'llx-emulator-key';
const EMULATOR_PORT = Number(process.env.LLAMAEXTRACT_EMULATOR_PORT ?? 8787);
const N8N_PORT = Number(process.env.N8N_PORT ?? 5678);

let emulator: Emulator | undefined;
let n8n: N8nInstance | undefined;
let mail: MailDemo | undefined;
let stopping = false;

async function stopAll(): Promise<void> {
	await mail?.stop();
	await n8n?.stop().catch((error: Error) => console.error(`  stopping n8n: ${error.message}`));
	await emulator?.close().catch(() => undefined);
}

// e2e/lib/proc.ts kills every process group with SIGKILL on a signal; stop gracefully instead (its 'exit'
// handler still kills whatever is left).
removeSignalHandlers();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
	process.on(signal, () => {
		if (stopping) return;
		stopping = true;
		console.log(`\n› ${signal}: stopping n8n and the emulator…`);
		void stopAll().finally(() => {
			console.log('  stopped');
			process.exit(signal === 'SIGINT' ? 0 : 143);
		});
	});
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
	const tarball = await buildPackage();
	setupRuntime();
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
	console.log('  workflows:     Email attachment → JSON table, Folder batch, Extraction trigger (examples/)');
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
	const check = process.argv.includes('--check');
	if (process.argv.includes('--core')) await core(check);
	else await realN8n(check);
}

main().catch(async (error: Error) => {
	console.error(`✗ ${error.stack ?? error.message}`);
	await stopAll();
	process.exit(1);
});
