import { isDeepStrictEqual } from 'util';

export type VersionParts = [major: number, minor: number, patch: number];

const VERSION = /^(\d+)\.(\d+)\.(\d+)$/;

export function parseVersion(text: string): VersionParts {
    const match = VERSION.exec(text.trim());
    if (!match) {
        throw new Error(`'${text}' is not a version of the form Major.Minor.Patch, for example 1.2.3.`);
    }
    return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** Negative when `a` is lower than `b`, zero when equal, positive when higher: a sort comparator. */
export function compareVersions(a: string, b: string): number {
    const [x, y] = [parseVersion(a), parseVersion(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** `major`, `minor` or `patch` counts up from `current`; an explicit `x.y.z` is taken as it is. */
export function nextVersion(current: string, bump: string): string {
    if (VERSION.test(bump)) {
        return parseVersion(bump).join('.');
    }
    const [major, minor, patch] = parseVersion(current);
    switch (bump) {
        case 'major':
            return `${major + 1}.0.0`;
        case 'minor':
            return `${major}.${minor + 1}.0`;
        case 'patch':
            return `${major}.${minor}.${patch + 1}`;
        default:
            throw new Error(`'${bump}' is not a version bump: use major, minor, patch or a version such as 1.2.3.`);
    }
}

/**
 * The text of vss-extension.json with its top-level "version" set, and nothing else touched: the file keeps its
 * formatting, so the diff of a bump is one line.
 */
export function withManifestVersion(text: string, version: string): string {
    return replaceVerified(text, /("version"\s*:\s*)"[^"]*"/g, (match) => `${match[1]}"${version}"`, (json) => ({ ...json, version }));
}

/** The text of a task.json with its version object's Major, Minor and Patch set, and nothing else touched. */
export function withTaskVersion(text: string, version: string): string {
    const [Major, Minor, Patch] = parseVersion(version);
    const set = (body: string, key: string, value: number) => body.replace(new RegExp(`("${key}"\\s*:\\s*)\\d+`), `$1${value}`);
    return replaceVerified(
        text,
        /("version"\s*:\s*\{)([^{}]*)(\})/g,
        (match) => match[1] + set(set(set(match[2], 'Major', Major), 'Minor', Minor), 'Patch', Patch) + match[3],
        (json) => ({ ...json, version: { ...(json.version as object), Major, Minor, Patch } }),
    );
}

/**
 * Edits the text at the first match of `pattern` whose edit gives exactly the JSON `expected` describes (a nested
 * "version" of the same shape is skipped that way), or refuses when none does.
 */
function replaceVerified(
    text: string,
    pattern: RegExp,
    replacement: (match: RegExpMatchArray) => string,
    expected: (json: Record<string, unknown>) => Record<string, unknown>,
): string {
    const parse = (json: string) => JSON.parse(json.replace(/^\uFEFF/, '')) as Record<string, unknown>;
    const wanted = expected(parse(text));
    for (const match of text.matchAll(pattern)) {
        const index = match.index ?? 0;
        const edited = text.slice(0, index) + replacement(match) + text.slice(index + match[0].length);
        if (isDeepStrictEqual(parse(edited), wanted)) {
            return edited;
        }
    }
    throw new Error('Could not set the version by editing the text in place; set it by hand.');
}
