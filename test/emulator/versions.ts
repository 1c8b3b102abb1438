export interface ApiVersion {
    major: number;
    minor: number;
    /** The number part as written, e.g. '7.1' of '7.1-preview.3'. */
    number: string;
}

/** Accepts what clients send: '7.1', '7.1-preview', '7.1-preview.3'. */
export function parseApiVersion(value: string): ApiVersion | undefined {
    const match = /^(\d+)\.(\d+)(?:-preview(?:\.\d+)?)?$/i.exec(value.trim());
    if (!match) {
        return undefined;
    }
    return { major: Number(match[1]), minor: Number(match[2]), number: `${match[1]}.${match[2]}` };
}

/** Compared as numbers per part, so '7.10' would rank above '7.9' as it does on the service. */
export function compareVersions(a: ApiVersion, b: ApiVersion): number {
    return a.major - b.major || a.minor - b.minor;
}
