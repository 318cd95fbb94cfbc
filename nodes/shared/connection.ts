/**
 * Where requests go: the LlamaCloud credential's region (or custom base URL) and project, read once per run by the
 * client (client.ts) and handed to the transport with every call.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ApiContext } from './transport';

export const CREDENTIAL_TYPE = 'llamaCloudApi';

export interface LlamaCloudConnection {
	baseUrl: string;
	projectId?: string;
	organizationId?: string;
}

/** The credential's region (or custom base URL) and project as a connection; the client reads the credential once. */
export function toConnection(
	ctx: ApiContext,
	credentials: ICredentialDataDecryptedObject,
	itemIndex: number,
): LlamaCloudConnection {
	const region = String(credentials.region ?? '');
	const rawBaseUrl = region === 'custom' ? String(credentials.baseUrl ?? '').trim() : region;
	let parsed: URL;
	try {
		parsed = new URL(rawBaseUrl);
	} catch {
		throw new NodeOperationError(
			ctx.getNode(),
			`The LlamaCloud credential's Base URL "${rawBaseUrl}" is not a valid URL`,
			{
				itemIndex,
				description:
					'Open the LlamaCloud credential and enter a full URL such as https://api.cloud.llamaindex.ai, or pick the US or EU region.',
			},
		);
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		throw new NodeOperationError(
			ctx.getNode(),
			`The LlamaCloud credential's Base URL "${rawBaseUrl}" must start with http:// or https://`,
			{ itemIndex, description: 'Open the LlamaCloud credential and fix the Base URL.' },
		);
	}
	const projectId = String(credentials.projectId ?? '').trim();
	const organizationId = String(credentials.organizationId ?? '').trim();
	return {
		baseUrl: rawBaseUrl.replace(/\/+$/, ''),
		projectId: projectId || undefined,
		organizationId: organizationId || undefined,
	};
}
