export interface ProgressState {
    /** Of all bytes, as a whole number. */
    readonly percent: number;
    readonly bytesSent: number;
    readonly bytesTotal: number;
}

/**
 * Bytes sent of all bytes, reported only when the whole percent changes so that a log is not flooded with
 * progress lines. A failed attempt gives its bytes back.
 */
export class UploadProgress {
    private sent = 0;
    private lastReported = -1;

    constructor(private readonly totalBytes: number, private readonly report: (state: ProgressState) => void) {}

    add(bytes: number): void {
        this.sent += bytes;
        this.publish();
    }

    giveBack(bytes: number): void {
        this.sent = Math.max(0, this.sent - bytes);
    }

    private publish(): void {
        const percent = this.totalBytes === 0 ? 100 : Math.floor((this.sent * 100) / this.totalBytes);
        if (percent > this.lastReported) {
            this.lastReported = percent;
            this.report({ percent, bytesSent: this.sent, bytesTotal: this.totalBytes });
        }
    }
}
