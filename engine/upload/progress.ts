/**
 * Percent of all bytes sent, reported only when the whole number changes so that the log
 * is not flooded with `task.setprogress` lines. A failed attempt gives its bytes back.
 */
export class UploadProgress {
    private sent = 0;
    private lastReported = -1;

    constructor(private readonly totalBytes: number, private readonly report: (percent: number) => void) {}

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
            this.report(percent);
        }
    }
}
