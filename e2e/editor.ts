/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/* eslint-disable @n8n/community-nodes/require-node-api-error */
/* eslint-disable no-console */
/**
 * The editor in headless Chromium: the node panel, the credential form and the Extract Data parameters.
 * Assertions are on the DOM; screenshots go to e2e/artifacts/editor-<version>/ for people.
 */
import assert from 'node:assert/strict';
import path from 'node:path';

import type { Locator, Page } from 'playwright-core';

import { dismissPopups, openEditor, type EditorSession } from './lib/browser';
import { ARTIFACTS_DIR } from './lib/runtimes';
import { EXAMPLE_IDS } from './lib/workflows';
import type { EditorCheck } from './suite';

const CONFIGURATION_NAME = 'Invoices (e2e saved configuration)';

/** Runs `body`; on failure saves a screenshot and the page's data-test-ids next to it. */
async function step(session: EditorSession, name: string, body: () => Promise<void>): Promise<void> {
	try {
		await body();
		await session.screenshot(name);
	} catch (error) {
		await session.screenshot(`${name}-FAILED`).catch(() => undefined);
		const ids = await testIds(session.page).catch(() => []);
		throw new Error(`${(error as Error).message}\n  page: ${session.page.url()}\n  data-test-ids: ${ids.join(' ')}`);
	}
}

async function testIds(page: Page): Promise<string[]> {
	return await page.evaluate(() => [
		...new Set([...document.querySelectorAll('[data-test-id]')].map((e) => e.getAttribute('data-test-id') ?? '')),
	]);
}

/**
 * The package's icons inside `locator`: n8n renders a file icon as an <img> served from
 * /icons/n8n-nodes-llamaextract/…; each must have loaded a real image.
 */
async function iconState(locator: Locator): Promise<{ images: number; loaded: boolean; sources: string[] }> {
	return await locator.evaluate((element) => {
		const images = [...element.querySelectorAll('img')].filter((img) =>
			(img.getAttribute('src') ?? '').includes('/icons/n8n-nodes-llamaextract/'),
		);
		return {
			images: images.length,
			loaded: images.every((img) => img.complete && img.naturalWidth > 0),
			sources: images.map((img) => img.getAttribute('src') ?? ''),
		};
	});
}

/**
 * Opens the node panel, searches "LlamaExtract" and opens the package's item. n8n folds a package's trigger into
 * its action node's item, so one "LlamaExtract" item lists the trigger's events under Triggers and the node's
 * operations under Actions. Checks the icons (list item and details panel) and returns the panel's text.
 */
async function openNodePanelItem(page: Page): Promise<{ details: string; entry: string }> {
	// The canvas' own "+" when it is empty, the toolbar's "+" once it has nodes.
	await page.locator('[data-test-id="canvas-plus-button"]:visible, [data-test-id="node-creator-plus-button"]:visible').first().click();
	await page.locator('[data-test-id="node-creator-search-bar"]').first().fill('LlamaExtract');
	const item = page
		.locator('[data-test-id="node-creator-node-item"], [data-test-id="node-creator-action-item"]', {
			has: page.locator('[data-test-id="node-creator-item-name"]', { hasText: /^LlamaExtract$/ }),
		})
		.first();
	const noResults = page.locator('[data-test-id="node-creator-no-results"]');
	await item.or(noResults).first().waitFor({ state: 'visible' });
	if (await noResults.isVisible()) {
		throw new Error('the node panel finds nothing for "LlamaExtract" (n8n hides nodes whose codex has the "AI" category without AI subcategories)');
	}
	await page.waitForLoadState('networkidle').catch(() => undefined);
	const icon = await iconState(item);
	assert.ok(icon.images > 0 && icon.loaded, `node panel item icon: ${JSON.stringify(icon)}`);
	const entry = (await item.innerText()).replace(/\s+/g, ' ');
	await item.click();
	const panel = page.locator('[data-test-id="node-creator"]');
	await panel.getByText(/Actions|Triggers/).first().waitFor({ state: 'visible' });
	await page.waitForLoadState('networkidle').catch(() => undefined);
	const panelIcon = await iconState(panel);
	assert.ok(panelIcon.images > 0 && panelIcon.loaded, `node details icon: ${JSON.stringify(panelIcon)}`);
	return { details: (await panel.innerText()).replace(/\s+/g, ' '), entry };
}

