/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions, no-console */
/**
 * `npm start`: the main job, offline. Builds the package, starts the LlamaCloud emulator on 127.0.0.1 and runs
 * the sample email-attachment-to-JSON workflow through the real n8n-core engine, then prints the JSON.
 *
 *   npm start              run, print, keep the emulator up until Ctrl+C
 *   npm start -- --check   run once, verify the result, exit (used by CI)
 */
import { execSync } from 'node:child_process';
import path from 'node:path';

import { runSampleWorkflow, startSampleEmulator } from './run-sample';

const API_KEY = process.env.LLAMAEXTRACT_EMULATOR_KEY ?? 'llx-emulator-key';
const EMULATOR_PORT = Number(process.env.LLAMAEXTRACT_EMULATOR_PORT ?? 8787);

async function main(): Promise<void> {
	const check = process.argv.includes('--check');
	const root = path.resolve(__dirname, '..');
	console.log('› Building the package (npm run build)…');
	try {
		execSync('npm run build --silent', { cwd: root, stdio: 'pipe' });
	} catch (error) {
		const failed = error as { stdout?: Buffer; stderr?: Buffer };
		console.error(`✗ The build failed:\n${failed.stdout?.toString() ?? ''}${failed.stderr?.toString() ?? ''}`);
		process.exit(1);
	}

	const emulator = await startSampleEmulator(check ? 0 : EMULATOR_PORT, API_KEY);
	console.log(`› LlamaCloud emulator: ${emulator.url} (API key: ${API_KEY})`);
	console.log('› Running the sample workflow: invoice PDFs (email attachments) → LlamaExtract › Extract Data');
	const started = Date.now();
	const { output, matchesExpected } = await runSampleWorkflow(emulator, API_KEY);
	console.log(JSON.stringify(output, null, 2));
	console.log(`› ${output.length} invoices extracted in ${((Date.now() - started) / 1000).toFixed(1)} s`);

	if (check) {
		await emulator.close();
		if (!matchesExpected) {
			console.error('✗ The extracted JSON does not match the sample invoices.');
			process.exit(1);
		}
		console.log('✓ start check passed');
		return;
	}
	console.log(`› Emulator still running at ${emulator.url}. Press Ctrl+C to stop.`);
	const stop = async () => {
		await emulator.close();
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
