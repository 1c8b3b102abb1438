import {
    ApiLocationMissingError,
    ChunkStateMismatchError,
    ChunkTooLargeError,
    FileChangedError,
    FileLockedError,
    FileUnreadableError,
    HttpError,
    NetworkError,
    RedirectRefusedError,
    StallError,
    ThrottleBudgetSpentError,
    UnexpectedResponseError,
    isCertificateError,
    isClientCertificateRefused,
    proxyRefusal,
} from '../http/errors';
import type { ArtifactFile } from '../find/findArtifacts';
import { formatBytes, formatSeconds } from './format';
import type { Localize } from './localize';

export interface FailureContext {
    /** Who the token belongs to, in words the user can look up. */
    readonly identity: string;
    readonly areaPath?: string;
    readonly attempts: number;
    readonly stallTimeoutMs: number;
}

/** Says what went wrong with one file and what to do about it. */
/** `file` is the one being uploaded, when there is one: a size limit is explained with its size. */
export function describeFailure(error: unknown, file: Pick<ArtifactFile, 'size'> | undefined, context: FailureContext, loc: Localize): string {
    if (error instanceof FileChangedError) {
        return describeFileChanged(error, loc);
    }
    if (error instanceof FileLockedError) {
        return loc(error.during === 'hashing' ? 'FailureFileLockedWhileHashing' : 'FailureFileLocked', error.code, error.attempts);
    }
    if (error instanceof FileUnreadableError) {
        return loc('FailureFileUnreadable', error.code, error.detail);
    }
    if (error instanceof HttpError) {
        return describeHttpError(error, file, context, loc);
    }
    if (error instanceof ThrottleBudgetSpentError) {
        return loc('FailureThrottleBudget', error.throttled.serverMessage, formatSeconds(error.budgetMs));
    }
    if (error instanceof ChunkStateMismatchError) {
        const refusal = error.refusal instanceof HttpError ? `HTTP ${error.refusal.status}: ${error.refusal.serverMessage}` : String(error.refusal);
        return loc('FailureChunkState', error.restarts, refusal);
    }
    if (error instanceof ApiLocationMissingError) {
        return loc('FailureNotACollection', error.area);
    }
    if (error instanceof ChunkTooLargeError) {
        return loc('FailureChunkTooLarge', formatBytes(error.chunkBytes), error.refusal.serverMessage);
    }
    if (error instanceof RedirectRefusedError) {
        return loc('FailureRedirect', error.status, hostOf(error.location));
    }
    if (error instanceof UnexpectedResponseError) {
        // A 2xx with no body at all (a gateway that drops it) would otherwise read as "()".
        return loc('FailureUnexpectedResponse', error.status, error.bodyStart.trim() === '' ? loc('ResponseBodyEmpty') : error.bodyStart);
    }
    if (error instanceof NetworkError) {
        const proxyStatus = proxyRefusal(error);
        if (proxyStatus === 407) {
            return loc('FailureProxyAuthentication');
        }
        if (proxyStatus !== undefined) {
            return loc('FailureProxyTunnel', proxyStatus, context.attempts);
        }
        if (isClientCertificateRefused(error)) {
            return loc('FailureClientCertificate', error.code);
        }
        if (isCertificateError(error)) {
            return loc('FailureCertificate', error.code, firstLine(error.message));
        }
        if (error instanceof StallError && error.stage === 'connect') {
            return loc('FailureStalledConnect', context.stallTimeoutMs / 1000, loc(error.viaProxy ? 'StallStepsProxy' : 'StallStepsDirect'), context.attempts);
        }
        if (error instanceof StallError && error.stage === 'response') {
            return loc('FailureStalledResponse', context.stallTimeoutMs / 1000, context.attempts);
        }
        if (error.code === 'ESTALLED') {
            return loc('FailureStalled', context.stallTimeoutMs / 1000, context.attempts);
        }
        return loc('FailureNetwork', error.code, error.message, context.attempts);
    }
    return error instanceof Error ? error.message : String(error);
}

function describeFileChanged(error: FileChangedError, loc: Localize): string {
    if (error.during === 'hashing') {
        return error.reason === 'deleted' ? loc('FailureFileDeletedWhileHashing') : loc('FailureFileChangedWhileHashing', formatBytes(error.expectedSize));
    }
    if (error.reason === 'deleted') {
        return loc('FailureFileDeleted');
    }
    return error.reason === 'replaced' ? loc('FailureFileReplaced') : loc('FailureFileChanged', formatBytes(error.expectedSize));
}

/** Failures that every other file would meet too: there is no point in starting more uploads. */
export function stopsEverything(error: unknown): boolean {
    if (error instanceof HttpError) {
        return error.status === 401 || error.status === 203 || isRedirect(error) || isVersionOutOfRange(error);
    }
    return isCertificateError(error) || error instanceof RedirectRefusedError || error instanceof ApiLocationMissingError || proxyRefusal(error) === 407;
}

function describeHttpError(error: HttpError, file: Pick<ArtifactFile, 'size'> | undefined, context: FailureContext, loc: Localize): string {
    if (error.status === 401 || error.status === 203) {
        return loc('FailureTokenRefused', error.status, context.identity);
    }
    // node-api does not follow redirects either (allowRedirects: false); its refusal arrives as an HttpError.
    if (isRedirect(error)) {
        return loc('FailureRedirect', error.status, hostOf(String(error.headers.location ?? '')));
    }
    if (error.tfCode === 'TF237082' && file) {
        return loc('FailureTooLarge', formatBytes(file.size), withoutFinalStop(error.serverMessage));
    }
    // A front end's request limit, answered before the body is read: only a simple upload sends a whole file at once.
    if (error.status === 413 && file) {
        return loc('FailureSimpleTooLarge', error.serverMessage, formatBytes(file.size));
    }
    if (error.tfCode === 'TF237111' || error.status === 403) {
        return loc('FailureAreaPathDenied', context.areaPath ?? loc('DefaultAreaPath'), context.identity, error.serverMessage);
    }
    if (error.status === 429) {
        return loc('FailureThrottled', context.attempts, withoutFinalStop(error.serverMessage));
    }
    if (isVersionOutOfRange(error)) {
        return loc('FailureApiVersion', withoutFinalStop(error.serverMessage));
    }
    if (error.status >= 500) {
        return loc('FailureServerError', error.status, context.attempts, withoutFinalStop(error.serverMessage));
    }
    return loc('FailureRejected', error.status, error.serverMessage);
}

/**
 * A server message that a message continues with a sentence of its own ("%s. Split or compress..."): its own full
 * stop would make two. Only one final `.` goes; an ellipsis or other punctuation stays as the server wrote it.
 */
export function withoutFinalStop(serverMessage: string): string {
    return serverMessage.replace(/(?<!\.)\.\s*$/, '');
}

function isRedirect(error: HttpError): boolean {
    return error.status >= 300 && error.status < 400;
}

/** OpenSSL's messages run over several lines of internals; the first says what happened. */
function firstLine(message: string): string {
    return message.split(/\r?\n/)[0].trim();
}

function isVersionOutOfRange(error: HttpError): boolean {
    return /out of range for this server/i.test(error.serverMessage);
}

function hostOf(location: string): string {
    try {
        return new URL(location).host;
    } catch {
        return location || '?';
    }
}
