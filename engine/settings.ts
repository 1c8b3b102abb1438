export type UploadType = 'auto' | 'simple' | 'chunked';

export const MEBIBYTE = 1024 * 1024;

/** How the files travel: what each front door reads from its inputs or options, and validates, before the first request. */
export interface TransferSettings {
    /** Every attachment is created under this area path; none: the project's root area. */
    readonly areaPath?: string;
    readonly chunkSizeBytes: number;
    readonly uploadType: UploadType;
    /** Files uploaded at once; the chunks of one file always go in order. */
    readonly concurrency: number;
    /** Retries per request. */
    readonly retries: number;
    readonly stallTimeoutMs: number;
}
