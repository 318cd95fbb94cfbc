/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * A throwaway IMAP mailbox on loopback: Debian's dovecot-imapd (e2e/setup.sh installs it), run unprivileged with
 * its own configuration in a temp folder: plain-text login over 127.0.0.1, one user in a passwd file, Maildir
 * storage. Messages are delivered the way a local delivery agent does it: a file written to Maildir/tmp, then
 * renamed into Maildir/new. Deleted on stop.
 */
import { chownSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

import { freePort } from './ports';
import { GroupProcess, runOk } from './proc';

export const DOVECOT = '/usr/sbin/dovecot';

/** The system user dovecot runs as when the tests run as root (the package creates it). */
const SERVICE_USER = 'dovecot';

function idsOf(user: string): { uid: number; gid: number } {
	const line = readFileSync('/etc/passwd', 'utf8')
		.split('\n')
		.find((entry) => entry.startsWith(`${user}:`));
	if (!line) throw new Error(`no system user ${user} (is dovecot-imapd installed? run e2e/setup.sh)`);
	const [, , uid, gid] = line.split(':');
	return { uid: Number(uid), gid: Number(gid) };
}

export class Mailbox {
	private delivered = 0;

	private constructor(
		readonly port: number,
		readonly user: string,
		readonly password: string,
		private readonly root: string,
		private readonly server: GroupProcess,
		private readonly owner: { uid: number; gid: number } | undefined,
	) {}

	/** The Maildir of the one user. */
	get maildir(): string {
		return path.join(this.root, 'home', this.user, 'Maildir');
	}

	/** n8n's IMAP credential for this mailbox. */
	get credential(): Record<string, unknown> {
		return { host: '127.0.0.1', port: this.port, secure: false, user: this.user, password: this.password, allowUnauthorizedCerts: true };
	}

	static async start(logFile: string, user = 'invoices'): Promise<Mailbox> {
		const root = mkdtempSync(path.join(os.tmpdir(), 'llx-e2e-imap-'));
		const password = randomBytes(9).toString('hex');
		const port = await freePort();
		const asRoot = process.getuid?.() === 0;
		const owner = asRoot ? idsOf(SERVICE_USER) : undefined;
		const runAs = asRoot ? SERVICE_USER : os.userInfo().username;
		for (const dir of ['run', 'state', `home/${user}/Maildir/new`, `home/${user}/Maildir/cur`, `home/${user}/Maildir/tmp`]) {
			mkdirSync(path.join(root, dir), { recursive: true });
		}
		writeFileSync(path.join(root, 'passwd'), `${user}:{PLAIN}${password}\n`);
		const config = [
			`base_dir = ${root}/run`,
			`state_dir = ${root}/state`,
			'log_path = /dev/stderr',
			'protocols = imap',
			'listen = 127.0.0.1',
			'ssl = no',
			'disable_plaintext_auth = no',
			'auth_mechanisms = plain login',
			`default_login_user = ${runAs}`,
			`default_internal_user = ${runAs}`,
			`default_internal_group = ${asRoot ? SERVICE_USER : os.userInfo().username}`,
			'first_valid_uid = 1',
			'mail_location = maildir:~/Maildir',
			`passdb {\n  driver = passwd-file\n  args = ${root}/passwd\n}`,
			`userdb {\n  driver = static\n  args = uid=${runAs} gid=${asRoot ? SERVICE_USER : os.userInfo().username} home=${root}/home/%u\n}`,
			// An unprivileged process cannot chroot.
			'service anvil {\n  chroot =\n}',
			`service imap-login {\n  chroot =\n  inet_listener imap {\n    address = 127.0.0.1\n    port = ${port}\n  }\n  inet_listener imaps {\n    port = 0\n  }\n}`,
			'',
		].join('\n');
		const configFile = path.join(root, 'dovecot.conf');
		writeFileSync(configFile, config);
		if (owner) await runOk('chown', 'chown', ['-R', `${owner.uid}:${owner.gid}`, root]);
		const server = new GroupProcess('dovecot', DOVECOT, ['-F', '-c', configFile], { asUser: asRoot ? SERVICE_USER : undefined, logFile });
		await server.waitForOutput(/starting up for imap/, 30_000).catch((error: Error) => {
			throw new Error(`${error.message}\n--- dovecot output ---\n${server.output.slice(-3000)}`);
		});
		return new Mailbox(port, user, password, root, server, owner);
	}

	/** How many IMAP logins dovecot has logged so far (a client such as n8n's trigger has connected). */
	get logins(): number {
		return (this.server.output.match(/imap-login: Info: Login: user=/g) ?? []).length;
	}

	/** Delivers one raw RFC 5322 message: written to tmp/, then moved to new/ (the Maildir delivery protocol). */
	deliver(raw: string | Buffer): void {
		const name = `${Date.now()}.M${++this.delivered}P${process.pid}.llx-e2e`;
		const temporary = path.join(this.maildir, 'tmp', name);
		writeFileSync(temporary, raw);
		if (this.owner) chownSync(temporary, this.owner.uid, this.owner.gid);
		renameSync(temporary, path.join(this.maildir, 'new', name));
	}

	async stop(): Promise<void> {
		await this.server.stop(10_000);
		rmSync(this.root, { recursive: true, force: true });
	}
}
