 
/** Parse v2, only as much as `pjb-` inputs to extract need: create from a file id, and get. */
import { PARSE_TIERS, ParseCreateRequest, type ParseJobResponse } from '../../nodes/shared/contract';
import { describeChoices, json, notFound, parseBody, readJson, unprocessable, validationEntry } from '../http';
import type { Router } from '../router';
import { pendingMsFor } from '../scheduler';
import { iso, newId, type EmulatorState, type ParseJobRecord } from '../state';

export function registerParseRoutes(router: Router, state: EmulatorState): void {
	router.add('POST', '/api/v2/parse', async (ctx) => {
		const body = parseBody(ParseCreateRequest, await readJson(ctx.req));
		if (!(PARSE_TIERS as readonly string[]).includes(body.tier)) {
			throw unprocessable([validationEntry(['body', 'tier'], `Input should be ${describeChoices(PARSE_TIERS)}`, 'enum', body.tier)]);
		}
		if (!body.file_id) {
			throw unprocessable([
				validationEntry(['body'], 'The emulator parses uploaded files: provide file_id (source_url is not supported)', 'value_error'),
			]);
		}
		const file = state.files.get(body.file_id);
		if (!file) throw notFound(`File not found: ${body.file_id}`);
		const now = state.clock.now();
		const job: ParseJobRecord = {
			id: newId('pjb-'),
			seq: state.nextSeq(),
			fileId: file.id,
			tier: body.tier,
			status: 'PENDING',
			createdAtMs: now,
			updatedAtMs: now,
			errorMessage: null,
			name: typeof body.name === 'string' ? body.name : null,
			userMetadata: body.user_metadata ?? null,
			internal: false,
		};
		state.parseJobs.set(job.id, job);
		const jobMs = state.jobTime({ id: job.id, kind: 'parse', fileInput: file.id, fileName: file.name });
		const setStatus = (status: ParseJobRecord['status'], atMs: number) => {
			if (job.status === 'CANCELLED' || job.status === 'COMPLETED' || job.status === 'FAILED') return;
			job.status = status;
			job.updatedAtMs = atMs;
			state.emit({ type: 'job', kind: 'parse', id: job.id, status, atMs });
		};
		state.scheduler.at(job.id, now + pendingMsFor(jobMs), () => setStatus('RUNNING', state.clock.now()));
		state.scheduler.at(job.id, now + jobMs, () => {
			// A parse of an unreadable file fails like the real service would.
			state.documentOf(file).then(
				() => setStatus('COMPLETED', state.clock.now()),
				(error: Error) => {
					job.errorMessage = error.message;
					setStatus('FAILED', state.clock.now());
				},
			);
		});
		return json(200, parseJobResponse(state, job));
	});

	router.add('GET', '/api/v2/parse/{job_id}', async (ctx) => {
		const job = state.parseJobs.get(ctx.params.job_id);
		if (!job) throw notFound(`Parse job not found: ${ctx.params.job_id}`);
		const expand = ctx.query.list('expand');
		const response: Record<string, unknown> = { job: parseJobResponse(state, job) };
		if (job.status === 'COMPLETED' && (expand.includes('text') || expand.includes('markdown')) && job.fileId) {
			const file = state.files.get(job.fileId);
			const document = file ? await state.documentOf(file) : undefined;
			const pages = document?.pages ?? [];
			if (expand.includes('text')) {
				response.text = {
					pages: pages.map((page) => ({ page_number: page.number, text: page.lines.map((line) => line.text).join('\n') })),
				};
			}
			if (expand.includes('markdown')) {
				response.markdown = {
					pages: pages.map((page) => ({
						page_number: page.number,
						markdown: page.lines.map((line) => line.cells.map((cell) => cell.text).join(' | ')).join('\n'),
						success: true,
					})),
				};
			}
		}
		return json(200, response);
	});
}

export function parseJobResponse(state: EmulatorState, job: ParseJobRecord): ParseJobResponse {
	return {
		id: job.id,
		project_id: state.jobProjectId,
		status: job.status,
		error_message: job.errorMessage,
		name: job.name,
		tier: job.tier,
		created_at: iso(job.createdAtMs),
		updated_at: iso(job.updatedAtMs),
		user_metadata: job.userMetadata,
	};
}
