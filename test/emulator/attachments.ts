import { createHash, randomUUID, type Hash } from 'crypto';
import { errors } from './errors';
import type { Exchange } from './exchange';
import type { StoredAttachment } from './types';

export interface AttachmentSettings {
    storage: 'memory' | 'hash';
    maxAttachmentBytes: number;
    maxSimpleUploadBytes: number;
    chunkReplay: 'accept' | 'reject';
    /** What the start of a chunked upload answers: 202 (FACTS.md, "believed") or 201 (the 7.1 spec's example). */
    chunkedStartStatus: 201 | 202;
    deniedAreaPaths: string[];
    collectionUrl: string;
    urlSuffix: string;
}

interface AttachmentRecord {
    id: string;
    fileName: string;
    areaPath?: string;
    project?: string;
    uploadType: 'simple' | 'chunked';
    url: string;
    size: number;
    /** Running hash of the accepted bytes; a chunk hashes into a copy that replaces it only once accepted. */
    hash: Hash;
    sha256?: string;
    complete: boolean;
    parts: Buffer[];
    content?: Buffer;
    chunks: { first: number; last: number; total: number }[];
    total?: number;
    /** Set while a chunk is being received, so two PUTs cannot interleave their bytes. */
    busy: boolean;
}

type Reference = { id: string; url: string };

/** "Attachments - Create" (simple and chunked start), "Attachments - Upload Chunk" and "Attachments - Get". */
export class AttachmentStore {
    private readonly records = new Map<string, AttachmentRecord>();
    private readonly denied: Set<string>;

    constructor(private readonly settings: AttachmentSettings) {
        this.denied = new Set(settings.deniedAreaPaths.map((path) => path.toLowerCase()));
    }

    list(): StoredAttachment[] {
        return [...this.records.values()].map(snapshot);
    }

    get(id: string): StoredAttachment | undefined {
        const record = this.records.get(id.toLowerCase());
        return record && snapshot(record);
    }

    /** A complete attachment, as if uploaded simple by someone else: tests link it to work items. */
    seed(fileName: string, content: Buffer): StoredAttachment {
        const record = this.register({ fileName, uploadType: 'simple' });
        record.hash.update(content);
        record.size = content.length;
        record.parts = this.settings.storage === 'memory' ? [content] : [];
        this.finish(record);
        return snapshot(record);
    }

    async create(ex: Exchange, project: string | undefined): Promise<void> {
        const fileName = ex.q('fileName');
        if (!fileName) {
            return ex.fail(errors.fileNameRequired());
        }
        const requestedType = ex.q('uploadType') ?? 'Simple';
        const uploadType = requestedType.toLowerCase();
        if (uploadType !== 'simple' && uploadType !== 'chunked') {
            return ex.fail(errors.badUploadType(requestedType));
        }
        if (ex.header('content-range') !== undefined) {
            // The 4.1 docs show chunks POSTed here; the service's chunk route only accepts PUT with the id.
            return ex.fail(errors.methodNotAllowed('POST', ' Chunks are uploaded with PUT {collection}/_apis/wit/attachments/{id}.'));
        }
        const contentType = ex.header('content-type');
        if (!contentType) {
            return ex.fail(errors.formData());
        }
        if (mediaType(contentType) !== 'application/octet-stream') {
            return ex.fail(errors.badContentType(contentType));
        }
        const areaPath = ex.q('areaPath');
        if (areaPath !== undefined && this.denied.has(areaPath.toLowerCase())) {
            return ex.fail(errors.areaPathDenied());
        }
        const base = { fileName, areaPath, project };
        if (uploadType === 'chunked') {
            await ex.body.read();
            if (ex.body.bytes > 0) {
                return ex.fail(errors.chunkedStartHasBody(ex.body.bytes));
            }
            const record = this.register({ ...base, uploadType: 'chunked' });
            // FACTS.md: the start answers with a Location header and the reference.
            return ex.json(this.settings.chunkedStartStatus, reference(record), { Location: record.url });
        }
        return this.receiveSimple(ex, base);
    }

