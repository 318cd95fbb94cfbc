/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/* eslint-disable no-console */
/**
 * CLI: `npm run emulator -- --port 4010 --job-ms 1500 --max-concurrent-jobs 10`
 * Runs until SIGINT/SIGTERM.
 */
import { startEmulator, type EmulatorOptions } from './server';

const USAGE = `Usage: tsx emulator/main.ts [options]
  --port <n>                  port (default 0 = random)
  --host <host>               127.0.0.1 (default), localhost or ::1
  --api-key <key>             accepted Bearer key; repeat for several (default llx-emulator-key)
  --job-ms <ms>               job time (default 1500)
  --max-concurrent-jobs <n>   cap on RUNNING jobs, 0 = none (default 0)
  --project-id <uuid>         project id
  --help`;

function parseArgs(argv: string[]): EmulatorOptions {
	const options: EmulatorOptions = {};
	const keys: string[] = [];
	for (let index = 0; index < argv.length; index++) {
		const [flag, inline] = argv[index].split('=', 2);
		const value = () => {
			const next = inline ?? argv[++index];
			if (next === undefined) throw new Error(`${flag} needs a value`);
			return next;
		};
		const number = () => {
			const parsed = Number(value());
			if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`${flag} needs a number >= 0`);
			return parsed;
		};
		switch (flag) {
			case '--port':
				options.port = number();
				break;
			case '--host':
				options.host = value();
				break;
			case '--api-key':
				keys.push(value());
				break;
			case '--job-ms':
				options.jobMs = number();
				break;
			case '--max-concurrent-jobs':
				options.maxConcurrentJobs = number();
				break;
			case '--project-id':
				options.projectId = value();
				break;
			case '--help':
			case '-h':
				console.log(USAGE);
				process.exit(0);
				break;
			default:
				throw new Error(`Unknown option ${flag}\n${USAGE}`);
		}
	}
	if (keys.length > 0) options.apiKey = keys;
	return options;
}

async function main(): Promise<void> {
	const emulator = await startEmulator(parseArgs(process.argv.slice(2)));
	console.log(`LlamaCloud emulator listening on ${emulator.url} (api key: ${emulator.apiKeys.join(', ')})`);
	const stop = (signal: string) => {
		console.log(`${signal}: stopping the emulator`);
		emulator.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.once('SIGINT', () => stop('SIGINT'));
	process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
	console.error((error as Error).message ?? error);
	process.exit(1);
});