/** The tallest scrolling area inside `locator` (the NDV's parameter list), in CSS pixels. */
async function scrollHeight(locator: Locator): Promise<number> {
	return await locator.evaluate((root) =>
		Math.max(0, ...[root, ...root.querySelectorAll('*')].filter((e) => e.scrollHeight > e.clientHeight + 4).map((e) => e.scrollHeight)),
	);
}

/** Opens a dropdown parameter and picks the option whose text matches. */
async function pickOption(page: Page, parameter: Locator, option: RegExp): Promise<void> {
	await parameter.click();
	await page.locator('.el-select-dropdown__item:visible, [role="option"]:visible').filter({ hasText: option }).first().click();
}

export const checkEditor: EditorCheck = async (suite, n8n, emulator) => {
	const artifacts = path.join(ARTIFACTS_DIR, `editor-${n8n.runtime.key}`);
	const v2 = n8n.runtime.key === 'v2';
	let session: EditorSession | undefined;
	await suite.test(
		'editor: sign in with headless Chromium (only 127.0.0.1 reachable)',
		async () => {
			session = await openEditor(n8n, artifacts);
			await session.screenshot('signed-in');
		},
		{ critical: true },
	);
	if (!session) return;
	const s = session;
	const page = s.page;
	try {
		await suite.test('editor: the node panel finds LlamaExtract (actions) and its trigger, with icons', async () => {
			await step(s, 'node-panel-triggers', async () => {
				// An empty canvas opens the panel on triggers.
				await page.goto(`${n8n.baseUrl}/workflow/new`);
				await dismissPopups(page);
				const { details, entry } = await openNodePanelItem(page);
				assert.match(details, /On job completed/, `the trigger's events are listed: ${details.slice(0, 600)}`);
				// n8n 1.x lists the entry without a description.
				if (v2) assert.match(entry, /Extract structured JSON from documents/, `the entry's description: ${entry}`);
			});
			await step(s, 'node-panel-actions', async () => {
				// A canvas with nodes opens the panel on actions.
				await page.goto(`${n8n.baseUrl}/workflow/${EXAMPLE_IDS.email}`);
				await dismissPopups(page);
				const { details, entry } = await openNodePanelItem(page);
				assert.match(details, /Extract data from a document/, `the node's actions are listed: ${details.slice(0, 600)}`);
				// n8n shows the trigger's description for the one LlamaExtract entry, under "What happens next?" too.
				if (v2) assert.match(entry, /Extract structured JSON from documents/, `the entry's description: ${entry}`);
				assert.doesNotMatch(entry, /Starts the workflow/, `the entry does not describe only the trigger: ${entry}`);
			});
		});

		await suite.test('editor: the credential form has the Region dropdown, and Custom reveals Base URL', async () => {
			await step(s, 'credential-form', async () => {
				await page.goto(`${n8n.baseUrl}/home/credentials/create`);
				await dismissPopups(page);
				const search = page.locator('[data-test-id="new-credential-type-select"]').first();
				await search.click();
				await page.keyboard.type('LlamaCloud');
				await page.locator('[data-test-id="new-credential-type-select-option"]', { hasText: 'LlamaCloud API' }).first().click();
				await page.locator('[data-test-id="new-credential-type-button"]').click();
				const modal = page.locator('[data-test-id="credential-edit-dialog"]');
				await modal.waitFor({ state: 'visible' });
				const credentialIcon = await iconState(page.locator('[data-test-id="editCredential-modal"]').first());
				assert.ok(credentialIcon.images > 0 && credentialIcon.loaded, `credential icon: ${JSON.stringify(credentialIcon)}`);
				const region = modal.locator('[data-test-id="parameter-input-region"]');
				await region.waitFor({ state: 'visible' });
				const baseUrl = modal.locator('[data-test-id="parameter-input-baseUrl"]');
				assert.equal(await baseUrl.count(), 0, 'Base URL is hidden for the default (US) region');
				await region.click();
				const options = page.locator('.el-select-dropdown__item:visible, [role="option"]:visible');
				await options.filter({ hasText: 'Custom Base URL' }).first().waitFor({ state: 'visible' });
				const labels = (await options.allInnerTexts()).map((t) => t.trim()).filter(Boolean);
				for (const expected of ['Custom Base URL', 'EU', 'US']) {
					assert.ok(labels.some((label) => label.includes(expected)), `region options: ${labels.join(' | ')}`);
				}
				await options.filter({ hasText: 'Custom Base URL' }).first().click();
				await baseUrl.waitFor({ state: 'visible' });
				await s.screenshot('credential-form-custom');

				// A wrong key: saving runs the credential test, which must say what went wrong.
				await modal.locator('[data-test-id="parameter-input-apiKey"] input').first().fill('llx-not-the-right-key');
				await baseUrl.locator('input').first().fill(emulator.url);
				await page.locator('[data-test-id="credential-save-button"]:visible').first().click();
				// n8n shows "Couldn't connect with these settings" and puts the reason behind "More details".
				// n8n 1.x answers a 401 with its own message before it consults the credential's rules.
				const expected = v2 ? /rejected the API key \(401\)/ : /Authorization failed - please check your credentials/;
				const moreDetails = page.getByText('More details').first();
				await moreDetails.or(page.getByText(expected).first()).first().waitFor({ state: 'visible', timeout: 30_000 });
				if (await moreDetails.isVisible()) await moreDetails.click();
				await page.getByText(expected).first().waitFor({ state: 'visible', timeout: 10_000 });
				if (v2) {
					const shown = (await modal.innerText()).replace(/\s+/g, ' ');
					assert.match(shown, /Check the key, and that Region matches/, `credential test message: ${shown.slice(0, 800)}`);
				}
				await s.screenshot('credential-test-wrong-key');
				await page.keyboard.press('Escape');
			});
		});

		await suite.test('editor: the credential test names the problem (REST): wrong key, wrong URL, not a LlamaCloud API', async () => {
			// What the form's Test/Save does: test a saved credential (its id) with the data entered.
			const test = async (apiKey: string, baseUrl: string) => {
				const data = {
					apiKey,
					region: 'custom',
					baseUrl,
					projectId: '',
					organizationId: '',
					...(v2 ? {} : { allowedHttpRequestDomains: 'all' }),
				};
				const id = await n8n.createCredential(`probe ${baseUrl}`, 'llamaCloudApi', data);
				return await n8n.restOk<{ status: string; message: string }>('POST', '/rest/credentials/test', {
					credentials: { id, name: `probe ${baseUrl}`, type: 'llamaCloudApi', data },
				});
			};
			assert.deepStrictEqual(await test(emulator.apiKey, emulator.url), { status: 'OK', message: 'Connection successful!' });
			const wrongKey = await test('llx-wrong', emulator.url);
			const wrongPath = await test(emulator.apiKey, `${emulator.url}/not-here`);
			// n8n itself answers every path with its editor page (200, HTML).
			const notLlamaCloud = await test(emulator.apiKey, n8n.baseUrl);
			console.log(`    credential test: 401 -> ${wrongKey.message} | 404 -> ${wrongPath.message} | HTML -> ${notLlamaCloud.message}`);
			for (const result of [wrongKey, wrongPath, notLlamaCloud]) assert.equal(result.status, 'Error', JSON.stringify(result));
			if (v2) {
				assert.match(wrongKey.message, /rejected the API key \(401\).*Region/);
				assert.match(wrongPath.message, /No LlamaCloud API at this address \(404/, JSON.stringify(wrongPath));
				assert.match(notLlamaCloud.message, /not like the LlamaCloud API/, JSON.stringify(notLlamaCloud));
			}
		});

		await suite.test('editor: Extract Data renders its parameters, the Fields builder and the configuration list from the emulator', async () => {
			await emulator.createConfiguration(CONFIGURATION_NAME, {
				type: 'object',
				properties: { total: { type: 'number', description: 'Amount due' } },
			});
			await step(s, 'extract-data-parameters', async () => {
				await page.goto(`${n8n.baseUrl}/workflow/${EXAMPLE_IDS.email}`);
				await dismissPopups(page);
				const node = page.locator('[data-test-id="canvas-node"]', { hasText: 'Extract invoice' }).first();
				await node.waitFor({ state: 'visible' });
				// The canvas subtitle reads the operation's name, not its internal values.
				const nodeText = (await node.innerText()).replace(/\s+/g, ' ');
				assert.match(nodeText, /Extract Data/, `canvas node: ${nodeText}`);
				assert.doesNotMatch(nodeText, /extractJob|extract:/, `canvas node: ${nodeText}`);
				await node.dblclick();
				const ndv = page.locator('[data-test-id="ndv"]');
				await ndv.waitFor({ state: 'visible' });
				// The Docs link is used as written, so its #anchor survives.
				const docs = await ndv.locator('a[href*="n8n-nodes-llamaextract"]').first().getAttribute('href');
				assert.equal(docs, 'https://github.com/n8n-nodes-llamaextract/n8n-nodes-llamaextract#llamaextract-node');
				for (const parameter of ['resource', 'operation', 'inputType', 'binaryPropertyName', 'schemaSource', 'fields', 'simplify']) {
					await ndv.locator(`[data-test-id="parameter-input-${parameter}"], [data-test-id="fixed-collection-${parameter}"], [data-test-id="parameter-item"]:has([title="${parameter}"])`).first().waitFor({ state: 'attached', timeout: 10_000 }).catch(() => {
						throw new Error(`parameter ${parameter} is not rendered`);
					});
				}
				// The Fields builder shows the example's fields.
				const shown = await ndv.evaluate((element) => [
					element.textContent ?? '',
					...[...element.querySelectorAll('input, textarea')].map((input) => (input as HTMLInputElement).value),
				]);
				for (const fieldName of ['vendor', 'invoice_number', 'line_items', 'total']) {
					assert.ok(shown.some((text) => text.includes(fieldName)), `the Fields builder shows ${fieldName}`);
				}
				await s.screenshot('extract-data-fields');
				const fieldCount = await ndv.evaluate((element) => element.querySelectorAll('[data-item-key]').length);
				const height = await scrollHeight(ndv);
				console.log(`    Fields builder: ${fieldCount} fields and sub-fields, parameter list ${height} px tall`);
				// 4,929 px before, with every field's Required row shown.
				// n8n 1.x ignores hideOptionalFields.
				if (v2) assert.ok(height < 4700, `the email example's parameters take ${height} px`);

				// Extraction Settings: Tier first (n8n lists collection options in the order the node gives them).
				// Extraction Settings is the first collection ("Add Setting"), Options the second.
				await ndv.locator('[data-test-id="collection-parameter-add"], .collection-parameter .add-option').or(ndv.getByText('Add Setting')).first().click();
				const settings = page.locator('.el-select-dropdown__item:visible, [role="option"]:visible');
				await settings.filter({ hasText: 'Tier' }).first().waitFor({ state: 'visible' });
				const settingNames = (await settings.allInnerTexts()).map((t) => t.trim()).filter(Boolean);
				console.log(`    Add Setting lists: ${settingNames.join(' | ')}`);
				assert.equal(settingNames[0], 'Tier', `Extraction Settings order: ${settingNames.join(' | ')}`);
				await page.keyboard.press('Escape');

				// Saved Configuration: the list comes from the emulator through the credential.
				await ndv.locator('[data-test-id="parameter-input-schemaSource"]').click();
				await page.locator('.el-select-dropdown__item:visible, [role="option"]:visible', { hasText: 'Saved Configuration' }).first().click();
				const locator = ndv.locator('[data-test-id="resource-locator-input"], [data-test-id="rlc-input"]').first();
				await locator.waitFor({ state: 'visible' });
				await locator.click();
				const item = page.locator('[data-test-id="rlc-item"]', { hasText: CONFIGURATION_NAME }).first();
				await item.waitFor({ state: 'visible', timeout: 20_000 });
				await s.screenshot('extract-data-configuration-list');
			});
		});

		await suite.test('editor: a new LlamaExtract node starts on Fields, and Schema Source warns that switching drops them', async () => {
			await step(s, 'new-node-schema-source', async () => {
				// A canvas with nodes offers the actions (an empty one the triggers).
				await page.goto(`${n8n.baseUrl}/workflow/${EXAMPLE_IDS.batch}`);
				await dismissPopups(page);
				await openNodePanelItem(page);
				await page.locator('[data-test-id="node-creator"]').getByText('Extract data from a document', { exact: true }).first().click();
				const ndv = page.locator('[data-test-id="ndv"]');
				await ndv.waitFor({ state: 'visible' });
				const source = ndv.locator('[data-test-id="parameter-input-schemaSource"]');
				await source.waitFor({ state: 'visible' });
				assert.equal(await source.locator('input').first().inputValue(), 'Fields', 'a new node starts on the Fields builder');
				await ndv.getByText(/Switching drops what you entered for the other source/).first().waitFor({ state: 'visible' });
				await ndv.getByText(/Schema › Validate/).first().waitFor({ state: 'visible' });
				await s.screenshot('new-node-fields-default');
				// The behaviour the hint announces (n8n keeps only the parameters on screen).
				await ndv.getByRole('button', { name: 'Add Field' }).first().click();
				await ndv.locator('[data-test-id="parameter-input-name"]').first().waitFor({ state: 'visible' });
				await pickOption(page, source, /^JSON Schema/);
				await ndv.locator('[data-test-id="parameter-input-jsonSchema"]').first().waitFor({ state: 'visible' });
				await pickOption(page, source, /^Fields/);
				await ndv.getByText(/Switching drops what you entered/).first().waitFor({ state: 'visible' });
				assert.equal(await ndv.locator('[data-test-id="parameter-input-name"]').count(), 0, 'n8n dropped the field on the switch, as the hint says');
				await s.screenshot('new-node-after-switch');
				const close = page.locator('[data-test-id="ndv-close-button"]:visible, [data-test-id="back-to-canvas"]:visible').first();
				if (await close.count()) await close.click();
				else await page.keyboard.press('Escape');
				await ndv.waitFor({ state: 'hidden' });
				// n8n 2.x names a node added from an action after the action.
				const created = page.locator('[data-test-id="canvas-node"]', { hasText: /Extract data from a document|LlamaExtract/ }).first();
				assert.match((await created.innerText()).replace(/\s+/g, ' '), /Extract Data/, "the new node's subtitle");
			});
		});

		await suite.test('editor: the trigger\'s Add Filter offers Configuration and File or Parse Job ID', async () => {
			await step(s, 'trigger-filters', async () => {
				await page.goto(`${n8n.baseUrl}/workflow/${EXAMPLE_IDS.trigger}`);
				await dismissPopups(page);
				await page.locator('[data-test-id="canvas-node"]', { hasText: 'LlamaExtract Trigger' }).first().dblclick();
				const ndv = page.locator('[data-test-id="ndv"]');
				await ndv.waitFor({ state: 'visible' });
				assert.equal(await ndv.locator('[data-test-id="parameter-input-configurationId"]').count(), 0, 'no Configuration outside Filters');
				// Filters is the first collection ("Add Filter"), Options the second.
				await ndv.locator('[data-test-id="collection-parameter-add"], .collection-parameter .add-option').or(ndv.getByText('Add Filter')).first().click();
				const options = page.locator('.el-select-dropdown__item:visible, [role="option"]:visible, [data-test-id="collection-parameter-add-option"]:visible');
				await options.filter({ hasText: 'Configuration' }).first().waitFor({ state: 'visible' });
				const labels = (await options.allInnerTexts()).map((t) => t.trim()).filter(Boolean);
				assert.ok(labels.some((l) => l.includes('File or Parse Job ID')), `filters: ${labels.join(' | ')}`);
				await s.screenshot('trigger-add-filter');
				await page.keyboard.press('Escape');
			});
		});
	} finally {
		const blocked = [...new Set(s.blocked.map((u) => new URL(u).host))];
		console.log(`    editor: blocked hosts ${blocked.join(', ') || '(none)'}; page errors: ${s.pageErrors.length}`);
		await s.close();
	}
};
