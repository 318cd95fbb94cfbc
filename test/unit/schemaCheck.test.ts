/**
 * parseJsonSchemaParameter checks a schema text once and remembers the verdict for the next item: every call still
 * gets its own parsed copy, and a different text is checked afresh.
 */
import type { INode } from 'n8n-workflow';

import { parseJsonSchemaParameter } from '../../nodes/shared/schema';

const node: INode = { id: 'n', name: 'Extract', type: 'n8n-nodes-llamaextract.llamaExtract', typeVersion: 2, position: [0, 0], parameters: {} };
const good = JSON.stringify({ type: 'object', properties: { total: { type: 'number' } } });
const bad = JSON.stringify({ type: 'object', properties: { a: { $ref: '#/$defs/missing' } } });

describe('parseJsonSchemaParameter on repeated texts', () => {
	test('each item gets its own copy of the same schema', () => {
		const first = parseJsonSchemaParameter(node, good, 'JSON Schema', 0);
		(first.properties as Record<string, unknown>).changed = true;
		const second = parseJsonSchemaParameter(node, good, 'JSON Schema', 1);
		expect(second).toEqual(JSON.parse(good));
		expect(second).not.toBe(first);
	});

	test('the verdict follows the text: bad after good fails, good after bad passes, bad again names its item', () => {
		parseJsonSchemaParameter(node, good, 'JSON Schema', 0);
		expect(() => parseJsonSchemaParameter(node, bad, 'JSON Schema', 1)).toThrow(/item 1 has a reference it cannot follow/);
		expect(parseJsonSchemaParameter(node, good, 'JSON Schema', 2)).toEqual(JSON.parse(good));
		expect(() => parseJsonSchemaParameter(node, bad, 'JSON Schema', 3)).toThrow(/item 3 has a reference it cannot follow/);
		expect(() => parseJsonSchemaParameter(node, bad, 'JSON Schema', 4)).toThrow(/item 4 has a reference it cannot follow/);
	});
});
