import { secretForms } from './text/safeText';

export type Credential =
    | { readonly kind: 'bearer'; readonly token: string }
    | { readonly kind: 'basic'; readonly username: string; readonly password: string };

/** Where the attachments go and with which token. */
export interface ServerTarget {
    /** Ends with `/`. */
    readonly collectionUrl: string;
    readonly credential: Credential;
    /** Who the token belongs to, in words an administrator can look up. */
    readonly identity: string;
    readonly project?: string;
}

export function authorizationHeader(credential: Credential): string {
    return credential.kind === 'bearer'
        ? `Bearer ${credential.token}`
        : `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
}

/** Every value that must be masked in the log and kept out of the summary: the secret, and the forms it travels in. */
export function secretsOf(credential: Credential): string[] {
    return credential.kind === 'bearer' ? secretForms(credential.token) : secretForms(credential.password, credential.username);
}

/**
 * The password of a URL written `https://user:password@host/`, in every form it can come back in (as written, as the
 * URL parser spells it, decoded, and the Basic forms): none when the URL has none. A service connection's URL is
 * the user's to type, and task-lib echoes it on a debug line.
 */
export function urlPasswordSecrets(url: string | undefined): string[] {
    const userInfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(url ?? '')?.[1];
    const colon = userInfo?.indexOf(':') ?? -1;
    if (userInfo === undefined || colon < 0 || colon === userInfo.length - 1) {
        return [];
    }
    const written = userInfo.slice(colon + 1);
    let parsed = '';
    try {
        parsed = new URL(url as string).password;
    } catch {
        parsed = '';
    }
    return [...new Set([written, parsed, ...secretForms(decoded(written), decoded(userInfo.slice(0, colon)))])].filter((form) => form !== '');
}

/** The URL without a user name and password: the credential has its own way in, and the collection URL is printed and linked. */
export function withoutUserInfo(url: string): string {
    try {
        const parsed = new URL(url);
        if (parsed.username === '' && parsed.password === '') {
            return url;
        }
        parsed.username = '';
        parsed.password = '';
        return parsed.href;
    } catch {
        return url;
    }
}

function decoded(text: string): string {
    try {
        return decodeURIComponent(text);
    } catch {
        return text;
    }
}
