/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * Throwaway PostgreSQL and Redis servers on loopback for queue mode, from Debian's packages
 * (e2e/setup.sh installs them). Data lives in a temp folder and is deleted on stop.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort } from './ports';
import { GroupProcess, runOk } from './proc';

function postgresBinDir(): string {
	const root = '/usr/lib/postgresql';
	const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
	if (versions.length === 0) throw new Error('PostgreSQL is not installed (run e2e/setup.sh)');
	return path.join(root, versions[0], 'bin');
}

export class Postgres {
	private constructor(
		readonly port: number,
		readonly dataDir: string,
		private readonly server: GroupProcess,
	) {}

	readonly user = 'postgres';

	/** initdb into a temp folder and start postgres on 127.0.0.1 (as the postgres user when running as root). */
	static async start(logFile: string): Promise<Postgres> {
		const bin = postgresBinDir();
		const dataDir = mkdtempSync(path.join(os.tmpdir(), 'llx-e2e-pg-'));
		const asUser = process.getuid?.() === 0 ? 'postgres' : undefined;
		if (asUser) await runOk('chown', 'chown', ['-R', 'postgres:postgres', dataDir]);
		await runOk(
			'initdb',
			path.join(bin, 'initdb'),
			['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
			{ asUser, timeoutMs: 60_000, logFile },
		);
		const port = await freePort();
		const server = new GroupProcess(
			'postgres',
			path.join(bin, 'postgres'),
			[
				'-D', dataDir,
				'-p', String(port),
				'-h', '127.0.0.1',
				'-k', dataDir,
				'-c', 'fsync=off',
				'-c', 'synchronous_commit=off',
				'-c', 'full_page_writes=off',
			],
			{ asUser, logFile },
		);
		await server.waitForOutput(/database system is ready to accept connections/, 60_000);
		return new Postgres(port, dataDir, server);
	}

	async createDatabase(name: string): Promise<void> {
		await runOk('createdb', path.join(postgresBinDir(), 'createdb'), ['-h', '127.0.0.1', '-p', String(this.port), '-U', this.user, name], {
			timeoutMs: 30_000,
		});
	}

	/** Environment that points n8n at database `name`. */
	n8nEnv(name: string): Record<string, string> {
		return {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(this.port),
			DB_POSTGRESDB_DATABASE: name,
			DB_POSTGRESDB_USER: this.user,
			DB_POSTGRESDB_PASSWORD: '',
		};
	}

	async stop(): Promise<void> {
		await this.server.stop(20_000);
		rmSync(this.dataDir, { recursive: true, force: true });
	}
}

export class Redis {
	private constructor(
		readonly port: number,
		private readonly server: GroupProcess,
	) {}

	static async start(logFile: string): Promise<Redis> {
		const port = await freePort();
		const server = new GroupProcess(
			'redis',
			'redis-server',
			['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
			{ logFile, cwd: os.tmpdir() },
		);
		await server.waitForOutput(/Ready to accept connections/, 30_000);
		return new Redis(port, server);
	}

	/** Environment that puts n8n in queue mode on this Redis. */
	n8nEnv(): Record<string, string> {
		return {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(this.port),
		};
	}

	async stop(): Promise<void> {
		await this.server.stop(10_000);
	}
}
