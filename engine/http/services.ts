import * as fs from 'fs';
import type * as http from 'http';
import * as https from 'https';
import type { IncomingHttpHeaders } from 'http';
import type { IRequestOptions } from 'azure-devops-node-api/interfaces/common/VsoBaseInterfaces';
import type { VsoClient } from 'azure-devops-node-api/VsoClient';
import { AttachmentClient, type LocateResource } from '../upload/attachmentClient';
import { AzureDevOpsApis } from './azureDevOpsApis';
import { ApiLocationMissingError, HttpError, NetworkError } from './errors';
import { NodeHttpTransport, type ProxySettings, type TlsSettings } from './httpTransport';
import { trustedRoots } from './trustedRoots';
import type { TransferSettings } from '../settings';
import type { RetryPolicy } from './retryPolicy';
import { authorizationHeader, type ServerTarget } from '../target';

export interface ProxyConfiguration extends ProxySettings {
    /** Regular expressions, matched case-insensitively against the whole request URL, as the agent does; valid ones only (usableBypassPatterns). */
    readonly bypass: readonly string[];
}

export interface CertificateFiles {
    readonly caFile?: string;
    readonly certFile?: string;
    readonly keyFile?: string;
    readonly passphrase?: string;
}

/** Proxy and certificates: the agent's (`Agent.Proxy*`, `Agent.CAInfo`, `Agent.ClientCert*`, `Agent.SkipCertValidation`), or the command line's environment. */
export interface NetworkSettings {
    readonly proxy?: ProxyConfiguration;
    readonly certificates?: CertificateFiles;
    readonly skipCertValidation: boolean;
}

export interface UploadServices {
    readonly attachments: AttachmentClient;
    readonly apis: AzureDevOpsApis;
    close(): void;
}

/** Wires the REST layer: node-api for locations and version negotiation, our transport for the uploads themselves. Both use the agent's proxy and certificates. */
export function createUploadServices(
    target: ServerTarget,
    settings: Pick<TransferSettings, 'stallTimeoutMs' | 'areaPath'>,
    network: NetworkSettings,
    policy: RetryPolicy,
    userAgent: string,
): UploadServices {
    const transport = new NodeHttpTransport({
        tokenOrigin: new URL(target.collectionUrl).origin,
        authorization: authorizationHeader(target.credential),
        stallTimeoutMs: settings.stallTimeoutMs,
        proxyFor: proxyChooser(network.proxy),
        tls: tlsSettings(network),
        userAgent,
    });
    // node-api's requests go through the same agents, so the same watchdog, proxy and trusted roots cover them.
    const apis = new AzureDevOpsApis(target.collectionUrl, target.credential, nodeApiOptions(network, settings), userAgent, useAgents((url) => transport.agentFor(url)));
    const locate = nodeApiLocator(() => apis.workItemTracking(), policy);
    const attachments = new AttachmentClient(transport, locate, { project: target.project, areaPath: settings.areaPath }, (delayMs) =>
        policy.slowDown(delayMs),
    );
    return { attachments, apis, close: () => transport.close() };
}

/** The proxy for one URL, or none when the URL matches the bypass list. */
export function proxyFor(proxy: ProxyConfiguration | undefined, url: string): ProxySettings | undefined {
    return proxyChooser(proxy)(url);
}

/** `proxyFor` with the bypass list compiled once: it is asked on every request, every chunk included. */
function proxyChooser(proxy: ProxyConfiguration | undefined): (url: string) => ProxySettings | undefined {
    const bypass = (proxy?.bypass ?? []).map((pattern) => new RegExp(pattern, 'i'));
    return (url) => (!proxy || bypass.some((pattern) => pattern.test(url)) ? undefined : proxy);
}

/**
 * The bypass entries worth using: trimmed (`.proxybypass` lines often carry spaces), empty ones dropped, and one
 * that is not a valid regular expression ignored with a warning, instead of failing every request (typed-rest-client
 * compiles the list when a client is made, so one bad entry would fail every node-api call).
 */
export function usableBypassPatterns(entries: readonly string[], warnInvalid: (entry: string, reason: string) => void): string[] {
    const usable: string[] = [];
    for (const entry of entries.map((raw) => raw.trim()).filter((trimmed) => trimmed.length > 0)) {
        try {
            new RegExp(entry, 'i');
            usable.push(entry);
        } catch (error) {
            warnInvalid(entry, error instanceof Error ? error.message : String(error));
        }
    }
    return usable;
}

