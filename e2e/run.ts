/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/* eslint-disable no-console */
/**
 * End-to-end tests in real n8n (`npm run e2e`). See e2e/README.md.
 *
 *   npm run e2e                         everything: setup, build, pack, all suites
 *   npm run e2e -- --only=v2,editor-v2  some suites: v2, v1, editor-v2, editor-v1, queue, start, email, beyond
 *   npm run e2e -- --no-build           pack the existing dist/ (skip `npm run build`)
 *   npm run e2e -- --no-setup           skip e2e/setup.sh (runtimes already installed)
 */
import { rmSync } from 'node:fs';
import path from 'node:path';

import { checkEditor } from './editor';
import { emailSuite } from './email';
import { buildAndPack } from './lib/pack';
import { run as runProcess } from './lib/proc';
import { Runner } from './lib/runner';
import { ARTIFACTS_DIR, E2E_DIR } from './lib/runtimes';
import { beyondSuite } from './beyond';
import { queueSuite } from './queue';
import { startSuite } from './start';
import { runtimeSuite } from './suite';

function parseArgs(argv: string[]) {
	const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',').filter(Boolean);
	return { only, build: !argv.includes('--no-build'), setup: !argv.includes('--no-setup') };
}

async function main(): Promise<number> {
	const args = parseArgs(process.argv.slice(2));
	const runner = new Runner(args.only);
	// Logs and screenshots of this run only.
	rmSync(ARTIFACTS_DIR, { recursive: true, force: true });
	let tarball = '';

	await runner.suite('prepare', async (s) => {
		if (args.setup) {
			await s.test(
				'install runtimes (e2e/setup.sh)',
				async () => {
					const result = await runProcess('e2e/setup.sh', 'bash', [path.join(E2E_DIR, 'setup.sh')], {
						timeoutMs: 20 * 60_000,
						logFile: path.join(E2E_DIR, 'artifacts/logs/setup.log'),
					});
					process.stdout.write(result.output.replace(/^/gm, '    '));
					if (result.code !== 0) throw new Error(`e2e/setup.sh exited with ${result.code}`);
				},
				{ critical: true },
			);
		}
		await s.test(
			args.build ? 'npm run build + npm pack' : 'npm pack (existing dist/)',
			async () => {
				tarball = await buildAndPack({ build: args.build });
				console.log(`    ${path.relative(process.cwd(), tarball)}`);
			},
			{ critical: true },
		);
	});
	if (!tarball) return runner.summary();

	for (const key of ['v2', 'v1'] as const) {
		if (runner.wants(key) || runner.wants(`editor-${key}`)) {
			await runtimeSuite(runner, key, tarball, { editor: runner.wants(`editor-${key}`) ? checkEditor : undefined, core: runner.wants(key) });
		}
	}
	if (runner.wants('queue')) await queueSuite(runner, tarball);
	if (runner.wants('start')) await startSuite(runner);
	if (runner.wants('email')) await emailSuite(runner, tarball);
	if (runner.wants('beyond')) await beyondSuite(runner, tarball);
	return runner.summary();
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
