/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/* eslint-disable @n8n/community-nodes/require-node-api-error */
/* eslint-disable no-console */
/**
 * The editor shows Route for Review's second output: the review workflow opened in headless Chromium, in n8n 2.41.1
 * and 1.123.x, must label the Extract node's outputs "Passed" and "Needs Review" on the canvas.
 */
import assert from 'node:assert/strict';
import path from 'node:path';

import { dismissPopups, openEditor } from './lib/browser';
import type { N8nInstance } from './lib/n8n';
import { ARTIFACTS_DIR } from './lib/runtimes';

export async function checkReviewCanvas(n8n: N8nInstance, workflowId: string, label: string): Promise<void> {
	const session = await openEditor(n8n, path.join(ARTIFACTS_DIR, `beyond-editor-${label}`));
	try {
		const page = session.page;
		await page.goto(`${n8n.baseUrl}/workflow/${workflowId}`);
		await dismissPopups(page);
		const canvas = page.locator('#canvas, [data-test-id="canvas"], [data-test-id="canvas-wrapper"]').first();
		await canvas.waitFor({ state: 'visible', timeout: 30_000 });
		// Output handle labels are rendered as text next to the node's right edge.
		await page.getByText('Needs Review', { exact: true }).first().waitFor({ state: 'visible', timeout: 20_000 });
		await session.screenshot('review-outputs');
		// No node is called "Passed" or "Needs Review" (the workflow's NoOps are "Approved items", "Items to review"),
		// so these texts are the Extract node's output labels.
		assert.equal(await page.getByText('Passed', { exact: true }).count(), 1, 'the first output is labelled Passed');
		assert.equal(await page.getByText('Needs Review', { exact: true }).count(), 1, 'the second output is labelled Needs Review');
		console.log(`    ${label}: canvas shows the outputs Passed and Needs Review`);
	} catch (error) {
		await session.screenshot('review-outputs-FAILED').catch(() => undefined);
		throw error;
	} finally {
		await session.close();
	}
}
