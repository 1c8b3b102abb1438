import * as fs from 'fs';
import * as tls from 'tls';

/**
 * The certificate authorities to trust when the agent names a CA file (`Agent.CAInfo`): the defaults plus that file.
 * Node's `ca` option replaces the default roots, so a private CA given alone would make every public server
 * untrusted (a proxy that reaches the internet, the release host). The defaults are what Node itself trusts:
 * on Node 22.15 and later `tls.getCACertificates('default')` (bundled roots, NODE_EXTRA_CA_CERTS and, with
 * NODE_USE_SYSTEM_CA=1, the operating system's store); on Node 20 the bundled roots and NODE_EXTRA_CA_CERTS.
 */
export function trustedRoots(caFilePem: string | undefined, environment: NodeJS.ProcessEnv = process.env): string[] | undefined {
    if (caFilePem === undefined) {
        return undefined;
    }
    return [...defaultRoots(environment), caFilePem];
}

function defaultRoots(environment: NodeJS.ProcessEnv): string[] {
    const getCACertificates = (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates;
    if (typeof getCACertificates === 'function') {
        return [...getCACertificates('default')];
    }
    const extraFile = environment.NODE_EXTRA_CA_CERTS;
    let extra: string[] = [];
    if (extraFile) {
        try {
            extra = [fs.readFileSync(extraFile, 'utf8')];
        } catch {
            // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS; the bundled roots still apply.
        }
    }
    return [...tls.rootCertificates, ...extra];
}
