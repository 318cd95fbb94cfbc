 
// pdf-parse ships no types. Its index file runs a debug self-test when loaded without a parent
// module, so the emulator imports the library file directly.
declare module 'pdf-parse/lib/pdf-parse.js' {
	interface PdfTextItem {
		str: string;
		/** [scaleX, skewX, skewY, scaleY, x, y] in PDF user space (origin bottom-left). */
		transform: number[];
		width: number;
		height: number;
	}
	interface PdfPageProxy {
		pageIndex: number;
		getTextContent(options?: {
			normalizeWhitespace?: boolean;
			disableCombineTextItems?: boolean;
		}): Promise<{ items: PdfTextItem[] }>;
		getViewport(scale: number): { width: number; height: number };
	}
	interface PdfParseOptions {
		pagerender?: (page: PdfPageProxy) => Promise<string> | string;
		max?: number;
		version?: string;
	}
	interface PdfParseResult {
		numpages: number;
		numrender: number;
		text: string;
		info: unknown;
		metadata: unknown;
		version: string;
	}
	function pdfParse(data: Buffer, options?: PdfParseOptions): Promise<PdfParseResult>;
	export = pdfParse;
}
