// `npm run scan`: n8n's community-package scanner on both of its legs, run locally
// (the published CLI only scans packages already on npm, with provenance).
//   leg 1, source:  package.json + nodes/ + credentials/  (inline eslint-disable comments are ignored)
//   leg 2, tarball: the unpacked `npm pack` output, **/*.js + package.json
// Also checks that the tarball ships only dist/, README, LICENSE, CHANGELOG and package.json.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llamaextract-scan-'));

function report(name, result) {
	if (result.passed) {
		process.stdout.write(`✓ ${name}: clean${result.message ? ` (${result.message})` : ''}\n`);
		return true;
	}
	process.stdout.write(`✗ ${name}: ${result.message}\n${result.details ?? ''}\n`);
	return false;
}

try {
	if (!fs.existsSync(path.join(root, 'dist'))) {
		execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
	}
	const packed = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--pack-destination', workDir], { cwd: root, encoding: 'utf8' }),
	)[0];
	const unpacked = path.join(workDir, 'package');
	execFileSync('tar', ['-xzf', path.join(workDir, packed.filename), '-C', workDir]);

	const allowed = [/^dist\//, /^README\.md$/, /^LICENSE\.md$/, /^CHANGELOG\.md$/, /^package\.json$/];
	const stray = packed.files.map((f) => f.path).filter((p) => !allowed.some((re) => re.test(p)));
	const shipsOnlyAllowed = stray.length === 0;
	process.stdout.write(
		shipsOnlyAllowed
			? `✓ tarball: ${packed.files.length} files, ${(packed.size / 1024).toFixed(1)} kB, only dist/ + README/LICENSE/CHANGELOG/package.json\n`
			: `✗ tarball ships unexpected files: ${stray.join(', ')}\n`,
	);

	const source = report('scanner source leg', await analyzePackage(root, SOURCE_FILE_PATTERNS));
	const tarball = report('scanner tarball leg', await analyzePackage(unpacked, ['**/*.js', 'package.json']));
	process.exitCode = source && tarball && shipsOnlyAllowed ? 0 : 1;
} finally {
	fs.rmSync(workDir, { recursive: true, force: true });
}
