/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/* eslint-disable no-console */
/**
 * CLI: `npm run emulator -- --port 4010 --job-ms 1500 --max-concurrent-jobs 10 [--plan free] [--no-retry-after]`
 * Enforces LlamaCloud's documented upload limit unless told otherwise (limits.ts).
 * Runs until SIGINT/SIGTERM.
 */
import { DOCUMENTED_RATE_LIMITS, type RateLimitSettings } from './limits';
import { startEmulator, type EmulatorOptions } from './server';

const USAGE = `Usage: tsx emulator/main.ts [options]
  --port <n>                  port (default 0 = random)
  --host <host>               127.0.0.1 (default), localhost or ::1
  --api-key <key>             accepted Bearer key; repeat for several (default llx-emulator-key)
  --job-ms <ms>               job time (default 1500)
  --max-concurrent-jobs <n>   cap on RUNNING jobs, 0 = none (default 0)
  --project-id <uuid>         project id
  --upload-limit <n/seconds>  uploads per project, e.g. 50/5 (default, LlamaCloud's documented limit); 0 = none
  --plan <paid|free>          free: also 20 requests per minute per organization, every request (default paid)
  --no-retry-after            answer 429 without Retry-After
  --count-refused             refused requests count toward the window
  --no-rate-limits            no rate limits at all
  --help`;

function parseArgs(argv: string[]): EmulatorOptions {
	const options: EmulatorOptions = {};
	const limits: Partial<RateLimitSettings> = { ...DOCUMENTED_RATE_LIMITS };
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
			case '--upload-limit': {
				const text = value();
				const match = /^(\d+)(?:\/(\d+(?:\.\d+)?))?$/.exec(text);
				if (!match) throw new Error('--upload-limit needs <requests>/<seconds>, e.g. 50/5, or 0');
				const requests = Number(match[1]);
				limits.uploads = requests === 0 ? false : { requests, windowMs: Number(match[2] ?? 5) * 1000 };
				break;
			}
			case '--plan': {
				const plan = value();
				if (plan !== 'free' && plan !== 'paid') throw new Error('--plan is free or paid');
				limits.plan = plan;
				break;
			}
			case '--no-retry-after':
				limits.retryAfter = false;
				break;
			case '--count-refused':
				limits.countRefused = true;
				break;
			case '--no-rate-limits':
				limits.uploads = false;
				limits.plan = 'paid';
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
	options.rateLimits = limits;
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
