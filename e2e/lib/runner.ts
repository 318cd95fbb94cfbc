/* eslint-disable no-console */
/**
 * A very small sequential test runner: suites share expensive state (a running n8n), tests run in order,
 * and a failed `critical` test skips the rest of its suite (counted as failed, with the reason).
 * The last line is "e2e: N passed, N failed".
 */

export interface TestResult {
	suite: string;
	name: string;
	status: 'passed' | 'failed' | 'skipped';
	ms: number;
	error?: string;
}

export class Runner {
	readonly results: TestResult[] = [];
	private readonly started = Date.now();

	constructor(private readonly only?: string[]) {}

	/** Whether a suite (by key) is selected with --only. */
	wants(key: string): boolean {
		return !this.only || this.only.includes(key);
	}

	async suite(name: string, body: (s: Suite) => Promise<void>): Promise<void> {
		console.log(`\n▶ ${name}`);
		const suite = new Suite(name, this.results);
		const t0 = Date.now();
		try {
			await body(suite);
		} catch (error) {
			if (!(error instanceof SuiteAborted)) {
				this.results.push({ suite: name, name: '(suite setup/teardown)', status: 'failed', ms: 0, error: describe(error) });
				console.log(`  ✗ suite error: ${describe(error)}`);
			}
		}
		console.log(`  (${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
	}

	/** Prints the summary; returns the process exit code. */
	summary(): number {
		const passed = this.results.filter((r) => r.status === 'passed').length;
		const failed = this.results.filter((r) => r.status !== 'passed').length;
		console.log('\n──── e2e summary ────');
		for (const r of this.results) {
			const mark = r.status === 'passed' ? '✓' : r.status === 'skipped' ? '-' : '✗';
			console.log(`${mark} [${r.suite}] ${r.name} (${(r.ms / 1000).toFixed(1)} s)${r.error ? `\n    ${r.error.split('\n').slice(0, 6).join('\n    ')}` : ''}`);
		}
		console.log(`total ${((Date.now() - this.started) / 1000).toFixed(1)} s`);
		console.log(`e2e: ${passed} passed, ${failed} failed`);
		return failed === 0 && passed > 0 ? 0 : 1;
	}
}

class SuiteAborted extends Error {}

export class Suite {
	private aborted?: string;

	constructor(
		readonly name: string,
		private readonly results: TestResult[],
	) {}

	/** Runs one test. With `critical`, a failure skips the suite's remaining tests. */
	async test(name: string, body: () => Promise<void>, { critical = false }: { critical?: boolean } = {}): Promise<void> {
		if (this.aborted) {
			this.results.push({ suite: this.name, name, status: 'skipped', ms: 0, error: `not run: ${this.aborted}` });
			console.log(`  - ${name} (skipped)`);
			return;
		}
		const t0 = Date.now();
		try {
			await body();
			const ms = Date.now() - t0;
			this.results.push({ suite: this.name, name, status: 'passed', ms });
			console.log(`  ✓ ${name} (${(ms / 1000).toFixed(1)} s)`);
		} catch (error) {
			const ms = Date.now() - t0;
			this.results.push({ suite: this.name, name, status: 'failed', ms, error: describe(error) });
			console.log(`  ✗ ${name} (${(ms / 1000).toFixed(1)} s)\n    ${describe(error).split('\n').join('\n    ')}`);
			if (critical) this.aborted = `"${name}" failed`;
		}
	}

	/** Stops the suite here if a critical test failed (so the suite body can skip its own setup). */
	checkpoint(): void {
		if (this.aborted) throw new SuiteAborted(this.aborted);
	}
}

function describe(error: unknown): string {
	if (error instanceof Error) return (error.message || String(error)).slice(0, 3000);
	return String(error).slice(0, 3000);
}
