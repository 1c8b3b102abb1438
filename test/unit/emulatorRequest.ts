import * as http from 'http';
import type { AzureDevOpsEmulator } from '../emulator';

export interface EmulatorReply {
    status: number;
    headers: http.IncomingHttpHeaders;
    json(): Record<string, unknown>;
}

/**
 * One request to the emulator as a well-behaved client sends it (bearer token, no sign-in redirect, api-version 7.1;
 * `headers` override any of them). `target` is absolute or relative to the collection URL.
 */
export function sendToEmulator(emu: AzureDevOpsEmulator, token: string, method: string, target: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<EmulatorReply> {
    const url = new URL(target, emu.collectionUrl);
    const all: Record<string, string> = {
        Authorization: `Bearer ${token}`,
        'X-TFS-FedAuthRedirect': 'Suppress',
        Accept: 'application/json;api-version=7.1',
        ...headers,
    };
    const bytes = body === undefined ? undefined : Buffer.from(body);
    if (bytes) {
        all['Content-Length'] = String(bytes.length);
    }
    return new Promise<EmulatorReply>((resolve, reject) => {
        const req = http.request(url, { method, headers: all, agent: false }, (res) => {
            const parts: Buffer[] = [];
            res.on('data', (chunk: Buffer) => parts.push(chunk));
            res.on('error', reject);
            res.on('end', () => {
                const text = Buffer.concat(parts).toString('utf8');
                resolve({ status: res.statusCode ?? 0, headers: res.headers, json: () => JSON.parse(text) as Record<string, unknown> });
            });
        });
        req.on('error', reject);
        req.end(bytes);
    });
}
