/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * Free loopback ports. Several ports are reserved at once (all listeners stay open until every port is known),
 * so one call never hands out the same port twice. Ports already handed out in this process are never reused.
 */
import net from 'node:net';

const handedOut = new Set<number>();

async function listenOnce(): Promise<net.Server> {
	return await new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve(server));
	});
}

/** Returns `count` distinct ports that were free on 127.0.0.1 a moment ago. */
export async function freePorts(count: number): Promise<number[]> {
	const servers: net.Server[] = [];
	const ports: number[] = [];
	try {
		while (ports.length < count) {
			const server = await listenOnce();
			servers.push(server);
			const { port } = server.address() as net.AddressInfo;
			if (handedOut.has(port)) continue;
			handedOut.add(port);
			ports.push(port);
		}
	} finally {
		await Promise.all(servers.map(async (s) => await new Promise((r) => s.close(() => r(undefined)))));
	}
	return ports;
}

export async function freePort(): Promise<number> {
	return (await freePorts(1))[0];
}
