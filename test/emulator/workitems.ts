import { randomUUID } from 'crypto';
import { errors, type ServiceError } from './errors';
import type { Exchange } from './exchange';
import type { AttachedFileSeed, StoredAttachment, WorkItemRelation, WorkItemSeed, WorkItemSnapshot } from './types';

/** Azure DevOps Services' limit of AttachedFile relations on one work item (VS403313 above it). */
export const maxAttachedFiles = 100;

/** What a relation's revisedDate says while the relation is current. */
const currentRevision = '9999-01-01T00:00:00Z';

/** A PATCH body is a few operations; anything much bigger is not a client of this task. */
const maxPatchBytes = 4 * 1024 * 1024;

export interface WorkItemSettings {
    collectionUrl: string;
    /** The project every work item belongs to. */
    project: { id: string; name: string };
    /** Finds an attachment of this emulator by id. */
    attachment: (id: string) => StoredAttachment | undefined;
    /** Stores a complete attachment, for seeded relations with content. */
    storeAttachment?: (fileName: string, content: Buffer) => StoredAttachment;
}

interface WorkItemRecord {
    id: number;
    title: string;
    rev: number;
    relations: WorkItemRelation[];
    history: string[];
}

type Expand = 'none' | 'relations' | 'fields' | 'links' | 'all';

/** node-api sends WorkItemExpand as its number, other clients as its name. */
const expandValues: Record<string, Expand> = {
    '0': 'none',
    '1': 'relations',
    '2': 'fields',
    '3': 'links',
    '4': 'all',
    none: 'none',
    relations: 'relations',
    fields: 'fields',
    links: 'links',
    all: 'all',
};

/** "Work Items - Get Work Item" and "Work Items - Update" (relations of type AttachedFile only). */
export class WorkItemStore {
    private readonly items = new Map<number, WorkItemRecord>();
    /** The service numbers attached files itself; the attribute `id` is such a number. */
    private nextFileId = 41_000;

    constructor(private readonly settings: WorkItemSettings) {}

    add(seed: WorkItemSeed): void {
        if (!Number.isInteger(seed.id) || seed.id < 1) {
            throw new RangeError(`a work item id is a positive integer, got ${seed.id}`);
        }
        if (this.items.has(seed.id)) {
            throw new RangeError(`work item ${seed.id} exists already`);
        }
        const count = seed.attachedFiles ?? 0;
        if (!Number.isInteger(count) || count < 0) {
            throw new RangeError(`attachedFiles is a count, got ${count}`);
        }
        const relations: WorkItemRelation[] = [];
        for (let n = 1; n <= count; n++) {
            // Points at this emulator but at no stored attachment: nothing downloads these.
            const url = `${this.settings.collectionUrl}_apis/wit/attachments/${randomUUID()}`;
            relations.push(this.attachedFile(url, `existing-${n}.txt`, 1024, undefined));
        }
        for (const attachment of seed.attachments ?? []) {
            relations.push(this.seededRelation(attachment));
        }
        this.items.set(seed.id, { id: seed.id, title: seed.title ?? `Work item ${seed.id}`, rev: 1, relations, history: [] });
    }

    /** Someone else links a file to the item (a new revision); returns the relation as the item now holds it. */
    attach(id: number, seed: AttachedFileSeed): WorkItemRelation {
        const item = this.items.get(id);
        if (!item) {
            throw new RangeError(`work item ${id} does not exist`);
        }
        const relation = this.seededRelation(seed);
        item.relations.push(relation);
        item.rev += 1;
        return copyRelation(relation);
    }

    /** Someone else removes a relation (a new revision); returns it as the item held it. */
    detach(id: number, index: number): WorkItemRelation {
        const item = this.items.get(id);
        if (!item) {
            throw new RangeError(`work item ${id} does not exist`);
        }
        if (!Number.isInteger(index) || index < 0 || index >= item.relations.length) {
            throw new RangeError(`work item ${id} has no relation at ${index}`);
        }
        const [relation] = item.relations.splice(index, 1);
        item.rev += 1;
        return copyRelation(relation);
    }

    /** Someone else deletes the item (to the recycle bin): from then on it answers 404 like one that never existed. */
    delete(id: number): void {
        if (!this.items.delete(id)) {
            throw new RangeError(`work item ${id} does not exist`);
        }
    }

    /** A concurrent edit by someone else: the rev moves on, nothing else changes. */
    touch(id: number): void {
        const item = this.items.get(id);
        if (!item) {
            throw new RangeError(`work item ${id} does not exist`);
        }
        item.rev += 1;
    }

    snapshot(id: number): WorkItemSnapshot | undefined {
        const item = this.items.get(id);
        return (
            item && {
                id: item.id,
                rev: item.rev,
                title: item.title,
                project: this.settings.project.name,
                relations: item.relations.map(copyRelation),
                history: [...item.history],
            }
        );
    }

