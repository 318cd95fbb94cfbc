/**
 * The R rows (bench/rate.ts) as markdown, with the issue's targets checked and its before figures beside them.
 */
import type { RateRow } from './rate';

const seconds = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '–');
const percent = (part: number, whole: number) => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '–');

/** The issue's figures before pacing, by scenario id. */
const BEFORE: Record<string, string> = {
	uploads: '1,000 documents: 107.9 s (1.08×), 535 of 2,744 requests answered 429 (19.5%)',
	free: '182.6 s (1.01×), 35 of 101 answered 429 (35%)',
	freeHarsh: 'failed after 441 s: 1,214 of 1,238 answered 429 (98%), no job created',
	uploadsHarsh: 'not measured',
	memory1000: '566.7 MB peak (138 MB over 10 documents), without pacing',
	memory10: '428.7 MB peak',
	memory1000Unlimited: '–',
};

export interface RateTarget {
	row: string;
	target: string;
	measured: string;
	met: boolean;
}

export function rateTargets(rows: RateRow[]): RateTarget[] {
	const targets: RateTarget[] = [];
	const byId = new Map(rows.map((row) => [row.scenario.id, row]));
	for (const row of rows) {
		const { scenario } = row;
		if (scenario.id.startsWith('memory')) continue;
		const harsh = scenario.limits.countRefused === true;
		const free = scenario.limits.plan === 'free';
		const ratio = row.nodeMs / scenario.boundMs;
		const maxRatio = harsh ? 1.25 : 1.1;
		targets.push({
			row: scenario.label,
			target: `wall ≤ ${maxRatio.toFixed(2)}× the bound, 0 failed items${harsh ? '' : `, ≤ ${free ? 2 : 1}% answered 429`}${free ? '' : ', 0 duplicate jobs'}`,
			measured: `${ratio.toFixed(2)}×, ${row.failedItems} failed, ${percent(row.refused, row.requests)} 429, ${row.duplicateJobs} duplicates`,
			met:
				ratio <= maxRatio &&
				row.failedItems === 0 &&
				row.duplicateJobs === 0 &&
				(harsh || row.refused / row.requests <= (free ? 0.02 : 0.01)),
		});
	}
	const many = byId.get('memory1000');
	const few = byId.get('memory10');
	if (many && few) {
		const growth = many.peakRssMb - few.peakRssMb;
		targets.push({
			row: 'Memory, 1,000 × 1 MB, filesystem mode',
			target: 'peak RSS growth over 10 documents ≤ 200 MB, output items included',
			measured: `${growth.toFixed(1)} MB (${many.peakRssMb.toFixed(1)} MB against ${few.peakRssMb.toFixed(1)} MB); until the last job finished ${(many.peakWhileExtractingMb - few.peakWhileExtractingMb).toFixed(1)} MB`,
			met: growth <= 200 && many.failedItems === 0,
		});
	}
	return targets;
}

export function rateMarkdown(rows: RateRow[]): string {
	if (rows.length === 0) return '';
	const lines = [
		'## R1–R3: rate limits and memory in real n8n 2.41.1 (issue 13)',
		'',
		'`n8n execute` of a packed build in n8n 2.41.1 (a fresh user folder per run); the folder-batch example (Manual Trigger → Read/Write Files from Disk → Extract Data → Split Out) over one-page invoice PDFs, default settings (Max Concurrent Jobs 20). Emulator job time 1 s; LlamaCloud\'s documented limits enforced by the emulator (uploads 50 per 5 s per project; the free tier 20 requests per minute per organization, sliding windows, 429 with Retry-After). "Harsh" = the emulator counts refused requests toward the window and sends no Retry-After. Runs in the same phase ran side by side. Node time = the Extract Data node\'s execution time.',
		'',
		'| Row | Documents | Node time | Bound | vs the bound | Correct | Failed items | Jobs (duplicates) | Requests answered 429 | Before (issue 13) |',
		'|---|---|---|---|---|---|---|---|---|---|',
	];
	for (const row of rows.filter((entry) => !entry.scenario.id.startsWith('memory'))) {
		const { scenario } = row;
		lines.push(
			`| ${scenario.label} | ${scenario.docs} | ${seconds(row.nodeMs)}${row.error ? ` (${row.status}: ${row.error.slice(0, 120)})` : ''} | ${seconds(scenario.boundMs)} (${scenario.boundText}) | ${(row.nodeMs / scenario.boundMs).toFixed(2)}× | ${row.correct} | ${row.failedItems} | ${row.jobs} (${row.duplicateJobs}) | ${row.refused} of ${row.requests} (${percent(row.refused, row.requests)}) | ${BEFORE[scenario.id] ?? '–'} |`,
		);
	}
	const memory = rows.filter((entry) => entry.scenario.id.startsWith('memory'));
	if (memory.length > 0) {
		lines.push(
			'',
			'| Memory row | Node time | Peak RSS of the n8n process | Peak until the last job finished | Peak reached at | Correct | Requests answered 429 | Before (issue 13) |',
			'|---|---|---|---|---|---|---|---|',
		);
		for (const row of memory) {
			lines.push(
				`| ${row.scenario.label} | ${seconds(row.nodeMs)} | ${row.peakRssMb.toFixed(1)} MB | ${row.peakWhileExtractingMb.toFixed(1)} MB | ${seconds(row.peakAt)} of ${seconds(row.executionMs)} | ${row.correct} of ${row.scenario.docs} | ${row.refused} of ${row.requests} | ${BEFORE[row.scenario.id] ?? '–'} |`,
			);
		}
		lines.push(
			'',
			'Growth = peak RSS of the 1,000-document run minus that of the 10-document run, both whole `n8n execute` processes (n8n started, the workflow run, the run printed as JSON at the end). "Until the last job finished" is the peak up to one second after the last job finished; n8n storing and printing the run often falls inside that second, so it need not leave the printing out.',
		);
	}
	const targets = rateTargets(rows);
	lines.push('', '| Target | Wanted | Measured | Met |', '|---|---|---|---|');
	for (const target of targets) lines.push(`| ${target.row} | ${target.target} | ${target.measured} | ${target.met ? 'yes' : 'no'} |`);
	lines.push('');
	return lines.join('\n');
}
