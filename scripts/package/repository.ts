import * as path from 'path';
import { readJson } from './project';

/** The repository vss-extension.json names until a publisher names theirs; packaging refuses it like the placeholder publisher. */
export const REPOSITORY_PLACEHOLDER = 'https://github.com/your-org/upload-work-item-attachments';

/** The Marketplace page's links: the repository, and for a GitHub repository its issues and its license. */
export interface RepositoryLinks {
    readonly repository: string;
    readonly issues?: string;
    readonly license?: string;
}

/**
 * The repository as a web address: `git+https://...`, a trailing `.git` or `/`, a user name (`org@dev.azure.com`) and
 * npm's `github:owner/name` shorthand are undone; anything else that is not an https URL is refused.
 */
export function normalizeRepositoryUrl(value: string): string {
    const text = value.trim().replace(/^github:/i, 'https://github.com/').replace(/^git\+/i, '');
    let url: URL;
    try {
        url = new URL(text);
    } catch {
        throw new Error(`Repository '${value}' is not a URL; give its web address, for example https://github.com/fabrikam/upload-work-item-attachments.`);
    }
    if (url.protocol !== 'https:' || url.search || url.hash) {
        throw new Error(`Repository '${value}' is not an https web address without a query, for example https://github.com/fabrikam/upload-work-item-attachments.`);
    }
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/+$/, '').replace(/\.git$/i, '');
}

export function isRepositoryPlaceholder(url: string): boolean {
    return /^https:\/\/github\.com\/your-org(\/|$)/i.test(url);
}

/** GitHub's issues and license pages follow from the repository's address; other hosts get the repository link only. */
export function repositoryLinks(repository: string): RepositoryLinks {
    if (new URL(repository).hostname.toLowerCase() === 'github.com') {
        return { repository, issues: `${repository}/issues`, license: `${repository}/blob/main/LICENSE` };
    }
    return { repository };
}

/** package.json's `repository`: a string, or `{ "url": ... }`; undefined when it has none. */
export function packageJsonRepository(root: string): string | undefined {
    const manifest = readJson(path.join(root, 'package.json')) as { repository?: string | { url?: string } };
    const repository = typeof manifest.repository === 'string' ? manifest.repository : manifest.repository?.url;
    return repository?.trim() || undefined;
}

/** vss-extension.json with its links and repository set to `links`, for the staged copy that tfx packs. */
export function withRepositoryLinks(manifest: Record<string, unknown>, links: RepositoryLinks): Record<string, unknown> {
    const pageLinks: Record<string, { uri: string }> = { repository: { uri: links.repository } };
    if (links.issues) {
        pageLinks.issues = { uri: links.issues };
    }
    if (links.license) {
        pageLinks.license = { uri: links.license };
    }
    return { ...manifest, links: pageLinks, repository: { type: 'git', uri: links.repository } };
}