    async get(ex: Exchange, rawId: string): Promise<void> {
        const id = parseId(rawId);
        if (id === undefined) {
            return ex.fail(errors.badWorkItemId(rawId));
        }
        const rawExpand = ex.q('$expand');
        const expand = rawExpand === undefined ? 'none' : expandValues[rawExpand.trim().toLowerCase()];
        if (!expand) {
            return ex.fail(errors.badExpand(String(rawExpand)));
        }
        const item = this.items.get(id);
        if (!item) {
            return ex.fail(errors.workItemNotFound(id));
        }
        return ex.json(200, this.render(item, expand));
    }

    /**
     * Applies a JSON Patch document all or nothing: the first operation that fails answers for the
     * whole request and the work item stays as it was.
     */
    async update(ex: Exchange, rawId: string): Promise<void> {
        const contentType = ex.header('content-type');
        if (mediaType(contentType) !== 'application/json-patch+json') {
            return ex.fail(errors.patchContentType(contentType));
        }
        const id = parseId(rawId);
        if (id === undefined) {
            return ex.fail(errors.badWorkItemId(rawId));
        }
        const parts: Buffer[] = [];
        let size = 0;
        await ex.body.read((chunk) => {
            size += chunk.length;
            if (size <= maxPatchBytes) {
                parts.push(chunk);
            }
        });
        if (size > maxPatchBytes) {
            return ex.fail(errors.badPatch(`the body has ${size} bytes, more than the emulator's ${maxPatchBytes}.`));
        }
        const item = this.items.get(id);
        if (!item) {
            return ex.fail(errors.workItemNotFound(id));
        }
        let document: unknown;
        try {
            document = JSON.parse(Buffer.concat(parts).toString('utf8'));
        } catch (err) {
            return ex.fail(errors.badPatch(`the body is not JSON (${err instanceof Error ? err.message : String(err)}).`));
        }
        if (!Array.isArray(document) || document.length === 0) {
            return ex.fail(errors.badPatch('the body must be a non-empty JSON array of operations.'));
        }
        const relations = item.relations.map(copyRelation);
        const history: string[] = [];
        let changed = false;
        for (const [index, operation] of document.entries()) {
            if (typeof operation !== 'object' || operation === null || Array.isArray(operation)) {
                return ex.fail(errors.badPatch(`operation ${index} is not an object.`));
            }
            const { op, path, value } = operation as { op?: unknown; path?: unknown; value?: unknown };
            if (typeof op !== 'string') {
                // node-api types `op` as its numeric Operation enum; the documented wire form is the name.
                return ex.fail(errors.badPatch(`operation ${index} has op ${JSON.stringify(op)}; send the operation's name, e.g. "add" or "test".`));
            }
            const kind = op.toLowerCase();
            const target = String(path).toLowerCase();
            if (kind === 'test' && target === '/rev') {
                if (Number(value) !== item.rev) {
                    return ex.fail(errors.workItemChanged());
                }
            } else if (kind === 'add' && target === '/relations/-') {
                const problem = this.addAttachedFile(item.id, relations, value);
                if (problem) {
                    return ex.fail(problem);
                }
                changed = true;
            } else if (kind === 'remove' && /^\/relations\/\d+$/.test(target)) {
                // Applied in order, as JSON Patch is: an index names the relation where it stands after the operations before it.
                const at = Number(target.slice('/relations/'.length));
                if (at >= relations.length) {
                    return ex.fail(errors.badPatch(`operation ${index} removes /relations/${at}, but the work item has ${relations.length} relations.`));
                }
                relations.splice(at, 1);
                changed = true;
            } else if ((kind === 'add' || kind === 'replace') && target === '/fields/system.history') {
                if (typeof value !== 'string') {
                    return ex.fail(errors.badPatch('System.History takes a string of HTML.'));
                }
                history.push(value);
                changed = true;
            } else {
                return ex.fail(
                    errors.badPatch(
                        `operation ${index} ('${op}' at '${String(path)}') is not supported; ` +
                            "the emulator knows 'test' of /rev, 'add' of an AttachedFile at /relations/-, 'remove' of /relations/{index} and 'add' of /fields/System.History.",
                    ),
                );
            }
        }
        const attached = relations.filter((relation) => relation.rel === 'AttachedFile').length;
        if (attached > maxAttachedFiles) {
            return ex.fail(errors.attachmentLimit(maxAttachedFiles));
        }
        if ((ex.q('validateOnly') ?? '').toLowerCase() === 'true') {
            return ex.json(200, this.render({ ...item, relations }, 'all'));
        }
        if (changed) {
            item.relations = relations;
            item.history.push(...history);
            item.rev += 1;
        }
        return ex.json(200, this.render(item, 'all'));
    }

