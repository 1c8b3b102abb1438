import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A folder of artifacts for one test, removed by `dispose`. */
export class ArtifactFolder {
    readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'uwia-artifacts-'));

    write(relativePath: string, content: Buffer | string): string {
        const file = path.join(this.root, relativePath);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, content);
        return file;
    }

    dispose(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}

/** Deterministic bytes that cover every byte value, so a text-mode or encoding mistake shows in the hash. */
export function binaryContent(size: number, seed = 1): Buffer {
    const content = Buffer.alloc(size);
    let state = seed >>> 0 || 1;
    for (let index = 0; index < size; index++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        content[index] = state & 0xff;
    }
    return content;
}

export function sha256(content: Buffer | string): string {
    return createHash('sha256').update(content).digest('hex');
}
