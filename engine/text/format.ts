const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];

/** "1.50 MiB (1,572,864 bytes)": the rounded size for people, the exact one for comparing with limits. */
export function formatBytes(bytes: number): string {
    const exact = byteCount(bytes);
    if (bytes < 1024) {
        return exact;
    }
    return `${formatSize(bytes)} (${exact})`;
}

/** "1.50 MiB", "512 bytes": the rounded size alone, for a line that already sits in brackets. */
export function formatSize(bytes: number): string {
    if (bytes < 1024) {
        return byteCount(bytes);
    }
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < UNITS.length - 1) {
        value /= 1024;
        unit++;
    }
    return `${value.toFixed(2)} ${UNITS[unit]}`;
}

export function formatSeconds(ms: number): string {
    return `${(ms / 1000).toFixed(2)} s`;
}

/** "850 ms", "1.23 s", "2 min 05 s": what a person reads for how long something took. */
export function formatDuration(ms: number): string {
    if (ms < 1000) {
        return `${Math.max(0, Math.round(ms))} ms`;
    }
    if (ms < 60_000) {
        return formatSeconds(ms);
    }
    const seconds = Math.round(ms / 1000);
    return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/**
 * "5.00 MiB/s", "312 KiB/s": three significant digits in the unit that suits the rate, so a tiny file never reads
 * "0.00 MiB/s". A transfer too quick to time (0 ms) is rated as if it took 1 ms.
 */
export function formatSpeed(bytes: number, ms: number): string {
    let value = (bytes * 1000) / Math.max(ms, 1);
    let unit = 0;
    while (value >= 1024 && unit < UNITS.length - 1) {
        value /= 1024;
        unit++;
    }
    const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
    return `${value.toFixed(digits)} ${unit === 0 ? 'bytes' : UNITS[unit]}/s`;
}

function byteCount(bytes: number): string {
    return `${withThousandsSeparators(bytes)} bytes`;
}

/** "1,572,864". toLocaleString does the same through ICU, at a cost that shows when thousands of files are logged. */
export function withThousandsSeparators(value: number): string {
    return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
