/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * Proves that every module the installed package requires at run time resolves inside the n8n that loads it.
 *
 * A child process on the runtime's own Node does what n8n does before loading community packages
 * (`load-nodes-and-credentials.js`: prepend n8n's module paths to NODE_PATH, then `Module._initPaths()`),
 * then resolves each bare `require()` found in the package's dist from the package's own files, and loads
 * every node and credential class the way n8n's loader does (`new (require(file)[ClassName])()`).
 */
import path from 'node:path';

import type { N8nInstance } from './n8n';
import { runOk } from './proc';
import { nodeExe } from './runtimes';

export interface ImportReport {
	/** Bare module name -> file it resolved to. */
	resolved: Record<string, string>;
	/** Modules that did not resolve, or resolved outside n8n's own node_modules. */
	problems: string[];
	/** Node and credential classes that loaded, with their `name`. */
	loaded: Array<{ file: string; className: string; name: string }>;
}

const CHILD = String.raw`
const Module = require('module');
const fs = require('fs');
const path = require('path');
const [packageDir, n8nDir] = process.argv.slice(1);
// What n8n does before it loads community packages.
const n8nPaths = Module._nodeModulePaths(path.join(n8nDir, 'dist'));
process.env.NODE_PATH = [n8nPaths.join(path.delimiter), process.env.NODE_PATH].filter(Boolean).join(path.delimiter);
Module._initPaths();

const n8nModulesRoot = path.dirname(n8nDir) + path.sep; // .../node_modules/ that holds n8n
const pkg = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
const files = [];
(function walk(dir) {
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) walk(full);
		else if (entry.name.endsWith('.js')) files.push(full);
	}
})(path.join(packageDir, 'dist'));

const resolved = {};
const problems = [];
for (const file of files) {
	const source = fs.readFileSync(file, 'utf8');
	const req = Module.createRequire(file);
	for (const match of source.matchAll(/require\(\s*["']([^"'./][^"']*)["']\s*\)/g)) {
		const spec = match[1];
		const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
		if (Module.isBuiltin(spec) || resolved[spec]) continue;
		try {
			const where = req.resolve(spec);
			resolved[spec] = where;
			if (!where.startsWith(n8nModulesRoot)) problems.push(spec + ' resolved outside n8n: ' + where);
		} catch (error) {
			problems.push(spec + ' (' + name + ') does not resolve from ' + path.relative(packageDir, file) + ': ' + error.message);
		}
	}
}

const loaded = [];
for (const rel of [...(pkg.n8n.nodes || []), ...(pkg.n8n.credentials || [])]) {
	const file = path.join(packageDir, rel);
	const className = path.basename(rel).split('.')[0];
	try {
		const instance = new (require(file)[className])();
		loaded.push({ file: rel, className, name: instance.description ? instance.description.name : instance.name });
	} catch (error) {
		problems.push('loading ' + className + ' from ' + rel + ' failed: ' + (error && error.stack || error));
	}
}
process.stdout.write('@@IMPORTS@@' + JSON.stringify({ resolved, problems, loaded }));
`;

export async function checkPackageImports(n8n: N8nInstance): Promise<ImportReport> {
	const result = await runOk('import check', nodeExe(n8n.runtime), ['-e', CHILD, n8n.packageDir, n8n.runtime.n8nDir], {
		env: { PATH: process.env.PATH, HOME: process.env.HOME, N8N_USER_FOLDER: n8n.userFolder },
		cwd: path.dirname(n8n.packageDir),
		timeoutMs: 60_000,
	});
	const marker = result.output.indexOf('@@IMPORTS@@');
	if (marker < 0) throw new Error(`import check printed no report:\n${result.output.slice(-3000)}`);
	return JSON.parse(result.output.slice(marker + '@@IMPORTS@@'.length)) as ImportReport;
}
