/** Downloads and hashes one attachment: its SHA-256 when it has exactly `expectedSize` bytes, else undefined. */
export type AttachmentDownload = (attachmentId: string, expectedSize: number) => Promise<string | undefined>;

/**
 * What each claimed attachment was found to hold, downloaded at most once per run: every file or work item that
 * claims one attachment asks again, and the reuse proof and the proof of older versions share the answers. One per
 * run, made by the run's flow and handed to both proofs. A failed download stays failed for the run: it was already retried like any request.
 */
export class AttachmentDownloads {
    private readonly results = new Map<string, Promise<string | undefined>>();

    constructor(private readonly download: AttachmentDownload) {}

    /** True when this attachment was downloaded (or is being downloaded) for this size already: asking again costs nothing. */
    has(attachmentId: string, expectedSize: number): boolean {
        return this.results.has(keyOf(attachmentId, expectedSize));
    }

    /** The attachment's SHA-256 when it has exactly `expectedSize` bytes, else undefined; rejects as its download did. */
    sha256(attachmentId: string, expectedSize: number): Promise<string | undefined> {
        const key = keyOf(attachmentId, expectedSize);
        let result = this.results.get(key);
        if (!result) {
            result = this.download(attachmentId, expectedSize);
            // Whoever asks handles a failure; a result nobody awaits yet must not count as an unhandled rejection.
            result.catch(() => undefined);
            this.results.set(key, result);
        }
        return result;
    }
}

/**
 * By id and size: a download reads no more than the size asked for (plus one byte), so what it proved holds for
 * that size only. Ids are the lower-case GUIDs `attachmentIn` returns, whatever spelling the relation used.
 */
function keyOf(attachmentId: string, expectedSize: number): string {
    return `${attachmentId}/${expectedSize}`;
}
