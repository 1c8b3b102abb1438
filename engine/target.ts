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
