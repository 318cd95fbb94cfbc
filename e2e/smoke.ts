/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/* eslint-disable no-console */
/**
 * Infrastructure smoke test: a built-in workflow (Manual Trigger -> Set -> NoOp) through the CLI and the server
 * of each n8n runtime. Needs no package build. Run: npx tsx e2e/smoke.ts [v2|v1]
 */
import assert from 'node:assert/strict';
import path from 'node:path';

import { N8nInstance, nodeOutput } from './lib/n8n';
import { E2E_DIR, RUNTIMES } from './lib/runtimes';

async function smoke(key: 'v2' | 'v1') {
	const t0 = Date.now();
	const n8n = await N8nInstance.create({ runtime: RUNTIMES[key], name: `smoke-${key}` });
	try {
		await n8n.importWorkflows(path.join(E2E_DIR, 'workflows/smoke.json'));
		const t1 = Date.now();
		const cli = await n8n.execute('e2eSmokeBuiltin');
		assert.equal(cli.code, 0, cli.output.slice(-2000));
		assert.deepEqual(nodeOutput(cli.run, 'No Operation'), [{ greeting: 'hello e2e' }]);
		console.log(`  ${key}: import ${t1 - t0} ms, CLI execute ${cli.ms} ms`);

		await n8n.start();
		await n8n.login();
		await n8n.ensureApiKey();
		const execution = await n8n.runManually('e2eSmokeBuiltin', "When clicking 'Execute workflow'");
		assert.equal(execution.status, 'success');
		assert.deepEqual(nodeOutput(execution, 'No Operation'), [{ greeting: 'hello e2e' }]);
		// The CLI works next to a running server (own task-broker port).
		const again = await n8n.execute('e2eSmokeBuiltin');
		assert.equal(again.code, 0);
		console.log(`  ${key}: server + REST run OK, total ${Date.now() - t0} ms`);
	} finally {
		await n8n.dispose();
	}
}

async function main() {
	const keys = (process.argv[2] ? [process.argv[2]] : ['v2', 'v1']) as Array<'v2' | 'v1'>;
	for (const key of keys) await smoke(key);
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
