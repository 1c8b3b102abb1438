/**
 * The plainest client of the protocol, with node:http and a keep-alive agent. No negotiation, retries, checks or
 * logging: what is left is the protocol, the loopback and the emulator, which is the practical limit here.
 * - One large file (`file`): chunked, one request after the other, each chunk streamed from disk.
 * - A folder of small files (`folder`): simple uploads, `concurrency` at a time, each file read whole.
 *
 *   node build/bench/minimalClient.js '{"collectionUrl":..., "project":..., "token":..., "file":..., "chunkBytes":..., "readBufferBytes":...}'
 */
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import type { Readable } from 'stream';

export type MinimalClientJob = {
    readonly collectionUrl: string;
    readonly project: string;
    readonly token: string;
} & ({ readonly file: string; readonly chunkBytes: number; readonly readBufferBytes: number } | { readonly folder: string; readonly concurrency: number });

const agent = new http.Agent({ keepAlive: true });

function send(job: MinimalClientJob, method: string, url: string, headers: Record<string, string>, body?: Readable | Buffer): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
        const req = http.request(
            url,
            {
                method,
                agent,
                headers: {
                    Authorization: `Bearer ${job.token}`,
                    Accept: 'application/json;api-version=7.1',
                    'Content-Type': 'application/octet-stream',
                    ...headers,
                },
            },
            (res) => {
                const parts: Buffer[] = [];
                res.on('data', (chunk: Buffer) => parts.push(chunk));
                res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }));
                res.on('error', reject);
            },
        );
        req.on('error', reject);
        if (body === undefined || Buffer.isBuffer(body)) {
            req.end(body);
        } else {
            body.on('error', reject);
            body.pipe(req);
        }
    });
}

async function uploadLarge(job: MinimalClientJob & { file: string; chunkBytes: number; readBufferBytes: number }): Promise<void> {
    const size = fs.statSync(job.file).size;
    const name = encodeURIComponent(path.basename(job.file));
    const attachments = `${job.collectionUrl}${job.project}/_apis/wit/attachments`;
    const start = await send(job, 'POST', `${attachments}?fileName=${name}&uploadType=Chunked`, { 'Content-Length': '0' });
    if (start.status !== 202 && start.status !== 201) {
        throw new Error(`start answered ${start.status}: ${start.text}`);
    }
    const { id } = JSON.parse(start.text) as { id: string };
    for (let first = 0; first < size; first += job.chunkBytes) {
        const last = Math.min(first + job.chunkBytes, size) - 1;
        const body = fs.createReadStream(job.file, { start: first, end: last, highWaterMark: job.readBufferBytes });
        const answer = await send(job, 'PUT', `${attachments}/${id}?fileName=${name}`, { 'Content-Range': `bytes ${first}-${last}/${size}`, 'Content-Length': String(last - first + 1) }, body);
        if (answer.status !== (last + 1 === size ? 201 : 202)) {
            throw new Error(`chunk ${first}-${last} answered ${answer.status}: ${answer.text}`);
        }
    }
}

async function uploadSmall(job: MinimalClientJob & { folder: string; concurrency: number }): Promise<void> {
    const names = fs.readdirSync(job.folder).sort();
    const attachments = `${job.collectionUrl}${job.project}/_apis/wit/attachments`;
    let next = 0;
    const lane = async (): Promise<void> => {
        while (next < names.length) {
            const name = names[next++];
            const content = fs.readFileSync(path.join(job.folder, name));
            const answer = await send(job, 'POST', `${attachments}?fileName=${encodeURIComponent(name)}&uploadType=Simple`, { 'Content-Length': String(content.length) }, content);
            if (answer.status !== 201) {
                throw new Error(`${name} answered ${answer.status}: ${answer.text}`);
            }
        }
    };
    await Promise.all(Array.from({ length: job.concurrency }, lane));
}

async function upload(job: MinimalClientJob): Promise<void> {
    await ('file' in job ? uploadLarge(job) : uploadSmall(job));
    agent.destroy();
}

if (require.main === module) {
    upload(JSON.parse(process.argv[2]) as MinimalClientJob).catch((error: unknown) => {
        process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
        process.exitCode = 1;
    });
}
