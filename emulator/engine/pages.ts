/** `target_pages` ("1,3,5-7", 1-based) and `max_pages`. The syntax is the shared rule (nodes/shared/rules.ts). */
import { parseTargetPages } from '../../nodes/shared/rules';

export class PageRangeError extends Error {}

/** Parses a page list into sorted page numbers; throws PageRangeError with the rule's reason. */
export function parsePageList(spec: string): number[] {
	if (spec.trim() === '') throw new PageRangeError('target_pages is empty');
	const parsed = parseTargetPages(spec);
	if ('problem' in parsed) throw new PageRangeError(`target_pages: ${parsed.problem}`);
	const pages = new Set<number>();
	for (const [first, last] of parsed.ranges) for (let page = first; page <= last; page++) pages.add(page);
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
