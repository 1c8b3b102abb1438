import type { ArtifactFile } from './find/findArtifacts';
import type { WorkItemFailure } from './link/linking';
import type { Localize } from './text/localize';
import type { FailedFile } from './upload/uploadAll';

/**
 * One thing of a run that did not make it, with its reason in words. The front doors render the list in their own
 * format (the task's result, the command line's lines and JSON); the list, its order and its words are the engine's.
 */
export type RunFailure =
    /** A file that failed: its upload, or before it (unreadable while hashed, refused by every work item). */
    | { readonly kind: 'fileFailed'; readonly subject: string; readonly file: ArtifactFile; readonly reason: string }
    /** A file never started, because an earlier failure would have failed it the same way. */
    | { readonly kind: 'fileNotStarted'; readonly subject: string; readonly file: ArtifactFile; readonly reason: string }
    /** A work item (`#12`) that did not get its attachments, or the lookup of the run's work items (no `workItem`). */
    | ({ readonly kind: 'workItem' } & WorkItemFailure);

/** What failed, as the engine keeps it: errors not yet in words. */
export interface FailureSources {
    /** Files that failed, in the order they failed (those that failed before any upload first). */
    readonly failed: readonly FailedFile[];
    readonly notStarted: readonly ArtifactFile[];
    readonly workItemFailures: readonly WorkItemFailure[];
}

/** Every failure in words, in the order a run reports them: failed files, files never started, then work items. */
export function listFailures(
    { failed, notStarted, workItemFailures }: FailureSources,
    describe: (error: unknown, file?: ArtifactFile) => string,
    loc: Localize,
): RunFailure[] {
    return [
        ...failed.map(({ file, error }): RunFailure => ({ kind: 'fileFailed', subject: file.relativePath, file, reason: describe(error, file) })),
        ...notStarted.map((file): RunFailure => ({ kind: 'fileNotStarted', subject: file.relativePath, file, reason: loc('FileNotStarted') })),
        ...workItemFailures.map((failure): RunFailure => ({ kind: 'workItem', ...failure })),
    ];
}
