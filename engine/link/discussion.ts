import { formatBytes } from '../text/format';
import type { Localize } from '../text/localize';

/** What the Discussion entry links back to: the build's results page, or the release (Release.ReleaseWebUrl). */
export interface RunLink {
    readonly url?: string;
    /** The pipeline and run in words. */
    readonly text: string;
}

export interface DiscussedFile {
    readonly name: string;
    readonly size: number;
    readonly url: string;
}

/** Previews are images browsers show safely; never `.svg`, which can carry script. */
const PREVIEW_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.gif', '.webp', '.bmp']);

/** At most this many previews in one entry: a folder of screenshots must not make the Discussion unreadable. */
export const MAX_PREVIEWS = 10;

/** A preview's bounding box, in CSS pixels. */
const PREVIEW_MAX_WIDTH = 480;
const PREVIEW_MAX_HEIGHT = 320;

/**
 * The HTML of the Discussion entry (System.History) that tells of newly attached files: each as a link with its
 * size, images as bounded previews, and a link back to the run. Every value from outside (names, URLs, the run's
 * name) is escaped; a URL that is not http(s) is shown as text, never linked.
 */
export function discussionHtml(files: readonly DiscussedFile[], run: RunLink, loc: Localize): string {
    const items = files.map((file) => `<li>${link(file.url, file.name)} (${escapeHtml(formatBytes(file.size))})</li>`);
    const previews = files
        .filter((file) => PREVIEW_EXTENSIONS.has(extensionOf(file.name)) && isHttp(file.url))
        .slice(0, MAX_PREVIEWS)
        .map(
            (file) =>
                `<img src="${escapeHtml(file.url)}" alt="${escapeHtml(file.name)}" style="max-width:${PREVIEW_MAX_WIDTH}px;max-height:${PREVIEW_MAX_HEIGHT}px">`,
        );
    return [
        `<p>${escapeHtml(loc('DiscussionAttached', files.length))} ${link(run.url, run.text)}</p>`,
        `<ul>${items.join('')}</ul>`,
        ...(previews.length > 0 ? [`<p>${previews.join(' ')}</p>`] : []),
    ].join('');
}

export function escapeHtml(text: string): string {
    return text.replace(/[&<>"'`]/g, (char) => `&#${char.charCodeAt(0)};`);
}

function link(url: string | undefined, text: string): string {
    return url && isHttp(url) ? `<a href="${escapeHtml(url)}">${escapeHtml(text)}</a>` : escapeHtml(text);
}

function isHttp(url: string): boolean {
    try {
        const parsed = new URL(url);
        return parsed.protocol === 'https:' || parsed.protocol === 'http:';
    } catch {
        return false;
    }
}

function extensionOf(name: string): string {
    const dot = name.lastIndexOf('.');
    return dot < 0 ? '' : name.slice(dot).toLowerCase();
}