/**
 * Makes node-api (typed-rest-client) send through our agents. A request handler may change the request options
 * after typed-rest-client chose its own agent; which scheme that agent speaks tells the request's scheme.
 */
export function useAgents(agentFor: (url: URL) => http.Agent): (options: http.RequestOptions) => void {
    return (options) => {
        const chosen = options.agent as { defaultPort?: number } | undefined;
        const secure = chosen instanceof https.Agent || chosen?.defaultPort === 443;
        options.agent = agentFor(new URL(`${secure ? 'https' : 'http'}://${options.host}:${options.port}${options.path ?? '/'}`));
    };
}

function tlsSettings(network: NetworkSettings): TlsSettings {
    const files = network.certificates;
    const read = (file: string | undefined) => (file ? fs.readFileSync(file) : undefined);
    return {
        ca: trustedRoots(files?.caFile ? fs.readFileSync(files.caFile, 'utf8') : undefined),
        cert: read(files?.certFile),
        key: read(files?.keyFile),
        passphrase: files?.passphrase,
        rejectUnauthorized: !network.skipCertValidation,
    };
}

/** Redirects stay off, so that node-api cannot carry the token to another host either. */
function nodeApiOptions(network: NetworkSettings, settings: Pick<TransferSettings, 'stallTimeoutMs'>): IRequestOptions {
    const proxy = network.proxy;
    return {
        allowRedirects: false,
        keepAlive: true,
        socketTimeout: settings.stallTimeoutMs,
        ignoreSslError: network.skipCertValidation,
        // No caFile: typed-rest-client would make it the only root. Trust comes from our agents (useAgents), which add it to the defaults.
        cert: network.certificates && { ...network.certificates, caFile: undefined },
        proxy: proxy && {
            proxyUrl: proxy.url,
            proxyUsername: proxy.username,
            proxyPassword: proxy.password,
            proxyBypassHosts: [...proxy.bypass],
        },
    };
}

/**
 * Negotiates through node-api's VsoClient (OPTIONS `_apis/{area}`), retried like any request. The client is made once
 * (AzureDevOpsApis), so node-api's cache of an area's locations serves every later call; the attachment client asks for
 * the create location once, so concurrent first uploads do not each send an OPTIONS.
 */
export function nodeApiLocator(connectArea: () => Promise<{ vsoClient: VsoClient }>, policy: RetryPolicy): LocateResource {
    return (area, locationId, requestedVersion, routeValues, query) =>
        policy.run(`${area} API location`, async () => {
            let located;
            try {
                located = await (await connectArea()).vsoClient.getVersioningData(requestedVersion, area, locationId, routeValues, query);
            } catch (error) {
                throw fromNodeApiError(error);
            }
            if (!located.requestUrl || !located.apiVersion) {
                throw new ApiLocationMissingError(area, locationId);
            }
            return { requestUrl: located.requestUrl, apiVersion: located.apiVersion };
        });
}

/** node-api throws plain Errors with `statusCode` and `result`; give them the same types as our own requests' failures. */
export function fromNodeApiError(error: unknown): unknown {
    // Our agents' own failures (a stall with its stage) pass through typed-rest-client unchanged.
    if (error instanceof NetworkError) {
        return error;
    }
    const failure = error as {
        statusCode?: number;
        result?: { message?: string; typeKey?: string };
        responseHeaders?: IncomingHttpHeaders;
        code?: string;
        message?: string;
        rateLimit?: { retryAfter?: number };
    };
    if (typeof failure?.statusCode === 'number') {
        // responseHeaders is missing when the body was not JSON; rateLimit is read from the headers either way.
        const headers: IncomingHttpHeaders = { ...failure.responseHeaders };
        if (failure.rateLimit?.retryAfter !== undefined) {
            headers['retry-after'] ??= String(failure.rateLimit.retryAfter);
        }
        return new HttpError(failure.statusCode, failure.result?.message ?? failure.message ?? '', failure.result?.typeKey, headers);
    }
    if (typeof failure?.code === 'string') {
        return new NetworkError(failure.code, failure.message ?? failure.code);
    }
    // node-api's words when an OPTIONS answer listed no such location (its 404, 203 or non-JSON answer reads as none).
    const missing = failure instanceof Error ? /^Failed to find api location for area: (\S+) id: (\S+)/.exec(failure.message) : null;
    if (missing) {
        return new ApiLocationMissingError(missing[1], missing[2]);
    }
    if (failure instanceof Error && /^Request timeout/.test(failure.message)) {
        return new NetworkError('ESTALLED', failure.message);
    }
    return error;
}
