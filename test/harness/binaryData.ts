/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * n8n-core's real binary data store in filesystem mode (what `N8N_DEFAULT_BINARY_DATA_MODE=filesystem` gives a
 * running n8n): items then carry `binary.id` and the node reads them through `getBinaryStream`/`getBinaryMetadata`.
 *
 * n8n-core resolves its services from its own copy of `@n8n/di`, so the container is taken from there.
 */
import { BinaryDataConfig, BinaryDataService } from 'n8n-core';
import type { IBinaryData, INodeExecutionData } from 'n8n-workflow';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';

interface DiContainer {
	get<T>(type: abstract new (...args: never[]) => T): T;
}

function n8nCoreContainer(): DiContainer {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const di = require(
		require.resolve('@n8n/di', { paths: [dirname(require.resolve('n8n-core'))] }),
	) as {
		Container: DiContainer;
	};
	return di.Container;
}

/** Switches this process's BinaryDataService to filesystem mode under `storagePath` (a fresh temp dir by default). */
export async function useFilesystemBinaryData(
	storagePath?: string,
): Promise<{ storagePath: string; service: BinaryDataService }> {
	const container = n8nCoreContainer();
	const config = container.get(BinaryDataConfig);
	const path = storagePath ?? mkdtempSync(join(tmpdir(), 'llamaextract-binary-'));
	config.mode = 'filesystem';
	config.localStoragePath = path;
	const service = container.get(BinaryDataService);
	await service.init();
	return { storagePath: path, service };
}

/** Stores `content` in the filesystem store, as an earlier node's `prepareBinaryData` would, and returns an item. */
export async function storedBinaryItem(
	service: BinaryDataService,
	content: Buffer | Readable,
	fileName: string,
	mimeType: string,
	field = 'data',
): Promise<INodeExecutionData> {
	const binary = await service.store(
		{ type: 'execution', workflowId: 'test-workflow', executionId: 'upstream' } as never,
		content,
		{ data: '', fileName, mimeType, fileExtension: fileName.split('.').pop() } as IBinaryData,
	);
	return { json: {}, binary: { [field]: binary } };
}
