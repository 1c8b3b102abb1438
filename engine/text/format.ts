const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];

/** "1.50 MiB (1,572,864 bytes)": the rounded size for people, the exact one for comparing with limits. */
export function formatBytes(bytes: number): string {
    const exact = `${withThousandsSeparators(bytes)} bytes`;
    if (bytes < 1024) {
        return exact;
    }
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < UNITS.length - 1) {
        value /= 1024;
        unit++;
    }
    return `${value.toFixed(2)} ${UNITS[unit]} (${exact})`;
}

export function formatSeconds(ms: number): string {
    return `${(ms / 1000).toFixed(2)} s`;
}

export function formatSpeed(bytes: number, ms: number): string {
    const perSecond = ms > 0 ? (bytes * 1000) / ms : bytes;
    return `${(perSecond / (1024 * 1024)).toFixed(2)} MiB/s`;
}

/** "1,572,864". toLocaleString does the same through ICU, at a cost that shows when thousands of files are logged. */
function withThousandsSeparators(value: number): string {
    return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
