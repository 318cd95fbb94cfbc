/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/* eslint-disable no-console */
/**
 * Builds the package and packs it with `npm pack`, giving the same tarball users install from npm.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

import { runOk } from './proc';
import { PACKAGE_NAME, REPO_ROOT, RUNTIME_DIR } from './runtimes';

export const BUILT_NODE = path.join(REPO_ROOT, 'dist/nodes/LlamaExtract/LlamaExtract.node.js');

/** `npm run build` at the repo root (skipped with `build: false`), then `npm pack`; returns the tarball path. */
export async function buildAndPack({ build = true }: { build?: boolean } = {}): Promise<string> {
	if (build) {
		const result = await runOk('npm run build', 'npm', ['run', 'build'], { cwd: REPO_ROOT, timeoutMs: 300_000 });
		console.log(`    build: ${result.ms} ms`);
	}
	if (!existsSync(BUILT_NODE)) throw new Error(`${BUILT_NODE} is missing; does \`npm run build\` work?`);
	const dest = path.join(RUNTIME_DIR, 'pack');
	rmSync(dest, { recursive: true, force: true });
	mkdirSync(dest, { recursive: true });
	await runOk('npm pack', 'npm', ['pack', '--pack-destination', dest], { cwd: REPO_ROOT, timeoutMs: 120_000 });
	const tarball = readdirSync(dest).find((f) => f.startsWith(`${PACKAGE_NAME}-`) && f.endsWith('.tgz'));
	if (!tarball) throw new Error(`npm pack left no ${PACKAGE_NAME}-*.tgz in ${dest}`);
	return path.join(dest, tarball);
}