    private async receiveSimple(ex: Exchange, base: Pick<AttachmentRecord, 'fileName' | 'areaPath' | 'project'>): Promise<void> {
        const limit = this.settings.maxAttachmentBytes;
        const declared = ex.contentLength;
        if (declared !== undefined && declared > this.settings.maxSimpleUploadBytes) {
            return ex.failEarly(errors.simpleUploadTooLarge(declared, this.settings.maxSimpleUploadBytes));
        }
        if (declared !== undefined && declared > limit) {
            return ex.fail(errors.sizeExceeded(limit));
        }
        const hash = createHash('sha256');
        const parts: Buffer[] = [];
        let size = 0;
        await ex.body.read((chunk) => {
            size += chunk.length;
            // Past the limit the upload is lost anyway: keep reading so the client gets the answer, keep nothing.
            if (size <= limit) {
                hash.update(chunk);
                if (this.settings.storage === 'memory') {
                    parts.push(chunk);
                }
            }
        });
        if (size > limit) {
            return ex.fail(errors.sizeExceeded(limit));
        }
        const record = this.register({ ...base, uploadType: 'simple' });
        record.hash = hash;
        record.size = size;
        record.parts = parts;
        this.finish(record);
        return ex.json(201, reference(record));
    }

    async uploadChunk(ex: Exchange, id: string): Promise<void> {
        const record = this.records.get(id.toLowerCase());
        if (!record) {
            return ex.fail(errors.attachmentNotFound(id));
        }
        if (record.uploadType !== 'chunked') {
            return ex.fail(errors.badChunk(`attachment ${id} was not started with uploadType=Chunked.`));
        }
        if (record.busy) {
            return ex.fail(errors.chunkInProgress(id));
        }
        // FACTS.md: a multipart or form-data chunk is refused with 400; a body without a Content-Type is read as form data.
        const contentType = ex.header('content-type');
        if (!contentType) {
            return ex.fail(errors.formData());
        }
        if (mediaType(contentType) !== 'application/octet-stream') {
            return ex.fail(errors.badContentType(contentType));
        }
        const header = ex.header('content-range');
        if (header === undefined) {
            return ex.fail(errors.badChunk('the Content-Range header is missing.'));
        }
        const match = /^\s*bytes\s+(\d+)-(\d+)\/(\d+)\s*$/i.exec(header);
        if (!match) {
            return ex.fail(errors.badChunk(`the Content-Range "${header}" is not of the form "bytes {first}-{last}/{total}".`));
        }
        const [first, last, total] = [Number(match[1]), Number(match[2]), Number(match[3])];
        const limit = this.settings.maxAttachmentBytes;
        if (total > limit) {
            return ex.fail(errors.sizeExceeded(limit));
        }
        if (this.settings.chunkReplay === 'accept' && isReplay(record, first, last, total, ex.contentLength)) {
            return this.receiveReplay(ex, record, first, last);
        }
        if (record.complete) {
            return ex.fail(errors.badChunk(`attachment ${id} is already complete (${record.size} bytes).`));
        }
        if (this.settings.chunkReplay === 'accept' && first === 0 && record.size > 0) {
            // The server's code starts a new underlying file when offset 0 comes again.
            restart(record);
        }
        if (first <= last && first !== record.size && (record.total === undefined || total === record.total)) {
            // FACTS.md: a first chunk not at 0, or one ahead of the bytes received, is refused as an incorrect offset.
            return ex.fail(errors.chunkOffset(`the chunk starts at byte ${first} but ${record.size} bytes have been received, so the next chunk must start at ${record.size}.`));
        }
        const problem = chunkProblem(record, first, last, total, ex.contentLength);
        if (problem) {
            return ex.fail(errors.badChunk(problem));
        }
        const expected = last - first + 1;
        record.busy = true;
        try {
            const hash = record.hash.copy();
            const parts: Buffer[] = [];
            let received = 0;
            await ex.body.read((chunk) => {
                received += chunk.length;
                if (received <= expected) {
                    hash.update(chunk);
                    if (this.settings.storage === 'memory') {
                        parts.push(chunk);
                    }
                }
            });
            if (received !== expected) {
                return ex.fail(errors.badChunk(`the body has ${received} bytes but the Content-Range announces ${expected}.`));
            }
            record.hash = hash;
            record.parts.push(...parts);
            record.size += expected;
            record.total = total;
            record.chunks.push({ first, last, total });
            if (record.size === total) {
                this.finish(record);
                // FACTS.md: the final chunk answers 201 with the reference and a Location header.
                return ex.json(201, reference(record), { Location: record.url });
            }
            return ex.json(202, reference(record));
        } finally {
            record.busy = false;
        }
    }

