/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports */
/**
 * What the editor and the Creator Portal read without running the code: the n8n section of package.json,
 * codex files, and icons.
 */
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const REQUIRED_ALIASES = ['invoice', 'receipt', 'pdf', 'ocr', 'extract', 'parse', 'json', 'schema'];

/** dist/nodes/X/X.node.js → nodes/X/X.node.ts */
const sourceOf = (distPath: string) =>
	path.join(root, distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts'));

function iconPathsIn(source: string, file: string): string[] {
	return [...source.matchAll(/'file:([^']+\.svg)'/g)].map((m) => path.resolve(path.dirname(file), m[1]));
}

describe('package.json n8n section', () => {
	test('is strict, API version 1, and lists every node and credential file that exists', () => {
		expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
		expect(pkg.n8n.strict).toBe(true);
		const nodeSources = fs
			.readdirSync(path.join(root, 'nodes'), { recursive: true })
			.map(String)
			.filter((f) => f.endsWith('.node.ts'))
			.map((f) => path.join(root, 'nodes', f))
			.sort();
		expect(pkg.n8n.nodes.map(sourceOf).sort()).toEqual(nodeSources);
		for (const credential of pkg.n8n.credentials) expect(fs.existsSync(sourceOf(credential))).toBe(true);
	});

	test('has no runtime dependencies and only n8n-workflow as peer', () => {
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
	});
});

describe.each(pkg.n8n.nodes as string[])('node %s', (distPath) => {
	const source = sourceOf(distPath);
	const codexPath = source.replace(/\.ts$/, '.json');
	const className = path.basename(source, '.node.ts');
	const nodeName = className.charAt(0).toLowerCase() + className.slice(1);

	test('has a codex with categories, the search aliases and documentation links', () => {
		const codex = JSON.parse(fs.readFileSync(codexPath, 'utf8'));
		expect(codex.node).toBe(`${pkg.name}.${nodeName}`);
		expect(codex.nodeVersion).toBe('1.0');
		expect(codex.categories.length).toBeGreaterThan(0);
		expect(codex.alias).toEqual(expect.arrayContaining(REQUIRED_ALIASES));
		for (const kind of ['primaryDocumentation', 'credentialDocumentation']) {
			expect(codex.resources[kind].length).toBeGreaterThan(0);
			for (const { url } of codex.resources[kind]) expect(new URL(url).protocol).toBe('https:');
		}
	});

	test('declares light and dark SVG icons that exist and differ', () => {
		const text = fs.readFileSync(source, 'utf8');
		const icons = iconPathsIn(text, source);
		expect(icons).toHaveLength(2);
		const [light, dark] = icons.map((icon) => fs.readFileSync(icon, 'utf8'));
		expect(light).not.toEqual(dark);
		for (const svg of [light, dark]) {
			expect(svg.trim()).toMatch(/^<svg[\s\S]*<\/svg>$/);
			expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
			expect(svg).toMatch(/viewBox="0 0 \d+ \d+"/);
		}
	});
});

describe('credential', () => {
	test('declares light and dark icons that exist', () => {
		const source = sourceOf(pkg.n8n.credentials[0]);
		const icons = iconPathsIn(fs.readFileSync(source, 'utf8'), source);
		expect(icons).toHaveLength(2);
		for (const icon of icons) expect(fs.existsSync(icon)).toBe(true);
	});
});
