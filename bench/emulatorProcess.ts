/**
 * The emulator in a process of its own, so that its CPU (HTTP parsing, SHA-256 of every byte) does not share an
 * event loop with the benchmark, which reads the task's output the way the agent does. Started with fork():
 * it sends `{ collectionUrl }` once listening; on 'stop' it stops and sends back the timings of every request.
 */
import { AzureDevOpsEmulator, type EmulatorOptions } from '../test/emulator';

/** Times are milliseconds since the epoch (performance.timeOrigin + performance.now()), comparable across processes. */
export interface TimedRequest {
    readonly method: string;
    readonly path: string;
    readonly status: number;
    readonly receivedAt: number;
    readonly endedAt: number;
    /** The client's port: one per connection (per tunnel, behind a proxy). */
    readonly remotePort?: number;
}

export type EmulatorMessage = { readonly collectionUrl: string; readonly firstRequestAt?: undefined } | { readonly requests: TimedRequest[]; readonly firstRequestAt?: number };

/** What the bench adds to the emulator: latency on every upload request, as a distant server has. */
export interface BenchServerOptions {
    readonly uploadDelayMs?: number;
    /** Latency on every other request (negotiation), so that requests one after another show as such. */
    readonly otherDelayMs?: number;
}

async function serve(options: EmulatorOptions, bench: BenchServerOptions): Promise<void> {
    const emulator = await AzureDevOpsEmulator.start(options);
    let firstRequestAt: number | undefined;
    // Never fires: it only notes when the first request arrives.
    emulator.addFault({ match: () => ((firstRequestAt ??= performance.timeOrigin + performance.now()), false), action: { kind: 'delay', ms: 0 } });
    if (bench.uploadDelayMs) {
        emulator.addFault({ path: '/_apis/wit/attachments', match: (request) => request.method === 'POST' || request.method === 'PUT', times: Infinity, action: { kind: 'delay', ms: bench.uploadDelayMs } });
    }
    if (bench.otherDelayMs) {
        emulator.addFault({ match: (request) => !/\/_apis\/wit\/attachments/i.test(request.path), times: Infinity, action: { kind: 'delay', ms: bench.otherDelayMs } });
    }
    process.on('message', (message) => {
        if (message !== 'stop') {
            return;
        }
        void emulator.stop().then(() => {
            const requests = emulator.requests.map((request) => ({
                method: request.method,
                path: request.path,
                status: request.status,
                receivedAt: performance.timeOrigin + request.receivedAtMs,
                endedAt: performance.timeOrigin + request.endedAtMs,
                remotePort: request.remotePort,
            }));
            process.send?.({ requests, firstRequestAt } satisfies EmulatorMessage, () => process.disconnect());
        });
    });
    process.send?.({ collectionUrl: emulator.collectionUrl } satisfies EmulatorMessage);
}

if (require.main === module) {
    serve(JSON.parse(process.argv[2]) as EmulatorOptions, JSON.parse(process.argv[3] ?? '{}') as BenchServerOptions).catch((error: unknown) => {
        process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
        process.exitCode = 1;
    });
}
