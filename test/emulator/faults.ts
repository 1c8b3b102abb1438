import { errorBody, errors } from './errors';
import type { Exchange } from './exchange';
import type { FaultAction, FaultRule } from './types';

interface ArmedRule {
    rule: FaultRule;
    matched: number;
}

export interface FiredFault {
    action: FaultAction;
    label: string;
}

/**
 * Every rule counts every request it matches, even one that an earlier rule already faults, so
 * "the 2nd PUT" means the 2nd PUT whatever else is configured. The first rule that fires wins.
 */
export class FaultBook {
    private rules: ArmedRule[] = [];

    add(rule: FaultRule): void {
        if ((rule.nth ?? 1) < 1 || (rule.times ?? 1) < 1) {
            throw new RangeError('nth and times start at 1');
        }
        this.rules.push({ rule, matched: 0 });
    }

    clear(): void {
        this.rules = [];
    }

    pick(ex: Exchange): FiredFault | undefined {
        let fired: FiredFault | undefined;
        for (const armed of this.rules) {
            if (!matches(armed.rule, ex)) {
                continue;
            }
            armed.matched += 1;
            const first = armed.rule.nth ?? 1;
            const times = armed.rule.times ?? 1;
            if (!fired && armed.matched >= first && armed.matched < first + times) {
                fired = { action: armed.rule.action, label: armed.rule.name ?? describe(armed.rule.action) };
            }
        }
        return fired;
    }
}

function matches(rule: FaultRule, ex: Exchange): boolean {
    if (rule.method && rule.method.toUpperCase() !== ex.method) {
        return false;
    }
    if (typeof rule.path === 'string' && !ex.path.includes(rule.path)) {
        return false;
    }
    if (rule.path instanceof RegExp) {
        rule.path.lastIndex = 0;
        if (!rule.path.test(ex.path)) {
            return false;
        }
    }
    return !rule.match || rule.match({ method: ex.method, path: ex.path, query: ex.query, headers: ex.headers });
}

function describe(action: FaultAction): string {
    switch (action.kind) {
        case 'status':
            return `status:${action.status}`;
        case 'delay':
            return `delay:${action.ms}`;
        default:
            return action.kind;
    }
}

/**
 * Plays a fault. Resolves true when the request should then be handled normally (a delay, a callback run before), false
 * when the fault has taken it over.
 */
export async function playFault(ex: Exchange, action: FaultAction, sleep: (ms: number) => Promise<boolean>): Promise<boolean> {
    switch (action.kind) {
        case 'delay':
            return sleep(action.ms);
        case 'before':
            await action.run();
            return true;
        case 'headers':
            for (const [name, value] of Object.entries(action.headers)) {
                ex.res.setHeader(name, value);
            }
            return true;
        case 'emptyReply':
            ex.emptyReply();
            return true;
        case 'lostReply':
            ex.interceptReply(() => ex.destroyConnection());
            return true;
        case 'trickle':
            ex.interceptReply((raw) => void trickle(ex, raw, action.intervalMs ?? 500, sleep));
            return true;
        case 'stall':
            if (action.afterBytes !== undefined) {
                try {
                    await ex.body.read(undefined, action.afterBytes);
                } catch {
                    // The client gave up first.
                }
            }
            // Never reading leaves the client's writes to back up in TCP buffers: only its own watchdog gets it out.
            ex.req.pause();
            return false;
        case 'reset': {
            const declared = ex.contentLength;
            const afterBytes = action.afterBytes ?? Math.max(1, Math.floor((declared ?? 0) / 2));
            try {
                await ex.body.read(undefined, afterBytes);
            } catch {
                // The client gave up first; the connection is gone either way.
            }
            ex.destroyConnection();
            return false;
        }
        case 'status': {
            if (action.consumeBody !== false) {
                await ex.body.read();
            }
            const headers = { ...(action.headers ?? {}) };
            let payload: Buffer;
            if (typeof action.body === 'string') {
                payload = Buffer.from(action.body, 'utf8');
                setDefault(headers, 'Content-Type', 'text/plain; charset=utf-8');
            } else {
                const body = action.body ?? errorBody(action.status === 429 ? errors.throttled() : errors.emulatedFault(action.status));
                payload = Buffer.from(JSON.stringify(body), 'utf8');
                setDefault(headers, 'Content-Type', 'application/json; charset=utf-8');
            }
            if (action.status === 204 || action.status === 304) {
                // These statuses cannot carry a body.
                ex.res.writeHead(action.status, action.headers ?? {});
                ex.res.end();
                return false;
            }
            setDefault(headers, 'Content-Length', String(payload.length));
            if (action.early) {
                ex.answerEarly(action.status, headers, payload, action.early === 'cutShort');
                return false;
            }
            ex.res.writeHead(action.status, headers);
            ex.res.end(payload);
            return false;
        }
    }
}

/** Writes the reply one byte at a time, so the client always has just received something; stops when the emulator stops. */
async function trickle(ex: Exchange, raw: Buffer, intervalMs: number, sleep: (ms: number) => Promise<boolean>): Promise<void> {
    const socket = ex.req.socket;
    for (const byte of raw) {
        if (!(await sleep(intervalMs)) || socket.destroyed) {
            return;
        }
        socket.write(Buffer.of(byte));
    }
    socket.end();
}

function setDefault(headers: Record<string, string>, name: string, value: string): void {
    if (!Object.keys(headers).some((key) => key.toLowerCase() === name.toLowerCase())) {
        headers[name] = value;
    }
}
