/** Workflow tests run real n8n-core against the emulator over HTTP on 127.0.0.1. */
const os = require('os');

module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	testTimeout: 60000,
	// At least two workers. On two cores jest's default (cores - 1) runs in band, and then a file waiting on the
	// emulator's jobs or a poll interval leaves the other core idle while the next file's n8n-core load waits.
	maxWorkers: Math.max(2, os.cpus().length - 1),
	// In CI the log lines of passing tests (n8n's logger, figures) would push a failure's message out of view.
	silent: process.env.CI === 'true',
	setupFiles: ['<rootDir>/test/setup-env.js'],
	setupFilesAfterEnv: ['<rootDir>/test/setup-after-env.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }],
	},
};
