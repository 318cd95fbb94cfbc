/**
 * A test node that runs only the package's binary upload (`uploadBinaryFile`) inside a real n8n-core execution:
 * File › Upload's code path without an extraction afterwards, so large-file tests measure the upload alone.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { runPerItem } from '../../nodes/shared/batch';
import { MAX_UPLOAD_BYTES, uploadBinaryFile } from '../../nodes/shared/input';
import { getConnection } from '../../nodes/shared/transport';

export class UploadProbe implements INodeType {
	description = {
		displayName: 'Upload Probe',
		name: 'uploadProbe',
		group: ['transform'],
		version: 1,
		description: 'Uploads each item\'s binary field to LlamaCloud',
		defaults: { name: 'Upload Probe' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'llamaCloudApi', required: true }],
		properties: [],
	} as unknown as INodeTypeDescription;

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const connection = await getConnection.call(this, 0);
		const items = this.getInputData();
		const output = await runPerItem(this, items.length, 1, async (itemIndex) => {
			const file = await uploadBinaryFile.call(this, itemIndex, 'data', {
				purpose: 'extract',
				maxBytes: MAX_UPLOAD_BYTES,
				connection,
			});
			return [{ json: { id: file.id, name: file.name }, pairedItem: { item: itemIndex } }];
		});
		return [output];
	}
}
