import type { Exchange } from './exchange';
import { errors } from './errors';

/** Bearer <token>, or Basic with the token as password (the user name is ignored, as for a PAT). */
export function isAuthorized(authorization: string | undefined, token: string): boolean {
    if (!authorization) {
        return false;
    }
    const [scheme, ...rest] = authorization.trim().split(/\s+/);
    const credential = rest.join(' ');
    switch (scheme.toLowerCase()) {
        case 'bearer':
            return credential === token;
        case 'basic': {
            const decoded = Buffer.from(credential, 'base64').toString('utf8');
            const colon = decoded.indexOf(':');
            return colon >= 0 && decoded.slice(colon + 1) === token;
        }
        default:
            return false;
    }
}

const signInPage =
    '<!DOCTYPE html><html><head><title>Azure DevOps Services | Sign In</title></head>' +
    '<body><h1>Sign in to your account</h1><p>This page is what a browser would be redirected to.</p></body></html>';

/**
 * The service only answers 401 to clients that say they cannot follow a sign-in redirect; everyone
 * else gets a 203 with an HTML page, which naive clients mistake for success.
 */
export async function rejectUnauthenticated(ex: Exchange): Promise<void> {
    if ((ex.header('x-tfs-fedauthredirect') ?? '').toLowerCase() === 'suppress') {
        await ex.fail(errors.unauthorized(), { 'WWW-Authenticate': 'Bearer' });
        return;
    }
    await ex.body.read();
    const page = Buffer.from(signInPage, 'utf8');
    ex.res.writeHead(203, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(page.length) });
    ex.res.end(page);
}
