import { compareOrdinal, type ArtifactFile } from './findArtifacts';

/** A file that now has an attachment: uploaded (`simple`, `chunked`) or already on the target work items (`reused`). */
export interface AttachmentOutput {
    readonly file: ArtifactFile;
    readonly id: string;
    readonly url: string;
    readonly uploadType: 'simple' | 'chunked' | 'reused';
}

export type SetOutput = (name: string, value: string) => void;

/** Sets every output, in path order whatever order the uploads finished in. With nothing uploaded the outputs are empty, not missing. */
export function publishOutputs(attachments: readonly AttachmentOutput[], linkedWorkItems: readonly number[], setOutput: SetOutput): void {
    const sorted = [...attachments].sort((a, b) => compareOrdinal(a.file.relativePath, b.file.relativePath));
    setOutput('AttachmentUrls', sorted.map((attachment) => attachment.url).join(';'));
    setOutput('AttachmentUrl', sorted[0]?.url ?? '');
    setOutput('AttachmentCount', String(sorted.length));
    setOutput(
        'Attachments',
        JSON.stringify(
            sorted.map(({ file, id, url, uploadType }) => ({
                path: file.relativePath,
                name: file.name,
                id,
                url,
                size: file.size,
                uploadType,
            })),
        ),
    );
    setOutput('LinkedWorkItems', linkedWorkItems.join(','));
}