    /** Appends the relation to `relations`, or says why the service would refuse it. */
    private addAttachedFile(workItemId: number, relations: WorkItemRelation[], value: unknown): ServiceError | undefined {
        if (typeof value !== 'object' || value === null) {
            return errors.badPatch('the value of an add at /relations/- must be an object {rel, url, attributes}.');
        }
        const { rel, url, attributes } = value as { rel?: unknown; url?: unknown; attributes?: unknown };
        if (typeof rel !== 'string' || rel.toLowerCase() !== 'attachedfile') {
            return errors.badPatch(`the relation type '${String(rel)}' is not supported; the emulator only links AttachedFile.`);
        }
        if (typeof url !== 'string') {
            return errors.badPatch('an AttachedFile relation needs a url.');
        }
        const attachmentId = attachmentIdOf(url);
        const attachment = attachmentId === undefined ? undefined : this.settings.attachment(attachmentId);
        if (!attachment || !attachment.complete) {
            return errors.attachmentNotLinkable(url);
        }
        if (relations.some((relation) => relation.rel === 'AttachedFile' && attachmentIdOf(relation.url) === attachment.id)) {
            return errors.relationExists(workItemId, url);
        }
        const comment = typeof attributes === 'object' && attributes !== null ? (attributes as { comment?: unknown }).comment : undefined;
        // The service keeps the link without the fileName query the upload answered with.
        const canonical = `${this.settings.collectionUrl}_apis/wit/attachments/${attachment.id}`;
        relations.push(this.attachedFile(canonical, attachment.fileName, attachment.size, typeof comment === 'string' ? comment : undefined));
        return undefined;
    }

    private seededRelation(seed: AttachedFileSeed): WorkItemRelation {
        let url = seed.url;
        let size = seed.resourceSize;
        if (seed.content !== undefined) {
            if (!this.settings.storeAttachment) {
                throw new RangeError('this work item store cannot store attachment content');
            }
            const stored = this.settings.storeAttachment(seed.fileName, Buffer.from(seed.content));
            // The service keeps the link without the fileName query, as for a PATCH.
            url ??= `${this.settings.collectionUrl}_apis/wit/attachments/${stored.id}`;
            size ??= stored.size;
        }
        if (url === undefined) {
            throw new RangeError(`attached file ${seed.fileName}: give its content, its url, or both`);
        }
        return this.attachedFile(url, seed.fileName, size ?? 0, seed.comment);
    }

    private attachedFile(url: string, name: string, size: number, comment: string | undefined): WorkItemRelation {
        const now = new Date().toISOString();
        const attributes: Record<string, unknown> = {
            authorizedDate: now,
            id: this.nextFileId++,
            resourceCreatedDate: now,
            resourceModifiedDate: now,
            revisedDate: currentRevision,
            resourceSize: size,
            name,
        };
        if (comment !== undefined) {
            attributes.comment = comment;
        }
        return { rel: 'AttachedFile', url, attributes };
    }

    private render(item: WorkItemRecord, expand: Expand): Record<string, unknown> {
        const url = `${this.settings.collectionUrl}_apis/wit/workItems/${item.id}`;
        const body: Record<string, unknown> = {
            id: item.id,
            rev: item.rev,
            fields: {
                'System.Id': item.id,
                'System.Title': item.title,
                'System.Rev': item.rev,
                'System.TeamProject': this.settings.project.name,
            },
        };
        if (expand === 'relations' || expand === 'all') {
            body.relations = item.relations.map(copyRelation);
        }
        if (expand === 'links' || expand === 'all') {
            body._links = { self: { href: url }, fields: { href: `${this.settings.collectionUrl}_apis/wit/fields` } };
        }
        body.url = url;
        return body;
    }
}

/** What "Builds - Get Build Work Items Refs" and the release's counterpart answer: ResourceRefs with string ids. */
export function workItemRefs(collectionUrl: string, ids: number[], top: string | undefined): { count: number; value: { id: string; url: string }[] } {
    const limit = top !== undefined && /^\d+$/.test(top.trim()) ? Number(top) : ids.length;
    const value = ids.slice(0, limit).map((id) => ({ id: String(id), url: `${collectionUrl}_apis/wit/workItems/${id}` }));
    return { count: value.length, value };
}

/** The attachment id of `.../_apis/wit/attachments/{id}[?...]`, lower-cased, or undefined. */
export function attachmentIdOf(url: string): string | undefined {
    let pathname: string;
    try {
        pathname = new URL(url).pathname;
    } catch {
        return undefined;
    }
    const match = /\/_apis\/wit\/attachments\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i.exec(pathname);
    return match?.[1].toLowerCase();
}

function parseId(raw: string): number | undefined {
    return /^\d{1,9}$/.test(raw) && Number(raw) > 0 ? Number(raw) : undefined;
}

function copyRelation(relation: WorkItemRelation): WorkItemRelation {
    return { rel: relation.rel, url: relation.url, attributes: { ...relation.attributes } };
}

function mediaType(contentType: string | undefined): string {
    return (contentType ?? '').split(';')[0].trim().toLowerCase();
}