    /** A resend of bytes already received: accepted when they are the same (only memory storage can compare them). */
    private async receiveReplay(ex: Exchange, record: AttachmentRecord, first: number, last: number): Promise<void> {
        const received = this.settings.storage === 'memory' ? (record.content ?? Buffer.concat(record.parts)).subarray(first, last + 1) : undefined;
        const parts: Buffer[] = [];
        await ex.body.read((chunk) => {
            if (received) {
                parts.push(chunk);
            }
        });
        if (received && !received.equals(Buffer.concat(parts))) {
            return ex.fail(errors.replayDiffers(record.id, first, last));
        }
        return ex.json(record.complete ? 201 : 202, reference(record));
    }

    async download(ex: Exchange, id: string): Promise<void> {
        const record = this.records.get(id.toLowerCase());
        if (!record || !record.complete) {
            return ex.fail(errors.attachmentNotFound(id));
        }
        if (!record.content) {
            return ex.fail(errors.contentDiscarded(id));
        }
        await ex.body.read();
        const headers: Record<string, string> = {
            'Content-Type': 'application/octet-stream',
            'Content-Length': String(record.content.length),
        };
        if ((ex.q('download') ?? '').toLowerCase() === 'true') {
            headers['Content-Disposition'] = `attachment; filename*=UTF-8''${encodeURIComponent(record.fileName)}`;
        }
        ex.res.writeHead(200, headers);
        ex.res.end(record.content);
    }

    private register(fields: Pick<AttachmentRecord, 'fileName' | 'areaPath' | 'project' | 'uploadType'>): AttachmentRecord {
        const id = randomUUID();
        const record: AttachmentRecord = {
            ...fields,
            id,
            url: `${this.settings.collectionUrl}_apis/wit/attachments/${id}?fileName=${encodeURIComponent(fields.fileName)}${this.settings.urlSuffix}`,
            size: 0,
            hash: createHash('sha256'),
            complete: false,
            parts: [],
            chunks: [],
            busy: false,
        };
        this.records.set(id, record);
        return record;
    }

    private finish(record: AttachmentRecord): void {
        record.complete = true;
        record.sha256 = record.hash.digest('hex');
        if (this.settings.storage === 'memory') {
            record.content = Buffer.concat(record.parts);
        }
        record.parts = [];
    }
}

/** A chunk wholly inside the bytes already received, with the same total and a body of the announced length. */
function isReplay(record: AttachmentRecord, first: number, last: number, total: number, contentLength: number | undefined): boolean {
    const wholeChunk = contentLength === undefined || contentLength === last - first + 1;
    return record.total === total && first <= last && last < record.size && wholeChunk && !(first === 0 && !record.complete);
}

function restart(record: AttachmentRecord): void {
    record.size = 0;
    record.hash = createHash('sha256');
    record.parts = [];
    record.chunks = [];
    record.total = undefined;
}

/** The service's rules for a chunk, checked before a byte of it is read. */
function chunkProblem(record: AttachmentRecord, first: number, last: number, total: number, contentLength: number | undefined): string | undefined {
    if (first > last) {
        return `the first byte ${first} is after the last byte ${last}.`;
    }
    if (record.total !== undefined && total !== record.total) {
        return `the total ${total} differs from the total ${record.total} of the earlier chunks.`;
    }
    if (first !== record.size) {
        return `the chunk starts at byte ${first} but ${record.size} bytes have been received, so the next chunk must start at ${record.size}.`;
    }
    if (last >= total) {
        return `the last byte ${last} is not below the total ${total}.`;
    }
    if (contentLength !== undefined && contentLength !== last - first + 1) {
        return `the Content-Length ${contentLength} differs from the ${last - first + 1} bytes the Content-Range announces.`;
    }
    return undefined;
}

function reference(record: AttachmentRecord): Reference {
    return { id: record.id, url: record.url };
}

function snapshot(record: AttachmentRecord): StoredAttachment {
    return {
        id: record.id,
        fileName: record.fileName,
        areaPath: record.areaPath,
        project: record.project,
        uploadType: record.uploadType,
        size: record.size,
        sha256: record.sha256 ?? record.hash.copy().digest('hex'),
        complete: record.complete,
        content: record.content,
        chunks: record.chunks.map((chunk) => ({ ...chunk })),
        url: record.url,
    };
}

function mediaType(contentType: string): string {
    return contentType.split(';')[0].trim().toLowerCase();
}
