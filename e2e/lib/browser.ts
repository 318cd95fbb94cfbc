/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/* eslint-disable @n8n/community-nodes/require-node-api-error */
/**
 * The n8n editor in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core; RUNTIME.md §5).
 * Every request that does not go to 127.0.0.1 is aborted, so the page cannot reach (or wait for) the internet.
 * Assertions are made on the DOM; screenshots are kept only for people to look at.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

import { OWNER, type N8nInstance } from './n8n';

const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
];

export interface EditorSession {
	context: BrowserContext;
	page: Page;
	/** URLs the page tried to load from somewhere other than 127.0.0.1 (all aborted). */
	blocked: string[];
	/** Uncaught page errors, for the report. */
	pageErrors: string[];
	screenshot(name: string): Promise<string>;
	close(): Promise<void>;
}

export async function openEditor(n8n: N8nInstance, artifactsDir: string): Promise<EditorSession> {
	mkdirSync(artifactsDir, { recursive: true });
	const profile = mkdtempSync(path.join(os.tmpdir(), 'llx-e2e-chromium-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM,
		headless: true,
		args: CHROMIUM_FLAGS,
		viewport: { width: 1440, height: 900 },
		timeout: 60_000,
	});
	context.setDefaultTimeout(20_000);
	const blocked: string[] = [];
	const pageErrors: string[] = [];
	await context.route('**/*', async (route) => {
		const url = new URL(route.request().url());
		if (url.hostname === '127.0.0.1' || url.protocol === 'data:' || url.protocol === 'blob:') {
			await route.continue();
		} else {
			blocked.push(url.href);
			await route.abort('blockedbyclient');
		}
	});
	const page = context.pages()[0] ?? (await context.newPage());
	page.on('pageerror', (error) => pageErrors.push(error.message));
	const session: EditorSession = {
		context,
		page,
		blocked,
		pageErrors,
		async screenshot(name: string) {
			const file = path.join(artifactsDir, `${name}.png`);
			await page.screenshot({ path: file });
			return file;
		},
		async close() {
			await context.close().catch(() => undefined);
			rmSync(profile, { recursive: true, force: true });
		},
	};
	try {
		await signIn(page, n8n);
	} catch (error) {
		await session.screenshot('signin-failed').catch(() => undefined);
		await session.close();
		throw error;
	}
	return session;
}

/** Signs in through the sign-in page, as a person would. */
export async function signIn(page: Page, n8n: N8nInstance): Promise<void> {
	await page.goto(`${n8n.baseUrl}/signin`, { waitUntil: 'domcontentloaded' });
	const email = page.locator('input[name="emailOrLdapLoginId"], input[name="email"]').first();
	await email.waitFor({ state: 'visible', timeout: 30_000 });
	await email.fill(OWNER.email);
	await page.locator('input[name="password"]').fill(OWNER.password);
	await page.locator('[data-test-id="form-submit-button"]').click();
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 30_000 });
}

/** Closes whatever modal n8n opened on its own (surveys, what's-new), if any. */
export async function dismissPopups(page: Page): Promise<void> {
	for (const selector of ['[data-test-id="nps-survey-modal"] button[aria-label="Close"]', '.el-dialog__headerbtn']) {
		const button = page.locator(selector).first();
		if (await button.isVisible().catch(() => false)) await button.click().catch(() => undefined);
	}
}
