 
/** `target_pages` ("1,3,5-7", 1-based) and `max_pages`. */

export class PageRangeError extends Error {}

/** Parses a page list; throws PageRangeError with a message that names the bad part. */
export function parsePageList(spec: string): number[] {
	const pages = new Set<number>();
	const parts = spec.split(',').map((part) => part.trim());
	if (parts.every((part) => part === '')) throw new PageRangeError('target_pages is empty');
	for (const part of parts) {
		if (part === '') throw new PageRangeError(`target_pages "${spec}" has an empty entry`);
		const range = /^(\d+)\s*-\s*(\d+)$/.exec(part);
		if (range) {
			const from = Number(range[1]);
			const to = Number(range[2]);
			if (from < 1 || to < 1) throw new PageRangeError(`Page numbers are 1-based; "${part}" is not valid`);
			if (to < from) throw new PageRangeError(`Page range "${part}" ends before it starts`);
			if (to - from > 100_000) throw new PageRangeError(`Page range "${part}" is too large`);
			for (let page = from; page <= to; page++) pages.add(page);
			continue;
		}
		if (/^\d+$/.test(part)) {
			const page = Number(part);
			if (page < 1) throw new PageRangeError(`Page numbers are 1-based; "${part}" is not valid`);
			pages.add(page);
			continue;
		}
		throw new PageRangeError(`"${part}" in target_pages is not a page number or a range like 5-7`);
	}
	return [...pages].sort((a, b) => a - b);
}

/** The 1-based page numbers to process, in order. */
export function selectPages(
	pageCount: number,
	targetPages: string | null | undefined,
	maxPages: number | null | undefined,
): number[] {
	let selected = Array.from({ length: pageCount }, (_, index) => index + 1);
	if (targetPages && targetPages.trim() !== '') {
		const wanted = new Set(parsePageList(targetPages));
		selected = selected.filter((page) => wanted.has(page));
	}
	if (maxPages !== null && maxPages !== undefined && maxPages >= 1) selected = selected.slice(0, maxPages);
	return selected;
}
