/**
 * `npm run bench`: the bundled task, run as a child process the way the agent runs it, measured side by side with
 * baselines against the emulator on loopback (storage 'hash': every byte is hashed, none kept).
 *
 * Three processes, as in a real run: the emulator (the server) in one, the client in another, and this one in the
 * agent's role, reading the task's output. The emulator never shares an event loop with the reading of 2,000 log
 * lines, and on two cores the client and the emulator each get most of one. Transfer times are taken on the
 * emulator's side, from the arrival of a client's first attachment request to the end of its last one, so that
 * start-up, negotiation and exit count for no client; start-up is measured on its own.
 */
import { fork, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { EmulatorOptions } from '../test/emulator';
import { runTask } from '../test/e2e/taskRunner';
import { requestsInSequence } from '../test/emulator/sequence';
import { Squid } from '../test/proxy/squid';
import type { BenchServerOptions, EmulatorMessage, TimedRequest } from './emulatorProcess';
import type { ResourceFigures } from './maxRss';
import type { MinimalClientJob } from './minimalClient';
import type { NodeApiLoopJob } from './nodeApiLoop';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const TOKEN = 'bench-token';
const PROJECT = { id: '7d0b0c2a-3f5e-4b8d-9c61-2a4e8f1d0b37', name: 'Fabrikam' };
const CHUNK_MB = 8;
const ROUNDS = 3;
/** The small-file case, whose CPU figures move by 10-20 % from one run to the next on this machine, takes more rounds. */
const SMALL_FILE_ROUNDS = 5;
const MAX_RSS_PRELOAD = path.join(__dirname, 'maxRss.js');

interface Measurement {
    /** First attachment request's arrival to the end of the last one, at the emulator. */
    readonly transferMs: number;
    /** Spawn to exit. */
    readonly wallMs: number;
    /** Spawn to the arrival of the first request of any kind. */
    readonly firstRequestMs: number;
    readonly maxRssMiB: number;
    /** User and system CPU time of the client's process. */
    readonly cpuMs: number;
    /** What the client printed on stdout (the task's log, as the agent reads it); 0 for the baselines. */
    readonly stdoutBytes: number;
    /** How many requests ran one after another before the first upload request (the longest chain that did not overlap). */
    readonly requestsInSequenceBeforeUpload: number;
    /** Connections the emulator saw (by client port). */
    readonly connections: number;
    readonly requests: number;
    /** What the client wrote on stderr. */
    readonly stderr: string;
}

/** Runs against the emulator; resolves with what it printed on stdout (nothing for the baselines). */
type Client = (collectionUrl: string, rssFile: string) => Promise<{ stdoutBytes: number; stderr?: string }>;

const now = () => performance.timeOrigin + performance.now();

/** The emulator in its own process: resolves with its collection URL, and a function that stops it and returns what it saw. */
async function startEmulator(server: ServerChoice): Promise<{ collectionUrl: string; stop(): Promise<{ requests: TimedRequest[]; firstRequestAt?: number }> }> {
    const options: EmulatorOptions = { token: TOKEN, projects: [PROJECT], storage: 'hash', maxAttachmentBytes: 4 * GiB, ...server.emulator };
    const child = fork(path.join(__dirname, 'emulatorProcess.js'), [JSON.stringify(options), JSON.stringify(server.bench ?? {})], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const next = () =>
        new Promise<EmulatorMessage>((resolve, reject) => {
            child.once('message', (message) => resolve(message as EmulatorMessage));
            child.once('exit', (code) => reject(new Error(`the emulator exited with ${code}`)));
        });
    const ready = await next();
    if (!('collectionUrl' in ready)) {
        throw new Error('the emulator did not start');
    }
    return {
        collectionUrl: ready.collectionUrl,
        stop: async () => {
            const report = next();
            child.send('stop');
            const message = await report;
            if (!('requests' in message)) {
                throw new Error('the emulator sent no requests');
            }
            return message;
        },
    };
}

/** How the emulator behaves for a measurement: its options (server version, resource areas) and added latency. */
interface ServerChoice {
    readonly emulator?: Partial<EmulatorOptions>;
    readonly bench?: BenchServerOptions;
}

/** Runs one client against a fresh emulator and measures it. */
async function measure(client: Client, server: ServerChoice = {}): Promise<Measurement> {
    const emulator = await startEmulator(server);
    const rssFile = path.join(os.tmpdir(), `uwia-bench-rss-${process.pid}-${Date.now()}`);
    try {
        const started = now();
        const { stdoutBytes, stderr } = await client(emulator.collectionUrl, rssFile);
        const wallMs = now() - started;
        const { requests, firstRequestAt } = await emulator.stop();
        const uploads = requests.filter(isAttachmentUpload);
        if (uploads.length === 0 || uploads.some((request) => request.status < 200 || request.status >= 300)) {
            throw new Error(`the client's uploads did not all succeed: ${uploads.map((request) => request.status).join(',')}`);
        }
        const figures = JSON.parse(fs.readFileSync(rssFile, 'utf8')) as ResourceFigures;
        const firstUpload = Math.min(...uploads.map((request) => request.receivedAt));
        return {
            transferMs: Math.max(...uploads.map((request) => request.endedAt)) - firstUpload,
            wallMs,
            firstRequestMs: (firstRequestAt ?? Number.NaN) - started,
            maxRssMiB: figures.maxRssKiB / 1024,
            cpuMs: figures.cpuMicros / 1000,
            stdoutBytes,
            requestsInSequenceBeforeUpload: requestsInSequence(requests.filter((request) => request.endedAt <= firstUpload).map((request) => ({ start: request.receivedAt, end: request.endedAt }))),
            connections: new Set(requests.map((request) => request.remotePort)).size,
            requests: requests.length,
            stderr: stderr ?? '',
        };
    } finally {
        fs.rmSync(rssFile, { force: true });
    }
}


function isAttachmentUpload(request: TimedRequest): boolean {
    return /\/_apis\/wit\/attachments/i.test(request.path) && (request.method === 'POST' || request.method === 'PUT');
}

/** The real bundled task, with the agent's environment (taskRunner), and the peak-RSS preload. */
function theTask(rootFolder: string, inputs: Record<string, string>, agent: { variables?: Record<string, string>; environment?: Record<string, string> } = {}): Client {
    return async (collectionUrl, rssFile) => {
        const run = await runTask({
            collectionUrl,
            token: TOKEN,
            projectName: PROJECT.name,
            projectId: PROJECT.id,
            inputs: { rootFolder, ...inputs },
            variables: agent.variables,
            environment: { ...agent.environment, NODE_OPTIONS: `--require ${MAX_RSS_PRELOAD}`, UWIA_BENCH_MAXRSS_FILE: rssFile },
        });
        fs.rmSync(run.tempDirectory, { recursive: true, force: true });
        if (run.result !== 'Succeeded') {
            throw new Error(`the task did not succeed: ${run.resultMessage}\n${run.stderr}`);
        }
        return { stdoutBytes: Buffer.byteLength(run.stdout), stderr: run.stderr };
    };
}

/** A baseline script from this folder, in a child process with the same preload. */
function baseline(script: 'minimalClient' | 'nodeApiLoop', job: (collectionUrl: string) => MinimalClientJob | NodeApiLoopJob): Client {
    return (collectionUrl, rssFile) =>
        new Promise<{ stdoutBytes: number }>((resolve, reject) => {
            const child = spawn(process.execPath, [path.join(__dirname, `${script}.js`), JSON.stringify(job(collectionUrl))], {
                env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: `--require ${MAX_RSS_PRELOAD}`, UWIA_BENCH_MAXRSS_FILE: rssFile },
                stdio: ['ignore', 'ignore', 'pipe'],
            });
            let stderr = '';
            child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
            child.on('error', reject);
            child.on('close', (code) => (code === 0 ? resolve({ stdoutBytes: 0 }) : reject(new Error(`${script} exited with ${code}: ${stderr}`))));
        });
}

/** Real bytes, written fast: one random 8 MiB block over and over. */
function writeFile(file: string, size: number): void {
    const block = randomBytes(8 * MiB);
    const fd = fs.openSync(file, 'w');
    try {
        for (let written = 0; written < size; written += block.length) {
            fs.writeSync(fd, block, 0, Math.min(block.length, size - written));
        }
    } finally {
        fs.closeSync(fd);
    }
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const mibPerSecond = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);
const fixed = (value: number, digits = 0) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Lines printed under the table. */
const notes: string[] = [];

function progress(message: string): void {
    process.stderr.write(`${message}\n`);
}

interface Row {
    readonly case: string;
    readonly task: string;
    readonly comparedWith: string;
    readonly baseline: string;
    readonly result: string;
    readonly target: string;
    readonly met: string;
}

async function oneLargeFile(folder: string): Promise<Row> {
    const size = GiB;
    const file = path.join(folder, 'large', 'one-gibibyte.bin');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFile(file, size);
    const minimal = (readBufferBytes: number): Client =>
        baseline('minimalClient', (collectionUrl) => ({ collectionUrl, project: PROJECT.id, token: TOKEN, file, chunkBytes: CHUNK_MB * MiB, readBufferBytes }));
    const clients: Record<string, Client> = {
        'minimal, 64 KiB reads': minimal(64 * 1024),
        'minimal, 1 MiB reads': minimal(MiB),
        task: theTask(path.dirname(file), { contents: '*.bin', chunkSizeMB: String(CHUNK_MB) }),
    };
    const speeds: Record<string, number[]> = Object.fromEntries(Object.keys(clients).map((name) => [name, []]));
    for (let round = 1; round <= ROUNDS; round++) {
        for (const [name, client] of Object.entries(clients)) {
            const measured = await measure(client);
            speeds[name].push(mibPerSecond(size, measured.transferMs));
            progress(`1 GiB, round ${round}: ${name}: ${fixed(mibPerSecond(size, measured.transferMs))} MiB/s`);
        }
    }
    fs.rmSync(file);
    const task = median(speeds.task);
    const [limitName, limit] = Object.entries(speeds)
        .filter(([name]) => name !== 'task')
        .map(([name, values]) => [name, median(values)] as const)
        .sort((a, b) => b[1] - a[1])[0];
    const ratio = task / limit;
    return {
        case: `one 1 GiB file, chunked, ${CHUNK_MB} MiB chunks`,
        task: `${fixed(task)} MiB/s`,
        comparedWith: `plain node:http client, same protocol, sequential (${limitName}, the faster)`,
        baseline: `${fixed(limit)} MiB/s`,
        result: `${fixed(ratio, 2)} of it`,
        target: '≥ 0.90',
        met: ratio >= 0.9 ? 'yes' : `no (${fixed((0.9 - ratio) * 100, 1)} points short)`,
    };
}

function smallFiles(folder: string, name: string, count: number): string {
    const small = path.join(folder, name);
    fs.mkdirSync(small, { recursive: true });
    for (let index = 0; index < count; index++) {
        fs.writeFileSync(path.join(small, `file-${String(index).padStart(4, '0')}.bin`), randomBytes(10_000));
    }
    return small;
}

const plainClient = (folder: string, concurrency = 4): Client =>
    baseline('minimalClient', (collectionUrl) => ({ collectionUrl, project: PROJECT.id, token: TOKEN, folder, concurrency }));

async function manySmallFiles(folder: string): Promise<Row[]> {
    const count = 2_000;
    const small = smallFiles(folder, 'small', count);
    const one = smallFiles(folder, 'one-small', 1);
    const clients: Record<string, Client> = {
        'node-api loop': baseline('nodeApiLoop', (collectionUrl) => ({ collectionUrl, project: PROJECT.id, token: TOKEN, folder: small })),
        'plain node:http, 4 at once': plainClient(small),
        task: theTask(small, { contents: '*.bin' }),
        // One file each: the CPU a client spends whatever the number of files (start-up, negotiation, exit).
        'plain, one file': plainClient(one),
        'task, one file': theTask(one, { contents: '*.bin' }),
    };
    const runs: Record<string, Measurement[]> = Object.fromEntries(Object.keys(clients).map((name) => [name, []]));
    for (let round = 1; round <= SMALL_FILE_ROUNDS; round++) {
        for (const [name, client] of Object.entries(clients)) {
            const measured = await measure(client);
            runs[name].push(measured);
            progress(`2,000 files, round ${round}: ${name}: ${fixed(measured.transferMs / 1000, 2)} s, CPU ${fixed(measured.cpuMs)} ms (spawn to exit ${fixed(measured.wallMs / 1000, 2)} s)`);
        }
    }
    fs.rmSync(small, { recursive: true });
    fs.rmSync(one, { recursive: true });
    const medianOf = (name: string, figure: (measured: Measurement) => number) => median(runs[name].map(figure));
    const task = medianOf('task', (run) => run.transferMs);
    const loop = medianOf('node-api loop', (run) => run.transferMs);
    const plain = medianOf('plain node:http, 4 at once', (run) => run.transferMs);
    const speedup = loop / task;
    const cpu = (name: string) => medianOf(name, (run) => run.cpuMs);
    const taskPerFile = ((cpu('task') - cpu('task, one file')) * 1000) / (count - 1);
    const plainPerFile = ((cpu('plain node:http, 4 at once') - cpu('plain, one file')) * 1000) / (count - 1);
    const cpuRatio = taskPerFile / plainPerFile;
    // The same ratio within each round, to show how far one round's figure can be from the medians'.
    const roundRatios = runs.task.map((_, round) => {
        const perFile = (many: string, one: string) => runs[many][round].cpuMs - runs[one][round].cpuMs;
        return perFile('task', 'task, one file') / perFile('plain node:http, 4 at once', 'plain, one file');
    });
    const stdoutPerFile = medianOf('task', (run) => run.stdoutBytes) / count;
    notes.push(
        `2,000 files: for reference, the plainest node:http client with 4 uploads at once took ${fixed(plain / 1000, 2)} s, ` +
            `${fixed(loop / plain, 1)}x faster than the node-api loop; the task spends ${fixed(task / plain, 2)}x its time.`,
        `2,000 files, CPU in all (user + system, spawn to exit): the task ${fixed(cpu('task'))} ms, the plain client ${fixed(cpu('plain node:http, 4 at once'))} ms ` +
            `(${fixed(cpu('task') / cpu('plain node:http, 4 at once'), 2)}x); for one file ${fixed(cpu('task, one file'))} ms and ${fixed(cpu('plain, one file'))} ms. ` +
            'CPU per file is the difference between the two runs, divided by the 1,999 more files; ' +
            `medians of ${SMALL_FILE_ROUNDS} rounds. Within each round the ratio was ${fixed(Math.min(...roundRatios), 2)}x to ${fixed(Math.max(...roundRatios), 2)}x.`,
    );
    return [
        {
            case: '2,000 files of 10 KB',
            task: `${fixed(task / 1000, 2)} s (${fixed(count / (task / 1000))} files/s)`,
            comparedWith: 'sequential loop of azure-devops-node-api createAttachment',
            baseline: `${fixed(loop / 1000, 2)} s (${fixed(count / (loop / 1000))} files/s)`,
            result: `${fixed(speedup, 1)}x faster`,
            target: '≥ 3x',
            met: speedup >= 3 ? 'yes' : `no (${fixed(speedup, 2)}x)`,
        },
        {
            case: '2,000 files of 10 KB: CPU per file',
            task: `${fixed(taskPerFile)} µs`,
            comparedWith: 'plain node:http client, 4 at once, same requests',
            baseline: `${fixed(plainPerFile)} µs`,
            result: `${fixed(cpuRatio, 2)}x`,
            target: '≤ 1.25x',
            met: cpuRatio <= 1.25 ? 'yes' : 'no',
        },
        {
            case: '2,000 files of 10 KB: stdout per file',
            task: `${fixed(stdoutPerFile)} bytes`,
            comparedWith: '(everything the task prints: log, debug lines, progress, output variables)',
            baseline: '',
            result: `${fixed(stdoutPerFile)} bytes`,
            target: '≤ 300 bytes',
            met: stdoutPerFile <= 300 ? 'yes' : 'no',
        },
    ];
}

/** One 2 GiB file in 1 MiB chunks: 2,048 requests, where the cost per request shows. */
async function smallChunks(folder: string): Promise<Row[]> {
    const size = 2 * GiB;
    const file = path.join(folder, 'chunks', 'two-gibibytes.bin');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFile(file, size);
    const clients: Record<string, Client> = {
        plain: baseline('minimalClient', (collectionUrl) => ({ collectionUrl, project: PROJECT.id, token: TOKEN, file, chunkBytes: MiB, readBufferBytes: MiB })),
        task: theTask(path.dirname(file), { contents: '*.bin', chunkSizeMB: '1' }),
    };
    const runs: Record<string, Measurement[]> = { plain: [], task: [] };
    for (let round = 1; round <= ROUNDS; round++) {
        for (const [name, client] of Object.entries(clients)) {
            const measured = await measure(client);
            runs[name].push(measured);
            progress(`2 GiB in 1 MiB chunks, round ${round}: ${name}: ${fixed(mibPerSecond(size, measured.transferMs))} MiB/s, CPU ${fixed(measured.cpuMs)} ms, peak RSS ${fixed(measured.maxRssMiB)} MiB`);
        }
    }
    fs.rmSync(file);
    const medianOf = (name: string, figure: (measured: Measurement) => number) => median(runs[name].map(figure));
    const cpuRatio = medianOf('task', (run) => run.cpuMs) / medianOf('plain', (run) => run.cpuMs);
    const speed = (name: string) => mibPerSecond(size, medianOf(name, (run) => run.transferMs));
    const speedRatio = speed('task') / speed('plain');
    const rss = Math.max(...runs.task.map((run) => run.maxRssMiB));
    return [
        {
            case: 'one 2 GiB file, 1 MiB chunks: CPU',
            task: `${fixed(medianOf('task', (run) => run.cpuMs))} ms`,
            comparedWith: 'plain node:http client, same protocol, 1 MiB reads',
            baseline: `${fixed(medianOf('plain', (run) => run.cpuMs))} ms`,
            result: `${fixed(cpuRatio, 2)}x`,
            target: '≤ 1.5x',
            met: cpuRatio <= 1.5 ? 'yes' : 'no',
        },
        {
            case: 'one 2 GiB file, 1 MiB chunks: throughput',
            task: `${fixed(speed('task'))} MiB/s`,
            comparedWith: 'the same plain client',
            baseline: `${fixed(speed('plain'))} MiB/s`,
            result: `${fixed(speedRatio, 2)} of it`,
            target: '≥ 0.95',
            met: speedRatio >= 0.95 ? 'yes' : 'no',
        },
        {
            case: 'one 2 GiB file, 1 MiB chunks: peak RSS of the task',
            task: `${fixed(rss)} MiB`,
            comparedWith: '(highest of the rounds)',
            baseline: '',
            result: `${fixed(rss)} MiB`,
            target: '< 150 MiB',
            met: rss < 150 ? 'yes' : 'no',
        },
    ];
}

/** 200 small files with 50 ms added to every upload at the emulator: how well the uploads overlap the wait. */
async function latency(folder: string): Promise<Row> {
    const count = 200;
    const delayMs = 50;
    const files = smallFiles(folder, 'latency', count);
    const server: ServerChoice = { bench: { uploadDelayMs: delayMs } };
    const clients: Record<string, Client> = { plain: plainClient(files), task: theTask(files, { contents: '*.bin' }) };
    const times: Record<string, number[]> = { plain: [], task: [] };
    for (let round = 1; round <= ROUNDS; round++) {
        for (const [name, client] of Object.entries(clients)) {
            const measured = await measure(client, server);
            times[name].push(measured.transferMs);
            progress(`200 files at 50 ms, round ${round}: ${name}: ${fixed(measured.transferMs)} ms`);
        }
    }
    fs.rmSync(files, { recursive: true });
    const ideal = (count * delayMs) / 4;
    const task = median(times.task);
    const plain = median(times.plain);
    const ratio = task / plain;
    notes.push(`200 files at 50 ms: the ideal (files x latency / 4 at once) is ${fixed(ideal)} ms; the task took ${fixed(task / ideal, 3)}x it, the plain client ${fixed(plain / ideal, 3)}x.`);
    return {
        case: '200 files of 10 KB, 50 ms latency per upload, 4 at once',
        task: `${fixed(task)} ms`,
        comparedWith: 'plain node:http client, 4 at once',
        baseline: `${fixed(plain)} ms`,
        result: `${fixed(ratio, 3)}x`,
        target: '≤ 1.02x',
        met: ratio <= 1.02 ? 'yes' : 'no',
    };
}

/** 40 files behind a real squid with basic authentication: tunnels, and stderr. */
async function proxy(folder: string): Promise<Row> {
    const row = { case: '40 files behind squid with basic auth, 4 at once: tunnels', comparedWith: 'the same run direct: connections' };
    if (!Squid.available()) {
        return { ...row, task: 'squid not installed', baseline: '', result: '', target: '≤ 6, nothing on stderr', met: 'not measured' };
    }
    const files = smallFiles(folder, 'proxied', 40);
    const squid = await Squid.start('bench-agent', 'bench-Pa55');
    try {
        const behindSquid = {
            variables: { 'Agent.ProxyUrl': squid.url, 'Agent.ProxyUsername': 'bench-agent' },
            environment: { VSTS_SECRET_VARIABLES: JSON.stringify(['Agent.ProxyPassword']), SECRET_AGENT_PROXYPASSWORD: 'bench-Pa55' },
        };
        const proxied = await measure(theTask(files, { contents: '*.bin', concurrency: '4' }, behindSquid));
        const direct = await measure(theTask(files, { contents: '*.bin', concurrency: '4' }));
        const met = proxied.connections <= 6 && proxied.stderr === '';
        return {
            ...row,
            task: `${proxied.requests} requests through ${proxied.connections} tunnels; stderr ${proxied.stderr === '' ? 'empty' : `${Buffer.byteLength(proxied.stderr)} bytes`}`,
            baseline: `${direct.requests} requests on ${direct.connections} connections`,
            result: `${proxied.connections} tunnels`,
            target: '≤ 6 (concurrency + 2), nothing on stderr',
            met: met ? 'yes' : 'no',
        };
    } finally {
        await squid.remove();
        fs.rmSync(files, { recursive: true });
    }
}

/** Requests one after another before the first upload, on each kind of server the task negotiates with. */
async function negotiation(folder: string): Promise<Row> {
    const tiny = path.join(folder, 'negotiation');
    fs.mkdirSync(tiny, { recursive: true });
    fs.writeFileSync(path.join(tiny, 'one.txt'), 'x');
    // 100 ms on every negotiation request, as a distant server has: requests one after another then show as such.
    const bench = { otherDelayMs: 100 };
    const servers: Record<string, ServerChoice> = {
        'hosted (7.1, resource areas)': { emulator: { resourceAreas: 'hosted' }, bench },
        'Server 2019 (5.0)': { emulator: { serverVersion: '5.0' }, bench },
        'Server 2022 (7.1)': { bench },
    };
    const counts: string[] = [];
    let worst = 0;
    for (const [name, server] of Object.entries(servers)) {
        const measured = await measure(theTask(tiny, { contents: 'one.txt' }), server);
        counts.push(`${measured.requestsInSequenceBeforeUpload} on ${name}`);
        worst = Math.max(worst, measured.requestsInSequenceBeforeUpload);
    }
    fs.rmSync(tiny, { recursive: true });
    return {
        case: 'requests in sequence before the first upload',
        task: counts.join(', '),
        comparedWith: '(100 ms added to each negotiation request; each run uploads, the api-version negotiated)',
        baseline: '',
        result: `${worst} at most`,
        target: '≤ 2',
        met: worst <= 2 ? 'yes' : 'no',
    };
}

async function peakMemory(folder: string): Promise<Row> {
    const sizes = [
        { label: '100 MiB', size: 100 * MiB, sparse: false },
        { label: '2 GiB', size: 2 * GiB, sparse: true },
    ];
    const peaks: string[] = [];
    const values: number[] = [];
    for (const { label, size, sparse } of sizes) {
        const file = path.join(folder, 'memory', `${label.replace(' ', '')}.bin`);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        if (sparse) {
            // A hole reads back as zeros: 2 GiB without writing 2 GiB.
            fs.writeFileSync(file, '');
            fs.truncateSync(file, size);
        } else {
            writeFile(file, size);
        }
        const measured = await measure(theTask(path.dirname(file), { contents: path.basename(file), chunkSizeMB: String(CHUNK_MB) }));
        fs.rmSync(file);
        values.push(measured.maxRssMiB);
        peaks.push(`${fixed(measured.maxRssMiB)} MiB at ${label}`);
        progress(`peak RSS at ${label}: ${fixed(measured.maxRssMiB)} MiB (${fixed(mibPerSecond(size, measured.transferMs))} MiB/s)`);
    }
    const flat = Math.max(...values) < 150;
    return {
        case: 'peak RSS of the task, one file of 100 MiB and of 2 GiB',
        task: peaks[0],
        comparedWith: 'the same at 2 GiB',
        baseline: peaks[1],
        result: `${fixed(values[1] - values[0], 1)} MiB more for 20x the bytes`,
        target: '< 150 MiB both',
        met: flat ? 'yes' : 'no',
    };
}

async function startUp(folder: string): Promise<Row> {
    const tiny = path.join(folder, 'tiny');
    fs.mkdirSync(tiny, { recursive: true });
    fs.writeFileSync(path.join(tiny, 'one.txt'), 'x');
    const samples: number[] = [];
    const footprints: number[] = [];
    for (let run = 0; run < 5; run++) {
        const measured = await measure(theTask(tiny, { contents: 'one.txt' }));
        samples.push(measured.firstRequestMs);
        footprints.push(measured.maxRssMiB);
    }
    progress(`start to first request: ${samples.map((ms) => fixed(ms)).join(', ')} ms`);
    notes.push(`Peak RSS of the task uploading one 1-byte file: ${fixed(median(footprints))} MiB, the footprint of Node, task-lib and node-api before any upload.`);
    return {
        case: 'start to first request (cold start of the bundled task)',
        task: `${fixed(median(samples))} ms (median of 5; first ${fixed(samples[0])} ms)`,
        comparedWith: '(reported)',
        baseline: '',
        result: '',
        target: '',
        met: '',
    };
}

function machine(): string {
    const cpus = os.cpus();
    return `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${fixed(os.totalmem() / GiB, 1)} GiB RAM, Node ${process.version}, ${os.type()} ${os.release()}`;
}

function table(rows: Row[]): string {
    const header: Row = { case: 'case', task: 'task', comparedWith: 'compared with', baseline: 'baseline', result: 'result', target: 'target', met: 'met' };
    const keys = Object.keys(header) as (keyof Row)[];
    const line = (row: Row) => `| ${keys.map((key) => row[key]).join(' | ')} |`;
    return [line(header), `|${keys.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'uwia-bench-'));
    const started = performance.now();
    try {
        const cases: Record<string, (folder: string) => Promise<Row | Row[]>> = {
            large: oneLargeFile,
            small: manySmallFiles,
            chunks: smallChunks,
            latency,
            negotiation,
            proxy,
            memory: peakMemory,
            startup: startUp,
        };
        // `node build/bench/bench.js small startup` runs only those cases.
        const chosen = process.argv.slice(2);
        const rows: Row[] = [];
        for (const [name, run] of Object.entries(cases)) {
            if (chosen.length === 0 || chosen.includes(name)) {
                rows.push(...[await run(folder)].flat());
            }
        }
        process.stdout.write(`\nMachine: ${machine()}\n\n${table(rows)}\n\n`);
        notes.push(`Transfer times at the emulator (first upload request in, last answer out); medians of ${ROUNDS} rounds (${SMALL_FILE_ROUNDS} for the 2,000 small files). Bench time ${fixed((performance.now() - started) / 1000)} s.`);
        process.stdout.write(`${notes.join('\n')}\n`);
    } finally {
        fs.rmSync(folder, { recursive: true, force: true });
    }
}

main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
});
