/**
 * Max Pages per Run: the check that runs before each document is uploaded (the option is in
 * descriptions/pageBudgetOption.ts; counting and the budget in nodes/shared/pageBudget.ts).
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { LlamaCloudClient } from '../../shared/client';
import { countDocumentPages } from '../../shared/pageBudget';
import { readMaxPages } from '../descriptions/pageBudgetOption';
import type { BeforeSubmit, DocumentSource } from './documentInput';

async function pagesOf(ctx: IExecuteFunctions, itemIndex: number, source: DocumentSource): Promise<number | undefined> {
	if (source.kind === 'id') return undefined;
	if (source.kind === 'bytes') return countDocumentPages(source.file.data, source.file.mimeType, source.file.fileName);
	const binary = ctx.getInputData()[itemIndex]?.binary?.[source.binaryPropertyName];
	// A missing field is reported by the upload, with its own fix.
	if (!binary) return undefined;
	const bytes = await ctx.helpers.getBinaryDataBuffer(itemIndex, source.binaryPropertyName);
	return countDocumentPages(bytes, binary.mimeType, binary.fileName);
}

/**
 * The check to run before this item's document is submitted, or undefined when the run has no limit. It takes the
 * item's turn now, so turns follow item order.
 */
export function pageBudgetCheck(
	client: LlamaCloudClient<IExecuteFunctions>,
	itemIndex: number,
	maxPagesOfConfiguration?: number | null,
): { check: BeforeSubmit; release: () => void } | undefined {
	const ctx = client.ctx;
	const max = readMaxPages.call(ctx);
	if (max <= 0) return undefined;
	const budget = client.pageBudget(max);
	const turn = budget.enter();
	const check: BeforeSubmit = async (source) => {
		let pages: number | undefined;
		try {
			pages = await pagesOf(ctx, itemIndex, source);
		} catch {
			pages = undefined;
		}
		// A configuration's max_pages caps what LlamaCloud reads.
		if (pages !== undefined && maxPagesOfConfiguration) pages = Math.min(pages, maxPagesOfConfiguration);
		const decision = await turn.take(pages);
		if (decision.allowed) return;
		const counted = decision.pages === null ? 'pages that could not be counted (one page charged)' : `${decision.pages} page(s)`;
		const error = new NodeOperationError(
			ctx.getNode(),
			`Max Pages per Run reached: item ${itemIndex} (${counted}) was not submitted, because this run already sent ${decision.used} of its ${decision.max} pages`,
			{
				itemIndex,
				description: `Nothing was uploaded and no job was created for this item. The budget is Options › Max Pages per Run (now ${decision.max}); raise it, or set it to 0 for no limit, to extract the remaining items. It guards against a loop sending more documents than intended.`,
			},
		);
		throw error;
	};
	return { check, release: turn.release };
}
