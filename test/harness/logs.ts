/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * Logs and leaks: a sink for everything n8n and the node log (LoggerProxy and the `Logger` that node contexts
 * resolve from the DI container) plus the console, and a leak check that walks every output item, error and log
 * line for a secret (the test API_KEY, from emulator.ts).
 */
import { createRequire } from 'node:module';

import type { Logger as LoggerClass } from '@n8n/backend-common';
import type { Container as ContainerType } from '@n8n/di';
import type { INodeExecutionData } from 'n8n-workflow';
import { LoggerProxy } from 'n8n-workflow';

import type { RunResult } from './n8n';

// n8n-core carries its own copies of these two; node contexts resolve their logger from that container.
const coreRequire = createRequire(require.resolve('n8n-core'));
const { Container } = coreRequire('@n8n/di') as { Container: typeof ContainerType };
const { Logger } = coreRequire('@n8n/backend-common') as { Logger: typeof LoggerClass };

export interface LogLine {
	level: string;
	message: string;
	meta?: unknown;
}

/** Captures every log line (debug included) and console call from the moment it is installed. */
export class LogCapture {
	readonly lines: LogLine[] = [];

	private readonly restore: Array<() => void> = [];
	private readonly waiters = new Set<() => void>();

	install(): this {
		const sink = (level: string) => (message: string, meta?: unknown) => {
			this.lines.push({ level, message: String(message), meta });
			for (const wake of [...this.waiters]) wake();
		};
		const logger = {
			error: sink('error'),
			warn: sink('warn'),
			info: sink('info'),
			debug: sink('debug'),
			scoped: () => logger,
		};
		Container.set(Logger, logger as unknown as LoggerClass);
		LoggerProxy.init(logger as never);
		for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
			const spy = jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
				this.lines.push({ level: `console.${level}`, message: args.map((arg) => deepText(arg)).join(' ') });
			});
			this.restore.push(() => spy.mockRestore());
		}
		return this;
	}

	uninstall(): void {
		for (const undo of this.restore.splice(0)) undo();
	}

	matching(pattern: RegExp): LogLine[] {
		return this.lines.filter((line) => pattern.test(line.message));
	}

	/** Resolves once `count` lines match: lets a test act on what the node did instead of on a guessed delay. */
	waitFor(pattern: RegExp, count = 1): Promise<void> {
		return new Promise((resolve) => {
			const check = () => {
				if (this.matching(pattern).length < count) return;
				this.waiters.delete(check);
				resolve();
			};
			this.waiters.add(check);
			check();
		});
	}
}

/**
 * Everything reachable from a value as text: own enumerable and non-enumerable properties (an Error's message,
 * stack, description, cause, context), arrays, maps, with cycles cut. A leak anywhere in there shows up.
 */
export function deepText(value: unknown): string {
	const seen = new Set<unknown>();
	const parts: string[] = [];
	const walk = (node: unknown, depth: number) => {
		if (node === null || node === undefined || depth > 12) return;
		if (typeof node === 'string') {
			parts.push(node);
			return;
		}
		if (typeof node !== 'object' && typeof node !== 'function') {
			parts.push(String(node));
			return;
		}
		if (seen.has(node)) return;
		seen.add(node);
		if (Buffer.isBuffer(node)) {
			parts.push(node.toString('latin1'));
			return;
		}
		if (node instanceof Map) {
			for (const [key, entry] of node) {
				walk(key, depth + 1);
				walk(entry, depth + 1);
			}
			return;
		}
		for (const key of Object.getOwnPropertyNames(node)) {
			parts.push(key);
			let entry: unknown;
			try {
				entry = (node as Record<string, unknown>)[key];
			} catch {
				continue;
			}
			walk(entry, depth + 1);
		}
	};
	walk(value, 0);
	return parts.join('\n');
}

/** Collects what a suite's workflows produced, for the end-of-suite leak check. */
export class LeakWatch {
	private readonly texts: string[] = [];

	/** How many results and values were recorded. */
	recorded = 0;

	record(result: RunResult): RunResult {
		this.recorded++;
		this.texts.push(deepText(result.items));
		this.texts.push(deepText(result.error));
		this.texts.push(deepText(result.run.data.resultData));
		return result;
	}

	recordValue(value: unknown): void {
		this.recorded++;
		this.texts.push(deepText(value));
	}

	/** Where a secret shows up, as short excerpts; empty when it does not. */
	findLeaks(secret: string, logs: LogCapture): string[] {
		const leaks: string[] = [];
		const scan = (where: string, text: string) => {
			const at = text.indexOf(secret);
			if (at >= 0) leaks.push(`${where}: …${text.slice(Math.max(0, at - 120), at + secret.length + 40)}…`);
		};
		this.texts.forEach((text, index) => scan(`workflow output #${index}`, text));
		logs.lines.forEach((line, index) => scan(`log line #${index} (${line.level})`, `${line.message}\n${deepText(line.meta)}`));
		return leaks;
	}
}

export function errorOf(item: INodeExecutionData): { error: string; description?: string } | undefined {
	const json = item.json as Record<string, unknown>;
	return typeof json.error === 'string'
		? { error: json.error, description: json.description as string | undefined }
		: undefined;
}
