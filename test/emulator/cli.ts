/**
 * Starts an emulator for manual poking, e.g.
 *   node build/test/emulator/cli.js --port 8080 --server-version 5.0 --storage hash
 * and runs until Ctrl+C.
 */
import { AzureDevOpsEmulator, type EmulatorOptions } from './index';

function parseArgs(argv: string[]): EmulatorOptions {
    const options: EmulatorOptions = {};
    for (let i = 0; i < argv.length; i++) {
        const value = argv[i + 1];
        switch (argv[i]) {
            case '--port':
                options.port = Number(value);
                if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
                    throw new Error(`--port needs a port number, got '${value}'`);
                }
                break;
            case '--server-version':
                options.serverVersion = value;
                break;
            case '--storage':
                if (value !== 'memory' && value !== 'hash') {
                    throw new Error(`--storage is 'memory' or 'hash', got '${value}'`);
                }
                options.storage = value;
                break;
            case '--token':
                options.token = value;
                break;
            default:
                throw new Error(`unknown argument '${argv[i]}' (use --port N, --server-version X.Y, --storage memory|hash, --token T)`);
        }
        i++;
    }
    return options;
}

async function main(): Promise<void> {
    const options = parseArgs(process.argv.slice(2));
    const emulator = await AzureDevOpsEmulator.start(options);
    process.stdout.write(`collection URL: ${emulator.collectionUrl}\ntoken:          ${options.token ?? 'emulator-token'}\n`);
    const shutdown = (): void => {
        void emulator.stop().then(() => {
            process.stdout.write(`stopped after ${emulator.requests.length} requests, ${emulator.attachments().length} attachments\n`);
            process.exit(0);
        });
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
});
