/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/* eslint-disable no-console */
/** Queue-mode infrastructure smoke test (built-in nodes only): npx tsx e2e/smoke-queue.ts */
import assert from 'node:assert/strict';
import path from 'node:path';

import { N8nInstance } from './lib/n8n';
import { E2E_DIR, RUNTIMES } from './lib/runtimes';
import { Postgres, Redis } from './lib/services';

async function main() {
	const t0 = Date.now();
	const logs = path.join(E2E_DIR, '.runtime/logs');
	const pg = await Postgres.start(path.join(logs, 'queue-postgres.log'));
	const redis = await Redis.start(path.join(logs, 'queue-redis.log'));
	console.log(`  postgres :${pg.port} + redis :${redis.port} up in ${Date.now() - t0} ms`);
	await pg.createDatabase('n8n');
	const env = { ...pg.n8nEnv('n8n'), ...redis.n8nEnv() };
	const main = await N8nInstance.create({ runtime: RUNTIMES.v2, name: 'queue-main', env });
	const worker = await N8nInstance.create({ runtime: RUNTIMES.v2, name: 'queue-worker', env, encryptionKey: main.encryptionKey });
	try {
		await main.start();
		await worker.start({ command: ['worker', '--concurrency=5'] });
		await main.importWorkflows(path.join(E2E_DIR, 'workflows/smoke-webhook.json'));
		await main.activate('e2eSmokeWebhook');
		const response = await main.waitForWebhook('/webhook/e2e-smoke', () => ({
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ who: 'queue' }),
		}));
		const body = (await response.json()) as { greeting: string };
		assert.equal(body.greeting, 'hello queue');
		assert.match(worker.serverOutput, /Worker finished execution/);
		console.log(`  queue mode OK in ${Date.now() - t0} ms`);
	} finally {
		await worker.stop();
		await main.stop();
		await redis.stop();
		await pg.stop();
	}
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
