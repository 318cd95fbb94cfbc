/**
 * Max Pages per Run: a guard against a runaway loop sending a whole archive to LlamaCloud. Each document's pages
 * are counted locally before it is uploaded; once the pages let through in this execution would pass the limit, the
 * item is refused before anything is uploaded or created, so no job is left half-done.
 *
 * Items take their turn in the order they start (item order), so which items are refused does not depend on how
 * fast uploads or counts finish.
 */
import type { IDataObject } from 'n8n-workflow';

/**
 * Pages of a PDF: the page objects (`/Type /Page`, not the `/Pages` tree nodes). PDFs that keep objects in
 * compressed object streams can hide page objects there, so when the file has any, the count is trusted only if
 * the page tree's `/Count` says the same; otherwise, and for anything that is not a PDF, the count is unknown.
 */
export function countPdfPages(bytes: Uint8Array): number | undefined {
	const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
	if (!text.slice(0, 1024).includes('%PDF-')) return undefined;
	const pages = text.match(/\/Type\s*\/Page(?![A-Za-z0-9])/g)?.length ?? 0;
	const hasObjectStreams = /\/Type\s*\/ObjStm(?![A-Za-z0-9])/.test(text);
	if (!hasObjectStreams) return pages > 0 ? pages : undefined;
	const treeCounts = [...text.matchAll(/\/Type\s*\/Pages(?![A-Za-z0-9])[^>]*?\/Count\s+(\d+)|\/Count\s+(\d+)[^>]*?\/Type\s*\/Pages(?![A-Za-z0-9])/g)]
		.map((match) => Number(match[1] ?? match[2]));
	const rootCount = treeCounts.length > 0 ? Math.max(...treeCounts) : undefined;
	return pages > 0 && rootCount === pages ? pages : undefined;
}

const ONE_PAGE_TYPES = /^image\/(png|jpe?g|gif|bmp|webp)$/i;

/** Pages of a document by its type: a PDF is counted, a plain image is one page, anything else is unknown. */
export function countDocumentPages(bytes: Uint8Array, mimeType: string | undefined, fileName?: string): number | undefined {
	if (mimeType === 'application/pdf' || /\.pdf$/i.test(fileName ?? '') || countPdfPagesHeader(bytes)) return countPdfPages(bytes);
	if (mimeType && ONE_PAGE_TYPES.test(mimeType)) return 1;
	return undefined;
}

function countPdfPagesHeader(bytes: Uint8Array): boolean {
	return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024)).toString('latin1').includes('%PDF-');
}

/** An unknown page count takes one page of the budget: at least one page is always billed. */
export const UNKNOWN_DOCUMENT_PAGES = 1;

export interface BudgetDecision {
	allowed: boolean;
	/** Pages counted for this document; null when they could not be read. */
	pages: number | null;
	/** Pages taken from the budget for it (the count, or 1 when unknown). */
	charged: number;
	/** Pages let through in this run, this document included when allowed. */
	used: number;
	max: number;
}

export interface BudgetTurn {
	/** Decides, once every earlier item has. */
	take(pages: number | undefined): Promise<BudgetDecision>;
	/** Gives up the turn without deciding (the item failed first); safe to call after take. */
	release(): void;
}

export class PageBudget {
	private used = 0;

	private lastTurn: Promise<void> = Promise.resolve();

	constructor(readonly max: number) {}

	/** Takes a place in line, synchronously, so turns follow the order items start in. */
	enter(): BudgetTurn {
		const previous = this.lastTurn;
		let done: () => void = () => {};
		this.lastTurn = new Promise<void>((resolve) => (done = resolve));
		return {
			take: async (pages) => {
				await previous;
				try {
					return this.decide(pages);
				} finally {
					done();
				}
			},
			release: () => done(),
		};
	}

	private decide(pages: number | undefined): BudgetDecision {
		const charged = pages ?? UNKNOWN_DOCUMENT_PAGES;
		const allowed = this.used + charged <= this.max;
		if (allowed) this.used += charged;
		return { allowed, pages: pages ?? null, charged, used: allowed ? this.used : this.used, max: this.max };
	}

	/** What the budget looks like, for error details. */
	snapshot(): IDataObject {
		return { max_pages_per_run: this.max, pages_submitted: this.used };
	}
}
