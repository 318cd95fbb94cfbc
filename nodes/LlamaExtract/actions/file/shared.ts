/** Pieces the file operations share. */
import type { INodeProperties } from 'n8n-workflow';

/** Your own ID for a file: set by Upload, searched by Get Many. */
export function externalFileIdParameter(description: string): INodeProperties {
	return {
		displayName: 'External File ID',
		name: 'externalFileId',
		type: 'string',
		default: '',
		placeholder: 'e.g. invoice-2026-001',
		description,
	};
}
