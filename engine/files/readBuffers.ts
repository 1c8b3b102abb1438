/**
 * Read buffers for streamed request bodies, used again once a request has handed their bytes to the socket.
 *
 * A fresh buffer per read looks free, but its memory lives outside V8's heap, and a buffer that lived through a
 * request's round trip is only freed by a full garbage collection: the benchmark's 2 GiB file in 1 MiB chunks
 * paid 109 of them, nearly twice the CPU of a plain client. Lent buffers come back only when every byte they held
 * has been written out (the request's `writableFinished`); any other ending leaves them to the collector, so a
 * buffer is never refilled while a socket may still send from it.
 */
export class ReadBufferPool {
    private readonly spare: Buffer[] = [];

    constructor(
        readonly bufferBytes: number,
        /** Spare buffers kept at most; more are left to the collector. */
        private readonly maxSpare: number,
    ) {}

    /** A buffer of `bufferBytes` whose content is undefined. */
    take(): Buffer {
        return this.spare.pop() ?? Buffer.allocUnsafeSlow(this.bufferBytes);
    }

    /** Takes back buffers nothing refers to any more: never sent, or written out in full. */
    giveBack(buffers: readonly Buffer[]): void {
        for (const buffer of buffers) {
            if (this.spare.length < this.maxSpare && buffer.length === this.bufferBytes) {
                this.spare.push(buffer);
            }
        }
    }
}
