import { proxyFor as engineProxyFor, type NetworkSettings } from '../engine/http/services';
import type { ProxySettings } from '../engine/http/httpTransport';
import { secretForms } from '../engine/text/safeText';
import { UsageError } from './options';

/**
 * The proxy and trusted roots a command line takes from its environment, as the engine's NetworkSettings.
 *
 * - `HTTPS_PROXY` for https URLs, `HTTP_PROXY` for http ones; the lower-case name wins, as in curl. Credentials in the
 *   proxy URL are taken out of it, decoded, and sent as the task sends the agent's (Proxy-Authorization: Basic).
 * - `NO_PROXY` becomes the task's bypass list: regular expressions matched case-insensitively against the whole
 *   request URL, so the engine needs no second way of deciding. `proxyFor(url)` gives the same decision directly.
 * - `NODE_EXTRA_CA_CERTS` needs nothing here: Node adds it to its default roots, and with no CA file of its own
 *   (`certificates` stays undefined) the engine keeps Node's defaults; trustedRoots.ts adds it again only next to a CA file.
 */

/** The engine's NetworkSettings (its `proxy` is the one for the collection URL's scheme, NO_PROXY as its bypass patterns), plus what a command line needs beside it. */
export interface CliNetwork extends NetworkSettings {
    /** The proxy to use for one request URL (by its scheme and NO_PROXY), or none. */
    proxyFor(url: string): ProxySettings | undefined;
    /** The proxy password in every form it could come back in a message: redacted from everything printed. */
    readonly secrets: string[];
}

type Environment = Readonly<Record<string, string | undefined>>;

export function networkFromEnvironment(environment: Environment, collectionUrl: string): CliNetwork {
    const bypass = bypassPatterns(variable(environment, 'no_proxy') ?? '');
    const https = proxyFromVariable(environment, 'https_proxy', bypass);
    const http = proxyFromVariable(environment, 'http_proxy', bypass);
    const forScheme = (url: string) => (/^https:/i.test(url) ? https : /^http:/i.test(url) ? http : undefined);
    // The engine's own rule, so the line the command prints says what the requests do.
    const proxyFor = (url: string): ProxySettings | undefined => engineProxyFor(forScheme(url), url);
    const secrets = [https, http].flatMap((proxy) => secretForms(proxy?.password ?? '', proxy?.username));
    return { proxy: forScheme(collectionUrl), certificates: undefined, skipCertValidation: false, proxyFor, secrets: [...new Set(secrets)] };
}

/** The lower-case variable when set and not empty, else the upper-case one, as curl reads them. */
function variable(environment: Environment, lowerCaseName: string): string | undefined {
    for (const name of [lowerCaseName, lowerCaseName.toUpperCase()]) {
        const value = environment[name]?.trim();
        if (value) {
            return value;
        }
    }
    return undefined;
}

function proxyFromVariable(environment: Environment, lowerCaseName: string, bypass: string[]): NonNullable<NetworkSettings['proxy']> | undefined {
    const raw = variable(environment, lowerCaseName);
    if (raw === undefined) {
        return undefined;
    }
    const name = environment[lowerCaseName]?.trim() ? lowerCaseName : lowerCaseName.toUpperCase();
    // As curl: a proxy given without a scheme is an http one.
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
    const bad = (what: string) => new UsageError(`${name} is '${withoutPassword(raw)}', but it must be ${what}.`);
    let url: URL;
    try {
        url = new URL(withScheme);
    } catch {
        throw bad('a proxy URL such as http://proxy.example.com:3128');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw bad('an http:// or https:// proxy URL (SOCKS proxies are not supported)');
    }
    let username: string;
    let password: string;
    try {
        username = decodeURIComponent(url.username);
        password = decodeURIComponent(url.password);
    } catch {
        throw bad('a proxy URL whose user name and password are percent-encoded correctly');
    }
    url.username = '';
    url.password = '';
    return {
        url: `${url.protocol}//${url.host}`,
        username: username || undefined,
        password: password || undefined,
        bypass,
    };
}

/** The value as it may be shown: whatever stands between `://` and `@` (user name and password) replaced by `***`. */
export function withoutPassword(raw: string): string {
    return raw.replace(/^([^/]*\/\/)?[^@/]*@/, (_, scheme: string | undefined) => `${scheme ?? ''}***@`);
}

/**
 * NO_PROXY as the agent's bypass list: comma-separated (spaces allowed) host names, each matching itself and its
 * subdomains (`.example.com` the same as `example.com`, as curl), `host:port` only on that port, IP addresses
 * (IPv6 with or without brackets), and `*` for every host. Case-insensitive. Each entry becomes one anchored
 * regular expression over the whole URL: scheme, optional user info, host, port.
 */
export function bypassPatterns(noProxy: string): string[] {
    const patterns: string[] = [];
    for (const entry of noProxy.split(/[\s,]+/).map((raw) => raw.trim().toLowerCase()).filter((raw) => raw !== '')) {
        if (entry === '*') {
            return ['^[a-z][a-z0-9+.-]*://'];
        }
        const { host, port } = hostAndPort(entry);
        if (host === '') {
            continue;
        }
        const isIp = /^[0-9.]+$/.test(host) || host.includes(':');
        const hostPattern = isIp ? hostLiteral(host) : `(?:[^/?#@]*\\.)?${escapeRegExp(host)}\\.?`;
        patterns.push(`^[a-z][a-z0-9+.-]*://(?:[^/?#@]*@)?${hostPattern}${portPattern(port)}(?:[/?#]|$)`);
    }
    return patterns;
}

function hostAndPort(entry: string): { host: string; port?: number } {
    const bracketed = /^\[([0-9a-f:.]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
        return { host: bracketed[1], port: bracketed[2] ? Number(bracketed[2]) : undefined };
    }
    // More than one colon without brackets: an IPv6 address, which cannot carry a port this way.
    if ((entry.match(/:/g) ?? []).length > 1) {
        return { host: entry };
    }
    const withPort = /^(.*):(\d+)$/.exec(entry);
    const host = (withPort ? withPort[1] : entry).replace(/^\*?\./, '').replace(/\.$/, '');
    return { host, port: withPort ? Number(withPort[2]) : undefined };
}

/** An IP address as the URL spells it: IPv6 in brackets. */
function hostLiteral(host: string): string {
    return host.includes(':') ? `\\[${escapeRegExp(host)}\\]` : escapeRegExp(host);
}

/** Any port, or exactly `port`, also when the URL leaves it out because it is its scheme's default. */
function portPattern(port: number | undefined): string {
    if (port === undefined) {
        return '(?::\\d+)?';
    }
    if (port === 443 || port === 80) {
        return `(?:(?<=^${port === 443 ? 'https' : 'http'}://[^/?#]*)(?::${port})?|:${port})`;
    }
    return `:${port}`;
}

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
