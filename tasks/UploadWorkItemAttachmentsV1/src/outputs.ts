import { compareOrdinal } from './findArtifacts';
import type { UploadedAttachment } from './uploadFile';

export type SetOutput = (name: string, value: string) => void;

/** Sets every output, in path order whatever order the uploads finished in. With nothing uploaded the outputs are empty, not missing. */
export function publishOutputs(uploaded: readonly UploadedAttachment[], setOutput: SetOutput): void {
    const sorted = [...uploaded].sort((a, b) => compareOrdinal(a.file.relativePath, b.file.relativePath));
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
}
