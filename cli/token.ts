import { secretsOf, type Credential } from '../engine/target';
import { UsageError } from './options';

export type TokenSource = 'stdin' | 'AZURE_DEVOPS_EXT_PAT' | 'SYSTEM_ACCESSTOKEN';

export interface ResolvedToken {
    readonly credential: Credential;
    /** Where the token came from, for messages (never the token itself). */
    readonly source: TokenSource;
    /** Every form in which the token could come back in a message: redacted from everything printed. */
    readonly secrets: string[];
}

export interface TokenContext {
    readonly tokenStdin: boolean;
    /** Standard input is a terminal, not a pipe. */
    readonly stdinIsTTY?: boolean;
    readonly environment: Readonly<Record<string, string | undefined>>;
    /** The first line of standard input; called only with `--token-stdin`. */
    readFirstLine(): Promise<string>;
}

export const NO_TOKEN_MESSAGE =
    'No token: pipe one to --token-stdin (for example: printenv MY_PAT | ado-attach --token-stdin ...), ' +
    'or set AZURE_DEVOPS_EXT_PAT to a personal access token, or set SYSTEM_ACCESSTOKEN (in a pipeline: env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)). ' +
    'The token is never taken from an argument.';

/**
 * The token, never from an argument (shell history, process lists): `--token-stdin` when given, else
 * AZURE_DEVOPS_EXT_PAT (the Azure DevOps CLI's convention), else SYSTEM_ACCESSTOKEN.
 */
export async function resolveToken(context: TokenContext): Promise<ResolvedToken> {
    if (context.tokenStdin) {
        if (context.stdinIsTTY) {
            // Waiting would look like a hang, and a token typed or pasted there stays on the screen and in its scrollback.
            throw new UsageError(
                '--token-stdin was given, but standard input is a terminal, not a pipe: pipe the token in (for example: printenv MY_PAT | ado-attach --token-stdin ...), or set AZURE_DEVOPS_EXT_PAT instead.',
            );
        }
        const line = withoutLineEnd(await context.readFirstLine());
        if (line === '') {
            throw new UsageError('--token-stdin was given, but the first line of standard input is empty: pipe the token in, one line.');
        }
        return resolved(credentialFor(line), 'stdin');
    }
    const pat = context.environment.AZURE_DEVOPS_EXT_PAT;
    if (pat !== undefined && pat.trim() !== '') {
        return resolved(credentialFor(pat.trim()), 'AZURE_DEVOPS_EXT_PAT');
    }
    const accessToken = context.environment.SYSTEM_ACCESSTOKEN;
    if (accessToken !== undefined && accessToken.trim() !== '') {
        // The pipeline's token is an OAuth token: bearer, whatever it looks like.
        return resolved({ kind: 'bearer', token: accessToken.trim() }, 'SYSTEM_ACCESSTOKEN');
    }
    throw new UsageError(NO_TOKEN_MESSAGE);
}

/** A JWT (an Entra ID access token) is a bearer token; anything else is a personal access token, sent as basic auth with an empty user name. */
export function credentialFor(token: string): Credential {
    return isJwt(token) ? { kind: 'bearer', token } : { kind: 'basic', username: '', password: token };
}

/** Three dot-separated base64url parts, the first a JSON object (`{"` is `eyJ` in base64). PATs hold no dots. */
export function isJwt(token: string): boolean {
    return /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

function resolved(credential: Credential, source: TokenSource): ResolvedToken {
    return { credential, source, secrets: secretsOf(credential) };
}

function withoutLineEnd(line: string): string {
    return line.replace(/[\r\n]+$/, '');
}

/** The longest first line taken as a token; more is a file piped by mistake, not a token. */
export const MAX_TOKEN_LINE_BYTES = 64 * 1024;

/**
 * Reads standard input up to its first line break (or its end), and no further: the rest is left unread.
 * The stream is passed in, so tests feed it a string.
 */
export function readFirstLine(input: NodeJS.ReadableStream): Promise<string> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let length = 0;
        const finish = (error?: Error) => {
            input.removeListener('data', onData);
            input.removeListener('end', onEnd);
            input.removeListener('error', onError);
            input.pause();
            if (error) {
                reject(error);
                return;
            }
            const text = Buffer.concat(chunks).toString('utf8');
            const lineEnd = text.indexOf('\n');
            resolve(lineEnd === -1 ? text : text.slice(0, lineEnd));
        };
        const onData = (chunk: Buffer | string) => {
            const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
            chunks.push(buffer);
            length += buffer.length;
            if (buffer.includes(0x0a)) {
                finish();
            } else if (length > MAX_TOKEN_LINE_BYTES) {
                finish(new UsageError(`--token-stdin read more than ${MAX_TOKEN_LINE_BYTES} bytes without a line break: pipe the token alone, one line.`));
            }
        };
        const onEnd = () => finish();
        const onError = (error: Error) => finish(new UsageError(`--token-stdin could not read standard input: ${error.message}`));
        input.on('data', onData);
        input.on('end', onEnd);
        input.on('error', onError);
        input.resume();
    });
}
